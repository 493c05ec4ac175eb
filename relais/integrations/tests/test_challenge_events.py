"""A challenge's lifecycle reaches the webhooks from its audited move: launched when it starts
running, closed when it ends (with its winners) or is cancelled (none) — once each."""

from __future__ import annotations

from decimal import Decimal

import pytest
from standardwebhooks import Webhook

from relais.challenges.models import Participant
from relais.challenges.services import challenge_move
from relais.challenges.tests.helpers import challenge
from relais.core import outbox
from relais.integrations import services
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db
TYPES = ["challenge.launched", "challenge.closed"]


def received(receiver, secret):
    outbox.deliver_all()
    services.deliver_all()
    payloads = [Webhook(secret).verify(r.body, r.headers) for r in receiver.received]
    receiver.received.clear()
    return payloads


def enrolled(**fields):
    made = challenge(mechanic="ranking", top_n=1, ranking="value", **fields)
    first, second = PartnerFactory(), PartnerFactory()
    for n, (partner, progress) in enumerate(((first, "5"), (second, "2"))):
        Participant.objects.create(
            challenge=made,
            partner=partner,
            pseudonym=f"Lynx {n}",
            target=Decimal("4"),
            proposed_target=Decimal("4"),
            progress=Decimal(progress),
            share=Decimal(progress) / 4,
        )
    return made, first


def test_a_run_challenge_is_sent_launched_then_closed_with_its_winner(receiver, manager):
    hook = services.endpoint_create(url=receiver.url, event_types=TYPES, owner=manager)
    made, first = enrolled()

    challenge_move(challenge=made, to="scheduled", actor=manager)
    challenge_move(challenge=made, to="running", actor=manager)
    (launched,) = received(receiver, hook.secret)
    challenge_move(challenge=made, to="ended", actor=manager)
    (closed,) = received(receiver, hook.secret)

    assert (launched["type"], launched["version"]) == ("challenge.launched", 1)
    assert launched["data"]["challenge_id"] == made.pk
    assert (launched["data"]["status"], launched["data"]["participants"]) == ("running", 2)
    assert closed["type"] == "challenge.closed"
    assert closed["data"]["status"] == "ended"
    winners = closed["data"]["winners"]
    assert [(w["rank"], w["partner_id"]) for w in winners] == [(1, first.pk)]
    assert Decimal(winners[0]["progress"]) == Decimal("5")


def test_a_cancelled_challenge_is_closed_without_winners_and_a_refused_move_sends_nothing(
    receiver, manager
):
    hook = services.endpoint_create(url=receiver.url, event_types=TYPES, owner=manager)
    made, _ = enrolled()

    challenge_move(challenge=made, to="cancelled", actor=manager)
    with pytest.raises(Exception, match="cannot go"):
        challenge_move(challenge=made, to="running", actor=manager)
    (closed,) = received(receiver, hook.secret)

    assert (closed["type"], closed["data"]["status"], closed["data"]["winners"]) == (
        "challenge.closed",
        "cancelled",
        [],
    )


def test_the_closed_payload_with_its_winners_is_documented_in_the_openapi_webhooks(client):
    schema = client.get("/api/v1/openapi.json").json()

    post = schema["webhooks"]["challenge.closed"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    data = body["properties"]["data"]
    assert "winners" in data["properties"]
    assert "challenge.launched" in schema["webhooks"]
