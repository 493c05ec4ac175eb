from django.urls import path

from relais.portal import coverage, earnings, inbox, mail, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("leads/", views.leads, name="leads"),
    path("leads/new/", views.lead_new, name="lead_new"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/<int:pk>/", inbox.inbox_detail, name="inbox_lead"),
    path("inbox/<int:pk>/status/", inbox.inbox_declare, name="inbox_declare"),
    path("inbox/<int:pk>/decline/", inbox.inbox_decline, name="inbox_decline"),
    path("performance/", views.performance, name="performance"),
    path("coverage/", coverage.coverage, name="coverage"),
    path("earnings/", earnings.earnings, name="earnings"),
    path("statements/<int:item_id>.pdf", earnings.statement_download, name="statement_pdf"),
    path("invoices/<int:invoice_id>.pdf", earnings.invoice_download, name="invoice_pdf"),
    path("yearly/<int:year>.pdf", earnings.yearly_download, name="yearly_pdf"),
    path("corrections/<int:correction_id>/", earnings.correction_answer, name="correction"),
    path("gifts/<int:gift_id>/redeem/", earnings.gift_redeem, name="gift_redeem"),
    path("documents/upload/<slug:kind>/", earnings.document_upload, name="document_upload"),
    path("documents/", views.documents, name="documents"),
    path("documents/<int:template_id>/", views.document, name="document"),
    path("signatures/<int:signature_id>.pdf", views.signature_download, name="signature_pdf"),
    path("declarations/", views.declarations, name="declarations"),
    path("profile/", views.profile, name="profile"),
    path("mail/", mail.mail_preferences, name="mail_preferences"),
    path("profile/bank/<str:token>/", views.bank_confirm, name="bank_confirm"),
]
