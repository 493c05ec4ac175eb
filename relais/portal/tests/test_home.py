"""A partner's home starts with what to do now, and greets the person, not the company: a reseller
sees the leads waiting for it (how many, the one to take first and its deadline); an introducer
is offered to pass a lead and sees where its leads and payments stand."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation

from relais.commissions.models import PaymentItem, PaymentRun
from relais.leads.choices import LeadStatus
from relais.leads.models import Lead
from relais.routing.tests.conftest import make_qualified, make_reseller
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def assigned(manager, reseller, number, hours_ago, status=LeadStatus.ASSIGNED):
    """A lead given to ``reseller`` ``hours_ago`` hours ago (as the router leaves it)."""
    lead = make_qualified(manager, number)
    at = timezone.now() - timedelta(hours=hours_ago)
    Lead.objects.filter(pk=lead.pk).update(
        status=status, assigned_reseller=reseller, assigned_at=at
    )
    return Lead.objects.get(pk=lead.pk)


@pytest.fixture
def reseller(client):
    partner = make_reseller(("69",))
    client.force_login(partner_user(partner, first_name="Marie"))
    return partner


def test_a_resellers_home_starts_with_the_leads_waiting_for_it(client, reseller, manager, settings):
    settings.RELAIS_SLA_REASSIGN_HOURS = 96
    oldest = assigned(manager, reseller, 1, hours_ago=30)
    for number, hours in ((2, 20), (3, 5), (4, 1)):
        assigned(manager, reseller, number, hours_ago=hours)
    assigned(manager, reseller, 5, hours_ago=50, status=LeadStatus.IN_PROGRESS)
    page = client.get("/portal/").content.decode()
    assert "<h1>Hello Marie</h1>" in page
    assert reseller.display_name not in page[: page.index("</h1>")]
    waiting = page[page.index('id="todo-waiting"') :]
    assert "4</span> leads wait for you." in waiting
    assert oldest.prospect_name in waiting
    deadline = timezone.localtime(oldest.assigned_at + timedelta(hours=96))
    assert formats.date_format(deadline, "DATETIME_FORMAT") in waiting
    assert 'href="/portal/inbox/"' in waiting
    assert "1</span> lead in progress" in page
    assert "Leads passed" not in page  # an introducer's counters, not a reseller's


def test_an_opened_lead_waits_for_its_status(client, reseller, manager, settings):
    settings.RELAIS_SLA_STATUS_REMINDER_DAYS = 30
    lead = assigned(manager, reseller, 1, hours_ago=24, status=LeadStatus.OPENED)
    page = client.get("/portal/").content.decode()
    deadline = timezone.localtime(lead.assigned_at + timedelta(days=30))
    assert f"say where it stands before {formats.date_format(deadline, 'DATE_FORMAT')}" in page


def test_the_resellers_home_reads_in_a_fixed_number_of_queries(client, reseller, manager):
    assigned(manager, reseller, 1, hours_ago=3)

    def home() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/portal/").status_code == 200
        return len(queries)

    one = home()
    for number in range(2, 7):
        assigned(manager, reseller, number, hours_ago=number)
    assert home() == one


def test_an_introducers_home_offers_a_lead_and_shows_its_payments(client, manager):
    partner = PartnerFactory()
    client.force_login(partner_user(partner, first_name="Paul"))
    run = PaymentRun.objects.create(
        cutoff=timezone.localdate(), execution_date=timezone.localdate(), status="paid"
    )
    paid_at = timezone.make_aware(datetime.combine(timezone.localdate(), time(9)))
    PaymentItem.objects.create(
        run=run,
        partner=partner,
        amount_excl_vat=Decimal("1802.50"),
        amount=Decimal("1802.50"),
        iban="FR1420041010050500013M02606",
        end_to_end_id="E2E-HOME",
        paid_at=paid_at,
    )
    page = client.get("/portal/").content.decode()
    assert "<h1>Hello Paul</h1>" in page
    todo = page[page.index('id="to-do"') :]
    assert 'href="/portal/leads/new/"' in todo
    assert "1,802.50" in page[page.index('id="earnings"') :]


def test_documents_to_sign_come_first(client):
    partner = PartnerFactory(status="candidate")
    client.force_login(partner_user(partner))
    page = client.get("/portal/").content.decode()
    todo = page[page.index('id="to-do"') :]
    assert todo.index('id="todo-sign"') < todo.index('id="todo-lead"')
