"""The strength as every network page shows it: five dots, the shown strength lit, faded said."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from relais.network.selectors import SeenRelationship
from relais.network.templatetags.network_strength import strength

SEEN = SeenRelationship(
    pk=1,
    contact_id=1,
    account_id=1,
    owner_id=None,
    owner_name=None,
    strength=5,
    shown_strength=5,
    faded=False,
    context=None,
    context_label=None,
    last_interaction=None,
    visibility="on_request",
    exclusive_until=None,
    mine=False,
)


def test_a_strength_lights_as_many_of_the_five_dots():
    html = str(strength(SEEN))
    assert html.count('class="dot on"') == 5
    assert 'title="Strength 5 of 5"' in html
    assert " 5/5</span>" in html
    assert "faded" not in html


def test_a_faded_strength_shows_one_step_down_and_says_why():
    html = str(
        strength(replace(SEEN, shown_strength=4, faded=True, last_interaction=date(2020, 1, 1)))
    )
    assert html.count('class="dot on"') == 4
    assert html.count('class="dot"') == 1
    assert 'title="Strength 5, faded: no recent interaction"' in html
    assert '4/5 <span class="muted">(faded)</span>' in html
