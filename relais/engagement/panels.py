"""The engagement card on a partner's page (``partners.extensions``): its segment, since
when, the figures it was judged on, and its last moves."""

from __future__ import annotations

from relais.engagement.choices import Segment
from relais.engagement.selectors import partner_moves, partner_segment
from relais.partners.extensions import Panel
from relais.partners.models import Partner


def segment_panel(partner: Partner) -> Panel:
    """Always a card: "not judged yet" says as much as a segment to a manager wondering."""
    current = partner_segment(partner)
    moves = [
        {
            "on": move.moved_on,
            "from": str(Segment(move.from_segment).label) if move.from_segment else "",
            "to": str(Segment(move.to_segment).label),
        }
        for move in partner_moves(partner)
    ]
    data = {
        "partner": partner,
        "segment": current,
        "code": current.segment if current else "",
        "label": str(Segment(current.segment).label) if current else "",
        "moves": moves,
    }
    return Panel(template="engagement/panel_segment.html", data=data)
