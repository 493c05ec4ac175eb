"""The manager's campaigns: the list, the editor of a draft, and a campaign's page — a live
preview for any partner of the audience, a test send to oneself, sending now or at a set time,
cancelling, the progress while the worker sends (polled), the recipients (filtered, paged,
exported) and the report with the holdout comparison."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required, request_user
from relais.core.counting import CountingPaginator
from relais.core.errors import DomainError
from relais.core.formatting import format_number
from relais.core.forms import add_errors
from relais.core.http import is_htmx, object_or_404
from relais.core.tabular import export_response
from relais.engagement import campaign_selectors as selectors
from relais.engagement import campaigns as engine
from relais.engagement.choices import Audience, CampaignState
from relais.engagement.forms import CampaignForm, RecipientFilterForm, ScheduleForm
from relais.engagement.models import Campaign
from relais.engagement.report import EFFECT_DAYS, CampaignReport, campaign_report
from relais.partners.models import Partner

LIVE = (CampaignState.QUEUED, CampaignState.RUNNING)
PREVIEW_CHOICES = 100  # partners offered in the preview's list; the search box finds the others


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return object_or_404(request, selectors.campaign_get_for_user, pk)


@manager_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    page = CountingPaginator(selectors.campaign_list(user=request_user(request)), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "engagement/campaigns.html", {"page": page})


def _editor(request: HttpRequest, campaign: Campaign | None) -> HttpResponse:
    form = CampaignForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            saved = engine.campaign_save(
                campaign=campaign,
                data=form.campaign_data(),
                picked=form.picked_ids(),
                actor=request_user(request),
            )
        except DomainError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Campaign saved: preview it, test it, then send it."))
            return redirect("engagement:campaign", pk=saved.pk)
    status = 422 if form.errors else 200
    context = {"form": form, "campaign": campaign}
    return render(request, "engagement/campaign_form.html", context, status=status)


@manager_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


@manager_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    if campaign.state not in engine.EDITABLE:
        messages.error(request, _("A campaign being sent or sent does not change any more."))
        return redirect("engagement:campaign", pk=campaign.pk)
    return _editor(request, campaign)


def audience_label(campaign: Campaign) -> str:
    if campaign.audience == Audience.SEGMENT:
        return str(campaign.get_segment_display())
    if campaign.audience == Audience.SAVED:
        return str(campaign.saved_segment or "")
    return str(Audience.LIST.label)


def _preview_partner(request: HttpRequest, audience: QuerySet[Partner]) -> Partner | None:
    """The partner asked for (by id from the list, or found by the search box), else the
    first of the audience."""
    wanted = request.GET.get("partner", "")
    if wanted.isdigit():
        return audience.filter(pk=int(wanted)).first()
    search = request.GET.get("q", "").strip()
    if search:
        found = Q(email__iexact=search) | Q(referral_code__iexact=search)
        for word in search.split():
            found |= Q(company_name__icontains=word) | Q(last_name__icontains=word)
        return audience.filter(found).order_by("pk").first()
    return audience.order_by("pk").first()


def _preview(request: HttpRequest, campaign: Campaign) -> dict[str, Any]:
    audience = engine.audience_partners(campaign)
    partner = _preview_partner(request, audience)
    written, refusal = None, ""
    if partner is not None:
        try:
            written = engine.campaign_preview(campaign=campaign, partner=partner)
        except DomainError as exc:
            refusal = exc.message
    elif request.GET.get("q") or request.GET.get("partner"):
        refusal = _("Nobody of the audience matches this search.")
    return {
        "campaign": campaign,
        "preview_partner": partner,
        "written": written,
        "preview_refusal": refusal,
        "preview_choices": audience.order_by("pk")[:PREVIEW_CHOICES],
        "search": request.GET.get("q", ""),
    }


@manager_required
def campaign_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview partial (htmx), for the partner picked or searched."""
    campaign = _campaign(request, pk)
    return render(request, "engagement/partials/_preview.html", _preview(request, campaign))


def _audience_count(campaign: Campaign) -> int | None:
    """The audience as it stands, counted before launch (afterwards the recipients say it)."""
    if campaign.state not in engine.EDITABLE:
        return None
    return engine.audience_partners(campaign).count()


def effect_sentence(report: CampaignReport) -> str:
    """The holdout comparison in one plain sentence."""
    if report.window_start is None:
        return _("The effect is measured once the campaign is sent.")
    mine, held = report.recipients, report.holdout
    if not held.partners or not mine.partners:
        return _("Nobody was held out of this campaign: there is no group to compare with.")
    difference = report.submitted_difference or Decimal(0)
    params: dict[str, Any] = {
        "days": EFFECT_DAYS,
        "mine": format_number(mine.submitted_rate or 0, 2),
        "held": format_number(held.submitted_rate or 0, 2),
        "n": held.partners,
        "won_mine": format_number(mine.won_rate or 0, 2),
        "won_held": format_number(held.won_rate or 0, 2),
    }
    if difference > 0:
        text = _(
            "In the %(days)s days after the launch, each partner who received it submitted "
            "%(mine)s leads on average, against %(held)s for the %(n)s held out, who received "
            "nothing: the campaign brought %(diff)s more leads per partner (won: %(won_mine)s "
            "against %(won_held)s)."
        )
    elif difference < 0:
        text = _(
            "In the %(days)s days after the launch, each partner who received it submitted "
            "%(mine)s leads on average, against %(held)s for the %(n)s held out, who received "
            "nothing: %(diff)s fewer, so the campaign shows no effect (won: %(won_mine)s "
            "against %(won_held)s)."
        )
    else:
        text = _(
            "In the %(days)s days after the launch, each partner who received it submitted "
            "%(mine)s leads on average, as many as the %(n)s held out, who received nothing: "
            "no effect shows (won: %(won_mine)s against %(won_held)s)."
        )
    sentence = text % {**params, "diff": format_number(abs(difference), 2)}
    if not report.window_closed and report.window_end is not None:
        until = timezone.localtime(report.window_end).date()
        sentence += " " + _("The %(days)s days end on %(day)s: the figures still grow.") % {
            "days": EFFECT_DAYS,
            "day": date_format(until, "SHORT_DATE_FORMAT"),
        }
    return sentence


@manager_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    filters = RecipientFilterForm(request.GET or None)
    state = filters.cleaned_data["state"] if filters.is_valid() else ""
    recipients = selectors.campaign_recipients(campaign, state=state)
    report = campaign_report(campaign) if campaign.launched_at else None
    context = {
        **_preview(request, campaign),
        "audience_label": audience_label(campaign),
        "holdout_percent": campaign.holdout_share * 100,
        "audience_count": _audience_count(campaign),
        "picked_count": campaign.picked.count() if campaign.audience == Audience.LIST else None,
        "progress": selectors.campaign_progress(campaign),
        "live": campaign.state in LIVE,
        "editable": campaign.state in engine.EDITABLE,
        "cancellable": campaign.state in engine.CANCELLABLE,
        "schedule_form": ScheduleForm(),
        "filters": filters,
        "state": state,
        "page": CountingPaginator(recipients, 50).get_page(request.GET.get("page")),
        "report": report,
        "effect": effect_sentence(report) if report else "",
    }
    return render(request, "engagement/campaign.html", context)


@manager_required
def campaign_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress partial, polled while the worker sends; once the campaign is done, the
    page reloads to show its report."""
    campaign = _campaign(request, pk)
    context = {
        "campaign": campaign,
        "progress": selectors.campaign_progress(campaign),
        "live": campaign.state in LIVE,
    }
    response = render(request, "engagement/partials/_campaign_progress.html", context)
    if is_htmx(request) and campaign.state not in LIVE:
        response["HX-Refresh"] = "true"
    return response


@require_POST
@manager_required
def campaign_launch(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Send now" or "schedule", each behind its own confirmation on the page."""
    campaign = _campaign(request, pk)
    at = None
    if request.POST.get("action") == "schedule":
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(str(e) for e in errors))
            return redirect("engagement:campaign", pk=campaign.pk)
        at = form.cleaned_data["at"]
    try:
        launched = engine.campaign_launch(campaign=campaign, actor=request_user(request), at=at)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if launched.state == CampaignState.SCHEDULED:
            messages.success(request, _("Campaign scheduled: the worker sends it at that time."))
        else:
            messages.success(request, _("Campaign launched: the worker is sending it."))
    return redirect("engagement:campaign", pk=campaign.pk)


@require_POST
@manager_required
def campaign_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    try:
        engine.campaign_cancel(campaign=campaign, actor=request_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Campaign cancelled: nobody receives it."))
    return redirect("engagement:campaign", pk=campaign.pk)


@require_POST
@manager_required
def campaign_test(request: HttpRequest, pk: int) -> HttpResponse:
    """The e-mail as the previewed partner would receive it, sent to the manager."""
    campaign = _campaign(request, pk)
    user = request_user(request)
    wanted = request.POST.get("partner", "")
    partner = None
    if wanted.isdigit():
        partner = engine.audience_partners(campaign).filter(pk=int(wanted)).first()
    try:
        engine.campaign_test_send(campaign=campaign, actor=user, partner=partner)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Test e-mail sent to %(email)s.") % {"email": user.email})
    return redirect("engagement:campaign", pk=campaign.pk)


@manager_required
def campaign_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The recipients (of the state filtered), as CSV (streamed) or XLSX."""
    campaign = _campaign(request, pk)
    filters = RecipientFilterForm(request.GET or None)
    state = filters.cleaned_data["state"] if filters.is_valid() else ""
    rows = selectors.recipient_rows(selectors.campaign_recipients(campaign, state=state))
    name = f"campagne-{campaign.pk}-destinataires"
    if request.GET.get("format", "csv") not in ("csv", "xlsx"):
        raise Http404
    return export_response(request.GET.get("format", "csv"), name, selectors.EXPORT_HEADERS, rows)


urlpatterns: list[URLPattern] = [
    path("campaigns/", campaign_list, name="campaigns"),
    path("campaigns/new/", campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/edit/", campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/preview/", campaign_preview, name="campaign_preview"),
    path("campaigns/<int:pk>/progress/", campaign_progress, name="campaign_progress"),
    path("campaigns/<int:pk>/launch/", campaign_launch, name="campaign_launch"),
    path("campaigns/<int:pk>/cancel/", campaign_cancel, name="campaign_cancel"),
    path("campaigns/<int:pk>/test/", campaign_test, name="campaign_test"),
    path("campaigns/<int:pk>/recipients/export/", campaign_export, name="campaign_export"),
]
