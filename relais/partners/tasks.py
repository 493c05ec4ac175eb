"""Background work of the partners app: tasks take ids and are safe to run twice."""

from __future__ import annotations

from django.tasks import task


@task()
def notify_new_version(template_id: int) -> int:
    """E-mail the partners who must sign the new version; returns how many this run told.

    Safe to run twice, and after a worker died half-way: a partner already told, or who
    already signed this version, is not e-mailed again (``services.notices``).
    """
    from relais.partners.services.notices import notification_run

    return notification_run(template_id=template_id)


@task()
def run_partner_import(import_id: int) -> None:
    """Run a queued partner import; the import's row holds its progress and report. Safe to
    run twice: a second run goes on from the last row the first one committed."""
    from relais.partners.services.imports import run

    run(import_id)
