from django.urls import path

from relais.commissions import views

app_name = "commissions"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("lines/", views.line_list, name="lines"),
    path("lines/bulk/", views.line_bulk, name="line_bulk"),
    path("lines/<int:pk>/hold/", views.line_hold, name="line_hold"),
    path("runs/", views.run_list, name="runs"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/<slug:action>/", views.run_action, name="run_action"),
    path(
        "runs/<int:pk>/statements/<int:item_id>.pdf",
        views.statement_download,
        name="statement",
    ),
    path("plans/", views.plan_list, name="plans"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("das2/", views.das2_latest, name="das2_latest"),
    path("das2/<int:year>/", views.das2, name="das2"),
    path("redemptions/", views.redemption_list, name="redemptions"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice"),
]
