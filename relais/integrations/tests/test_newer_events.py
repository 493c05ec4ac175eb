"""The newer capabilities' writes reach the webhooks through their own services: a customer's
survey score (and a detractor), a partner's training certificate."""

from __future__ import annotations

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from relais.core import outbox
from relais.integrations import services
from relais.surveys.answers import answer_record
from relais.surveys.models import Customer, SurveyRequest
from relais.testing.factories import PartnerFactory
from relais.training.certificates import certificate_issue
from relais.training.models import Module

pytestmark = pytest.mark.django_db


def received(receiver, secret):
    outbox.deliver_all()
    services.deliver_all()
    payloads = [Webhook(secret).verify(r.body, r.headers) for r in receiver.received]
    receiver.received.clear()
    return payloads


def survey(reseller):
    customer = Customer.objects.create(last_name="Durand", email="d@example.fr", reseller=reseller)
    return SurveyRequest.objects.create(
        customer=customer, occasion="won", created_at=timezone.now(), state="sent"
    )


def test_a_low_score_is_sent_as_answered_and_detractor_a_change_up_as_answered(receiver, manager):
    types = ["survey.answered", "survey.detractor"]
    hook = services.endpoint_create(url=receiver.url, event_types=types, owner=manager)
    reseller = PartnerFactory(reseller=True)
    request = survey(reseller)

    answer = answer_record(request_id=request.pk, score=3).answer
    first = received(receiver, hook.secret)
    answer_record(request_id=request.pk, score=3)  # the same click again: nothing new
    answer_record(request_id=request.pk, score=9)
    changed = received(receiver, hook.secret)

    assert [p["type"] for p in first] == ["survey.answered", "survey.detractor"]
    data = first[0]["data"]
    assert (data["answer_id"], data["score"], data["category"]) == (answer.pk, 3, "detractor")
    assert (data["reseller_id"], data["previous_score"]) == (reseller.pk, None)
    assert [(p["type"], p["data"]["score"], p["data"]["previous_score"]) for p in changed] == [
        ("survey.answered", 9, 3)
    ]


def test_a_certificate_is_sent_as_training_completed_once(receiver, manager):
    hook = services.endpoint_create(
        url=receiver.url, event_types=["training.completed"], owner=manager
    )
    partner = PartnerFactory()
    module = Module.objects.create(title="Sécurité", language="fr", published=True)

    certificate = certificate_issue(partner=partner, module=module)
    certificate_issue(partner=partner, module=module)  # still valid: the same one, no event

    (completed,) = received(receiver, hook.secret)
    assert completed["type"] == "training.completed"
    assert completed["data"]["certificate_id"] == certificate.pk
    assert completed["data"]["partner_id"] == partner.pk
    assert completed["data"]["module_id"] == module.pk
    assert completed["data"]["code"] == certificate.code
