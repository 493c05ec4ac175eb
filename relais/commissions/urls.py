from django.urls import path

from relais.commissions import bonus_views, plan_views, views

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
    path("plans/", plan_views.plan_list, name="plans"),
    path("plans/new/", plan_views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", plan_views.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", plan_views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/discard/", plan_views.plan_discard, name="plan_discard"),
    path("plans/<int:pk>/version/", plan_views.plan_version, name="plan_version"),
    path("plans/<int:pk>/rules/new/", plan_views.rule_new, name="rule_new"),
    path("plans/<int:pk>/rules/<int:rule_id>/", plan_views.rule_edit, name="rule_edit"),
    path("plans/<int:pk>/rules/<int:rule_id>/delete/", plan_views.rule_delete, name="rule_delete"),
    path("das2/", views.das2_latest, name="das2_latest"),
    path("das2/<int:year>/", views.das2, name="das2"),
    path("redemptions/", views.redemption_list, name="redemptions"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice"),
    path("internal-bonuses/", bonus_views.bonus_list, name="employee_bonuses"),
    path("internal-bonuses/approve/", bonus_views.bonus_approve, name="employee_bonus_approve"),
    path("internal-bonuses/payroll/", bonus_views.payroll_export_new, name="payroll_export_new"),
    path(
        "internal-bonuses/payroll/<int:pk>/",
        bonus_views.payroll_export_download,
        name="payroll_export",
    ),
]
