"""A manager writes the e-mail templates of the campaigns in the product: the merge fields are
listed beside the editor, a typo in one or a broken tag is refused naming the field and the
name, and a template a campaign uses is kept."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from relais.core.models import AuditEntry
from relais.engagement.models import Campaign, MessageTemplate

pytestmark = pytest.mark.django_db

GOOD = {
    "name": "Relance des dormants",
    "topic": "news",
    "subject_fr": "{{ first_name }}, vos apports de l'année",
    "body_fr": "Bonjour {{ first_name }},\n{% if leads_this_year %}Vous nous avez confié "
    "{{ leads_this_year }} affaires.{% endif %}\nVotre lien : {{ referral_link }}",
    "subject_en": "{{ first_name }}, your year",
    "body_en": "Hello {{ first_name }}, you passed {{ leads_this_year }} leads.",
}


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def make_template(name: str = "Nouvelles", **fields: str) -> MessageTemplate:
    return MessageTemplate.objects.create(
        name=name, subject_fr=fields.get("subject_fr", "Bonjour"), body_fr="{{ first_name }}"
    )


def test_a_manager_writes_a_template_with_merge_fields(client, manager):
    client.force_login(manager)
    editor = client.get("/engagement/templates/new/").content.decode()
    # The merge fields beside the editor, each with what it says.
    assert "{{ leads_this_year }}" in editor
    assert "leads they passed this year" in editor
    assert "{{ unsubscribe_url }}" in editor
    saved = client.post("/engagement/templates/new/", GOOD)
    assert saved["Location"] == "/engagement/templates/"
    template = MessageTemplate.objects.get(name="Relance des dormants")
    assert template.body_en == GOOD["body_en"]
    listed = client.get("/engagement/templates/").content.decode()
    assert f'href="/engagement/templates/{template.pk}/"' in listed
    assert AuditEntry.objects.filter(subject_id=template.pk, action="created").exists()


def test_an_unknown_merge_field_is_refused_naming_the_field_and_the_name(client, manager):
    client.force_login(manager)
    refused = client.post(
        "/engagement/templates/new/", {**GOOD, "body_fr": "Bonjour {{ frist_name }} !"}
    )
    assert refused.status_code == 422
    errors = refused.context["form"].errors
    assert list(errors) == ["body_fr"]
    assert "{{ frist_name }}" in errors["body_fr"][0]
    assert "{{ frist_name }}" in refused.content.decode()  # shown beside the field
    assert not MessageTemplate.objects.exists()


def test_broken_syntax_in_the_english_subject_is_refused_on_that_field(client, manager):
    client.force_login(manager)
    refused = client.post("/engagement/templates/new/", {**GOOD, "subject_en": "{% if %}Hi"})
    assert refused.status_code == 422
    assert list(refused.context["form"].errors) == ["subject_en"]
    assert "does not read" in refused.context["form"].errors["subject_en"][0]
    assert not MessageTemplate.objects.exists()


def test_every_wrong_field_is_named_at_once(client, manager):
    client.force_login(manager)
    refused = client.post(
        "/engagement/templates/new/",
        {**GOOD, "subject_fr": "{{ nom }}", "body_en": "", "subject_en": "Hi"},
    )
    errors = refused.context["form"].errors
    assert set(errors) == {"subject_fr", "body_en"}
    assert "{{ nom }}" in errors["subject_fr"][0]
    assert errors["body_en"] == ["Write the English subject and body, or leave both empty."]


def test_a_second_template_of_the_same_name_is_refused(client, manager):
    make_template("Relance des dormants")
    client.force_login(manager)
    refused = client.post("/engagement/templates/new/", GOOD)
    assert refused.context["form"].errors["name"] == ["Another template already has this name."]


def test_editing_keeps_the_template_and_logs_the_change(client, manager):
    template = make_template()
    client.force_login(manager)
    page = client.get(f"/engagement/templates/{template.pk}/").content.decode()
    assert "Nouvelles" in page
    client.post(f"/engagement/templates/{template.pk}/", {**GOOD, "name": "Nouvelles"})
    template.refresh_from_db()
    assert template.subject_fr == GOOD["subject_fr"]
    entry = AuditEntry.objects.get(subject_id=template.pk, action="updated")
    assert entry.changes["subject_fr"] == ["Bonjour", GOOD["subject_fr"]]


def test_a_template_a_campaign_uses_is_not_deleted(client, manager):
    used = make_template("Utilisé")
    Campaign.objects.create(name="Printemps", template=used, segment="champion")
    unused = make_template("Libre")
    client.force_login(manager)
    refused = client.post(f"/engagement/templates/{used.pk}/delete/", follow=True)
    assert "used by 1 campaign(s) and 0 automation(s)" in refused.content.decode()
    assert MessageTemplate.objects.filter(pk=used.pk).exists()
    client.post(f"/engagement/templates/{unused.pk}/delete/")
    assert not MessageTemplate.objects.filter(pk=unused.pk).exists()


def test_partners_and_visitors_do_not_reach_the_templates(client, introducer_user, salesperson):
    template = make_template()
    urls = ("/engagement/templates/", "/engagement/templates/new/")
    for url in (*urls, f"/engagement/templates/{template.pk}/"):
        assert client.get(url).status_code == 302  # anonymous: the login page
    for user in (introducer_user, salesperson):
        client.force_login(user)
        for url in (*urls, f"/engagement/templates/{template.pk}/"):
            assert client.get(url).status_code == 403
        assert client.post(f"/engagement/templates/{template.pk}/delete/").status_code == 403
    assert MessageTemplate.objects.filter(pk=template.pk).exists()


def test_the_list_reads_in_the_same_queries_for_2_or_12_templates(client, manager):
    client.force_login(manager)
    for n in range(2):
        make_template(f"T{n}")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/engagement/templates/").status_code == 200
    for n in range(2, 12):
        used = make_template(f"T{n}")
        Campaign.objects.create(name=f"C{n}", template=used, segment="active")
    with CaptureQueriesContext(connection) as many:
        page = client.get("/engagement/templates/").content.decode()
    assert page.count('data-template="') == 12
    assert len(many) == len(few)
