"""Manager pages: status change, scorecard, templates, declarations; API transitions."""

import pytest
from django.core import mail

from relais.partners import services
from relais.partners.models import ContractTemplate, SelectionCriterion
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db


def test_detail_shows_documents_and_the_timeline(client, manager):
    partner = PartnerFactory()
    services.partner_transition(
        partner=partner, to="paused", actor=manager, reason="Pause estivale"
    )
    client.force_login(manager)
    page = client.get(f"/partners/{partner.pk}/").content.decode()
    assert "Pause estivale" in page
    assert "Règlement du programme" in page


def test_an_illegal_status_change_from_the_page_is_refused(client, manager):
    partner = PartnerFactory(status="candidate")
    client.force_login(manager)
    response = client.post(f"/partners/{partner.pk}/status/", {"to": "active", "reason": ""})
    assert response.status_code == 409
    partner.refresh_from_db()
    assert partner.status == "candidate"


def test_manager_scores_and_accepts_from_the_scorecard_page(
    client, manager, django_capture_on_commit_callbacks
):
    partner = PartnerFactory(status="candidate")
    client.force_login(manager)
    data = {"action": "score"}
    for criterion in SelectionCriterion.objects.all():
        data[f"score_{criterion.pk}"] = 3
        data[f"evidence_{criterion.pk}"] = "Vu en entretien"
    assert client.post(f"/partners/{partner.pk}/scorecard/", data).status_code == 302
    assert client.get(f"/partners/{partner.pk}/scorecard/").context["total"] == 60
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/partners/{partner.pk}/scorecard/",
            {"action": "decide", "decision": "accept", "note": ""},
        )
    assert response.status_code == 302
    assert "/login/link/" in mail.outbox[-1].body


def test_a_score_out_of_range_is_shown_on_the_form(client, manager):
    partner = PartnerFactory(status="candidate")
    criterion = SelectionCriterion.objects.first()
    client.force_login(manager)
    response = client.post(
        f"/partners/{partner.pk}/scorecard/", {"action": "score", f"score_{criterion.pk}": 9}
    )
    assert response.status_code == 422
    assert response.context["scores_form"].errors[f"score_{criterion.pk}"]


def test_publishing_a_risky_template_asks_for_confirmation(client, manager):
    client.force_login(manager)
    body = "L'apporteur peut négocier les prix avec le client."
    response = client.post(
        "/partners/templates/introducer_contract/new/",
        {"title": "Contrat", "body": body, "action": "publish"},
    )
    assert "peut négocier les prix" in " ".join(response.context["warnings"])
    assert ContractTemplate.objects.filter(kind="introducer_contract").count() == 1
    response = client.post(
        "/partners/templates/introducer_contract/new/",
        {"title": "Contrat", "body": body, "action": "publish", "confirm": "1"},
    )
    assert response.status_code == 302
    assert ContractTemplate.objects.filter(kind="introducer_contract").count() == 2


def test_declaration_review_queue(client, manager):
    partner = PartnerFactory()
    declaration = services.declaration_submit(
        partner=partner, user=partner_user(partner), has_conflict=False, description=""
    )
    client.force_login(manager)
    assert partner.display_name in client.get("/partners/declarations/").content.decode()
    client.post(
        f"/partners/declarations/{declaration.pk}/review/", {"status": "accepted", "note": ""}
    )
    declaration.refresh_from_db()
    assert declaration.status == "accepted"


def test_api_transition_is_409_when_illegal(api_client, manager):
    partner = PartnerFactory(status="candidate")
    api = api_client(manager)
    response = api.post(
        f"/api/v1/partners/{partner.pk}/transitions",
        {"to": "paused", "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "illegal_transition"
    response = api.post(
        f"/api/v1/partners/{partner.pk}/transitions",
        {"to": "active"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "documents_missing"
    response = api.post(
        f"/api/v1/partners/{partner.pk}/transitions",
        {"to": "ended", "reason": "Doublon"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "ended"
