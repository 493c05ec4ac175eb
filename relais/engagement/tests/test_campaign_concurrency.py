"""Two managers launching the same campaign at the same moment: one launch goes through, the
other is refused, and the campaign's task is queued once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from relais.core.errors import DomainError
from relais.engagement.campaigns import campaign_launch
from relais.engagement.choices import CampaignState
from relais.engagement.models import Campaign
from relais.engagement.tests.campaign_fixtures import campaign, dormant


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_launches_at_once_send_the_campaign_once(manager):
    from django_tasks_db.models import DBTaskResult

    dormant(3)
    draft = campaign(manager)
    start, outcomes = threading.Barrier(2), []

    def launch() -> None:
        start.wait()
        try:
            campaign_launch(campaign=draft, actor=manager)
            outcomes.append("launched")
        except DomainError as refused:
            outcomes.append(refused.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=launch) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["already_launched", "launched"]
    assert Campaign.objects.get(pk=draft.pk).state == CampaignState.QUEUED
    queued = DBTaskResult.objects.filter(task_path__endswith="send_campaign")
    assert queued.count() == 1
