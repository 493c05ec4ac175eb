"""The engagement API for managers (segments, saved segments, templates, automations) and for a
partner's own token (its mail preferences); every manager endpoint refused to a partner."""

from datetime import date

import pytest
from django.utils import timezone, translation

from relais.engagement.choices import Segment, Trigger
from relais.engagement.models import (
    Automation,
    MessageTemplate,
    Preference,
    SavedSegment,
    SegmentMove,
)
from relais.engagement.tests.campaign_fixtures import in_segment, template
from relais.testing.factories import PartnerFactory, partner_user

pytestmark = pytest.mark.django_db

MANAGER_READS = [
    "/api/v1/segments",
    "/api/v1/segments/dormant/partners",
    "/api/v1/saved-segments",
    "/api/v1/templates",
    "/api/v1/campaigns",
    "/api/v1/automations",
]
GOOD_TEMPLATE = {
    "name": "Relance",
    "subject_fr": "{{ first_name }}, on vous attend",
    "body_fr": "Bonjour {{ first_name }}, {{ leads_this_year }} leads cette année.",
    "subject_en": "{{ first_name }}, we miss you",
    "body_en": "Hello {{ first_name }}, {{ leads_this_year }} leads this year.",
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def send(client, method, url, body=None):
    return getattr(client, method)(
        url, body, content_type="application/json", headers={"Accept-Language": "en"}
    )


@pytest.mark.parametrize("url", MANAGER_READS)
def test_a_partner_token_gets_403_on_every_manager_read(api_client, introducer_user, url):
    response = api_client(introducer_user).get(url)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/saved-segments", {"name": "X"}),
        ("/api/v1/templates", GOOD_TEMPLATE),
        ("/api/v1/campaigns", {"name": "X", "template": 1}),
        ("/api/v1/campaigns/1/launch", {}),
    ],
)
def test_a_partner_token_gets_403_on_every_manager_write(api_client, introducer_user, url, body):
    response = send(api_client(introducer_user), "post", url, body)
    assert response.status_code == 403
    assert not SavedSegment.objects.exists()
    assert not MessageTemplate.objects.exists()


def test_segments_give_the_counts_and_the_months_movements(api_client, manager):
    woke = in_segment([PartnerFactory() for _ in range(2)], Segment.ACTIVE)
    in_segment([PartnerFactory() for _ in range(3)], Segment.DORMANT)
    SegmentMove.objects.create(
        partner=woke[0],
        moved_on=date.today(),
        from_segment=Segment.DORMANT,
        to_segment=Segment.ACTIVE,
    )
    # Labels in the caller's language (French without Accept-Language).
    response = api_client(manager).get("/api/v1/segments", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    body = response.json()
    counts = {s["code"]: s for s in body["introducers"]}
    assert (counts["active"]["count"], counts["dormant"]["count"]) == (2, 3)
    assert (counts["active"]["moved_in"], counts["dormant"]["moved_out"]) == (1, 1)
    assert counts["active"]["label"] == "Active"
    assert body["woke_up"] == {"this_month": 1, "last_month": 0}
    assert {s["code"] for s in body["resellers"]} == {
        "r_green",
        "r_amber",
        "r_red",
        "r_unjudged",
    }
    assert body["thresholds"]["dormant_months"] >= 1
    assert body["judged_on"] == date.today().isoformat()


def test_a_segments_partners_are_paginated_and_filtered(api_client, manager):
    partners = in_segment([PartnerFactory(city="Lyon") for _ in range(3)])
    in_segment([PartnerFactory()], Segment.ACTIVE)
    client = api_client(manager)
    page = client.get("/api/v1/segments/dormant/partners?page_size=2").json()
    assert page["count"] == 3
    assert len(page["items"]) == 2
    first = page["items"][0]
    assert (first["segment"], first["departement"]) == ("dormant", "69")
    found = client.get(f"/api/v1/segments/dormant/partners?q={partners[1].email}").json()
    assert [p["id"] for p in found["items"]] == [partners[1].pk]


def test_an_unknown_segment_is_422_naming_it(api_client, manager):
    response = api_client(manager).get("/api/v1/segments/sleepy/partners")
    assert response.status_code == 422
    assert "code" in response.json()["error"]["fields"]


def test_a_manager_saves_a_segment_and_reads_its_live_count(api_client, manager):
    PartnerFactory(sector="Photovoltaïque")
    PartnerFactory(sector="Photovoltaïque", status="ended")
    PartnerFactory(sector="Assurance")
    client = api_client(manager)
    body = {"name": "Solaire", "filters": {"sector": "Photovoltaïque", "kind": "introducer"}}
    created = send(client, "post", "/api/v1/saved-segments", body)
    assert created.status_code == 201
    assert created.json()["count"] == 2  # a saved filter matches every status it names
    listed = client.get("/api/v1/saved-segments").json()
    assert [(s["name"], s["count"]) for s in listed["items"]] == [("Solaire", 2)]
    assert listed["items"][0]["filters"] == {"sector": "Photovoltaïque", "kind": "introducer"}


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"name": "", "filters": {}}, "name", "name"),
        ({"name": "A", "filters": {"colour": "red"}}, "filters.colour", "Unknown filter"),
        ({"name": "A", "filters": {"departement": "999"}}, "departement", "999"),
        ({"name": "A", "filters": {"min_leads": 3}}, "period_start", "period"),
    ],
)
def test_a_bad_saved_segment_is_422_naming_the_field(api_client, manager, body, field, words):
    response = send(api_client(manager), "post", "/api/v1/saved-segments", body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert words in error["fields"][field]
    assert not SavedSegment.objects.exists()


def test_a_taken_segment_name_is_422(api_client, manager):
    client = api_client(manager)
    send(client, "post", "/api/v1/saved-segments", {"name": "Lyon", "filters": {}})
    again = send(client, "post", "/api/v1/saved-segments", {"name": "lyon", "filters": {}})
    assert again.status_code == 422
    assert "exists already" in again.json()["error"]["fields"]["name"]


def test_a_manager_creates_a_template_and_lists_it_with_its_uses(api_client, manager):
    client = api_client(manager)
    response = send(client, "post", "/api/v1/templates", GOOD_TEMPLATE)
    assert response.status_code == 201
    assert response.json()["topic"] == "news"
    [item] = client.get("/api/v1/templates").json()["items"]
    assert (item["name"], item["campaigns"], item["automations"]) == ("Relance", 0, 0)
    assert item["body_en"] == GOOD_TEMPLATE["body_en"]


def test_a_template_with_an_unknown_merge_field_is_422_naming_field_and_name(api_client, manager):
    body = {**GOOD_TEMPLATE, "body_fr": "Bonjour {{ frist_name }}", "subject_en": ""}
    response = send(api_client(manager), "post", "/api/v1/templates", body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "{{ frist_name }}" in error["fields"]["body_fr"]
    # Every wrong field at once: the English body alone, without its subject.
    assert "subject_en" in error["fields"]
    assert not MessageTemplate.objects.exists()


def test_a_template_that_does_not_parse_or_lacks_its_french_is_422(api_client, manager):
    client = api_client(manager)
    broken = send(client, "post", "/api/v1/templates", {**GOOD_TEMPLATE, "body_fr": "{% if %}"})
    assert broken.status_code == 422
    assert "does not read" in broken.json()["error"]["fields"]["body_fr"]
    missing = send(client, "post", "/api/v1/templates", {"name": "X", "subject_fr": "S"})
    assert missing.status_code == 422
    assert "body_fr" in missing.json()["error"]["fields"]
    topic = send(client, "post", "/api/v1/templates", {**GOOD_TEMPLATE, "topic": "gossip"})
    assert topic.status_code == 422
    assert "topic" in topic.json()["error"]["fields"]


def test_a_read_only_token_cannot_create_a_template(api_client, manager):
    response = send(
        api_client(manager, scopes=("read",)), "post", "/api/v1/templates", GOOD_TEMPLATE
    )
    assert response.status_code == 403
    assert not MessageTemplate.objects.exists()


def test_automations_are_listed_with_their_trigger_and_counts(api_client, manager):
    welcome = template(name="Bienvenue")
    Automation.objects.create(
        name="Bienvenue J+1", trigger=Trigger.JOINED, days=1, template=welcome
    )
    Automation.objects.create(
        name="Dormants 90 j", trigger=Trigger.DORMANT, days=90, template=welcome, active=False
    )
    items = api_client(manager).get("/api/v1/automations").json()["items"]
    assert [(a["name"], a["trigger"], a["days"], a["active"]) for a in items] == [
        ("Bienvenue J+1", "joined", 1, True),
        ("Dormants 90 j", "dormant", 90, False),
    ]
    assert (items[0]["template_name"], items[0]["sent"], items[0]["failed"]) == ("Bienvenue", 0, 0)


# --- A partner's own mail preferences ------------------------------------------------------------


def test_a_partner_reads_its_defaults_then_changes_them(api_client):
    partner = PartnerFactory()
    client = api_client(partner_user(partner))
    first = client.get("/api/v1/me/mail-preferences").json()
    assert first == {
        "language": "fr",
        "topics": ["news", "challenges", "digest"],
        "unsubscribed": False,
        "unsubscribed_at": None,
    }
    body = {"language": "en", "topics": ["digest"], "unsubscribed": False}
    changed = send(client, "put", "/api/v1/me/mail-preferences", body)
    assert changed.status_code == 200
    assert (changed.json()["language"], changed.json()["topics"]) == ("en", ["digest"])
    stored = Preference.objects.get(partner=partner)
    assert (stored.language, stored.news, stored.digest) == ("en", False, True)


def test_a_partner_unsubscribes_and_subscribes_again_keeping_its_topics(api_client):
    partner = PartnerFactory()
    client = api_client(partner_user(partner))
    body = {"language": "fr", "topics": ["challenges"], "unsubscribed": True}
    gone = send(client, "put", "/api/v1/me/mail-preferences", body).json()
    assert gone["unsubscribed"] is True
    when = Preference.objects.get(partner=partner).unsubscribed_at
    assert when is not None
    # Staying unsubscribed changes the language only, and keeps the first date.
    again = send(client, "put", "/api/v1/me/mail-preferences", {**body, "language": "en"}).json()
    assert (again["language"], again["topics"]) == ("en", ["challenges"])
    assert Preference.objects.get(partner=partner).unsubscribed_at == when
    back = send(client, "put", "/api/v1/me/mail-preferences", {**body, "unsubscribed": False})
    assert back.json()["unsubscribed"] is False
    assert back.json()["topics"] == ["challenges"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"language": "de", "topics": []}, "language"),
        ({"language": "fr", "topics": ["gossip"]}, "topics.0"),
        ({"topics": []}, "language"),
    ],
)
def test_bad_preferences_are_422_naming_the_field(api_client, body, field):
    partner = PartnerFactory()
    response = send(api_client(partner_user(partner)), "put", "/api/v1/me/mail-preferences", body)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert not Preference.objects.filter(partner=partner).exists()


def test_a_manager_token_has_no_mail_preferences(api_client, manager):
    response = api_client(manager).get("/api/v1/me/mail-preferences")
    assert response.status_code == 403


def test_each_partner_token_reaches_only_its_own_preferences(api_client):
    mine, other = PartnerFactory(), PartnerFactory()
    Preference.objects.create(partner=other, language="en", unsubscribed_at=timezone.now())
    body = api_client(partner_user(mine)).get("/api/v1/me/mail-preferences").json()
    assert (body["language"], body["unsubscribed"]) == ("fr", False)


def test_the_openapi_document_lists_the_engagement_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/segments",
        "/api/v1/segments/{code}/partners",
        "/api/v1/saved-segments",
        "/api/v1/templates",
        "/api/v1/campaigns",
        "/api/v1/campaigns/{campaign_id}",
        "/api/v1/campaigns/{campaign_id}/launch",
        "/api/v1/campaigns/{campaign_id}/recipients",
        "/api/v1/automations",
        "/api/v1/me/mail-preferences",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/me/mail-preferences"]) == {"get", "put"}


def test_a_segments_partners_take_the_same_queries_however_many(
    api_client, manager, django_assert_max_num_queries
):
    in_segment([PartnerFactory() for _ in range(12)])
    client = api_client(manager)
    with django_assert_max_num_queries(6):  # the token, the count, the page: none per partner
        page = client.get("/api/v1/segments/dormant/partners").json()
    assert page["count"] == 12
