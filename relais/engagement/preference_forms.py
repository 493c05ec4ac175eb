"""The form of the preference page, shared by the public page (reached by a signed link) and
the portal's page (a logged-in partner)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from relais.engagement.models import Preference


class PreferenceForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the e-mails"), choices=settings.LANGUAGES)
    news = forms.BooleanField(label=_("Programme news"), required=False)
    challenges = forms.BooleanField(label=_("Challenges"), required=False)
    digest = forms.BooleanField(label=_("Monthly digest with my figures"), required=False)

    @classmethod
    def of(cls, preference: Preference, data: object = None) -> PreferenceForm:
        """The form showing what the partner receives today: nothing at all once unsubscribed
        (the topics chosen before come back with "Subscribe again")."""
        receives = preference.unsubscribed_at is None
        initial = {
            "language": preference.language,
            "news": receives and preference.news,
            "challenges": receives and preference.challenges,
            "digest": receives and preference.digest,
        }
        return cls(data, initial=initial)  # type: ignore[arg-type]
