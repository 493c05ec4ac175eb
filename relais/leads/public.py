"""Pages anyone can reach: a partner's referral link, and the prospect's own data page."""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from relais.core import ratelimit
from relais.core.forms import add_errors
from relais.core.http import absolute_url, client_ip
from relais.leads import gdpr, services
from relais.leads.choices import Channel
from relais.leads.forms import ReferralForm
from relais.partners.choices import PartnerStatus
from relais.partners.models import Partner


def _rate_limited(request: HttpRequest) -> bool:
    """Per address and hour, counted by every process together (Redis, else the database)."""
    key = f"referral:{client_ip(request)}"
    return not ratelimit.hit(key, limit=settings.RELAIS_REFERRAL_MAX_PER_HOUR, window=3600)


def referral_qr(request: HttpRequest, code: str) -> HttpResponse:
    """The QR code of a partner's referral link, as a PNG any mail client shows (programme
    e-mails link to it): the same for every reader, so caches may keep it a day."""
    partner = get_object_or_404(Partner, referral_code=code, status=PartnerStatus.ACTIVE)
    image = io.BytesIO()
    link = absolute_url(reverse("referral", args=[partner.referral_code]))
    segno.make(link, error="m").save(image, kind="png", scale=6, border=2)
    response = HttpResponse(image.getvalue(), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@never_cache
def referral(request: HttpRequest, code: str) -> HttpResponse:
    partner = Partner.objects.filter(referral_code=code, status=PartnerStatus.ACTIVE).first()
    if partner is None:
        # A link printed on a flyer outlives the partnership: the prospect gets a page that says
        # so, not Django's debug page (DEBUG) or a bare "Not Found" (Http404 without DEBUG).
        gone = {"company": settings.RELAIS_COMPANY_NAME}
        return render(request, "leads/referral_gone.html", gone, status=404)
    form = ReferralForm(request.POST or None)
    context = {"partner": partner, "form": form, "company": settings.RELAIS_COMPANY_NAME}
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data.pop("website"):
            # A robot filled the hidden field: answer as if all went well, keep nothing.
            return render(request, "leads/referral_thanks.html", context)
        if _rate_limited(request):
            form.add_error(None, _("Too many requests from your connection. Try again in an hour."))
            return render(request, "leads/referral.html", context, status=429)
        data = dict(form.cleaned_data)
        consents = {k: data.pop(k) for k in ("consent_marketing", "consent_phone")}
        try:
            services.lead_submit(
                data=data, channel=Channel.REFERRAL_LINK, partner=partner, **consents
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return render(request, "leads/referral_thanks.html", context)
    return render(request, "leads/referral.html", context, status=422 if form.errors else 200)


@never_cache
def prospect(request: HttpRequest, token: str) -> HttpResponse:
    """The prospect sees what we hold, objects (at once) or asks for erasure, in one click."""
    lead = gdpr.lead_from_token(token)
    if lead is None:
        return render(request, "leads/prospect_gone.html", status=404)
    done = ""
    if request.method == "POST":
        if request.POST.get("action") == "erase":
            gdpr.prospect_erase(lead=lead)
            return render(request, "leads/prospect_gone.html", {"erased": True})
        if request.POST.get("action") == "object":
            gdpr.prospect_object(lead=lead, reason="prospect page")
            done = _("Done: you will not be contacted again.")
    context = {
        "leads": gdpr.prospect_leads(lead),
        "done": done,
        "company": settings.RELAIS_COMPANY_NAME,
    }
    return render(request, "leads/prospect.html", context)
