"""``{% strength r %}``: a relationship's strength as shown (five dots, n/5, faded or not).

One Python call per relationship: the template it replaces (an include, a loop over five dots,
two translated titles) cost 0.7 ms a row, a third of the search page with 27 hits."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from relais.network.selectors import SeenRelationship

register = template.Library()

_DOTS = 5


@register.simple_tag
def strength(r: SeenRelationship) -> SafeString:
    shown = r.shown_strength
    if r.faded:
        title = gettext("Strength %(n)s, faded: no recent interaction") % {"n": r.strength}
        faded = format_html(' <span class="muted">({})</span>', gettext("faded"))
    else:
        title = gettext("Strength %(n)s of 5") % {"n": r.strength}
        faded = SafeString("")
    dots = format_html_join(
        "",
        '<span class="dot{}"></span>',
        ((" on" if i <= shown else "",) for i in range(1, _DOTS + 1)),
    )
    return format_html(
        '<span class="strength s{}" title="{}"><span class="dots" aria-hidden="true">{}</span>'
        " {}/5{}</span>",
        shown,
        title,
        dots,
        shown,
        faded,
    )
