from relais.training.views import learning

app_name = "learning"

urlpatterns = learning.urlpatterns
