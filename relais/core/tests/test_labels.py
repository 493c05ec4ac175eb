"""The ``label`` filter shows a choice's label in the language of the page, like get_*_display."""

from django.template import Context, Template
from django.utils import translation

from relais.leads.models import Lead


def test_a_choice_label_follows_the_language_and_an_unknown_value_shows_as_is():
    template = Template('{% load labels %}{{ lead|label:"status" }}/{{ lead|label:"channel" }}')
    lead = Lead(status="won", channel="api")
    with translation.override("fr"):
        french = template.render(Context({"lead": lead}))
    with translation.override("en"):
        english = template.render(Context({"lead": lead}))
    assert french == f"{lead.get_status_display()}/{lead.get_channel_display()}"
    assert english == "Won/API"
    assert french != english
    assert (
        Template('{% load labels %}{{ lead|label:"status" }}').render(
            Context({"lead": Lead(status="legacy")})
        )
        == "legacy"
    )
