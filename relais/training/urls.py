from relais.training.views import authoring, certificates, stats

app_name = "training"

urlpatterns = [*authoring.urlpatterns, *stats.urlpatterns, *certificates.urlpatterns]
