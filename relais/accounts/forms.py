from django import forms
from django.utils.translation import gettext_lazy as _

from relais.accounts.choices import Scope


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True}))
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)


class MagicLinkForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True}))


class TotpForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autofocus": True, "inputmode": "numeric", "autocomplete": "one-time-code"}
        ),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Scope.READ],
    )
