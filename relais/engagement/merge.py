"""Merge fields: what a programme e-mail may say about its reader, checked when a template is
saved and filled in for each recipient from their own figures.

Templates use Django's template syntax (``{{ first_name }}``, ``{% if leads_this_year %}``) on
an engine of their own, limited to the names of ``MERGE_FIELDS``: a typo is refused at save,
naming the field and the unknown name, rather than sent as a blank to 50,000 partners. Figures
are computed for a batch of partners at once (a campaign renders thousands a minute) and
formatted in the reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import FilterExpression, Node, VariableNode
from django.template.defaulttags import ForNode, IfNode
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.commissions.choices import LineStatus
from relais.commissions.models import CommissionLine
from relais.core.calendar import year_bounds
from relais.core.formatting import format_money, format_ratio
from relais.core.http import absolute_url
from relais.engagement import preferences
from relais.leads.choices import LeadStatus
from relais.leads.models import Lead
from relais.partners.choices import PartnerKind
from relais.partners.models import Partner
from relais.routing.kpis import kpi_table
from relais.routing.norms import norms

MERGE_FIELDS: dict[str, Any] = {
    "first_name": gettext_lazy("the contact's first name (the company's name if none)"),
    "name": gettext_lazy("the partner's name"),
    "leads_this_year": gettext_lazy("leads they passed this year"),
    "leads_in_progress": gettext_lazy("of those, being worked"),
    "leads_won_this_year": gettext_lazy("of those, won"),
    "leads_lost_this_year": gettext_lazy("of those, lost"),
    "earned_this_year": gettext_lazy("commissions earned this year"),
    "paid_this_year": gettext_lazy("commissions paid this year"),
    "referral_link": gettext_lazy("their referral link"),
    "qr_code_url": gettext_lazy("the QR code of their referral link (an image address)"),
    "leads_received_this_year": gettext_lazy("resellers: leads received this year"),
    "open_rate": gettext_lazy("resellers: their open rate"),
    "treatment_rate": gettext_lazy("resellers: their treatment rate"),
    "closure_rate": gettext_lazy("resellers: their closure rate"),
    "open_rate_norm": gettext_lazy("the programme's open rate norm"),
    "treatment_rate_norm": gettext_lazy("the programme's treatment rate norm"),
    "closure_rate_norm": gettext_lazy("the programme's closure rate norm"),
    "preferences_url": gettext_lazy("the page where they choose what they receive"),
    "unsubscribe_url": gettext_lazy("their one-click unsubscribe link"),
}

# Filled in by the monthly digest only (``engagement.digest``): blank in a campaign's e-mail.
DIGEST_FIELDS: dict[str, Any] = {
    "digest_month": gettext_lazy('the digest\'s month ("November 2026")'),
    "is_reseller": gettext_lazy("whether the reader is a reseller (for an {% if %})"),
    "leads_last_month": gettext_lazy("leads they passed last month"),
    "leads_last_month_in_progress": gettext_lazy("of those, being worked"),
    "leads_last_month_won": gettext_lazy("of those, won"),
    "leads_last_month_lost": gettext_lazy("of those, lost"),
    "earned_last_month": gettext_lazy("commissions earned last month"),
    "open_rate_network": gettext_lazy("resellers: the network's open rate this year"),
    "treatment_rate_network": gettext_lazy("resellers: the network's treatment rate this year"),
    "closure_rate_network": gettext_lazy("resellers: the network's closure rate this year"),
}
MERGE_FIELDS.update(DIGEST_FIELDS)

# Autoescape off: the text part is plain text; the HTML part escapes the rendered text whole.
ENGINE = Engine(autoescape=False, string_if_invalid="")
OPEN = (LeadStatus.ASSIGNED, LeadStatus.OPENED, LeadStatus.IN_PROGRESS, LeadStatus.QUALIFIED)


def _names(expression: FilterExpression) -> Iterable[str]:
    var = expression.var
    lookups = getattr(var, "lookups", None)
    if lookups:
        yield lookups[0]


def _used(nodes: Iterable[Node], loop_names: frozenset[str] = frozenset()) -> Iterable[str]:
    """The root names a template reads, in variables, ``if`` conditions and ``for`` loops (a
    loop's own variables excepted inside it)."""
    for node in nodes:
        if isinstance(node, VariableNode):
            yield from (n for n in _names(node.filter_expression) if n not in loop_names)
        elif isinstance(node, IfNode):
            for condition, body in node.conditions_nodelists:
                yield from _condition_names(condition, loop_names)
                yield from _used(body, loop_names)
        elif isinstance(node, ForNode):
            sequence: Any = node.sequence  # a FilterExpression once parsed
            yield from _names(sequence)
            inner: Any = node.nodelist_loop, node.nodelist_empty
            yield from _used(inner[0], loop_names | frozenset(node.loopvars))
            yield from _used(inner[1], loop_names)
        else:
            for attr in getattr(node, "child_nodelists", ()):
                yield from _used(getattr(node, attr, None) or (), loop_names)


def _condition_names(condition: Any, loop_names: frozenset[str]) -> Iterable[str]:
    if condition is None:
        return
    value = getattr(condition, "value", None)
    if isinstance(value, FilterExpression):
        yield from (n for n in _names(value) if n not in loop_names)
    for side in ("first", "second"):
        yield from _condition_names(getattr(condition, side, None), loop_names)


def template_check(source: str, *, field: str) -> None:
    """Refuse a template that does not parse or names a field that does not exist, naming the
    form field and what is wrong (``ValidationError({field: ...})``)."""
    try:
        compiled = ENGINE.from_string(source)
    except TemplateSyntaxError as exc:
        message = _("The template does not read: %(error)s") % {"error": exc}
        raise ValidationError({field: message}) from exc
    unknown = sorted({name for name in _used(compiled.nodelist) if name not in MERGE_FIELDS})
    if unknown:
        names = ", ".join("{{ " + name + " }}" for name in unknown)
        message = _("Unknown merge field: %(names)s. The fields are listed beside the editor.")
        raise ValidationError({field: message % {"names": names}})


def render(source: str, figures: dict[str, Any]) -> str:
    return ENGINE.from_string(source).render(Context(figures, autoescape=False))


@dataclass(frozen=True)
class Counts:
    leads: int = 0
    in_progress: int = 0
    won: int = 0
    lost: int = 0
    earned: Decimal = Decimal("0")
    paid: Decimal = Decimal("0")


def _counts(ids: list[int], year: int) -> dict[int, Counts]:
    start, end = year_bounds(year)
    leads = (
        Lead.objects.filter(partner_id__in=ids, submitted_at__gte=start, submitted_at__lt=end)
        .values("partner_id")
        .annotate(
            n=Count("pk"),
            open=Count("pk", filter=Q(status__in=OPEN)),
            won=Count("pk", filter=Q(status=LeadStatus.WON)),
            lost=Count("pk", filter=Q(status=LeadStatus.LOST)),
        )
        .order_by()
    )
    lines = (
        CommissionLine.objects.filter(
            partner_id__in=ids, earned_on__gte=date(year, 1, 1), earned_on__lte=date(year, 12, 31)
        )
        .values("partner_id")
        .annotate(earned=Sum("amount"), paid=Sum("amount", filter=Q(status=LineStatus.PAID)))
        .order_by()
    )
    money = {r["partner_id"]: (r["earned"] or 0, r["paid"] or 0) for r in lines}
    found: dict[int, Counts] = {}
    for r in leads:
        earned, paid = money.pop(r["partner_id"], (0, 0))
        found[r["partner_id"]] = Counts(
            r["n"], r["open"], r["won"], r["lost"], Decimal(earned), Decimal(paid)
        )
    for pk, (earned, paid) in money.items():  # earned this year from leads of other years
        found[pk] = Counts(earned=Decimal(earned), paid=Decimal(paid))
    return found


def _reseller_figures(ids: list[int], year: int, language: str) -> dict[int, dict[str, str]]:
    if not ids:
        return {}
    start, end = year_bounds(year)
    end = min(end, timezone.now())
    kpis = kpi_table(start=start, end=end, ids=ids, with_medians=False, up_to_date=False)
    marks = norms()
    base = {
        f"{rate}_norm": format_ratio(marks[rate].target, language=language)
        for rate in ("open_rate", "treatment_rate", "closure_rate")
    }
    found = {}
    for kpi in kpis:
        found[kpi.assignee] = {
            **base,
            "leads_received_this_year": str(kpi.received),
            **{
                rate: format_ratio(getattr(kpi, rate) or 0, language=language)
                for rate in ("open_rate", "treatment_rate", "closure_rate")
            },
        }
    return found


def figures_for(
    partners: Sequence[Partner], *, languages: dict[int, str], year: int | None = None
) -> dict[int, dict[str, Any]]:
    """Each partner's merge fields, in their language (``languages``: partner id → code)."""
    year = year or timezone.localdate().year
    ids = [p.pk for p in partners]
    counts = _counts(ids, year)
    resellers = [p.pk for p in partners if p.kind == PartnerKind.RESELLER]
    figures: dict[int, dict[str, Any]] = {}
    by_language: dict[str, list[int]] = {}
    for pk in resellers:
        by_language.setdefault(languages.get(pk, "fr"), []).append(pk)
    kpis: dict[int, dict[str, str]] = {}
    for language, group in by_language.items():
        kpis.update(_reseller_figures(group, year, language))
    for partner in partners:
        language = languages.get(partner.pk, "fr")
        c = counts.get(partner.pk, Counts())
        link = absolute_url(reverse("referral", args=[partner.referral_code]))
        figures[partner.pk] = {
            "first_name": partner.first_name or partner.display_name,
            "name": partner.display_name,
            "leads_this_year": c.leads,
            "leads_in_progress": c.in_progress,
            "leads_won_this_year": c.won,
            "leads_lost_this_year": c.lost,
            "earned_this_year": format_money(c.earned, language),
            "paid_this_year": format_money(c.paid, language),
            "referral_link": link,
            "qr_code_url": absolute_url(reverse("referral_qr", args=[partner.referral_code])),
            "preferences_url": preferences.preferences_url(partner),
            "unsubscribe_url": preferences.unsubscribe_url(partner),
            **kpis.get(partner.pk, {}),
        }
    return figures
