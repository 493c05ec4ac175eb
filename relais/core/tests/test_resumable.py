"""A long job's row is the only truth about who runs it: a run taken over stops writing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from relais.core import resumable
from relais.leads.models import LeadImport
from relais.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def job(**fields):
    return LeadImport.objects.create(created_by=UserFactory(), filename="x.csv", **fields)


def test_a_slow_run_taken_over_cannot_record_its_next_part():
    batch = job(state="queued")
    slow = resumable.claim(LeadImport, batch.pk)
    LeadImport.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    resumable.requeue_stalled(LeadImport, enqueue=lambda pk: None)
    successor = resumable.claim(LeadImport, batch.pk)
    assert successor
    assert successor.attempt == slow.attempt + 1
    with pytest.raises(resumable.Superseded):
        resumable.checkpoint(LeadImport, slow, through=1001, created=1000)
    resumable.checkpoint(LeadImport, successor, through=1001, created=1000)
    assert LeadImport.objects.get(pk=batch.pk).resume_after == 1001


def test_a_job_that_stalls_again_and_again_is_given_up():
    batch = job(state="running", attempt=resumable.MAX_ATTEMPTS)
    LeadImport.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    queued = []
    assert resumable.requeue_stalled(LeadImport, enqueue=queued.append) == "0 re-queued, 1 given up"
    batch.refresh_from_db()
    assert (batch.state, queued) == ("failed", [])
    assert "5" in batch.failure
