"""Lead forms. Identifiers are plain text here: the service normalises and names the rule."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.accounts.models import User
from relais.core import listings
from relais.core.forms import DateInput
from relais.core.models import Departement
from relais.leads.choices import Channel, LeadStatus, RejectionReason, ReviewReason
from relais.leads.lifecycle import REOPEN, TRANSITIONS
from relais.leads.models import Lead, ProductCategory
from relais.partners.choices import PartnerKind

S = LeadStatus


def _categories() -> list[tuple[str, Any]]:
    return [
        ("", _("Not specified")),
        *((c.code, c.name) for c in ProductCategory.objects.filter(active=True)),
    ]


class QuickLeadForm(forms.Form):
    """What an introducer fills in on a phone: a name, a way to reach them, a postcode."""

    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Name or company"), max_length=200)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"), max_length=10, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    category = forms.ChoiceField(label=_("Product"), required=False)
    need = forms.CharField(
        label=_("The need, in a few words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _categories()  # type: ignore[attr-defined]


class StaffLeadForm(QuickLeadForm):
    company_name = forms.CharField(label=_("Company"), max_length=200, required=False)
    siret = forms.CharField(label=_("SIRET"), max_length=24, required=False)
    address_line = forms.CharField(label=_("Address"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    estimated_value = forms.CharField(
        label=_("Estimated value excl. VAT (€)"), max_length=20, required=False
    )
    partner_code = forms.CharField(
        label=_("Introducer's referral code (if any)"), max_length=16, required=False
    )


class ReferralForm(QuickLeadForm):
    """The public form behind a partner's referral link, filled in by the prospect themselves."""

    # A honeypot: off-screen and out of the tab order, filled in only by robots. Its label is
    # for the rare person who meets it anyway (no style sheet, a screen reader ignoring
    # aria-hidden): in their language, it tells them what to do.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    consent_marketing = forms.BooleanField(
        label=_("I agree to receive offers by e-mail."), required=False
    )
    consent_phone = forms.BooleanField(
        label=_("I agree to be called about my project."), required=False
    )


# The steps a lead may have reached, as the dashboard's funnel counts them (``reporting``):
# the step's date is set (won: the lead is won), whatever its status now.
STEPS = {
    "qualified": _("Qualified"),
    "assigned": _("Assigned"),
    "opened": _("Opened"),
    "won": _("Won"),
}


class LeadFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *LeadStatus.choices], required=False
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("All channels")), *Channel.choices], required=False
    )
    review_reason = forms.ChoiceField(
        label=_("Held"),
        choices=[("", _("All")), *[c for c in ReviewReason.choices if c[0]]],
        required=False,
    )
    step = forms.ChoiceField(
        label=_("Reached"),
        choices=[("", _("Any step")), *((k, v) for k, v in STEPS.items())],
        required=False,
    )
    queue = forms.ChoiceField(label=_("To act on"), required=False)
    region = forms.ChoiceField(label=_("Région"), required=False)
    departement = forms.CharField(label=_("Département"), max_length=3, required=False)
    product = forms.TypedChoiceField(label=_("Product"), coerce=int, required=False)
    partner_kind = forms.ChoiceField(
        label=_("Brought by"),
        choices=[("", _("Any partner")), ("none", _("No partner")), *PartnerKind.choices],
        required=False,
    )
    partner_group = forms.CharField(label=_("Partner's group"), max_length=50, required=False)
    partner = forms.IntegerField(label=_("Partner (id)"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = Departement.objects.exclude(region="").order_by("region")
        names = regions.values_list("region", flat=True).distinct()
        self.fields["region"].choices = [("", _("All régions")), *((r, r) for r in names)]  # type: ignore[attr-defined]
        products = ProductCategory.objects.order_by("name").values_list("pk", "name")
        self.fields["product"].choices = [("", _("All products")), *products]  # type: ignore[attr-defined]
        self.fields["queue"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((q.key, q.label) for q in listings.queues("leads")),
        ]


# What each move asks for, beyond a note: the service refuses the move without it.
MOVE_FIELDS: dict[str, tuple[str, ...]] = {
    S.REJECTED: ("rejection_reason", "note"),
    S.WON: ("amount", "won_date", "note"),
    S.LOST: ("lost_reason", "note"),
}
REOPEN_FIELDS = ("note",)
VERBS: dict[str, Any] = {
    S.QUALIFIED: _("Qualify"),
    S.REJECTED: _("Reject…"),
    S.OPENED: _("Mark as opened"),
    S.IN_PROGRESS: _("Mark in progress"),
    S.WON: _("Won…"),
    S.LOST: _("Lost…"),
}
CONFIRMS: dict[str, Any] = {
    S.REJECTED: _("Confirm: rejected"),
    S.WON: _("Confirm: won"),
    S.LOST: _("Confirm: lost"),
}


def lead_moves(lead: Lead, actor: User | None) -> list[LeadStatus]:
    """The moves a person can make from the lead's page, in the lifecycle's order: the table's
    moves from its status, but not the assignment (it needs an assignee, chosen on the routing
    page), and a closed lead's reopening for a manager (``lifecycle.move_check`` decides the
    same)."""
    current = S(lead.status)
    moves = set(TRANSITIONS[current]) - {S.ASSIGNED}
    if current in REOPEN and actor is not None and actor.can_manage:
        moves.add(S(REOPEN[current]))
    order = list(S)
    return sorted((S(m) for m in moves), key=order.index)


class TransitionForm(forms.Form):
    """One move of a lead, with only the fields that move needs: ``move`` names it for an
    empty form; a bound form reads it from the data and refuses a move no longer possible (the
    lead moved meanwhile). ``TransitionForm.for_lead`` gives the page one form per move."""

    to = forms.ChoiceField(widget=forms.HiddenInput)
    rejection_reason = forms.ChoiceField(
        label=_("Rejection reason"), choices=[("", "—"), *RejectionReason.choices]
    )
    amount = forms.DecimalField(
        label=_("Amount won excl. VAT (€)"),
        decimal_places=2,
        max_digits=12,
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"}),
    )
    won_date = forms.DateField(
        label=_("Date won"),
        # An <input type=date> shows an ISO date only: a localised one would look empty.
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    lost_reason = forms.CharField(label=_("Reason lost"), max_length=200)
    note = forms.CharField(label=_("Note"), required=False)

    def __init__(
        self, *args: Any, lead: Lead, actor: User | None, move: str | None = None, **kwargs: Any
    ) -> None:
        self.lead = lead
        self.moves = lead_moves(lead, actor)
        data = args[0] if args else kwargs.get("data")
        target = (data.get("to") if data is not None else move) or ""
        kwargs.setdefault("auto_id", f"id_{target}_%s")
        kwargs.setdefault("initial", {"to": target, "won_date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.move = S(target) if target in S.values else None
        self.reopens = self.move is not None and REOPEN.get(lead.status) == self.move
        wanted = REOPEN_FIELDS if self.reopens else MOVE_FIELDS.get(target, ())
        for name in [n for n in self.fields if n != "to" and n not in wanted]:
            del self.fields[name]
        self.fields["to"].choices = [(m.value, m.label) for m in self.moves]  # type: ignore[attr-defined]

    @classmethod
    def for_lead(
        cls, lead: Lead, actor: User | None, bound: TransitionForm | None = None
    ) -> list[TransitionForm]:
        """A form per possible move (``bound`` in its move's place, to show its errors)."""
        return [
            bound if bound is not None and bound.move == m else cls(lead=lead, actor=actor, move=m)
            for m in lead_moves(lead, actor)
        ]

    @property
    def verb(self) -> str:
        if self.reopens:
            return str(_("Reopen: back to %(status)s") % {"status": self.move_label})
        return str(VERBS.get(self.move or "", self.move_label))

    @property
    def confirm(self) -> str:
        if self.reopens:
            return str(_("Confirm: reopen"))
        return str(CONFIRMS.get(self.move or "", self.verb))

    @property
    def move_label(self) -> str:
        return str(self.move.label) if self.move else ""

    @property
    def asks(self) -> bool:
        """True when the move needs more than a click (its fields are shown before the button)."""
        return len(self.fields) > 1

    def full_clean(self) -> None:
        super().full_clean()
        if "to" in self.errors:  # the lead moved meanwhile, or the move was never possible
            del self.errors["to"]
            self.add_error(
                None,
                _("This lead is %(status)s now: this move is no longer possible.")
                % {"status": S(self.lead.status).label},
            )


class LeadImportForm(forms.Form):
    """For each lead field, the column of the file that holds it; and the mode."""

    mode = forms.ChoiceField(
        label=_("Mode"),
        widget=forms.RadioSelect,
        initial="valid_only",
        choices=[
            ("valid_only", _("Import the valid rows, report the others")),
            ("all_or_nothing", _("All or nothing: import only if every row is valid")),
        ],
    )

    def __init__(
        self,
        *args: Any,
        headers: list[str],
        mapping: dict[str, str],
        fields: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        columns = [("", "—"), *((h, h) for h in headers)]
        for field, label in fields.items():  # field → its translated name
            self.fields[f"map_{field}"] = forms.ChoiceField(
                label=label,
                choices=columns,
                required=False,
                initial=mapping.get(field, ""),
            )

    def mapping(self) -> dict[str, str]:
        return {
            n.removeprefix("map_"): v
            for n, v in self.cleaned_data.items()
            if n.startswith("map_") and v
        }


class DealMoneyForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("collect", _("Money received")), ("refund", _("Refund or cancellation"))]
    )
    amount = forms.DecimalField(
        label=_("Amount excl. VAT (€)"), max_digits=12, decimal_places=2, min_value=0
    )
    reason = forms.CharField(label=_("Note or reason"), max_length=200, required=False)
