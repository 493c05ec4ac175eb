from django.urls import path

from relais.reporting import report_views

app_name = "report_links"

urlpatterns = [
    path("c/<str:token>/", report_views.confirm, name="confirm"),
    path("u/<str:token>/", report_views.unsubscribe, name="unsubscribe"),
]
