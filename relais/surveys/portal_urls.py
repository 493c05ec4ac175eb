from relais.surveys.views import portal

app_name = "my_nps"

urlpatterns = portal.urlpatterns
