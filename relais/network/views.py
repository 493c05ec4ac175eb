"""The staff's pages under /network/: "who knows someone at X", the accounts and an account's
relationship map, a person's page, recording one's own relationship, one's address book, a
person's objection. Every object comes through ``selectors`` (its scoped getters)."""

from __future__ import annotations

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required, request_user, staff_required
from relais.core.errors import DomainError
from relais.core.http import is_htmx
from relais.network import selectors, services
from relais.network.forms import (
    AccountForm,
    ContactForm,
    ObjectionForm,
    RelationshipForm,
    SearchForm,
    add_errors,
    departement_select,
)
from relais.network.graph import account_graph

PAGE = 50


@staff_required
def search(request: HttpRequest) -> HttpResponse:
    """Who knows someone at X: by company, person, sector or département, strongest first."""
    user = request_user(request)
    form = SearchForm(request.GET or None)
    hits: list[selectors.SearchHit] = []
    asked = False
    off = selectors.sharing_off_user_ids()  # once: the search and the banner read it
    if form.is_valid() and any(form.cleaned_data.values()):
        asked = True
        dept = form.cleaned_data["departement"]
        hits = selectors.who_knows(
            user=user,
            text=form.cleaned_data["q"],
            sector=form.cleaned_data["sector"],
            departement=dept.code if dept else "",
            off=off,
        )
    dept = form.cleaned_data.get("departement") if form.is_bound and form.is_valid() else None
    context = {
        "form": form,
        "departement_select": departement_select(
            selected=dept.code if dept else "", label_all=_("All")
        ),
        "hits": hits,
        "asked": asked,
        "sharing_on": user.pk not in off,
        # The sectors' list changes rarely and costs a DISTINCT over every account.
        "sectors": cache.get_or_set("network:sectors", selectors.sectors, 300),
    }
    if is_htmx(request):
        return render(request, "network/partials/_hits.html", context)
    return render(request, "network/search.html", context)


@staff_required
def account_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    dept = data.get("departement")
    accounts = selectors.accounts_list(
        text=data.get("q", ""), sector=data.get("sector", ""), departement=dept.code if dept else ""
    )
    page = Paginator(accounts, PAGE).get_page(request.GET.get("page"))
    return render(request, "network/accounts.html", {"form": form, "page": page})


@staff_required
def account_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request_user(request)
    account = selectors.account_for_user(user, pk) if pk else None
    initial = (
        {
            "name": account.name,
            "siren": account.siren,
            "sector": account.sector,
            "departement": account.departement_id,
            "city": account.city,
            "website": account.website,
        }
        if account
        else {}
    )
    form = AccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if account:
                saved = services.account_update(account=account, data=form.data_for_service())
            else:
                saved = services.account_create(actor=user, data=form.data_for_service())
        except services.Duplicate as e:
            add_errors(form, e)
            return render(
                request,
                "network/account_form.html",
                {"form": form, "account": account, "existing": e.existing},
            )
        except DomainError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Account saved."))
            return redirect("network:account", saved.pk)
    return render(request, "network/account_form.html", {"form": form, "account": account})


@staff_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The account, its people and who knows them: the map (SVG) and the same as a table."""
    user = request_user(request)
    account = selectors.account_for_user(user, pk)
    people = selectors.account_map(user=user, account=account)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.contact_create(actor=user, account=account, data=form.cleaned_data)
        except DomainError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("%(name)s added.") % {"name": person.full_name})
            return redirect("network:relationship", person.pk)
    context = {
        "account": account,
        "people": people,
        "graph": account_graph(people=people, account_name=account.name),
        "gaps": [p for p in people if not p.known],
        "form": form,
        "leads": account.leads.order_by("-submitted_at")[:10],
    }
    return render(request, "network/account.html", context)


@staff_required
def relationship_form(request: HttpRequest, pk: int) -> HttpResponse:
    """Record (or change) how well the user knows a person: the strength's scale on the form."""
    user = request_user(request)
    person = selectors.contact_for_user(user, pk)
    mine = person.relationships.filter(owner=user).first()
    initial = (
        {
            "strength": mine.strength,
            "context": mine.context,
            "context_note": mine.context_note,
            "last_interaction": mine.last_interaction,
            "visibility": mine.visibility,
            "exclusive_until": mine.exclusive_until,
        }
        if mine
        else {}
    )
    form = RelationshipForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.relationship_record(owner=user, contact=person, data=form.cleaned_data)
        except DomainError as e:
            add_errors(form, e)
        else:
            messages.success(request, _("Relationship saved."))
            return redirect("network:account", person.account_id)
    context = {
        "person": person,
        "form": form,
        "mine": mine,
        "scale": selectors.strength_scale(),
        "objection_form": ObjectionForm() if user.can_manage else None,
    }
    return render(request, "network/relationship_form.html", context)


@staff_required
@require_POST
def relationship_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    rel = selectors.relationship_of_owner(user, pk)
    services.relationship_delete(relationship=rel)
    messages.success(request, _("Relationship removed."))
    return redirect("network:mine")


@staff_required
def mine(request: HttpRequest) -> HttpResponse:
    """The user's own address book: whom they know, how well, and who may see it."""
    user = request_user(request)
    page = Paginator(selectors.relationships_of_owner(user), PAGE).get_page(request.GET.get("page"))
    cutoff = selectors.fade_before()
    rows = [(r, selectors.seen(r, user, cutoff)) for r in page.object_list]
    context = {"page": page, "rows": rows, "sharing_on": selectors.sharing_on_for(user)}
    return render(request, "network/mine.html", context)


@manager_required
@require_POST
def contact_object(request: HttpRequest, pk: int) -> HttpResponse:
    """The person objected (by mail, by phone): recorded by a manager, the controller's agent."""
    user = request_user(request)
    person = selectors.contact_for_user(user, pk)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say how the person objected."))
        return redirect("network:relationship", pk)
    services.contact_object(contact=person, actor=user, reason=form.cleaned_data["reason"])
    messages.success(
        request, _("%(name)s's objection is recorded: shared with nobody.") % {"name": person}
    )
    return redirect("network:account", person.account_id)


app_name = "network"

urlpatterns: list[URLPattern] = [
    path("", search, name="search"),
    path("mine/", mine, name="mine"),
    path("accounts/", account_list, name="accounts"),
    path("accounts/new/", account_form, name="account_new"),
    path("accounts/<int:pk>/", account_detail, name="account"),
    path("accounts/<int:pk>/edit/", account_form, name="account_edit"),
    path("contacts/<int:pk>/relationship/", relationship_form, name="relationship"),
    path("contacts/<int:pk>/object/", contact_object, name="contact_object"),
    path("relationships/<int:pk>/delete/", relationship_delete, name="relationship_delete"),
]
