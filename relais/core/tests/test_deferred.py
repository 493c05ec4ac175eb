"""A sentence stored as a deferred message reads in the language of whoever reads it."""

from django.utils import translation

from relais.core.deferred import later, later_plural, money, say


def test_a_deferred_sentence_is_translated_when_read_not_when_written():
    stored = later("Lead %(id)s could not be routed", id=12)
    with translation.override("fr"):
        french = say(stored)
    with translation.override("en"):
        english = say(stored)
    assert english == "Lead 12 could not be routed"
    assert french != english
    assert "12" in french


def test_parts_and_plurals_are_translated_too_and_old_text_is_kept():
    stored = later(
        "→ %(name)s: %(rule)s (%(n)s leads in 12 months); %(candidates)s, %(excluded)s.",
        name="Isolation Sud",
        n=3,
        rule=later("the least served, weighted by its KPIs"),
        candidates=later_plural("%(n)s candidate", "%(n)s candidates", 4),
        excluded=later_plural("%(n)s excluded", "%(n)s excluded", 1),
    )
    with translation.override("en"):
        assert say(stored) == (
            "→ Isolation Sud: the least served, weighted by its KPIs (3 leads in 12 months);"
            " 4 candidates, 1 excluded."
        )
    assert say("Texte écrit avant") == "Texte écrit avant"
    assert say(None) == ""


def test_an_amount_is_formatted_for_its_reader():
    stored = later(
        "Neither a self-billing mandate nor an invoice of its own for %(amount)s.",
        amount=money("1802.50"),
    )
    with translation.override("en"):
        assert say(stored).endswith("for €1,802.50.")
    with translation.override("fr"):
        assert "1\u202f802,50\u00a0€" in say(stored)
