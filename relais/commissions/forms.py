"""Forms of the commissions pages."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.commissions.sepa import SCHEMAS
from relais.core.forms import DateInput

DATE = DateInput()


class RunForm(forms.Form):
    cutoff = forms.DateField(label=_("Lines earned up to"), widget=DATE, initial=date.today)
    execution_date = forms.DateField(label=_("Payment date"), widget=DATE, initial=date.today)
    schema = forms.ChoiceField(
        label=_("SEPA format"),
        choices=[(s, s) for s in SCHEMAS],
        help_text=_("pain.001.001.09 is current; .03 for banks that still ask for it."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class StatementForm(forms.Form):
    file = forms.FileField(
        label=_("The bank's statement (CSV)"),
        help_text=_(
            "A column with the transfer's reference (end-to-end id) and one with the amount."
        ),
    )


class SimulateForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To"), widget=DATE)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


class CorrectionForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount to credit excl. VAT (€)"), max_digits=12, decimal_places=2, min_value=0
    )
    reason = forms.CharField(label=_("What is wrong"), max_length=300)


class DocumentForm(forms.Form):
    """A partner's URSSAF vigilance certificate, or an invoice of its own."""

    file = forms.FileField(label=_("PDF file"))

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if not upload.read(5).startswith(b"%PDF"):
            raise forms.ValidationError(_("Send a PDF file."))
        upload.seek(0)
        return upload


class VigilanceForm(DocumentForm):
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE)


class OwnInvoiceForm(DocumentForm):
    number = forms.CharField(label=_("Invoice number"), max_length=40)
    amount_incl_vat = forms.DecimalField(
        label=_("Amount incl. VAT (€)"), max_digits=12, decimal_places=2, min_value=0
    )
