"""A lead whose postcode no French département uses (98000, Monaco) is kept, outside the
territory, and waits in the unassigned queue saying so — whichever way it came in."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation

from relais.core.outbox import deliver_all
from relais.core.territory import departement_served
from relais.leads.models import Lead, LeadImport
from relais.leads.services import lead_submit, lead_transition
from relais.routing.selectors import unassigned_queue
from relais.testing.factories import PartnerFactory, partner_user

MONACO = {"last_name": "Grimaldi", "phone": "06 11 22 33 44", "postcode": "98000"}


def test_a_foreign_postcode_has_no_departement_and_a_typo_is_still_refused():
    assert departement_served("98000") is None
    assert departement_served("69003") == "69"
    with pytest.raises(ValidationError):
        departement_served("6900")


def _queued_reason(lead: Lead) -> str:
    with translation.override("en"):
        return str(unassigned_queue().get(pk=lead.pk).unassigned_reason)


@pytest.mark.django_db
def test_the_api_accepts_it_and_qualified_it_waits_unassigned_outside_the_territory(
    api_client, manager, django_capture_on_commit_callbacks
):
    partner = PartnerFactory()
    response = api_client(partner_user(partner)).post(
        "/api/v1/leads", MONACO, content_type="application/json", headers={"Accept-Language": "en"}
    )
    assert response.status_code == 201, response.content
    assert (response.json()["postcode"], response.json()["departement"]) == ("98000", "")
    lead = Lead.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        lead_transition(lead=lead, to="qualified", actor=manager)
    deliver_all()
    lead.refresh_from_db()
    assert lead.status == "qualified"
    assert lead.departement_id is None
    assert _queued_reason(lead) == "Outside the territory we serve: postcode 98000."


@pytest.mark.django_db
def test_the_portal_form_records_it(client):
    partner = PartnerFactory()
    client.force_login(partner_user(partner))
    client.post("/portal/leads/new/", MONACO, HTTP_ACCEPT_LANGUAGE="en")
    lead = partner.leads.get()
    assert (lead.postcode, lead.departement_id, lead.status) == ("98000", None, "submitted")
    page = client.get("/portal/leads/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Grimaldi" in page


@pytest.mark.django_db
def test_a_staff_lead_page_shows_it(client, manager):
    lead = lead_submit(data=dict(MONACO), channel="staff")
    client.force_login(manager)
    response = client.get(f"/leads/{lead.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "98000" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_import_row_with_a_monaco_postcode_is_created(client, manager):
    rows = "Nom;Téléphone;Code postal\nGrimaldi;0611223344;98000\nMartin;0611223355;69003\n"
    client.force_login(manager)
    client.post("/leads/import/", {"file": SimpleUploadedFile("l.csv", rows.encode())})
    batch = LeadImport.objects.get()
    data = {"action": "import", "mode": "valid_only"}
    data.update({f"map_{f}": h for f, h in batch.mapping.items()})
    client.post(f"/leads/import/{batch.pk}/", data)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    batch.refresh_from_db()
    assert (batch.state, batch.created, batch.invalid) == ("done", 2, 0)
    assert Lead.objects.get(postcode="98000").departement_id is None
