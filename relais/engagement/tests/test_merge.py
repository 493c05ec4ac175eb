"""Merge fields: a typo is refused at save naming the field, each partner reads their own
figures in their own language, and the programme e-mail carries its unsubscribe headers."""

import pytest
from django.core.exceptions import ValidationError

from relais.engagement import mailing, merge
from relais.engagement.models import MessageTemplate
from relais.leads.services import lead_submit
from relais.testing.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_an_unknown_merge_field_is_refused_naming_the_form_field_and_the_name():
    with pytest.raises(ValidationError) as refused:
        merge.template_check("Bonjour {{ firstname }}, {{ leads_this_year }}", field="body_fr")
    assert list(refused.value.message_dict) == ["body_fr"]
    assert "{{ firstname }}" in refused.value.message_dict["body_fr"][0]


def test_an_unknown_name_in_a_condition_or_a_loop_is_refused_too():
    with pytest.raises(ValidationError, match="earnings"):
        merge.template_check("{% if earnings %}x{% endif %}", field="body_en")
    with pytest.raises(ValidationError, match="leads_list"):
        merge.template_check("{% for x in leads_list %}{{ x }}{% endfor %}", field="body_en")


def test_broken_syntax_is_refused_with_the_reason():
    with pytest.raises(ValidationError) as refused:
        merge.template_check("Bonjour {% if first_name %}", field="subject_fr")
    assert "subject_fr" in refused.value.message_dict


def test_each_partner_reads_their_own_figures_in_their_language():
    busy, quiet = PartnerFactory(first_name="Amélie"), PartnerFactory(first_name="Bruno")
    for n in range(3):
        lead_submit(
            data={"last_name": f"P{n}", "phone": f"06120000{n:02d}", "postcode": "69003"},
            channel="portal",
            partner=busy,
        )
    figures = merge.figures_for([busy, quiet], languages={busy.pk: "fr", quiet.pk: "en"})
    template = MessageTemplate(
        name="t",
        subject_fr="{{ first_name }}, vos leads",
        body_fr="{{ leads_this_year }} leads, {{ earned_this_year }} gagnés. {{ referral_link }}",
        subject_en="{{ first_name }}, your leads",
        body_en="{{ leads_this_year }} leads, {{ earned_this_year }} earned.",
    )
    french = mailing.write(template, language="fr", figures=figures[busy.pk])
    english = mailing.write(template, language="en", figures=figures[quiet.pk])
    assert french.subject == "Amélie, vos leads"
    assert french.body.startswith("3 leads, 0,00\u00a0€ gagnés. http")
    assert f"/r/{busy.referral_code}/" in french.body
    assert (english.subject, english.body) == ("Bruno, your leads", "0 leads, €0.00 earned.")


def test_a_programme_email_carries_one_click_unsubscribe_headers():
    partner = PartnerFactory()
    message = mailing.programme_message(
        partner=partner, email=partner.email, language="fr", topic="news", subject="S", body="B"
    )
    headers = message.message()
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http")
    assert "/e/u/" in unsubscribe
    assert mailing.message_id(message) == headers["Message-ID"]


def test_the_default_digest_passes_the_check_a_managers_edit_goes_through():
    from relais.engagement import digest

    for source in (digest.SUBJECT_FR, digest.BODY_FR, digest.SUBJECT_EN, digest.BODY_EN):
        merge.template_check(source, field="body_fr")  # refused before its fields were listed
