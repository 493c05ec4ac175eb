"""An introducer's leads on the portal: what a submission became, said plainly (a duplicate is
known already, never whose), and for each lead where it is and what happens next."""

import re

import pytest
from django.utils import timezone

from relais.leads import services
from relais.leads.models import Lead, LeadEvent
from relais.testing.factories import PartnerFactory, UserFactory, partner_user

pytestmark = pytest.mark.django_db
QUICK = {"last_name": "Bernard", "phone": "06 11 22 33 44", "postcode": "31000"}


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _card(client, lead: Lead) -> str:
    page = client.get("/portal/leads/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    card = re.search(rf'<li class="card" id="lead-{lead.pk}">(.*?)</li>', page, re.S)
    assert card is not None
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card.group(1)))


def test_a_new_lead_is_thanked_and_a_duplicate_is_told_it_is_one(client):
    partner = PartnerFactory()
    client.force_login(partner_user(partner))
    first = client.post("/portal/leads/new/", QUICK, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert any("your lead is recorded" in m for m in _messages(first))
    again = client.post("/portal/leads/new/", QUICK, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    (said,) = _messages(again)
    assert "recorded" not in said.split(":")[0]  # no thanks for a lead that is not counted
    assert "You passed this prospect to us already: it is not counted twice." in said
    assert "tell your contact" in said  # what the introducer can do
    duplicate = Lead.objects.order_by("-pk").first()
    assert (duplicate.status, duplicate.rejection_reason) == ("rejected", "duplicate")


def test_a_prospect_another_partner_passed_is_known_already_never_whose(client):
    other = PartnerFactory(company_name="Concurrent Habitat", last_name="Rival")
    services.lead_submit(data=dict(QUICK), channel="portal", partner=other)
    partner = PartnerFactory()
    client.force_login(partner_user(partner))
    response = client.post("/portal/leads/new/", QUICK, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    (said,) = _messages(response)
    assert "already known to us" in said
    assert "which referral came first" in said
    page = response.content.decode()
    for name in (other.display_name, "Rival", "Concurrent"):
        assert name not in page
    lead = partner.leads.get()
    assert "Already known to us" in _card(client, lead)


def test_each_lead_says_where_it_is_and_what_happens_next(client, settings):
    settings.RELAIS_SLA_OPEN_REMINDER_HOURS = 48
    partner = PartnerFactory()
    reseller = PartnerFactory(reseller=True, company_name="Isolation Sud")
    client.force_login(partner_user(partner))

    def lead(phone: str, **fields) -> Lead:
        made = services.lead_submit(
            data={**QUICK, "phone": phone}, channel="portal", partner=partner
        )
        Lead.objects.filter(pk=made.pk).update(**fields)
        made.refresh_from_db()
        return made

    submitted = lead("0611000001")
    qualified = lead("0611000002", status="qualified")
    held = lead("0611000003", status="qualified")
    LeadEvent.objects.create(
        lead=held,
        at=timezone.now(),
        kind="unassigned",
        note="Aucun revendeur actif ne couvre ce département.",
    )
    assigned = lead("0611000004", status="assigned", assigned_reseller=reseller)
    by_us = lead(
        "0611000005", status="opened", assigned_salesperson=UserFactory(role="salesperson")
    )
    lost = lead("0611000006", status="lost", lost_reason="Trop cher pour eux")

    assert "we check it, then look for the right reseller" in _card(client, submitted)
    assert "We are looking for the right reseller." in _card(client, qualified)
    assert "No reseller covers this area yet" in _card(client, held)
    card = _card(client, assigned)
    assert "A reseller has it: they contact the prospect within 48 hours." in card
    assert "Isolation Sud" not in card  # the reseller is not named to the introducer
    assert "Our salesperson has opened it" in _card(client, by_us)
    card = _card(client, lost)
    assert "The prospect did not go ahead." in card
    assert "Trop cher" not in card  # the reseller's own words stay theirs


def test_the_lead_list_costs_the_same_queries_for_a_page_of_held_leads(
    client, django_assert_max_num_queries
):
    partner = PartnerFactory()
    client.force_login(partner_user(partner))
    for i in range(12):
        made = services.lead_submit(
            data={**QUICK, "phone": f"06110000{i:02d}"}, channel="portal", partner=partner
        )
        Lead.objects.filter(pk=made.pk).update(status="qualified")
        LeadEvent.objects.create(lead=made, at=timezone.now(), kind="unassigned", note="x")
    from relais.leads import counters

    counters.refresh()  # as the task worker does: the page's chart reads the counters
    # 12, and the chart's two: the counters' marks (none) and the partner's lead months.
    with django_assert_max_num_queries(14):
        assert client.get("/portal/leads/").status_code == 200


def test_my_leads_export_streams_the_partners_own_leads_in_csv_and_xlsx(client):
    import io

    from openpyxl import load_workbook

    partner, other = PartnerFactory(), PartnerFactory()
    services.lead_submit(data=dict(QUICK), channel="portal", partner=partner)
    services.lead_submit(
        data={"last_name": "Autre", "phone": "06 99 88 77 66", "postcode": "69003"},
        channel="portal",
        partner=other,
    )
    client.force_login(partner_user(partner))
    page = client.get("/portal/leads/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="?format=xlsx"' in page  # the list offers it
    csv = client.get("/portal/leads/?format=csv", HTTP_ACCEPT_LANGUAGE="en")
    assert csv.streaming
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert "Bernard" in text
    assert "31000" in text
    assert "Autre" not in text  # another partner's lead is not theirs to export
    xlsx = client.get("/portal/leads/?format=xlsx", HTTP_ACCEPT_LANGUAGE="en")
    assert xlsx.streaming
    header, *rows = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active.values
    assert header[:3] == ("Submitted", "Prospect", "Postcode")
    assert len(rows) == 1
    assert "Bernard" in rows[0][1]
