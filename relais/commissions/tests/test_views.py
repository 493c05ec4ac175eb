"""The commissions pages: managers' and the partner's own, each object scoped."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from relais.commissions.models import (
    CommissionLine,
    CorrectionRequest,
    Gift,
    PaymentRun,
    Plan,
    Rule,
)
from relais.commissions.services import runs
from relais.commissions.tests.conftest import payable_line, signed_partner
from relais.core.jobs import run_job
from relais.core.models import BackgroundJob
from relais.core.outbox import deliver_all
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db
TODAY = date.today()


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def sent_run(manager, partner, amount="300.00"):
    payable_line(partner, amount)
    run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    return runs.run_send(run=run, actor=manager)


def test_a_manager_approves_then_releases_lines_in_bulk(client, manager):
    partner = PartnerFactory()
    lines = [payable_line(partner, "10.00") for _ in range(3)]
    CommissionLine.objects.update(status="pending")
    client.force_login(manager)
    page = client.get("/commissions/lines/")
    assert page.context["page"].paginator.count == 3
    ids = [line.pk for line in lines]
    client.post("/commissions/lines/bulk/", {"line": ids, "action": "approve"})
    client.post("/commissions/lines/bulk/", {"line": ids[:2], "action": "release"})
    statuses = sorted(CommissionLine.objects.values_list("status", flat=True))
    assert statuses == ["approved", "payable", "payable"]
    client.post(f"/commissions/lines/{ids[2]}/hold/", {"reason": "Vérifier le client"})
    assert CommissionLine.objects.get(pk=ids[2]).hold_reason == "Vérifier le client"


def test_preparing_a_run_from_the_page_and_the_blocked_message(client, manager):
    client.force_login(manager)
    nobody = client.post(
        "/commissions/runs/",
        {"cutoff": TODAY, "execution_date": TODAY, "schema": "pain.001.001.09"},
    )
    assert nobody.status_code == 422
    assert "No payable line" in nobody.content.decode()
    payable_line(signed_partner(mandate=False), "55.00")
    response = client.post(
        "/commissions/runs/",
        {"cutoff": TODAY, "execution_date": TODAY, "schema": "pain.001.001.09"},
    )
    run = PaymentRun.objects.get()
    assert response["Location"] == f"/commissions/runs/{run.pk}/"
    xml = client.get(f"/commissions/runs/{run.pk}/?format=xml")
    assert xml["Content-Type"] == "application/xml"
    assert b"pain.001.001.09" in xml.content
    client.post(f"/commissions/runs/{run.pk}/send/")
    run_job.call(BackgroundJob.objects.get().pk)  # the task worker marks it sent
    client.post(f"/commissions/runs/{run.pk}/paid/")
    assert CommissionLine.objects.get().status == "paid"


def test_a_plan_is_simulated_then_activated_from_its_page(client, manager):
    plan = Plan.objects.create(name="Plan test")
    Rule.objects.create(
        plan=plan,
        code="fixe",
        name="Fixe",
        trigger="qualified",
        formula="fixed",
        amount=Decimal(20),
        valid_from=date(2020, 1, 1),
    )
    client.force_login(manager)
    page = client.get(
        f"/commissions/plans/{plan.pk}/", {"start": "2026-01-01", "end": "2026-12-31"}
    )
    assert page.context["result"].lines == 0
    client.post(f"/commissions/plans/{plan.pk}/")
    plan.refresh_from_db()
    assert plan.status == "active"


def test_das2_csv_and_the_pages_answer(client, manager):
    client.force_login(manager)
    for url in (
        "/commissions/",
        "/commissions/runs/",
        "/commissions/plans/",
        "/commissions/redemptions/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/commissions/das2/").status_code == 302
    response = client.get("/commissions/das2/2026/?format=csv")
    assert response["Content-Type"].startswith("text/csv")


def test_commission_pages_are_for_managers(client, salesperson):
    client.force_login(salesperson)
    assert client.get("/commissions/").status_code == 403
    assert client.get("/commissions/runs/").status_code == 403


def test_a_correction_is_asked_by_the_manager_and_accepted_in_the_portal(client, manager):
    partner = signed_partner(reseller=True, tax_regime="vat_liable")
    run = sent_run(manager, partner)
    invoice = run.items.get().invoice
    client.force_login(manager)
    client.post(f"/commissions/invoices/{invoice.pk}/", {"amount": "50.00", "reason": "Doublon"})
    correction = CorrectionRequest.objects.get()
    client.force_login(partner.members.get().user)
    page = client.get("/portal/earnings/")
    assert "Doublon" in page.content.decode()
    client.post(f"/portal/corrections/{correction.pk}/", {"answer": "accept"})
    correction.refresh_from_db()
    assert correction.credit_note.type_code == "261"


def test_every_money_url_of_the_portal_refuses_another_partners_objects(client, manager):
    mine = signed_partner(mandate=False)
    theirs = signed_partner(reseller=True, tax_regime="vat_liable")
    run = sent_run(manager, theirs)
    item = run.items.get()
    correction = CorrectionRequest.objects.create(
        invoice=item.invoice, amount_excl_vat=Decimal(1), reason="x"
    )
    client.force_login(mine.members.get().user)
    assert client.get(f"/portal/statements/{item.pk}.pdf").status_code == 404
    assert client.get(f"/portal/invoices/{item.invoice.pk}.pdf").status_code == 404
    assert (
        client.post(f"/portal/corrections/{correction.pk}/", {"answer": "accept"}).status_code
        == 404
    )
    assert client.post("/portal/gifts/999999/redeem/").status_code == 404
    assert client.post("/portal/documents/upload/vigilance/").status_code == 404  # an individual
    assert client.get(f"/portal/yearly/{TODAY.year}.pdf").status_code == 200  # its own
    client.force_login(theirs.members.get().user)
    assert client.get(f"/portal/yearly/{TODAY.year}.pdf").status_code == 404  # professionals
    correction.refresh_from_db()
    assert correction.status == "pending"


def test_a_professional_sends_its_vigilance_certificate_and_own_invoice(client):
    partner = signed_partner(reseller=True, mandate=False, tax_regime="vat_liable")
    client.force_login(partner.members.get().user)
    pdf = b"%PDF-1.4 test"
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(
        "/portal/documents/upload/vigilance/",
        {"issued_on": TODAY.isoformat(), "file": SimpleUploadedFile("a.pdf", pdf)},
    )
    client.post(
        "/portal/documents/upload/invoice/",
        {"number": "F-12", "amount_incl_vat": "120.00", "file": SimpleUploadedFile("f.pdf", pdf)},
    )
    refused = client.post(
        "/portal/documents/upload/invoice/",
        {"number": "F-13", "amount_incl_vat": "1", "file": SimpleUploadedFile("f.txt", b"hello")},
        follow=True,
    )
    assert "Send a PDF file." in refused.content.decode()
    assert partner.vigilance.count() == 1
    assert list(partner.own_invoices.values_list("number", flat=True)) == ["F-12"]


def test_a_gift_is_chosen_in_the_portal(client):
    partner = signed_partner(mandate=False)
    payable_line(partner, "100.00")
    gift = Gift.objects.create(name="Coffret vin", value_incl_vat=Decimal("60.00"))
    client.force_login(partner.members.get().user)
    client.post(f"/portal/gifts/{gift.pk}/redeem/")
    assert partner.redemptions.get().status == "requested"


def test_a_manager_records_a_refund_on_a_won_deal_and_the_commission_is_taken_back(
    client, manager, django_capture_on_commit_callbacks
):
    from relais.commissions.tests.conftest import active_plan, won_lead

    introducer = PartnerFactory()
    active_plan(manager, {"trigger": "won", "formula": "percent", "rate": Decimal(10)})
    with django_capture_on_commit_callbacks(execute=True):
        lead = won_lead(introducer, manager, "2000.00")
    deliver_all()  # the worker, woken by the commit, accrues the commission
    client.force_login(manager)
    assert "deal-money" in client.get(f"/leads/{lead.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/leads/{lead.pk}/money/", {"action": "refund", "amount": "500", "reason": "Avoir"}
        )
    deliver_all()
    amounts = sorted(CommissionLine.objects.values_list("amount", flat=True))
    assert amounts == [Decimal("-50.00"), Decimal("200.00")]
    response = client.post(
        f"/leads/{lead.pk}/money/",
        {"action": "collect", "amount": "9999", "reason": ""},
        follow=True,
    )
    assert "more than" in response.content.decode()
