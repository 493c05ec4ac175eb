"""Sentences the system writes down to be read later, translated when they are read.

A note the system stores (why a lead could not be routed, why a partner is blocked from a run,
why the yearly review proposes a pause) is read by people in either language, long after it was
written: stored as text, it stays in the language of the process that wrote it. Stored instead
as its message id and parameters (``later``), it is translated each time it is shown (``say``),
in the reader's language. A parameter may itself be a deferred message (a translated part of the
sentence), a plural (``later_plural``), an amount (``money``) or a share (``ratio``), formatted
for the reader, or a list of parts (``listing``) joined when shown.

Mark the msgid with ``gettext_noop`` where it is written, so that ``makemessages`` finds it::

    data["says"] = later(gettext_noop("Not opened within %(hours)s hours."), hours=96)

A plain string given to ``say`` is returned as it is: rows written before their writer stored a
message stay readable, in the language they were written in.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext, ngettext

from relais.core.formatting import format_money, format_ratio

Deferred = dict[str, Any]


def later(msgid: str, /, **params: Any) -> Deferred:
    """A sentence to translate when shown: JSON-serialisable, for a JSONField."""
    return {"msgid": msgid, "params": params} if params else {"msgid": msgid}


def later_plural(singular: str, plural: str, n: int, /, **params: Any) -> Deferred:
    """``ngettext`` when shown; ``n`` is among the parameters as ``%(n)s``."""
    return {"msgid": singular, "plural": plural, "n": n, "params": {"n": n, **params}}


def money(amount: Decimal | int | str, *, whole: bool = False) -> Deferred:
    """An amount parameter, formatted when shown: ``1 802,50 €`` or ``€1,802.50``; ``whole``
    drops the cents of a round figure (a threshold: ``5 000 €``), as ``format_money``."""
    return {"eur": str(amount), "whole": True} if whole else {"eur": str(amount)}


def ratio(share: float | Decimal) -> Deferred:
    """A share parameter (a KPI's 0.925), formatted when shown: ``93 %`` or ``93%``."""
    return {"ratio": str(share)}


def listing(*parts: Any) -> list[Any]:
    """A parameter made of parts (deferred or not), each said and joined by commas when shown."""
    return list(parts)


def _param(value: Any) -> Any:
    if is_deferred(value):
        return say(value)
    if isinstance(value, list):
        return ", ".join(str(_param(part)) for part in value)
    if isinstance(value, dict) and set(value) in ({"eur"}, {"eur", "whole"}):
        return format_money(value["eur"], whole=bool(value.get("whole")))
    if isinstance(value, dict) and set(value) == {"ratio"}:
        return format_ratio(Decimal(value["ratio"]))
    return value


def is_deferred(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("msgid"), str)


def say(value: Any) -> str:
    """The sentence in the active language (a stored plain string as it was written)."""
    if not is_deferred(value):
        return "" if value is None else str(value)
    if "plural" in value:
        text = ngettext(value["msgid"], value["plural"], int(value.get("n") or 0))
    else:
        text = gettext(value["msgid"])
    params = {k: _param(v) for k, v in value.get("params", {}).items()}
    if not params:
        return text
    try:
        return text % params
    except (KeyError, TypeError, ValueError):
        # A translation naming other parameters than its source: the source sentence instead.
        source = value["plural"] if "plural" in value and value.get("n") != 1 else value["msgid"]
        try:
            return str(source % params)
        except (KeyError, TypeError, ValueError):
            return str(source)
