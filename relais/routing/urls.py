from django.urls import path

from relais.routing import request_views, views

app_name = "routing"

urlpatterns = [
    path("", views.coverage, name="coverage"),
    path("unassigned/", views.unassigned, name="unassigned"),
    path("leads/<int:pk>/assign/", views.assign, name="assign"),
    path("kpis/", views.kpis, name="kpis"),
    path("review/<int:year>/", views.review, name="review"),
    path("coverage-requests/", request_views.coverage_requests, name="coverage_requests"),
    path(
        "coverage-requests/<int:pk>/approve/",
        request_views.approve,
        name="coverage_request_approve",
    ),
    path(
        "coverage-requests/<int:pk>/refuse/",
        request_views.refuse,
        name="coverage_request_refuse",
    ),
    path("review/<int:year>/pdf/", views.review_pdf, name="review_pdf"),
]
