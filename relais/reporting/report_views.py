"""The managers' pages of scheduled reports, and the recipients' signed links (confirm an
outside address, unsubscribe)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from relais.accounts.decorators import manager_required, request_user
from relais.core.errors import DomainError
from relais.reporting import reports
from relais.reporting.choices import DeliveryState
from relais.reporting.models import ReportSubscription
from relais.reporting.report_files import report_files
from relais.reporting.report_forms import SubscriptionForm


def _get_subscription_for_user(request: HttpRequest, pk: int) -> ReportSubscription:
    """A scheduled report is the programme's: any manager's (the decorator checked), nobody
    else's."""
    if not request_user(request).can_manage:
        raise Http404
    return get_object_or_404(ReportSubscription, pk=pk)


@manager_required
def report_list(request: HttpRequest) -> HttpResponse:
    receiving = Q(recipients__confirmed_at__isnull=False, recipients__unsubscribed_at__isnull=True)
    rows = ReportSubscription.objects.annotate(
        receiving=Count("recipients", filter=receiving, distinct=True),
        pending=Count("recipients", filter=Q(recipients__confirmed_at__isnull=True), distinct=True),
        last_period=Max("sends__period"),
    ).order_by("name", "pk")
    return render(request, "reporting/reports/list.html", {"subscriptions": rows})


def _save(request: HttpRequest, subscription: ReportSubscription) -> HttpResponse:
    initial: dict[str, str] = {}
    if subscription.pk is None:  # "Schedule this view": the dashboard's filters brought along
        initial["filters"] = request.GET.get("filters", "")
    form = SubscriptionForm(request.POST or None, instance=subscription, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = reports.subscription_save(
                subscription=form.save(commit=False),
                users=form.cleaned_data["users"],
                outside=form.cleaned_data["outside"],
                by=request_user(request),
            )
        except DomainError as exc:
            form.add_error("outside", exc.message)
        else:
            messages.success(request, _("Scheduled report saved."))
            return redirect("reporting:report", saved.pk)
    context = {"form": form, "subscription": subscription}
    if subscription.pk:
        context["recipients"] = subscription.recipients.order_by("email")
        context["sends"] = subscription.sends.annotate(
            sent=Count("deliveries", filter=Q(deliveries__state=DeliveryState.SENT)),
            failed=Count("deliveries", filter=Q(deliveries__state=DeliveryState.FAILED)),
        ).order_by("-period")[:24]
    return render(request, "reporting/reports/form.html", context)


@manager_required
def report_new(request: HttpRequest) -> HttpResponse:
    return _save(request, ReportSubscription())


@manager_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _save(request, _get_subscription_for_user(request, pk))


@manager_required
@require_POST
def report_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _get_subscription_for_user(request, pk).delete()
    messages.success(request, _("Scheduled report deleted."))
    return redirect("reporting:reports")


@manager_required
def report_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The report as it would be sent now: its PDF or its XLSX."""
    subscription = _get_subscription_for_user(request, pk)
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    pdf, xlsx = report_files(
        querystring=subscription.filters, title=subscription.name, language=subscription.language
    )
    kind = reports.PDF_TYPE if fmt == "pdf" else reports.XLSX_TYPE
    response = HttpResponse(pdf if fmt == "pdf" else xlsx, content_type=kind)
    name = slugify(subscription.name) or "report"
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _link_page(request: HttpRequest, token: str, purpose: str) -> HttpResponse:
    """GET: one button (a link scanner that follows links must not confirm or unsubscribe
    anyone); POST: done, idempotent."""
    recipient = reports.recipient_from_token(token, purpose=purpose)
    confirm = purpose == "confirm"
    context: dict[str, object] = {
        "recipient": recipient,
        "heading": _("Confirm the report") if confirm else _("Unsubscribe from the report"),
        "action": _("Yes, send it to me") if confirm else _("Unsubscribe"),
    }
    if recipient is not None:
        name = recipient.subscription.name
        context["question"] = (
            _("Receive the report “%(name)s” at %(email)s?")
            if confirm
            else _("Stop sending the report “%(name)s” to %(email)s?")
        ) % {"name": name, "email": recipient.email}
        if request.method == "POST":
            if confirm:
                reports.recipient_confirm(recipient=recipient)
                done = _("Confirmed: you will receive the report “%(name)s”.")
            else:
                reports.recipient_unsubscribe(recipient=recipient)
                done = _("Done: the report “%(name)s” will not be sent to you any more.")
            context["done"] = done % {"name": name}
    status = 404 if recipient is None else 200
    return render(request, "reporting/public/link.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    return _link_page(request, token, "confirm")


@csrf_exempt  # RFC 8058: the mail client's one-click POST carries no CSRF token
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    return _link_page(request, token, "unsubscribe")
