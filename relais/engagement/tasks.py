"""Background work of the engagement app: tasks take ids and are safe to run twice."""

from __future__ import annotations

from django.tasks import task


@task()
def send_campaign(campaign_id: int) -> int:
    """Write a launched campaign's recipients and send them; returns how many this run sent.

    Safe to run twice, and after a worker died half-way: a run taken up again goes on after
    the rows already written and sent, and never sends anyone a second copy
    (``engagement.sending``).
    """
    from relais.engagement.sending import campaign_run

    return campaign_run(campaign_id=campaign_id)
