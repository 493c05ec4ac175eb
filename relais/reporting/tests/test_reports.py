"""Scheduled reports: mailed once per period however often the worker runs, outside addresses
only once confirmed, an unsubscribe link in each mail, the PDF holding the charts and the map,
the XLSX one sheet per table with typed, formatted numbers."""

import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from relais.leads.services import lead_submit
from relais.reporting import reports
from relais.reporting.choices import DeliveryState
from relais.reporting.models import ReportDelivery, ReportSubscription
from relais.reporting.report_files import report_files
from relais.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def english(request):
    """Pages and messages in English (the msgids), as the other packages' tests read them."""
    if "client" in request.fixturenames:
        request.getfixturevalue("client").defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def _subscribe(manager, *, frequency="monthly", outside="", filters="", users=None):
    return reports.subscription_save(
        subscription=ReportSubscription(
            name="Bilan réseau",
            frequency=frequency,
            filters=filters,
            subject="Le bilan du mois",
            message="Bonjour, voici le bilan.",
            language="en",
        ),
        users=[manager] if users is None else users,
        outside=outside,
        by=manager,
    )


def _reports_to(email):
    return [m for m in mail.outbox if m.to == [email] and m.subject == "Le bilan du mois"]


def _link(message, name):
    return re.search(rf"https?://[^\s]+/rp/{name}/[^\s/]+/", message.body).group(0)


def test_a_report_is_mailed_once_per_period_however_often_the_worker_runs(manager):
    _subscribe(manager)
    monday = datetime(2026, 3, 2, 8, tzinfo=PARIS)
    for hours in (0, 1, 30, 24 * 20):  # the worker passes again and again in March
        reports.reports_send_due(now=monday + timedelta(hours=hours))
    assert len(_reports_to(manager.email)) == 1
    reports.reports_send_due(now=datetime(2026, 4, 1, 0, 5, tzinfo=PARIS))  # April
    reports.reports_send_due(now=datetime(2026, 4, 1, 0, 20, tzinfo=PARIS))
    assert len(_reports_to(manager.email)) == 2


def test_weekly_and_quarterly_periods():
    day = datetime(2026, 5, 14).date()  # a Thursday
    assert reports.period_start(frequency="weekly", day=day).isoformat() == "2026-05-11"
    assert reports.period_start(frequency="monthly", day=day).isoformat() == "2026-05-01"
    assert reports.period_start(frequency="quarterly", day=day).isoformat() == "2026-04-01"


def test_the_mail_carries_the_message_the_pdf_the_xlsx_and_an_unsubscribe_link(manager):
    _subscribe(manager)
    reports.reports_send_due(now=datetime(2026, 3, 2, 8, tzinfo=PARIS))
    (message,) = _reports_to(manager.email)
    assert "Bonjour, voici le bilan." in message.body
    names = [name for name, _content, _kind in message.attachments]
    assert names == ["bilan-reseau-2026-03-01.pdf", "bilan-reseau-2026-03-01.xlsx"]
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert "/rp/u/" in message.body


def test_an_outside_address_receives_nothing_until_it_confirms(
    client, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(manager, outside="Expert.Comptable@example.fr")
    (confirmation,) = [m for m in mail.outbox if m.to == ["expert.comptable@example.fr"]]
    assert "confirm" in confirmation.subject.lower()
    reports.reports_send_due(now=datetime(2026, 3, 2, 8, tzinfo=PARIS))
    assert _reports_to("expert.comptable@example.fr") == []
    link = _link(confirmation, "c")
    assert "Yes, send it to me" in client.get(link).content.decode()  # a GET confirms nothing
    reports.reports_send_due(now=datetime(2026, 4, 1, 8, tzinfo=PARIS))
    assert _reports_to("expert.comptable@example.fr") == []
    assert "you will receive" in client.post(link).content.decode()
    reports.reports_send_due(now=datetime(2026, 5, 1, 8, tzinfo=PARIS))
    assert len(_reports_to("expert.comptable@example.fr")) == 1


def test_a_forged_link_is_refused(client):
    assert client.get("/rp/c/42:forged/").status_code == 404
    assert client.post("/rp/u/42:forged/").status_code == 404


def test_the_unsubscribe_link_stops_the_reports(client, manager):
    _subscribe(manager)
    reports.reports_send_due(now=datetime(2026, 3, 2, 8, tzinfo=PARIS))
    (message,) = _reports_to(manager.email)
    assert client.post(_link(message, "u")).status_code == 200  # one-click, no CSRF token
    reports.reports_send_due(now=datetime(2026, 4, 1, 8, tzinfo=PARIS))
    assert len(_reports_to(manager.email)) == 1


def test_a_worker_killed_mid_send_neither_loses_nor_duplicates_a_copy(manager):
    """Killed before a copy was claimed: the next run sends it. Killed while handing one over
    (left "sending"): not sent again, marked failed once stale."""
    other, third = UserFactory(role="manager"), UserFactory(role="admin")
    _subscribe(manager, users=[manager, other, third])
    start = datetime(2026, 3, 2, 8, tzinfo=PARIS)
    reports._open_due(start)  # the period written, then the worker dies
    handed = ReportDelivery.objects.get(recipient__email=other.email)
    ReportDelivery.objects.filter(pk=handed.pk).update(
        state=DeliveryState.SENDING, claimed_at=start
    )
    reports.reports_send_due(now=start + timedelta(hours=1))
    assert len(_reports_to(manager.email)) == len(_reports_to(third.email)) == 1
    assert _reports_to(other.email) == []
    handed.refresh_from_db()
    assert handed.state == DeliveryState.FAILED
    assert "interrupted" in handed.failure
    reports.reports_send_due(now=start + timedelta(hours=2))
    assert len(mail.outbox) == 2


def _leads():
    for n, postcode in enumerate(("69003", "35000", "35200")):
        lead_submit(
            data={"last_name": f"R{n}", "phone": f"061234561{n}", "postcode": postcode},
            channel="staff",
        )


def test_the_pdf_holds_the_charts_and_the_map(manager):
    _leads()
    pdf, _xlsx = report_files(querystring="", title="Bilan réseau", language="en")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for title in (
        "Leads by month and channel",
        "From submitted to won",
        "Commissions earned and paid",
        "Active resellers",
    ):
        assert title in text
    assert "Submitted" in text  # the funnel's labels, drawn
    assert "Qualified" in text
    assert "35 Ille-et-Vilaine" in text  # the map's table


def test_the_xlsx_has_a_sheet_per_table_with_numbers_formatted(manager):
    _leads()
    _pdf, xlsx = report_files(querystring="departement=35", title="Bilan réseau", language="en")
    book = load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames[0] == "Filters"
    assert "Leads by month and channel" in book.sheetnames
    assert "Map" in book.sheetnames
    assert book["Filters"]["A2"].value == "Département"
    funnel = {r[0]: r[1] for r in book["From submitted to won"].iter_rows(values_only=True)}
    assert funnel["Submitted"] == 2  # a number, not text
    revenue = book[next(n for n in book.sheetnames if n.startswith("Revenue won"))]
    cell = revenue["B2"]
    assert cell.data_type == "n"
    assert "€" in cell.number_format


def test_a_manager_schedules_a_report_from_its_page(client, manager):
    client.force_login(manager)
    page = client.get("/dashboard/reports/new/?filters=region%3DBretagne")
    assert 'value="region=Bretagne"' in page.content.decode()
    data = {
        "name": "Bretagne",
        "frequency": "weekly",
        "filters": "region=Bretagne&nonsense=1",
        "subject": "Bretagne, la semaine",
        "message": "",
        "language": "fr",
        "active": "on",
        "users": [manager.pk],
        "outside": "",
    }
    response = client.post("/dashboard/reports/new/", data)
    saved = ReportSubscription.objects.get()
    assert response.status_code == 302
    assert saved.filters == "region=Bretagne"
    assert "Bretagne" in client.get("/dashboard/reports/").content.decode()


def test_a_bad_filter_or_address_is_named(client, manager):
    client.force_login(manager)
    data = {"name": "X", "frequency": "monthly", "subject": "X", "language": "fr"}
    page = client.post("/dashboard/reports/new/", {**data, "filters": "period=1900"})
    assert "Period:" in page.content.decode()
    page = client.post("/dashboard/reports/new/", {**data, "outside": "not-an-address"})
    assert "not-an-address is not an e-mail address" in page.content.decode()
    assert not ReportSubscription.objects.exists()


def test_only_managers_reach_the_reports(client):
    client.force_login(UserFactory(role="salesperson"))
    assert client.get("/dashboard/reports/").status_code == 403


def test_the_dashboard_brings_its_filters_to_a_new_report(client, manager):
    client.force_login(manager)
    page = client.get("/dashboard/?departement=35").content.decode()
    assert 'href="/dashboard/reports/new/?filters=departement%3D35"' in page
    redrawn = client.get("/dashboard/?departement=69", headers={"HX-Request": "true"})
    assert 'filters=departement%3D69" hx-swap-oob="true"' in redrawn.content.decode()


def _pdf_links(pdf: bytes) -> list[str]:
    """The targets of the PDF's link annotations, as a PDF reader follows them."""
    links = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action and "/URI" in action:
                links.append(str(action["/URI"]))
    return links


def test_the_pdf_links_are_absolute_so_they_open_from_the_mail(manager, settings):
    settings.SITE_URL = "https://relais.example.fr"
    _leads()
    pdf, _xlsx = report_files(querystring="", title="Bilan réseau", language="en")
    links = _pdf_links(pdf)
    assert links  # the map's départements (and figures) are links
    assert all(link.startswith("https://relais.example.fr/") for link in links), links[:5]
    assert any("/leads/" in link for link in links), links[:5]
