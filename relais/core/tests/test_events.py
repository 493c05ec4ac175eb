from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from relais.core import events


@dataclass(frozen=True)
class SomethingHappened(events.Event):
    thing_id: int


@pytest.fixture
def received():
    seen: list[int] = []

    def handler(event: SomethingHappened) -> None:
        seen.append(event.thing_id)

    events.subscribe(SomethingHappened, handler)
    yield seen
    events._handlers.pop(SomethingHappened, None)


@pytest.mark.django_db(transaction=True)
def test_the_commit_wakes_the_worker_and_the_worker_runs_the_handlers(received):
    with transaction.atomic():
        events.publish(SomethingHappened(thing_id=1))
        events.publish(SomethingHappened(thing_id=2))
        assert not DBTaskResult.objects.exists()
    assert received == []  # never in the publisher's request
    woken = DBTaskResult.objects.filter(task_path__endswith="deliver_events")
    assert woken.count() == 1  # one wake-up for the commit, however many events
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert received == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_sets_nothing_off(received):
    def publish_then_fail() -> None:
        with transaction.atomic():
            events.publish(SomethingHappened(thing_id=2))
            raise RuntimeError("rollback")

    with pytest.raises(RuntimeError):
        publish_then_fail()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert received == []
