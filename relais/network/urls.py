from relais.network import views

app_name = "network"

urlpatterns = views.urlpatterns
