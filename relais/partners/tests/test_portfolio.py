"""A candidate's past deals: import and the figures shown on its page."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from relais.partners.models import PortfolioDeal
from relais.partners.services.portfolio import portfolio_import, portfolio_summary
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db

DEALS = (
    "Date;Type de client;Montant HT;Converti\n"
    "12/03/2025;Particulier;12 500,00;oui\n"
    "02/04/2025;Particulier;8 000;non\n"
    "15/06/2025;Copropriété;45 000,50;oui\n"
    "01/09/2025;Particulier;9 999,50;oui\n"
).encode()


def test_the_figures_of_a_portfolio(manager):
    partner = PartnerFactory(status="candidate")
    report = portfolio_import(
        partner=partner, upload=SimpleUploadedFile("affaires.csv", DEALS), actor=manager
    )
    assert report == {"imported": 4, "errors": []}
    summary = portfolio_summary(partner)
    assert summary["count"] == 4
    assert summary["total"] == Decimal("75500.00")
    assert summary["average"] == Decimal("18875.00")
    assert summary["conversion"] == Decimal("75.0")
    assert summary["mix"] == [
        {"client_type": "Particulier", "count": 3, "share": 75},
        {"client_type": "Copropriété", "count": 1, "share": 25},
    ]


def test_a_file_with_bad_rows_imports_nothing_and_names_them(manager):
    partner = PartnerFactory(status="candidate")
    bad = (
        DEALS
        + "31/02/2025;Particulier;100;oui\n13/03/2025;Particulier;beaucoup;peut-être\n".encode()
    )
    report = portfolio_import(
        partner=partner, upload=SimpleUploadedFile("affaires.csv", bad), actor=manager
    )
    assert report["imported"] == 0
    assert [e["row"] for e in report["errors"]] == [6, 7]
    assert "31/02/2025" in report["errors"][0]["error"]
    assert not PortfolioDeal.objects.exists()


def test_the_scorecard_page_shows_the_portfolio(client, manager):
    partner = PartnerFactory(status="candidate")
    client.force_login(manager)
    client.post(
        f"/partners/{partner.pk}/portfolio/", {"file": SimpleUploadedFile("affaires.csv", DEALS)}
    )
    page = client.get(f"/partners/{partner.pk}/scorecard/")
    assert page.context["portfolio"]["count"] == 4
    assert "18\u202f875,00\u00a0€" in page.content.decode()
