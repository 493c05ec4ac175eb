"""The campaigns through the API: a draft refused naming the field, launched once (a second
launch 409, an audience matching nobody 422), its recipients by state, and its report with the
holdout comparison."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from relais.engagement.campaigns import campaign_launch
from relais.engagement.choices import RecipientState
from relais.engagement.models import Campaign, Recipient
from relais.engagement.sending import campaign_run, held_out
from relais.engagement.tests.campaign_fixtures import campaign, dormant, template
from relais.leads.choices import LeadStatus
from relais.leads.models import Lead
from relais.leads.services import lead_submit

pytestmark = pytest.mark.django_db
HALF = Decimal("0.5")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def outbox(settings):
    """Campaign e-mails kept in memory (``django.core.mail.outbox``)."""
    from django.core import mail

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    mail.outbox = []
    return mail.outbox


def post(client, url, body=None):
    return client.post(
        url, body or {}, content_type="application/json", headers={"Accept-Language": "en"}
    )


def test_a_manager_creates_a_draft_to_a_segment(api_client, manager):
    dormant(2)
    body = {"name": "Réveil", "template": template().pk, "segment": "dormant"}
    response = post(api_client(manager), "/api/v1/campaigns", body)
    assert response.status_code == 201
    created = response.json()
    assert (created["state"], created["audience"], created["segment"]) == (
        "draft",
        "segment",
        "dormant",
    )
    assert Decimal(created["holdout_share"]) == Decimal("0.100")  # the setting's default
    assert created["report"] is None
    assert Campaign.objects.get().created_by == manager


def test_a_hand_picked_campaign_keeps_its_partners(api_client, manager):
    partners = dormant(2)
    body = {
        "name": "Deux",
        "template": template().pk,
        "audience": "list",
        "picked": [p.pk for p in partners],
    }
    created = post(api_client(manager), "/api/v1/campaigns", body).json()
    assert created["picked"] == sorted(p.pk for p in partners)


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"name": " "}, "name", "name_required"),
        ({"template": 999999}, "template", "template_required"),
        ({"segment": None}, "segment", "segment_required"),
        ({"audience": "list"}, "picked", "picked_required"),
        ({"holdout_share": "0.9"}, "holdout_share", "holdout_share_range"),
        ({"rate_per_minute": 0}, "rate_per_minute", "rate_too_low"),
    ],
)
def test_a_bad_draft_is_422_with_the_code_naming_the_field(
    api_client, manager, change, field, code
):
    body = {"name": "Réveil", "template": template().pk, "segment": "dormant", **change}
    response = post(api_client(manager), "/api/v1/campaigns", body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], list(error["fields"])) == (code, [field])
    assert not Campaign.objects.exists()


def test_a_schema_error_in_a_draft_is_422_naming_the_field(api_client, manager):
    response = post(api_client(manager), "/api/v1/campaigns", {"name": "X", "segment": "sleepy"})
    assert response.status_code == 422
    assert {"template", "segment"} <= set(response.json()["error"]["fields"])


def test_launch_queues_the_campaign_and_a_second_launch_is_409(api_client, manager):
    dormant(2)
    draft = campaign(manager)
    client = api_client(manager)
    first = post(client, f"/api/v1/campaigns/{draft.pk}/launch")
    assert first.status_code == 200
    assert (first.json()["state"], first.json()["report"]["counts"]["total"]) == ("queued", 0)
    again = post(client, f"/api/v1/campaigns/{draft.pk}/launch")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_launched"


def test_a_launch_later_schedules_it(api_client, manager):
    dormant(1)
    draft = campaign(manager)
    at = (timezone.now() + timedelta(days=2)).isoformat()
    body = post(api_client(manager), f"/api/v1/campaigns/{draft.pk}/launch", {"at": at}).json()
    assert body["state"] == "scheduled"
    assert body["scheduled_for"] is not None


def test_launching_to_an_audience_of_nobody_is_422_and_leaves_a_draft(api_client, manager):
    draft = campaign(manager)  # nobody is dormant
    response = post(api_client(manager), f"/api/v1/campaigns/{draft.pk}/launch")
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], list(error["fields"])) == ("empty_audience", ["audience"])
    assert "matches nobody" in error["message"]
    draft.refresh_from_db()
    assert draft.state == "draft"


def test_an_unknown_campaign_is_404_and_a_partner_gets_403(api_client, manager, introducer_user):
    dormant(1)
    draft = campaign(manager)
    assert api_client(manager).get("/api/v1/campaigns/999999").status_code == 404
    partner = api_client(introducer_user)
    assert partner.get(f"/api/v1/campaigns/{draft.pk}").status_code == 403
    assert partner.get(f"/api/v1/campaigns/{draft.pk}/recipients").status_code == 403
    assert post(partner, f"/api/v1/campaigns/{draft.pk}/launch").status_code == 403
    draft.refresh_from_db()
    assert draft.state == "draft"


def _leads(partner, start, *days, won=0):
    """Leads of ``partner`` submitted ``days`` after ``start``, the first ``won`` of them won."""
    for n, day in enumerate(days):
        lead = lead_submit(
            data={
                "last_name": f"A{partner.pk}x{n}",
                "phone": f"0613{partner.pk:04d}{n:02d}",
                "postcode": "69003",
            },
            channel="portal",
            partner=partner,
        )
        status = LeadStatus.WON if n < won else lead.status
        Lead.objects.filter(pk=lead.pk).update(
            submitted_at=start + timedelta(days=day), status=status
        )


def _sent_campaign(manager):
    """A campaign to ten dormant partners, half held out, sent."""
    partners = dormant(10)
    launched = campaign_launch(campaign=campaign(manager, holdout_share="0.5"), actor=manager)
    seed = next(
        s for s in range(1, 100) if 3 <= sum(held_out(s, p.pk, HALF) for p in partners) <= 7
    )
    Campaign.objects.filter(pk=launched.pk).update(holdout_seed=seed)
    campaign_run(campaign_id=launched.pk)
    launched.refresh_from_db()
    return launched


def test_the_campaign_gives_its_report_with_the_holdout_comparison(api_client, manager, outbox):
    launched = _sent_campaign(manager)
    rows = Recipient.objects.filter(campaign=launched)
    sent = [r.partner for r in rows.filter(state=RecipientState.SENT).order_by("pk")]
    held = [r.partner for r in rows.filter(state=RecipientState.HOLDOUT).order_by("pk")]
    start = launched.launched_at
    _leads(sent[0], start, 1, 5, won=1)
    _leads(sent[1], start, 2)
    _leads(held[0], start, 40)  # after the 30 days: outside the window
    rows.filter(partner=sent[0]).update(delivered_at=start, opened_at=start)

    body = api_client(manager).get(f"/api/v1/campaigns/{launched.pk}").json()
    assert body["state"] == "sent"
    assert body["progress"] == {"sent": len(sent), "holdout": len(held)}
    report = body["report"]
    assert report["counts"]["sent"] == len(outbox) == len(sent)
    assert (report["counts"]["delivered"], report["counts"]["opened"]) == (1, 1)
    assert report["recipients"] == {
        "partners": len(sent),
        "submitted": 3,
        "won": 1,
        "submitted_rate": str((Decimal(3) / len(sent)).quantize(Decimal("0.001"))),
        "won_rate": str((Decimal(1) / len(sent)).quantize(Decimal("0.001"))),
    }
    assert (report["holdout"]["partners"], report["holdout"]["submitted"]) == (len(held), 0)
    assert Decimal(report["submitted_difference"]) == Decimal(
        report["recipients"]["submitted_rate"]
    )
    assert report["window_closed"] is False


def test_the_recipients_are_paginated_and_filtered_by_state(api_client, manager, outbox):
    launched = _sent_campaign(manager)
    client = api_client(manager)
    everyone = client.get(f"/api/v1/campaigns/{launched.pk}/recipients?page_size=3").json()
    assert (everyone["count"], len(everyone["items"])) == (10, 3)
    held = client.get(f"/api/v1/campaigns/{launched.pk}/recipients?state=holdout").json()
    expected = Recipient.objects.filter(campaign=launched, state=RecipientState.HOLDOUT).count()
    assert held["count"] == expected
    assert {r["state"] for r in held["items"]} == {"holdout"}
    assert all(r["sent_at"] is None for r in held["items"])
    bad = client.get(f"/api/v1/campaigns/{launched.pk}/recipients?state=lost")
    assert bad.status_code == 422
    assert "state" in bad.json()["error"]["fields"]


def test_the_campaign_list_shows_sent_and_total_in_a_few_queries(
    api_client, manager, outbox, django_assert_max_num_queries
):
    launched = _sent_campaign(manager)
    campaign(manager, name="Brouillon", template=launched.template)
    client = api_client(manager)
    with django_assert_max_num_queries(8):  # token, count, page: none per campaign
        items = client.get("/api/v1/campaigns").json()["items"]
    assert [(c["name"], c["state"]) for c in items] == [
        ("Brouillon", "draft"),
        (launched.name, "sent"),
    ]
    held = Recipient.objects.filter(campaign=launched, state=RecipientState.HOLDOUT).count()
    assert (items[1]["sent"], items[1]["total"]) == (10 - held, 10 - held)


def test_the_recipients_take_the_same_queries_however_many(
    api_client, manager, outbox, django_assert_max_num_queries
):
    launched = _sent_campaign(manager)
    client = api_client(manager)
    with django_assert_max_num_queries(8):  # the token, the campaign, the count, the page
        page = client.get(f"/api/v1/campaigns/{launched.pk}/recipients").json()
    assert len(page["items"]) == 10
    assert all(item["partner_name"] for item in page["items"])
