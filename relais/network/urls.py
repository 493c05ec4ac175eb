from relais.network import introduction_views, plan_views, views

app_name = "network"

urlpatterns = views.urlpatterns + introduction_views.urlpatterns + plan_views.urlpatterns
