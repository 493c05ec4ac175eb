"""Custom segments: a form of filters over the partners, turned into a queryset, and what a
saved one (``SavedSegment``) matches today. The activity filters (leads, amount won in a
period) read the partner months, so a count is a few indexed reads, not a scan of the leads;
their periods are whole months (a date picks the month it falls in)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.accounts.models import User
from relais.core.errors import DomainError
from relais.core.forms import DateInput
from relais.core.models import Departement
from relais.engagement import metrics
from relais.engagement.choices import Segment
from relais.engagement.counters import month_of, next_month
from relais.engagement.models import PartnerMonth, SavedSegment
from relais.partners.choices import PartnerKind, PartnerStatus
from relais.partners.models import Partner


def region_choices() -> list[tuple[str, str]]:
    """The regions of the départements, for a filter (the first choice: all of them)."""
    names = Departement.objects.order_by("region").values_list("region", flat=True).distinct()
    return [("", _("All regions")), *((n, n) for n in names if n)]


class SegmentFilterForm(forms.Form):
    """The filters of a custom segment; every one may be left empty (then: every partner)."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[("", gettext_lazy("All kinds")), *PartnerKind.choices],
        required=False,
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("All statuses")), *PartnerStatus.choices],
        required=False,
    )
    departement = forms.CharField(label=gettext_lazy("Département"), required=False, max_length=3)
    region = forms.ChoiceField(label=gettext_lazy("Region"), required=False)
    sector = forms.CharField(label=gettext_lazy("Sector"), required=False, max_length=100)
    group = forms.CharField(label=gettext_lazy("Tier or group"), required=False, max_length=40)
    joined_after = forms.DateField(
        label=gettext_lazy("Joined on or after"), required=False, widget=DateInput()
    )
    joined_before = forms.DateField(
        label=gettext_lazy("Joined before"), required=False, widget=DateInput()
    )
    segment = forms.ChoiceField(
        label=gettext_lazy("Segment"),
        choices=[("", gettext_lazy("Any segment")), *Segment.choices],
        required=False,
    )
    period_start = forms.DateField(
        label=gettext_lazy("Period from (month)"), required=False, widget=DateInput()
    )
    period_end = forms.DateField(
        label=gettext_lazy("Period to (month)"), required=False, widget=DateInput()
    )
    min_leads = forms.IntegerField(
        label=gettext_lazy("At least this many leads in the period"), required=False, min_value=1
    )
    min_won_amount = forms.DecimalField(
        label=gettext_lazy("At least this amount won in the period (€ excl. VAT)"),
        required=False,
        min_value=Decimal("0.01"),
        decimal_places=2,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices()  # type: ignore[attr-defined]
        for metric in metrics.registered():  # the apps above's measures (trainings completed)
            self.fields[metric.field] = forms.IntegerField(
                label=metric.label, required=False, min_value=1
            )

    def clean_departement(self) -> str:
        code = str(self.cleaned_data.get("departement") or "").strip().upper()
        if code and not Departement.objects.filter(code=code).exists():
            raise ValidationError(_("Département %(code)s does not exist.") % {"code": code})
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        wants_period = data.get("min_leads") or data.get("min_won_amount")
        if wants_period and not start:
            self.add_error(
                "period_start", _("Give the period the leads or the amount won are counted in.")
            )
        return data


def filter_names() -> list[str]:
    """Every filter a segment may store: the form's own and one per registered metric."""
    return [*SegmentFilterForm.base_fields, *(m.field for m in metrics.registered())]


def partners_matching(filters: dict[str, Any]) -> QuerySet[Partner]:
    """The partners the cleaned filters describe."""
    partners = Partner.objects.all()
    exact = {"kind": "kind", "status": "status", "departement": "departement_id"}
    for name, lookup in exact.items():
        if filters.get(name):
            partners = partners.filter(**{lookup: filters[name]})
    if filters.get("region"):
        partners = partners.filter(departement__region=filters["region"])
    if filters.get("sector"):
        partners = partners.filter(sector__iexact=filters["sector"].strip())
    if filters.get("group"):
        partners = partners.filter(group__iexact=filters["group"].strip())
    if filters.get("joined_after"):
        partners = partners.filter(created_at__date__gte=filters["joined_after"])
    if filters.get("joined_before"):
        partners = partners.filter(created_at__date__lt=filters["joined_before"])
    if filters.get("segment"):
        partners = partners.filter(segment__segment=filters["segment"])
    return _by_metrics(_active_in_period(partners, filters), filters)


def _by_metrics(partners: QuerySet[Partner], filters: dict[str, Any]) -> QuerySet[Partner]:
    """The registered metrics' "at least N": over the period when one is given (whole months,
    as the activity filters), else over all time."""
    start = month_of(filters["period_start"]) if filters.get("period_start") else None
    end = next_month(month_of(filters["period_end"])) if filters.get("period_end") else None
    for metric in metrics.registered():
        if filters.get(metric.field):
            partners = partners.filter(pk__in=metric.reaching(filters[metric.field], start, end))
    return partners


def _active_in_period(partners: QuerySet[Partner], filters: dict[str, Any]) -> QuerySet[Partner]:
    min_leads, min_won = filters.get("min_leads"), filters.get("min_won_amount")
    if not (min_leads or min_won) or not filters.get("period_start"):
        return partners
    months = PartnerMonth.objects.filter(month__gte=month_of(filters["period_start"]))
    if filters.get("period_end"):
        months = months.filter(month__lte=month_of(filters["period_end"]))
    sums = months.values("partner_id").annotate(n=Sum("submitted"), won=Sum("won_amount"))
    if min_leads:
        sums = sums.filter(n__gte=min_leads)
    if min_won:
        sums = sums.filter(won__gte=min_won)
    return partners.filter(pk__in=sums.order_by().values("partner_id"))


def stored_filters(cleaned: dict[str, Any]) -> dict[str, str]:
    """The cleaned filters as JSON keeps them: the values set, as the form's own text."""
    found: dict[str, str] = {}
    for name, value in cleaned.items():
        if name not in filter_names() or value in (None, ""):
            continue
        found[name] = value.isoformat() if isinstance(value, date) else str(value)
    return found


def filter_form(stored: dict[str, Any]) -> SegmentFilterForm:
    """A bound form of stored filters (to clean them again, or to edit them)."""
    return SegmentFilterForm({k: v for k, v in stored.items() if v not in (None, "")})


def saved_segment_partners(saved: SavedSegment) -> QuerySet[Partner]:
    """The partners a saved segment matches today. Filters that no longer clean (a
    département since removed) match nobody rather than everybody: a campaign to the whole
    network by mistake is the worse error."""
    form = filter_form(saved.filters or {})
    if not form.is_valid():
        return Partner.objects.none()
    return partners_matching(form.cleaned_data)


def saved_segment_save(
    *, name: str, filters: dict[str, Any], actor: User, saved: SavedSegment | None = None
) -> SavedSegment:
    """Create (``saved`` None) or change a saved segment: a name, unique, and cleaned filters
    (``stored_filters``). A ValidationError names the field."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the segment a name.")})
    taken = SavedSegment.objects.filter(name__iexact=name)
    if saved is not None:
        taken = taken.exclude(pk=saved.pk)
    if taken.exists():
        raise _taken(name)
    form = filter_form(filters)
    if not form.is_valid():
        raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
    segment = saved or SavedSegment(created_by=actor)
    segment.name, segment.filters = name, stored_filters(form.cleaned_data)
    try:
        with transaction.atomic():  # the unique name is the last word when two save at once
            segment.save()
    except IntegrityError:
        raise _taken(name) from None
    return segment


def _taken(name: str) -> ValidationError:
    return ValidationError(
        {"name": _("A segment named “%(name)s” exists already.") % {"name": name}}
    )


def saved_segment_delete(*, saved: SavedSegment) -> None:
    """Delete a saved segment no campaign uses (a campaign keeps the audience it was sent to)."""
    if saved.campaigns.exists():
        raise DomainError(
            _("Segment “%(name)s” is the audience of a campaign: it cannot be deleted.")
            % {"name": saved.name},
            code="in_use",
        )
    saved.delete()
