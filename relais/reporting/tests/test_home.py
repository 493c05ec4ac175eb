"""The staff home starts with what they must do now: a manager, what waits for a decision (each
with the page to take it on); a salesperson, the leads waiting for them. It greets the person."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from relais.accounts.choices import Role
from relais.commissions.models import PaymentRun
from relais.commissions.selectors import VIGILANCE_NOTICE_DAYS
from relais.commissions.tests.conftest import payable_line
from relais.leads.models import Lead
from relais.partners import services as partner_services
from relais.partners.selectors import EXPIRY_NOTICE_DAYS
from relais.routing import services as routing_services
from relais.routing.models import SalesTerritory
from relais.routing.tests.conftest import make_qualified, make_reseller
from relais.testing.factories import PartnerFactory, UserFactory, partner_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def decisions(client):
    return {d.key: (d.count, d.url) for d in client.get("/dashboard/").context["decisions"]}


def test_the_managers_home_lists_what_waits_for_a_decision(client):
    manager = UserFactory(role=Role.MANAGER, first_name="Julie")
    client.force_login(manager)
    assert decisions(client) == {}
    page = client.get("/dashboard/").content.decode()
    assert "<h1>Hello Julie</h1>" in page
    assert "Nothing waits for a decision." in page

    held = make_qualified(manager, 1)
    Lead.objects.filter(pk=held.pk).update(review_reason="conflict")
    routing_services.lead_route(lead_id=make_qualified(manager, 2, postcode="13001").pk)
    routing_services.coverage_request_submit(
        partner=make_reseller(("69",)),
        departements=["01"],
        categories=[],
        monthly_capacity=5,
        actor=None,
    )
    introducer = PartnerFactory()
    partner_services.declaration_submit(
        partner=introducer, user=partner_user(introducer), has_conflict=True, description="Oncle"
    )
    payable_line(PartnerFactory(), "120.00")
    payable_line(PartnerFactory(), "30.50")
    draft = PaymentRun.objects.create(cutoff=date.today(), execution_date=date.today())
    last = PaymentRun.objects.create(
        cutoff=date.today(),
        execution_date=date.today(),
        status="paid",
        blocked=[
            {"partner": 1, "name": "A", "amount": "40.00", "reasons": ["No valid IBAN."]},
            {"partner": 2, "name": "B", "amount": "-5.00", "reasons": ["Nothing to pay"]},
        ],
    )
    PaymentRun.objects.filter(pk=last.pk).update(created_at=timezone.now() + timedelta(seconds=1))

    assert decisions(client) == {
        "held": (1, "/leads/review/"),
        "unassigned": (1, "/routing/unassigned/"),
        "coverage": (1, "/routing/coverage-requests/"),
        "blocked": (1, f"/commissions/runs/{last.pk}/"),  # the carried-forward refund is not
        "payable": (2, "/commissions/runs/"),
        "drafts": (1, f"/commissions/runs/{draft.pk}/"),
        "declarations": (1, "/partners/declarations/"),
    }
    page = client.get("/dashboard/").content.decode()
    assert "150.50" in page[page.index('id="todo-payable"') :]
    # The decisions come before the network's figures.
    assert page.index('id="decisions"') < page.index("Active resellers")


def test_the_managers_home_reads_in_a_fixed_number_of_queries(client, manager):
    client.force_login(manager)
    payable_line(PartnerFactory(), "10.00")
    client.get("/dashboard/")  # brings the day counters up to date (lead_summary)
    with CaptureQueriesContext(connection) as small:
        client.get("/dashboard/")
    for number in range(5):
        payable_line(PartnerFactory(), "10.00")
        routing_services.coverage_request_submit(
            partner=make_reseller(("69",)),
            departements=["01"],
            categories=[],
            monthly_capacity=5,
            actor=None,
        )
        held = make_qualified(manager, number)
        Lead.objects.filter(pk=held.pk).update(review_reason="conflict")
    client.get("/dashboard/")
    with CaptureQueriesContext(connection) as large:
        client.get("/dashboard/")
    assert len(large) == len(small)


def test_a_salespersons_home_shows_the_leads_waiting_for_them(client, manager):
    seller = UserFactory(role=Role.SALESPERSON, first_name="Sophie")
    territory = SalesTerritory.objects.create(user=seller)
    territory.departements.set(["69"])
    lead = make_qualified(manager, 7)
    routing_services.assignment_create(
        lead=lead, actor=manager, reason="Client historique", salesperson=seller
    )
    client.force_login(seller)
    page = client.get("/dashboard/").content.decode()
    assert "<h1>Hello Sophie</h1>" in page
    waiting = page[page.index('id="todo-waiting"') :]
    assert "1</span> lead waits for you." in waiting
    assert 'href="/portal/inbox/"' in waiting
    assert "Active resellers" not in page  # the network's figures are the managers'


def test_leads_past_their_sla_and_papers_expiring_are_alerts_listing_their_rows(client, manager):
    """Each count links to a list holding exactly the rows counted: the lead list's "past
    their SLA", the partner list's contracts and vigilance certificates expiring."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from relais.commissions.models import VigilanceCertificate
    from relais.partners.models import Signature
    from relais.testing.scoping import signature

    reseller = make_reseller(("69",))
    now = timezone.now()
    late, fresh = make_qualified(manager, 1), make_qualified(manager, 2)
    for lead, hours in ((late, 49), (fresh, 2)):
        routing_services.assignment_create(
            lead=lead, actor=manager, reason="Near", reseller=reseller
        )
        Lead.objects.filter(pk=lead.pk).update(assigned_at=now - timedelta(hours=hours))
    ending, lasting = PartnerFactory(), PartnerFactory()
    for partner, days in ((ending, 10), (lasting, 200)):
        sign = signature(partner, by=partner_user(partner))
        Signature.objects.filter(pk=sign.pk).update(expires_at=now + timedelta(days=days))
    old, recent = PartnerFactory(), PartnerFactory()
    for partner, age in ((old, 170), (recent, 20)):
        VigilanceCertificate.objects.create(
            partner=partner,
            issued_on=timezone.localdate() - timedelta(days=age),
            file=SimpleUploadedFile("v.pdf", b"%PDF-1.4"),
        )
    client.force_login(manager)
    found = decisions(client)
    expected = {"late": [late.pk], "contracts": [ending.pk], "vigilance": [old.pk]}
    for key, pks in expected.items():
        count, url = found[key]
        rows = client.get(url).context["page"].paginator.object_list
        assert count == len(pks), key
        assert [r.pk for r in rows] == pks, (key, url)
    page = client.get("/dashboard/").content.decode()
    assert "lead past its SLA" in page
    # the notice periods the counts use, not a number written into the text
    assert f"vigilance certificate ends within {VIGILANCE_NOTICE_DAYS} days" in page
    assert f"contract expires within {EXPIRY_NOTICE_DAYS} days" in page
