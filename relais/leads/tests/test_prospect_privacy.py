"""The prospect page and the API answer reveal nothing of another partner's lead.

The attack this guards against: an introducer submits a lead with another partner's prospect's
phone and an e-mail address they read themselves; the art. 14 notice reaches them, and its page
must show and act on their own submission only.
"""

import re

import pytest
from django.core import mail
from django.utils import translation

from relais.leads import services
from relais.leads.models import Lead, Suppression
from relais.leads.tasks import notify_prospect
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db
VICTIM = {
    "first_name": "Victor",
    "last_name": "Victime",
    "email": "victor.victime@orange.fr",
    "phone": "06 12 34 56 78",
    "postcode": "69003",
    "need": "Pompe à chaleur",
}
ATTACK = {
    "last_name": "Curieux",
    "email": "curieux@free.fr",
    "phone": "0612345678",
    "postcode": "69003",
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _page_url(lead: Lead) -> str:
    """The link the art. 14 notice carries, read from the e-mail as its reader would."""
    mail.outbox.clear()
    assert notify_prospect(lead.pk)
    (notice,) = mail.outbox
    assert notice.to == [lead.email]
    return re.search(r"/p/[^/\s]+/", notice.body).group(0)


def _victims_lead() -> Lead:
    owner = PartnerFactory(company_name="Réseau Honnête")
    return services.lead_submit(data=VICTIM, channel="portal", partner=owner)


def _attack(api_client) -> tuple[Lead, dict]:
    attacker = PartnerFactory(company_name="Apporteur Curieux")
    response = api_client(partner_user(attacker)).post(
        "/api/v1/leads", ATTACK, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    return Lead.objects.get(pk=body["id"]), body


def test_a_notice_for_a_conflicting_lead_shows_only_that_lead(client, api_client):
    _victims_lead()
    mine, _body = _attack(api_client)
    assert mine.review_reason == "conflict"
    page = client.get(_page_url(mine)).content.decode()
    assert "Curieux" in page
    for secret in ("Victor", "Victime", "victor.victime@orange.fr", "Réseau Honnête", "chaleur"):
        assert secret not in page


def test_erasing_through_a_conflicting_lead_leaves_the_other_partners_lead_alone(
    client, api_client
):
    victim = _victims_lead()
    mine, _body = _attack(api_client)
    url = _page_url(mine)
    client.post(url, {"action": "object"})
    client.post(url, {"action": "erase"})
    victim.refresh_from_db()
    mine.refresh_from_db()
    assert (victim.anonymised_at, victim.email, victim.phone) == (
        None,
        "victor.victime@orange.fr",
        "+33612345678",
    )
    assert mine.anonymised_at is not None
    # The attacker's own address is silenced; the victim's phone is not.
    assert set(Suppression.objects.values_list("value", flat=True)) == {"curieux@free.fr"}
    again = services.lead_submit(data=VICTIM, channel="portal", partner=PartnerFactory())
    assert again.review_reason != "suppressed"


def test_a_page_reached_by_phone_alone_shows_nothing_of_the_match(client):
    """Two leads sharing a phone but not an e-mail are two people as far as the page knows."""
    victim = _victims_lead()
    other = services.lead_submit(
        data={**VICTIM, "first_name": "Autre", "email": "autre@orange.fr"},
        channel="portal",
        partner=PartnerFactory(),
    )
    page = client.get(_page_url(other)).content.decode()
    assert "autre@orange.fr" in page
    assert "victor.victime@orange.fr" not in page
    assert victim.email == "victor.victime@orange.fr"


def test_the_prospect_sees_and_erases_every_lead_sent_with_their_address(client):
    first = _victims_lead()
    later = services.lead_submit(
        data={**VICTIM, "phone": "", "need": "Isolation des combles"},
        channel="referral_link",
        partner=first.partner,
    )
    Lead.objects.filter(pk=later.pk).update(duplicate_of=None, status="submitted")
    url = _page_url(first)
    page = client.get(url).content.decode()
    assert "Pompe à chaleur" in page
    assert "Isolation des combles" in page
    client.post(url, {"action": "erase"})
    assert Lead.objects.filter(anonymised_at__isnull=True).count() == 0


def test_the_api_tells_an_introducer_only_that_the_prospect_was_known(api_client, manager):
    victim = _victims_lead()
    mine, body = _attack(api_client)
    assert (body["already_known"], body["duplicate_of_id"], body["review_reason"]) == (
        True,
        None,
        "",
    )
    # Reading it back later says no more.
    read = api_client(partner_user(mine.partner)).get(f"/api/v1/leads/{mine.pk}").json()
    assert (read["already_known"], read["duplicate_of_id"], read["review_reason"]) == (
        True,
        None,
        "",
    )
    # Staff see the match and why it waits.
    staff = api_client(manager).get(f"/api/v1/leads/{mine.pk}").json()
    assert (staff["already_known"], staff["duplicate_of_id"], staff["review_reason"]) == (
        True,
        victim.pk,
        "conflict",
    )


def test_the_bulk_answer_to_an_introducer_hides_the_earlier_lead(api_client):
    _victims_lead()
    attacker = partner_user(PartnerFactory())
    items = [ATTACK, {**ATTACK, "email": "neuf@free.fr", "phone": "0699887766"}]
    body = (
        api_client(attacker)
        .post("/api/v1/leads/bulk", {"items": items}, content_type="application/json")
        .json()
    )
    known, new = body["results"]
    assert (known["already_known"], known["duplicate_of_id"]) == (True, None)
    assert (new["already_known"], new["duplicate_of_id"]) == (False, None)


def test_a_replayed_answer_stays_as_it_was_first_sent(api_client):
    _victims_lead()
    client = api_client(partner_user(PartnerFactory()))
    first = client.post(
        "/api/v1/leads", ATTACK, content_type="application/json", headers={"Idempotency-Key": "k1"}
    ).json()
    again = client.post(
        "/api/v1/leads", ATTACK, content_type="application/json", headers={"Idempotency-Key": "k1"}
    ).json()
    assert again == first
    assert (again["already_known"], again["duplicate_of_id"]) == (True, None)
