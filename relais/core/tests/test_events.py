from dataclasses import dataclass

import pytest
from django.db import transaction

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
def test_handlers_run_once_the_transaction_commits(received):
    with transaction.atomic():
        events.publish(SomethingHappened(thing_id=1))
        assert received == []
    assert received == [1]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_sets_nothing_off(received):
    def publish_then_fail() -> None:
        with transaction.atomic():
            events.publish(SomethingHappened(thing_id=2))
            raise RuntimeError("rollback")

    with pytest.raises(RuntimeError):
        publish_then_fail()
    assert received == []
