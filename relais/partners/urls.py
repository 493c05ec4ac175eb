from django.urls import path

from relais.partners.views import audits, compliance, contracts, records, selection, transfer

app_name = "partners"

urlpatterns = [
    path("", records.partner_list, name="list"),
    path("new/", records.partner_create, name="create"),
    path("export/", transfer.export, name="export"),
    path("import/", transfer.import_start, name="import"),
    path("import/<int:batch_id>/", transfer.import_detail, name="import_detail"),
    path("import/<int:batch_id>/errors.csv", transfer.import_errors, name="import_errors"),
    path("<int:pk>/", records.partner_detail, name="detail"),
    path("<int:pk>/edit/", records.partner_edit, name="edit"),
    path("<int:pk>/status/", records.partner_transition, name="transition"),
    path("<int:pk>/scorecard/", selection.scorecard, name="scorecard"),
    path("<int:pk>/portfolio/", selection.portfolio_upload, name="portfolio"),
    path("<int:pk>/compliance/", audits.compliance, name="compliance"),
    path("<int:pk>/audits/<int:audit_id>/", audits.audit_detail, name="audit"),
    path("<int:pk>/disputes/<int:dispute_id>/", audits.dispute_move, name="dispute_move"),
    path(
        "<int:pk>/signatures/<int:signature_id>.pdf",
        contracts.signature_download,
        name="signature_pdf",
    ),
    path("templates/", contracts.template_list, name="templates"),
    path("templates/<str:kind>/new/", contracts.template_new_version, name="template_new"),
    path("declarations/", compliance.declaration_queue, name="declarations"),
    path(
        "declarations/<int:declaration_id>/review/",
        compliance.declaration_review,
        name="declaration_review",
    ),
]
