from relais.network import import_views, introduction_views, operation_views, plan_views, views

app_name = "network"

urlpatterns = (
    views.urlpatterns
    + import_views.urlpatterns
    + introduction_views.urlpatterns
    + plan_views.urlpatterns
    + operation_views.urlpatterns
)
