"""Partner-facing pages. No models here: the portal calls the apps' selectors and services."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from relais.accounts.decorators import partner_required
from relais.accounts.models import User
from relais.partners.selectors import partner_for_user


@partner_required
def home(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    partner = partner_for_user(request.user)
    if partner is None:  # a partner user not yet attached to a partner sees nothing of anyone's
        raise Http404
    return render(request, "portal/home.html", {"partner": partner})
