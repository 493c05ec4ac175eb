"""A manager writes, previews, tests and sends a campaign in the product; the page says before
sending that an audience matches nobody, refuses a second send, follows the worker, lists and
exports the recipients, and reports the effect against the holdout."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook

from relais.engagement.choices import CampaignState, RecipientState
from relais.engagement.models import Campaign, MessageTemplate, PartnerSegment, Recipient
from relais.engagement.sending import campaign_run
from relais.partners.models import Partner
from relais.testing.factories import PartnerFactory
from relais.testing.scoping import lead

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def make_template() -> MessageTemplate:
    return MessageTemplate.objects.create(
        name="Réveil",
        subject_fr="{{ first_name }}, on pense à vous",
        body_fr="Bonjour {{ first_name }}, {{ leads_this_year }} apports cette année.",
    )


def champions(*first_names: str) -> list[Partner]:
    today = date.today()
    partners = [PartnerFactory(first_name=name) for name in first_names]
    for p in partners:
        PartnerSegment.objects.create(partner=p, segment="champion", since=today, judged_on=today)
    return partners


def form(template: MessageTemplate, **changes: str) -> dict[str, str]:
    return {
        "name": "Printemps des champions",
        "template": str(template.pk),
        "audience": "segment",
        "segment": "champion",
        "saved_segment": "",
        "picked": "",
        "holdout_share": "0",
        "rate_per_minute": "60000",
        **changes,
    }


def draft(client, template: MessageTemplate, headers=None, **changes: str) -> Campaign:
    response = client.post("/engagement/campaigns/new/", form(template, **changes), headers=headers)
    assert response.status_code == 302, response.context["form"].errors
    return Campaign.objects.latest("pk")


def test_a_manager_writes_a_campaign_to_a_segment(client, manager):
    champions("Alice", "Bruno")
    template = make_template()
    client.force_login(manager)
    new = client.get("/engagement/campaigns/new/")
    assert new.context["form"]["holdout_share"].value() == Decimal("10.0")  # the setting's 10 %
    campaign = draft(client, template, {"accept-language": "fr"}, holdout_share="12,5")
    assert (campaign.state, campaign.segment, campaign.holdout_share) == (
        "draft",
        "champion",
        Decimal("0.125"),
    )
    page = client.get(f"/engagement/campaigns/{campaign.pk}/").content.decode()
    assert "2 partners today" in page
    assert "Confirm: send now" in page
    listed = client.get("/engagement/campaigns/").content.decode()
    assert f'href="/engagement/campaigns/{campaign.pk}/"' in listed


def test_bad_input_is_refused_naming_the_field(client, manager):
    template = make_template()
    PartnerFactory(referral_code="ALICE01")
    client.force_login(manager)
    no_segment = client.post("/engagement/campaigns/new/", form(template, segment=""))
    assert no_segment.status_code == 422
    assert no_segment.context["form"].errors == {"segment": ["Choose the segment to write to."]}
    unknown = client.post(
        "/engagement/campaigns/new/",
        form(template, audience="list", picked="ALICE01\nnobody@example.fr\nZZZ"),
    )
    assert unknown.context["form"].errors["picked"] == [
        "No partner has this referral code, SIREN or e-mail: nobody@example.fr, ZZZ."
    ]
    too_many = client.post("/engagement/campaigns/new/", form(template, holdout_share="80"))
    assert list(too_many.context["form"].errors) == ["holdout_share"]
    assert not Campaign.objects.exists()


def test_hand_picked_partners_by_code_or_email(client, manager):
    alice = PartnerFactory(referral_code="ALICE01")
    bruno = PartnerFactory(email="bruno@example.fr")
    client.force_login(manager)
    campaign = draft(
        client, make_template(), audience="list", picked="ALICE01\nBRUNO@example.fr\nALICE01"
    )
    assert set(campaign.picked.all()) == {alice, bruno}
    edit = client.get(f"/engagement/campaigns/{campaign.pk}/edit/").content.decode()
    assert "ALICE01" in edit


def test_an_audience_that_matches_nobody_is_said_before_sending(client, manager):
    client.force_login(manager)
    campaign = draft(client, make_template(), segment="dormant")
    page = client.get(f"/engagement/campaigns/{campaign.pk}/").content.decode()
    assert "The audience matches nobody today" in page
    assert "Confirm: send now" not in page
    refused = client.post(
        f"/engagement/campaigns/{campaign.pk}/launch/", {"action": "now"}, follow=True
    )
    assert "The audience matches nobody" in refused.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).state == "draft"


def test_the_preview_shows_the_email_as_the_partner_picked_reads_it(client, manager):
    _alice, bruno = champions("Alice", "Bruno")
    client.force_login(manager)
    campaign = draft(client, make_template())
    page = client.get(f"/engagement/campaigns/{campaign.pk}/").content.decode()
    assert "Alice, on pense à vous" in page  # the first of the audience, before any choice
    partial = client.get(
        f"/engagement/campaigns/{campaign.pk}/preview/",
        {"partner": bruno.pk},
        headers={"HX-Request": "true"},
    )
    text = partial.content.decode()
    assert "Bruno, on pense à vous" in text
    assert "Bonjour Bruno, 0 apports cette année." in text
    assert "<html" not in text  # the partial alone
    searched = client.get(
        f"/engagement/campaigns/{campaign.pk}/preview/", {"q": bruno.email}
    ).content.decode()
    assert "Bruno, on pense à vous" in searched
    outsider = PartnerFactory(first_name="Zoé")
    refused = client.get(
        f"/engagement/campaigns/{campaign.pk}/preview/", {"partner": outsider.pk}
    ).content.decode()
    assert "Zoé" not in refused
    assert "Nobody of the audience matches this search." in refused


def test_a_test_send_goes_to_the_manager_only(client, manager):
    _alice, bruno = champions("Alice", "Bruno")
    client.force_login(manager)
    campaign = draft(client, make_template())
    client.post(f"/engagement/campaigns/{campaign.pk}/test/", {"partner": bruno.pk})
    assert [m.to for m in mail.outbox] == [[manager.email]]
    assert mail.outbox[0].subject == "[TEST] Bruno, on pense à vous"
    assert Campaign.objects.get(pk=campaign.pk).state == "draft"
    assert not Recipient.objects.exists()


def test_send_now_then_the_worker_then_a_second_send_refused(client, manager):
    alice, bruno = champions("Alice", "Bruno")
    client.force_login(manager)
    campaign = draft(client, make_template())
    launched = client.post(
        f"/engagement/campaigns/{campaign.pk}/launch/", {"action": "now"}, follow=True
    )
    assert "Campaign launched" in launched.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).state == "queued"
    progress = client.get(
        f"/engagement/campaigns/{campaign.pk}/progress/", headers={"HX-Request": "true"}
    )
    assert 'hx-trigger="every 2s"' in progress.content.decode()  # polled while it runs
    assert "HX-Refresh" not in progress

    campaign_run(campaign_id=campaign.pk)  # the worker's task, run here
    assert sorted(m.to[0] for m in mail.outbox) == sorted([alice.email, bruno.email])
    done = client.get(
        f"/engagement/campaigns/{campaign.pk}/progress/", headers={"HX-Request": "true"}
    )
    assert "2 sent of 2" in done.content.decode()
    assert done["HX-Refresh"] == "true"  # the page reloads to show the report

    again = client.post(
        f"/engagement/campaigns/{campaign.pk}/launch/", {"action": "now"}, follow=True
    )
    assert "already launched" in again.content.decode()
    assert len(mail.outbox) == 2
    page = client.get(f"/engagement/campaigns/{campaign.pk}/").content.decode()
    assert "Confirm: send now" not in page
    assert f'data-recipient="{alice.pk}" data-state="sent"' in page
    listed = client.get("/engagement/campaigns/").content.decode()
    assert "2 / 2" in listed


def test_schedule_then_cancel(client, manager):
    champions("Alice")
    client.force_login(manager)
    campaign = draft(client, make_template())
    past = client.post(
        f"/engagement/campaigns/{campaign.pk}/launch/",
        {"action": "schedule", "at": "2020-01-01T10:00"},
        follow=True,
    )
    assert "Choose a date and time to come." in past.content.decode()
    later = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(f"/engagement/campaigns/{campaign.pk}/launch/", {"action": "schedule", "at": later})
    campaign.refresh_from_db()
    assert campaign.state == "scheduled"
    assert timezone.localtime(campaign.scheduled_for).strftime("%Y-%m-%dT%H:%M") == later
    page = client.get(f"/engagement/campaigns/{campaign.pk}/").content.decode()
    assert "Confirm: cancel" in page
    client.post(f"/engagement/campaigns/{campaign.pk}/cancel/")
    assert Campaign.objects.get(pk=campaign.pk).state == "cancelled"
    assert not mail.outbox


def _sent_with_states(manager, client) -> Campaign:
    partners = champions("Alice", "Bruno", "Chloé")
    client.force_login(manager)
    campaign = draft(client, make_template())
    client.post(f"/engagement/campaigns/{campaign.pk}/launch/", {"action": "now"})
    campaign_run(campaign_id=campaign.pk)
    Recipient.objects.filter(campaign=campaign, partner=partners[2]).update(
        state=RecipientState.SKIPPED, skip_reason="unsubscribed"
    )
    return campaign


def test_the_recipients_filtered_by_state_and_exported(client, manager):
    campaign = _sent_with_states(manager, client)
    url = f"/engagement/campaigns/{campaign.pk}/"
    skipped = client.get(url, {"state": "skipped"}).content.decode()
    assert skipped.count("data-recipient=") == 1
    assert "Unsubscribed" in skipped
    csv = client.get(url + "recipients/export/", {"format": "csv", "state": "sent"})
    lines = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("partner_id;partner;email")
    assert len(lines) == 1 + 2
    xlsx = client.get(url + "recipients/export/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 3
    assert any("Unsubscribed" in row for row in rows)


def test_the_report_compares_recipients_with_the_holdout(client, manager):
    client.force_login(manager)
    partners = champions(*[f"P{n}" for n in range(40)])
    campaign = draft(client, make_template(), holdout_share="25")
    client.post(f"/engagement/campaigns/{campaign.pk}/launch/", {"action": "now"})
    campaign_run(campaign_id=campaign.pk)
    held = set(
        Recipient.objects.filter(campaign=campaign, state="holdout").values_list(
            "partner_id", flat=True
        )
    )
    assert 0 < len(held) < 40
    receivers = [p for p in partners if p.pk not in held]
    for p in receivers[:4]:  # four recipients submit a lead each after the launch
        lead(p)
    page = client.get(f"/engagement/campaigns/{campaign.pk}/")
    report = page.context["report"]
    assert report.recipients.partners == len(receivers)
    assert report.recipients.submitted == 4
    assert report.holdout.submitted == 0
    sentence = page.context["effect"]
    assert f"against 0.00 for the {len(held)} held out" in sentence
    assert "the campaign brought" in sentence
    assert "The 30 days end on" in sentence
    assert 'id="holdout"' in page.content.decode()


def test_partners_and_salespeople_do_not_reach_the_campaigns(
    client, manager, introducer_user, salesperson
):
    champions("Alice")
    client.force_login(manager)
    campaign = draft(client, make_template())
    client.logout()
    pages = (
        "/engagement/campaigns/",
        "/engagement/campaigns/new/",
        f"/engagement/campaigns/{campaign.pk}/",
        f"/engagement/campaigns/{campaign.pk}/edit/",
        f"/engagement/campaigns/{campaign.pk}/preview/",
        f"/engagement/campaigns/{campaign.pk}/recipients/export/",
    )
    for user in (introducer_user, salesperson):
        client.force_login(user)
        for url in pages:
            assert client.get(url).status_code == 403, url
        for action in ("launch", "cancel", "test"):
            assert client.post(f"/engagement/campaigns/{campaign.pk}/{action}/").status_code == 403
    assert Campaign.objects.get(pk=campaign.pk).state == "draft"
    assert not mail.outbox


def test_the_list_reads_in_the_same_queries_for_2_or_12_campaigns(client, manager):
    champions("Alice")
    template = make_template()
    client.force_login(manager)
    for _ in range(2):
        draft(client, template)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/engagement/campaigns/").status_code == 200
    for _ in range(10):
        campaign = draft(client, template)
    Recipient.objects.create(campaign=campaign, partner=Partner.objects.get(), state="sent")
    with CaptureQueriesContext(connection) as many:
        page = client.get("/engagement/campaigns/").content.decode()
    assert page.count('data-campaign="') == 12
    assert len(many) == len(few)
    assert campaign.state == CampaignState.DRAFT


def test_a_sent_campaign_is_not_edited_any_more(client, manager):
    champions("Alice")
    client.force_login(manager)
    campaign = draft(client, make_template())
    client.post(f"/engagement/campaigns/{campaign.pk}/launch/", {"action": "now"})
    campaign_run(campaign_id=campaign.pk)
    refused = client.get(f"/engagement/campaigns/{campaign.pk}/edit/", follow=True)
    assert "does not change any more" in refused.content.decode()
    changed = client.post(
        f"/engagement/campaigns/{campaign.pk}/edit/", form(make_template_named("Autre"))
    )
    assert changed.status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).template.name == "Réveil"


def make_template_named(name: str) -> MessageTemplate:
    return MessageTemplate.objects.create(name=name, subject_fr="Objet", body_fr="Texte")


def test_the_campaign_page_reads_in_the_same_queries_for_3_or_30_recipients(client, manager):
    client.force_login(manager)
    pages = []
    for n in (3, 30):
        PartnerSegment.objects.all().delete()
        champions(*[f"P{i}" for i in range(n)])
        campaign = draft(client, make_template_named(f"T{n}"))
        client.post(f"/engagement/campaigns/{campaign.pk}/launch/", {"action": "now"})
        campaign_run(campaign_id=campaign.pk)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/engagement/campaigns/{campaign.pk}/").content.decode()
        assert page.count("data-recipient=") == n
        pages.append(len(queries))
    assert pages[0] == pages[1]
