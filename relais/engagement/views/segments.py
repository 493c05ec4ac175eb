"""The segment pages (managers): counts and movements, a segment's partners (filtered,
paged, exported), and the custom segments with their live count."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required, request_user
from relais.core.errors import DomainError
from relais.core.forms import add_errors
from relais.core.http import is_htmx, object_or_404
from relais.core.tabular import export_response
from relais.engagement import selectors
from relais.engagement.choices import Segment
from relais.engagement.filters import (
    filter_form,
    partners_matching,
    saved_segment_delete,
    saved_segment_partners,
    saved_segment_save,
)
from relais.engagement.forms_segments import MembersFilterForm, SavedSegmentForm
from relais.engagement.models import SavedSegment
from relais.engagement.segments import Thresholds
from relais.partners.models import Partner
from relais.routing.review import JUDGED_FROM

PAGE_SIZE = 50
EXPORT_COLUMNS = (
    "id",
    "kind",
    "status",
    "company_name",
    "first_name",
    "last_name",
    "email",
    "postcode",
    "departement_id",
    "sector",
    "group",
    "segment__segment",
    "segment__since",
    "segment__leads_12m",
    "segment__won_12m",
    "segment__last_lead_month",
)


@manager_required
def segments(request: HttpRequest) -> HttpResponse:
    context = {
        "overview": selectors.segment_overview(),
        "thresholds": Thresholds.current(),
        "judged_from": JUDGED_FROM,
    }
    return render(request, "engagement/segments/overview.html", context)


@manager_required
def segment(request: HttpRequest, code: str) -> HttpResponseBase:
    """One segment's partners; ``?format=csv`` or ``xlsx`` exports every page of them."""
    if code not in Segment.values:
        raise Http404
    filters = MembersFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    members = selectors.segment_members(request_user(request), code, filters=cleaned)
    if request.GET.get("format") in ("csv", "xlsx"):
        return _export(members, code, request.GET["format"])
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "code": code,
        "label": Segment(code).label,
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
    }
    return render(request, "engagement/segments/members.html", context)


def _export(members: QuerySet[Partner], code: str, kind: str) -> HttpResponseBase:
    rows: Iterator[Any] = members.values_list(*EXPORT_COLUMNS).iterator(chunk_size=2000)
    headers = [c.removeprefix("segment__") for c in EXPORT_COLUMNS]
    name = f"segment-{code}-{timezone.localtime():%Y%m%d-%H%M}"
    return export_response(kind, name, headers, rows)


@manager_required
def saved_segments(request: HttpRequest) -> HttpResponse:
    found = selectors.saved_segments_for_user(user=request_user(request))
    rows = [(saved, saved_segment_partners(saved).count()) for saved in found]
    return render(request, "engagement/segments/saved_list.html", {"rows": rows})


@manager_required
def saved_segment_new(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@manager_required
def saved_segment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    saved = object_or_404(request, selectors.saved_segment_get_for_user, pk)
    return _edit(request, saved)


def _edit(request: HttpRequest, saved: SavedSegment | None) -> HttpResponse:
    """The form, or (an htmx GET as the manager edits) the live count of what it matches."""
    if is_htmx(request) and request.method == "GET":
        return _count(request, SavedSegmentForm(request.GET))
    if request.method == "POST":
        form = SavedSegmentForm(request.POST)
        if form.is_valid():
            try:
                saved = saved_segment_save(
                    name=form.cleaned_data["name"],
                    filters=request.POST.dict(),
                    actor=request_user(request),
                    saved=saved,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Segment “%(name)s” saved.") % {"name": saved.name})
                return redirect("engagement:saved_segments")
    elif saved is not None:
        form = SavedSegmentForm({"name": saved.name, **filter_form(saved.filters).data})
    else:
        form = SavedSegmentForm()
    context = {"form": form, "saved": saved, "count": _matches(form)}
    status = 422 if form.errors else 200
    return render(request, "engagement/segments/saved_form.html", context, status=status)


def _matches(form: SavedSegmentForm) -> int | None:
    """How many partners the form's filters match; None while they do not clean."""
    if not form.is_bound:
        return Partner.objects.count()
    if not form.is_valid():
        return None
    return partners_matching(form.cleaned_data).count()


def _count(request: HttpRequest, form: SavedSegmentForm) -> HttpResponse:
    context = {"count": _matches(form), "form": form}
    return render(request, "engagement/partials/_segment_count.html", context)


@manager_required
@require_POST
def saved_segment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    saved = object_or_404(request, selectors.saved_segment_get_for_user, pk)
    try:
        saved_segment_delete(saved=saved)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Segment “%(name)s” deleted.") % {"name": saved.name})
    return redirect("engagement:saved_segments")


urlpatterns: list[URLPattern] = [
    path("segments/", segments, name="segments"),
    path("segments/saved/", saved_segments, name="saved_segments"),
    path("segments/saved/new/", saved_segment_new, name="saved_segment_new"),
    path("segments/saved/<int:pk>/", saved_segment_edit, name="saved_segment_edit"),
    path("segments/saved/<int:pk>/delete/", saved_segment_remove, name="saved_segment_delete"),
    path("segments/<str:code>/", segment, name="segment"),
]
