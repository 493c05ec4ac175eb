"""An account's relationship map as a server-side SVG graph (the house approach of
``reporting/charts.py``: presentation attributes, no style, a <title> on each mark).

Two columns: on the left the colleagues who know someone (a colleague known only "on request"
is one anonymous "someone — ask" node per relationship), on the right the account's people with
their role; one edge per relationship, as thick as the strength shown, dashed when it faded.
People nobody known to the viewer knows are drawn with a hollow dot: the plan's gaps."""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from relais.network.selectors import MapPerson

INK, MUTED, GAP = "#333333", "#7f7f7f", "#d55e00"
# Okabe–Ito blue, darker with strength: told apart without colour too (the width).
STRENGTH_COLOURS = {1: "#9ecae1", 2: "#6baed6", 3: "#3182bd", 4: "#08519c", 5: "#08306b"}
ROW, TOP, WIDTH = 46, 40, 720
ITALIC = ' font-style="italic"'
LEFT_X, RIGHT_X = 150, 470


def _clip(text: str, n: int = 26) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def account_graph(*, people: list[MapPerson], account_name: str) -> SafeString:
    """The map's SVG; its figures are also in the people table beside it (its text alternative)."""
    owners: list[tuple[str, str]] = []  # (key, label)
    index: dict[str, int] = {}
    edges: list[tuple[str, int, int, bool, str]] = []
    for p_i, person in enumerate(people):
        for rel in person.known:
            key = f"u{rel.owner_id}" if rel.owner_id else f"ask{rel.pk}"
            if key not in index:
                index[key] = len(owners)
                label = rel.owner_name or _("Someone — ask")
                owners.append((key, label))
            edges.append((key, p_i, rel.shown_strength, rel.faded, rel.owner_name or ""))
    rows = max(len(owners), len(people), 1)
    title = _("Who knows whom at %(account)s") % {"account": account_name}
    height = TOP + rows * ROW + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="network-map" viewBox="0 0 {WIDTH} '
        f'{height}" role="img" aria-labelledby="network-map-title" font-family="sans-serif" '
        f'font-size="14" fill="{INK}">',
        f'<title id="network-map-title">{escape(title)}</title>',
        f'<text x="{LEFT_X}" y="22" text-anchor="end" font-weight="bold">'
        f"{escape(_('Colleagues'))}</text>",
        f'<text x="{RIGHT_X}" y="22" font-weight="bold">{escape(account_name)}</text>',
    ]
    offset_l = (rows - len(owners)) * ROW / 2
    offset_r = (rows - len(people)) * ROW / 2

    def y_left(i: int) -> float:
        return TOP + offset_l + i * ROW + ROW / 2

    def y_right(i: int) -> float:
        return TOP + offset_r + i * ROW + ROW / 2

    for key, p_i, strength, faded, who in edges:
        y1, y2 = y_left(index[key]), y_right(p_i)
        dash = ' stroke-dasharray="6 4"' if faded else ""
        tip = _("strength %(n)s") % {"n": strength}
        if faded:
            tip += " — " + _("faded: no recent interaction")
        parts.append(
            f'<path d="M{LEFT_X + 8} {y1:.1f} C{(LEFT_X + RIGHT_X) / 2:.0f} {y1:.1f} '
            f'{(LEFT_X + RIGHT_X) / 2:.0f} {y2:.1f} {RIGHT_X - 8} {y2:.1f}" fill="none" '
            f'stroke="{STRENGTH_COLOURS.get(strength, MUTED)}" stroke-width="{strength * 1.4:.1f}"'
            f"{dash}><title>{escape(who or _('Someone'))} → "
            f"{escape(people[p_i].contact.full_name)}: {escape(tip)}</title></path>"
        )
    for key, label in owners:
        y = y_left(index[key])
        anonymous = key.startswith("ask")
        parts.append(
            f'<circle cx="{LEFT_X}" cy="{y:.1f}" r="7" fill="{MUTED if anonymous else INK}"/>'
            f'<text x="{LEFT_X - 14}" y="{y + 5:.1f}" text-anchor="end"'
            f"{' font-style=' + chr(34) + 'italic' + chr(34) if anonymous else ''}>"
            f"{escape(_clip(label, 22))}</text>"
        )
    for i, person in enumerate(people):
        y = y_right(i)
        nobody = not person.known
        dot = (
            f'<circle cx="{RIGHT_X}" cy="{y:.1f}" r="7" fill="#ffffff" stroke="{GAP}" '
            f'stroke-width="2"/>'
            if nobody
            else f'<circle cx="{RIGHT_X}" cy="{y:.1f}" r="7" fill="{INK}"/>'
        )
        title = person.contact.title or person.contact.get_level_display()
        parts.append(
            f'{dot}<text x="{RIGHT_X + 14}" y="{y - 2:.1f}">'
            f"{escape(_clip(person.contact.full_name, 30))}</text>"
            f'<text x="{RIGHT_X + 14}" y="{y + 14:.1f}" font-size="12" fill="{MUTED}">'
            f"{escape(_clip(title or '', 34))}"
            f"{escape(' — ' + _('nobody known')) if nobody else ''}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
