"""The monthly digest: each partner's own figures for last month, and its default template in
French and English.

Introducers read the leads they passed last month and what became of them, and what they
earned; resellers their KPIs this year against the norms and the network's average. The
figures extend the merge fields (``merge.figures_for``) with those of ``DIGEST_FIELDS``,
computed for a batch of partners in a few grouped reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone, translation
from django.utils.formats import date_format

from relais.commissions.models import CommissionLine
from relais.core.formatting import format_money, format_ratio
from relais.engagement import merge
from relais.engagement.choices import Topic
from relais.engagement.counters import next_month
from relais.engagement.models import MessageTemplate
from relais.leads.choices import LeadStatus
from relais.leads.counters import day_start
from relais.leads.models import Lead
from relais.partners.choices import PartnerKind
from relais.partners.models import Partner
from relais.routing.kpis import RATES, kpi_table, network_average
from relais.routing.norms import norms

# The fields the digest adds to the merge fields (listed in ``merge.MERGE_FIELDS`` too, so
# that a manager may use them in a digest template of their own).
DIGEST_FIELDS = merge.DIGEST_FIELDS

DIGEST_NAME = "Bilan mensuel"  # data, not interface text: how the demo and the button find it

CLOSED = (LeadStatus.WON, LeadStatus.LOST, LeadStatus.REJECTED)

SUBJECT_FR = "{{ first_name }}, votre bilan de {{ digest_month }}"
BODY_FR = """Bonjour {{ first_name }},

Voici votre bilan de {{ digest_month }}.
{% if is_reseller %}
Vos indicateurs depuis le 1er janvier, face aux normes du réseau et à sa moyenne :
- leads reçus : {{ leads_received_this_year }}
- taux d'ouverture : {{ open_rate }} (norme {{ open_rate_norm }}, réseau {{ open_rate_network }})
- taux de traitement : {{ treatment_rate }} (norme {{ treatment_rate_norm }}, \
réseau {{ treatment_rate_network }})
- taux de clôture : {{ closure_rate }} (norme {{ closure_rate_norm }}, \
réseau {{ closure_rate_network }})
{% else %}
En {{ digest_month }}, vous nous avez transmis {{ leads_last_month }} lead(s) : \
{{ leads_last_month_in_progress }} en cours, {{ leads_last_month_won }} gagné(s), \
{{ leads_last_month_lost }} perdu(s).
Commissions gagnées en {{ digest_month }} : {{ earned_last_month }} ; depuis le 1er janvier : \
{{ earned_this_year }}.

Votre lien de recommandation : {{ referral_link }}
{% endif %}
Merci de votre confiance."""

SUBJECT_EN = "{{ first_name }}, your {{ digest_month }} summary"
BODY_EN = """Hello {{ first_name }},

Here is your summary of {{ digest_month }}.
{% if is_reseller %}
Your KPIs since 1 January, against the network's norms and its average:
- leads received: {{ leads_received_this_year }}
- open rate: {{ open_rate }} (norm {{ open_rate_norm }}, network {{ open_rate_network }})
- treatment rate: {{ treatment_rate }} (norm {{ treatment_rate_norm }}, \
network {{ treatment_rate_network }})
- closure rate: {{ closure_rate }} (norm {{ closure_rate_norm }}, \
network {{ closure_rate_network }})
{% else %}
In {{ digest_month }} you passed us {{ leads_last_month }} lead(s): \
{{ leads_last_month_in_progress }} being worked, {{ leads_last_month_won }} won, \
{{ leads_last_month_lost }} lost.
Commissions earned in {{ digest_month }}: {{ earned_last_month }}; since 1 January: \
{{ earned_this_year }}.

Your referral link: {{ referral_link }}
{% endif %}
Thank you for your trust."""


def previous_month(month: date) -> date:
    """The first of the month before ``month`` (itself a first of the month)."""
    return (month - timedelta(days=1)).replace(day=1)


def digest_template_ensure() -> MessageTemplate:
    """The digest's default template, created the first time (French and English); a
    template already there, maybe edited by a manager, is kept as it is."""
    defaults = {
        "topic": Topic.DIGEST,
        "subject_fr": SUBJECT_FR,
        "body_fr": BODY_FR,
        "subject_en": SUBJECT_EN,
        "body_en": BODY_EN,
    }
    try:
        with transaction.atomic():
            template, _created = MessageTemplate.objects.get_or_create(
                name=DIGEST_NAME, defaults=defaults
            )
    except IntegrityError:  # created by a concurrent request between the read and the write
        template = MessageTemplate.objects.get(name=DIGEST_NAME)
    return template


def _month_counts(ids: list[int], month: date) -> dict[int, dict[str, int]]:
    """Each introducer's leads submitted in ``month``, by what became of them since."""
    rows = (
        Lead.objects.filter(
            partner_id__in=ids,
            submitted_at__gte=day_start(month),
            submitted_at__lt=day_start(next_month(month)),
        )
        .values("partner_id")
        .annotate(
            n=Count("pk"),
            # Being worked: every lead not closed yet, the one still being checked included.
            open=Count("pk", filter=~Q(status__in=CLOSED)),
            won=Count("pk", filter=Q(status=LeadStatus.WON)),
            lost=Count("pk", filter=Q(status=LeadStatus.LOST)),
        )
        .order_by()
    )
    return {
        r["partner_id"]: {
            "leads_last_month": r["n"],
            "leads_last_month_in_progress": r["open"],
            "leads_last_month_won": r["won"],
            "leads_last_month_lost": r["lost"],
        }
        for r in rows
    }


def _month_earnings(ids: list[int], month: date) -> dict[int, Decimal]:
    rows = (
        CommissionLine.objects.filter(
            partner_id__in=ids, earned_on__gte=month, earned_on__lt=next_month(month)
        )
        .values("partner_id")
        .annotate(earned=Sum("amount"))
        .order_by()
        .values_list("partner_id", "earned")
    )
    return {pk: Decimal(earned or 0) for pk, earned in rows}


def network_rates(year: int) -> dict[str, float | None]:
    """The network's pooled rates over ``year`` (to this day): what a reseller compares its
    own with."""
    start = day_start(date(year, 1, 1))
    end = min(day_start(date(year + 1, 1, 1)), timezone.now())
    average = network_average(kpi_table(start=start, end=end, with_medians=False, up_to_date=False))
    return {rate: getattr(average, rate) for rate in RATES}


def _reseller_defaults(figures: dict[str, Any], language: str) -> dict[str, Any]:
    """A reseller given no lead this year still reads the norms, and a dash for its rates
    (``merge`` gives KPI fields only to resellers with assignments)."""
    if "open_rate" in figures:
        return {}
    marks = norms()
    return {
        "leads_received_this_year": "0",
        **dict.fromkeys(RATES, "—"),
        **{f"{rate}_norm": format_ratio(marks[rate].target, language=language) for rate in RATES},
    }


def digest_figures(
    partners: Sequence[Partner],
    *,
    languages: dict[int, str],
    month: date,
    network: dict[str, float | None] | None = None,
) -> dict[int, dict[str, Any]]:
    """Each partner's merge fields (``merge.figures_for``, for ``month``'s year) and those of
    ``DIGEST_FIELDS``, in their language. ``network`` (``network_rates``) may be computed once
    by a caller that renders many batches."""
    figures = merge.figures_for(partners, languages=languages, year=month.year)
    ids = [p.pk for p in partners]
    counts = _month_counts(ids, month)
    earned = _month_earnings(ids, month)
    if network is None and any(p.kind == PartnerKind.RESELLER for p in partners):
        network = network_rates(month.year)
    nothing = dict.fromkeys(
        (
            "leads_last_month",
            "leads_last_month_in_progress",
            "leads_last_month_won",
            "leads_last_month_lost",
        ),
        0,
    )
    for partner in partners:
        language = languages.get(partner.pk, "fr")
        with translation.override(language):
            label = date_format(month, "F Y")
        extra: dict[str, Any] = {
            "digest_month": label,
            "is_reseller": partner.kind == PartnerKind.RESELLER,
            **nothing,
            **counts.get(partner.pk, {}),
            "earned_last_month": format_money(earned.get(partner.pk, Decimal("0")), language),
        }
        if partner.kind == PartnerKind.RESELLER:
            extra.update(_reseller_defaults(figures[partner.pk], language))
            if network is not None:
                extra.update(
                    {
                        f"{rate}_network": format_ratio(network[rate] or 0, language=language)
                        for rate in RATES
                    }
                )
        figures[partner.pk].update(extra)
    return figures
