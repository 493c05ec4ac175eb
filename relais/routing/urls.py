from django.urls import path

from relais.routing import views

app_name = "routing"

urlpatterns = [
    path("", views.coverage, name="coverage"),
    path("unassigned/", views.unassigned, name="unassigned"),
    path("leads/<int:pk>/assign/", views.assign, name="assign"),
    path("kpis/", views.kpis, name="kpis"),
    path("review/<int:year>/", views.review, name="review"),
    path("review/<int:year>/pdf/", views.review_pdf, name="review_pdf"),
]
