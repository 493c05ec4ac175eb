"""``/api/v1/training/``: a manager reads every module, a partner's token the modules meant for
it with whether each is done, and its own certificates (never another partner's).

The router is mounted here on an API built like ``relais/api/api.py`` (the same token auth and
error bodies) so that these tests hold before and after the lead developer mounts it there."""

from __future__ import annotations

import pytest
from django.urls import path
from django.utils import translation
from ninja import NinjaAPI

from relais.api import errors
from relais.api.auth import TokenAuth
from relais.testing.factories import PartnerFactory, partner_user
from relais.training.api import router
from relais.training.authoring import (
    ChoiceIn,
    module_publish,
    module_require,
    module_save,
    question_save,
)
from relais.training.models import Module, Question
from relais.training.quiz import attempt_start, attempt_submit, module_read

api = NinjaAPI(auth=TokenAuth(), urls_namespace="training_api_tests")
errors.install(api)
api.add_router("/", router)
urlpatterns = [path("api/v1/", api.urls)]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def published(title, audience="all", quiz=False, publish=True) -> Module:
    module = module_save(
        module=Module(), data={"title": title, "body": "<p>x</p>", "audience": audience}, actor=None
    )
    if quiz:
        question_save(
            module=module,
            question=Question(),
            data={"text": "Vrai ?", "points": 1},
            choices=[ChoiceIn("Oui", True), ChoiceIn("Non", False)],
            actor=None,
        )
        module_save(module=module, data={"pass_mark": 1}, actor=None)
    if publish:
        module_publish(module=module, actor=None)
    return module


def test_a_manager_reads_every_module_drafts_included(api_client, manager):
    rules = published("Règles", quiz=True)
    module_require(module=rules, required_for="all", actor=None)
    published("Brouillon", publish=False)
    response = api_client(manager).get("/api/v1/training/modules")
    assert response.status_code == 200
    body = {m["title"]: m for m in response.json()}
    assert set(body) == {"Règles", "Brouillon"}
    assert body["Règles"]["questions"] == 1
    assert body["Règles"]["required_for"] == "all"
    assert body["Règles"]["done"] is None
    assert body["Brouillon"]["published"] is False


def test_a_partner_reads_its_modules_with_its_progress(api_client):
    reseller = PartnerFactory(reseller=True)
    rules = published("Règles")
    published("Leads", audience="reseller", quiz=True)
    published("Pour les apporteurs", audience="introducer")
    published("Brouillon", publish=False)
    module_read(partner=reseller, module=rules)
    response = api_client(partner_user(reseller)).get("/api/v1/training/modules")
    assert response.status_code == 200
    assert {m["title"]: m["done"] for m in response.json()} == {"Règles": True, "Leads": False}


def test_a_partner_reads_its_own_certificates_only(api_client):
    reseller, other = PartnerFactory(reseller=True), PartnerFactory()
    leads = published("Leads", quiz=True)
    for partner in (reseller, other):
        module_read(partner=partner, module=leads)
        attempt = attempt_start(partner=partner, module=leads)
        right = leads.questions.get().choices.get(correct=True).pk
        attempt_submit(attempt=attempt, answers={attempt.drawn[0]: [right]})
    response = api_client(partner_user(reseller)).get("/api/v1/training/certificates")
    assert response.status_code == 200
    [certificate] = response.json()
    assert certificate["title"] == "Leads"
    assert certificate["state"] == "valid"
    assert certificate["module"] == leads.pk
    assert certificate["code"] == reseller.certificates.get().code


def test_staff_without_a_partner_has_no_certificates(api_client, manager):
    response = api_client(manager).get("/api/v1/training/certificates")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_without_a_token_nothing_is_read(client):
    assert client.get("/api/v1/training/modules").status_code == 401
