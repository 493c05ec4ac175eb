"""Managers reach a run's statements through the application (nothing serves /media/), see
truthfully which are made, and can have the missing ones made."""

import re
from datetime import date

import pytest
from django.core.management import call_command
from django.utils import translation

from relais.commissions.models import PaymentRun
from relais.commissions.services import runs
from relais.commissions.tasks import run_documents
from relais.commissions.tests.conftest import payable_line, signed_partner
from relais.testing.factories import PartnerFactory

TODAY = date.today()


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def statement_links(page: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)">PDF</a>', page)


@pytest.mark.django_db
def test_a_manager_downloads_each_statement_from_the_runs_page(client, manager):
    for amount in ("75.00", "120.00"):
        payable_line(signed_partner(mandate=False), amount)
    run = runs.run_create(cutoff=TODAY, execution_date=TODAY, actor=manager)
    run_documents.call(run.pk)  # what the task worker does after the run is prepared
    client.force_login(manager)
    links = statement_links(client.get(f"/commissions/runs/{run.pk}/").content.decode())
    assert len(links) == 2
    assert not [link for link in links if link.startswith("/media/")]
    for link in links:
        response = client.get(link)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    # Another run's id in the address does not reach this run's statement.
    other = PaymentRun.objects.create(cutoff=TODAY, execution_date=TODAY)
    item = run.items.first()
    assert client.get(f"/commissions/runs/{other.pk}/statements/{item.pk}.pdf").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_statements_never_made_say_so_and_the_manager_has_them_made(client, manager):
    # The demo's paid runs, or a run whose worker was gone for good: no statement made.
    run = PaymentRun.objects.create(cutoff=TODAY, execution_date=TODAY, status="paid")
    for partner in (PartnerFactory(), PartnerFactory()):
        run.items.create(
            partner=partner, amount_excl_vat=10, amount=10, iban="FR76", end_to_end_id="E2E"
        )
    client.force_login(manager)
    page = client.get(f"/commissions/runs/{run.pk}/").content.decode()
    assert "being made" not in page
    assert page.count("not made yet") == 2
    assert "Statements: 0 of 2 made by the task worker." in page
    item = run.items.first()
    pending = client.get(f"/commissions/runs/{run.pk}/statements/{item.pk}.pdf")
    assert pending.status_code == 202
    assert "try again in a minute" in pending.content.decode()
    answer = client.post(f"/commissions/runs/{run.pk}/documents/", follow=True)
    assert "The task worker is making the 2 missing statements." in answer.content.decode()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    page = client.get(f"/commissions/runs/{run.pk}/").content.decode()
    assert len(statement_links(page)) == 2
    assert "not made yet" not in page


@pytest.mark.django_db
def test_the_gifts_page_title_is_text(client, manager):
    client.force_login(manager)
    page = client.get("/commissions/redemptions/").content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title
    assert title[1].strip() == "Gifts · Relais"
    # The gift catalogue is an admin screen, which refuses managers: no link to it for them.
    assert "/admin/" not in page
