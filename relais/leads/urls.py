from django.urls import path

from relais.leads import import_views, views

app_name = "leads"

urlpatterns = [
    path("", views.lead_list, name="list"),
    path("new/", views.lead_create, name="create"),
    path("review/", views.review_queue, name="review"),
    path("import/", import_views.import_start, name="import"),
    path("import/<int:batch_id>/", import_views.import_detail, name="import_detail"),
    path("import/<int:batch_id>/errors.csv", import_views.import_errors, name="import_errors"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/status/", views.lead_transition, name="transition"),
    path("<int:pk>/review/", views.review_decide, name="review_decide"),
    path("<int:pk>/money/", views.lead_money, name="money"),
]
