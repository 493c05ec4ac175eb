from django.urls import path

from relais.reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("map/", views.departement_map, name="map"),
]
