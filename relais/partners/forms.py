"""Partner forms. Identifiers are plain text here: the service validates and names the rule."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.core import listings
from relais.core.forms import DateInput
from relais.core.models import Departement
from relais.partners.choices import (
    ConflictStatus,
    Decision,
    DisputeStatus,
    ImportMode,
    LegalForm,
    PartnerKind,
    PartnerStatus,
    TaxRegime,
)
from relais.partners.models import CriterionScore, Partner, SelectionCriterion


class PartnerForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PartnerKind.choices)
    legal_form = forms.ChoiceField(label=_("Legal form"), choices=LegalForm.choices)
    status = forms.ChoiceField(
        label=_("Status"), choices=PartnerStatus.choices, initial=PartnerStatus.CANDIDATE
    )
    company_name = forms.CharField(label=_("Company name"), max_length=200, required=False)
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    address_line = forms.CharField(label=_("Address"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=10)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    siren = forms.CharField(label=_("SIREN"), max_length=20, required=False)
    siret = forms.CharField(label=_("SIRET"), max_length=24, required=False)
    vat_number = forms.CharField(label=_("VAT number"), max_length=20, required=False)
    iban = forms.CharField(label=_("IBAN"), max_length=42, required=False)
    bic = forms.CharField(label=_("BIC"), max_length=14, required=False)
    einvoice_address = forms.CharField(
        label=_("E-invoicing address"),
        max_length=125,
        required=False,
        help_text=_("In the e-invoicing directory (scheme 0225); empty: the SIREN."),
    )
    tax_regime = forms.ChoiceField(label=_("Declared tax regime"), choices=TaxRegime.choices)
    sector = forms.CharField(label=_("Sector"), max_length=100, required=False)
    served_departements = forms.MultipleChoiceField(
        label=_("Départements served (resellers)"), required=False, choices=()
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["served_departements"].choices = [  # type: ignore[attr-defined]
            (d.code, str(d)) for d in Departement.objects.filter(kind="departement")
        ]


class PartnerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *PartnerKind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *PartnerStatus.choices], required=False
    )
    legal_form = forms.ChoiceField(
        label=_("Legal form"),
        choices=[("", _("All legal forms")), *LegalForm.choices],
        required=False,
    )
    departement = forms.CharField(label=_("Département"), required=False, max_length=3)
    group = forms.CharField(label=_("Tier or group"), required=False, max_length=50)
    queue = forms.ChoiceField(label=_("To act on"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queue"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((q.key, q.label) for q in listings.queues("partners")),
        ]


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, moves: list[PartnerStatus], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(m.value, m.label) for m in moves]  # type: ignore[attr-defined]


class ScorecardForm(forms.Form):
    """One 0–5 score and one evidence note per active criterion."""

    def __init__(
        self,
        *args: Any,
        criteria: list[SelectionCriterion],
        existing: dict[int, CriterionScore],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            current = existing.get(criterion.pk)
            self.fields[f"score_{criterion.pk}"] = forms.IntegerField(
                label=f"{criterion.name} ({criterion.weight})",
                min_value=0,
                max_value=5,
                help_text=criterion.description,
                initial=current.score if current else None,
            )
            self.fields[f"evidence_{criterion.pk}"] = forms.CharField(
                label=_("Evidence"),
                required=False,
                initial=current.evidence if current else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def scores(self) -> dict[int, tuple[int, str]]:
        data = self.cleaned_data
        return {c.pk: (data[f"score_{c.pk}"], data[f"evidence_{c.pk}"]) for c in self.criteria}


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[c for c in Decision.choices if c[0] != Decision.PENDING]
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TemplateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 18}))
    valid_months = forms.IntegerField(label=_("Valid for (months)"), required=False, min_value=1)


class ReviewForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"),
        choices=[c for c in ConflictStatus.choices if c[0] != ConflictStatus.PENDING],
    )
    note = forms.CharField(label=_("Note"), required=False)


class DeclarationForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest to declare?"),
        choices=[("no", _("No, none")), ("yes", _("Yes"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        initial="no",
    )
    description = forms.CharField(
        label=_("Describe it (who, what link, since when)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SignForm(forms.Form):
    accept = forms.BooleanField(label=_("I have read this document and I sign it."))


class ImportMappingForm(forms.Form):
    """For each Relais field, the column of the file that holds it."""

    mode = forms.ChoiceField(label=_("Mode"), choices=ImportMode.choices, widget=forms.RadioSelect)

    def __init__(
        self, *args: Any, headers: list[str], mapping: dict[str, str], mode: str, **kwargs: Any
    ) -> None:
        from relais.partners.services.imports import FIELDS, REQUIRED

        super().__init__(*args, **kwargs)
        self.fields["mode"].initial = mode
        columns = [("", "—"), *((h, h) for h in headers)]
        for field, (label, _aliases) in FIELDS.items():
            self.fields[f"map_{field}"] = forms.ChoiceField(
                label=f"{label}{' *' if field in REQUIRED else ''}",
                choices=columns,
                required=False,
                initial=mapping.get(field, ""),
            )

    def mapping(self) -> dict[str, str]:
        return {
            name.removeprefix("map_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("map_") and value
        }


class ProfileForm(forms.Form):
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    address_line = forms.CharField(label=_("Address"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=10)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    iban = forms.CharField(
        label=_("IBAN"),
        max_length=42,
        required=False,
        help_text=_("A new IBAN takes effect once you confirm it from the e-mail we send."),
    )
    bic = forms.CharField(label=_("BIC"), max_length=14, required=False)
    einvoice_address = forms.CharField(
        label=_("E-invoicing address"),
        max_length=125,
        required=False,
        help_text=Partner._meta.get_field("einvoice_address").help_text,
    )


class AuditScheduleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, initial=_("Yearly compliance audit"))
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())
    recurrence_months = forms.IntegerField(
        label=_("Repeat every (months)"), required=False, min_value=1, initial=12
    )
    checks = forms.CharField(
        label=_("Checks, one per line"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("Empty: the standard checklist."),
    )


class AuditCompleteForm(forms.Form):
    """For each check: compliant or not, the finding, and the corrective action with its date."""

    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, items: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        yes_no = [("yes", _("Compliant")), ("no", _("Not compliant"))]
        for item in items:
            self.fields[f"compliant_{item.pk}"] = forms.ChoiceField(
                label=item.label, choices=yes_no, widget=forms.RadioSelect, required=False
            )
            self.fields[f"finding_{item.pk}"] = forms.CharField(label=_("Finding"), required=False)
            self.fields[f"corrective_action_{item.pk}"] = forms.CharField(
                label=_("Corrective action"), required=False
            )
            self.fields[f"action_due_{item.pk}"] = forms.DateField(
                label=_("Action due"),
                required=False,
                widget=DateInput(),
            )

    def results(self) -> dict[int, dict[str, Any]]:
        data = self.cleaned_data
        answers = {"yes": True, "no": False}
        return {
            item.pk: {
                "compliant": answers.get(data[f"compliant_{item.pk}"]),
                "finding": data[f"finding_{item.pk}"],
                "corrective_action": data[f"corrective_action_{item.pk}"],
                "action_due": data[f"action_due_{item.pk}"],
            }
            for item in self.items
        }


class DisputeForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    parties = forms.CharField(
        label=_("Parties"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    amount_at_stake = forms.DecimalField(
        label=_("Amount at stake (€)"), required=False, decimal_places=2, max_digits=12
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DateInput())


class DisputeMoveForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"), choices=DisputeStatus.choices)
    resolution = forms.CharField(label=_("Resolution"), required=False)


class PortfolioForm(forms.Form):
    file = forms.FileField(
        label=_("Past deals (CSV or XLSX)"),
        help_text=_("Columns: date, client type, amount (excl. VAT), converted (yes/no)."),
    )
