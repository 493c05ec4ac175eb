from django.urls import path

from relais.reporting import report_views, views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("map/", views.departement_map, name="map"),
    path("reports/", report_views.report_list, name="reports"),
    path("reports/new/", report_views.report_new, name="report_new"),
    path("reports/<int:pk>/", report_views.report_detail, name="report"),
    path("reports/<int:pk>/delete/", report_views.report_delete, name="report_delete"),
    path("reports/<int:pk>/file.<str:fmt>", report_views.report_file, name="report_file"),
]
