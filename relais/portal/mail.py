"""The partner's own e-mail preferences in the portal: the same form as the page reached from
an e-mail (``engagement.views.public.preference_handle``), for the logged-in user's partner."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from relais.accounts.decorators import partner_required
from relais.engagement.views.public import preference_handle
from relais.portal.views import _partner


@partner_required
def mail_preferences(request: HttpRequest) -> HttpResponse:
    context = preference_handle(request, _partner(request), via="portal")
    return render(request, "portal/mail_preferences.html", context)
