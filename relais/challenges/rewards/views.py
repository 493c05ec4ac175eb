"""The managers' pages on rewards (under /challenges/): a challenge's rewards, budget, projected
cost, awards and their French treatment (with the accountant's CSV/XLSX); the yearly summary per
beneficiary; the catalogue. Every challenge, reward and award comes through the getters below."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.accounts.decorators import manager_required, request_user
from relais.challenges.choices import ChallengeStatus
from relais.challenges.models import Award, Challenge, Reward, RewardItem
from relais.challenges.rewards import selectors, services
from relais.challenges.rewards.forms import BudgetForm, ItemForm, RewardForm
from relais.core.errors import DomainError
from relais.core.http import attachment
from relais.core.tabular import XLSX_TYPE, csv_response, xlsx_bytes


def _challenge(pk: int) -> Challenge:
    # Managers see every challenge: the network's animation is theirs.
    try:
        return Challenge.objects.get(pk=pk)
    except Challenge.DoesNotExist:
        raise Http404 from None


def _reward(challenge: Challenge, pk: str | None) -> Reward:
    try:
        return challenge.rewards.get(pk=int(pk or 0))
    except (ValueError, Reward.DoesNotExist):
        raise Http404 from None


def _award(challenge: Challenge, pk: str | None) -> Award:
    try:
        return challenge.awards.get(pk=int(pk or 0))
    except (ValueError, Award.DoesNotExist):
        raise Http404 from None


@manager_required
def rewards_page(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(pk)
    return render(request, "challenges/rewards/challenge.html", _context(challenge))


def _context(challenge: Challenge, **forms: object) -> dict[str, object]:
    return {
        "challenge": challenge,
        "projection": selectors.rewards_projection(challenge=challenge),
        "treatment": selectors.rewards_of_challenge(challenge=challenge),
        "awards": challenge.awards.select_related("partner").order_by("rank", "pk"),
        "reward_form": forms.get("reward_form") or RewardForm(mechanic=challenge.mechanic),
        "budget_form": forms.get("budget_form")
        or BudgetForm(
            initial={"budget": getattr(getattr(challenge, "budget", None), "amount", "")}
        ),
        "can_award": challenge.status == ChallengeStatus.ENDED and not challenge.awards.exists(),
        "year": timezone.localdate().year,
    }


@manager_required
@require_POST
def reward_add(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(pk)
    form = RewardForm(request.POST, mechanic=challenge.mechanic)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.reward_add(
                challenge=challenge,
                kind=data["kind"],
                item=data["item"],
                amount=data["amount"],
                place=data.get("place"),
                level=data.get("level"),
                actor=request_user(request),
            )
        except DomainError as e:
            field = next(iter(e.fields), None)
            form.add_error(field if field in form.fields else None, e.message)
        else:
            messages.success(request, _("Reward added."))
            return redirect("challenges:rewards", pk)
    context = _context(challenge, reward_form=form)
    return render(request, "challenges/rewards/challenge.html", context, status=400)


@manager_required
@require_POST
def reward_remove(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(pk)
    reward = _reward(challenge, request.POST.get("reward"))
    try:
        services.reward_remove(reward=reward, actor=request_user(request))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Reward removed."))
    return redirect("challenges:rewards", pk)


@manager_required
@require_POST
def budget_set(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(pk)
    form = BudgetForm(request.POST)
    if form.is_valid():
        try:
            services.budget_set(
                challenge=challenge, amount=form.cleaned_data["budget"], actor=request_user(request)
            )
        except DomainError as e:
            form.add_error("budget", e.message)
        else:
            messages.success(request, _("Budget saved."))
            return redirect("challenges:rewards", pk)
    context = _context(challenge, budget_form=form)
    return render(request, "challenges/rewards/challenge.html", context, status=400)


@manager_required
@require_POST
def rewards_award(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(pk)
    try:
        n = services.rewards_award(challenge=challenge, actor=request_user(request))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("%(n)s rewards awarded.") % {"n": n})
    return redirect("challenges:rewards", pk)


@manager_required
@require_POST
def award_person(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(pk)
    award = _award(challenge, request.POST.get("award"))
    services.award_person_set(
        award=award, person=request.POST.get("person", ""), actor=request_user(request)
    )
    messages.success(request, _("Staff member saved."))
    return redirect("challenges:rewards", pk)


def _export(request: HttpRequest, rows: list[selectors.Beneficiary], name: str) -> HttpResponseBase:
    headers = selectors.treatment_headers()
    data = selectors.treatment_rows(rows)
    if request.GET.get("format") == "xlsx":
        return attachment(xlsx_bytes(headers, data, _("Rewards")), XLSX_TYPE, f"{name}.xlsx")
    return csv_response(f"{name}.csv", headers, data)


@manager_required
def rewards_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    challenge = _challenge(pk)
    rows = [r.beneficiary for r in selectors.rewards_of_challenge(challenge=challenge)]
    return _export(request, rows, f"challenge-{challenge.pk}-rewards")


@manager_required
def rewards_year(request: HttpRequest, year: int) -> HttpResponseBase:
    if not 2000 <= year <= 2100:
        raise Http404
    rows = selectors.rewards_year(year=year)
    if request.GET.get("format") in ("csv", "xlsx"):
        return _export(request, rows, f"rewards-{year}")
    context = {"year": year, "rows": rows, "previous": year - 1, "next": year + 1}
    return render(request, "challenges/rewards/year.html", context)


@manager_required
def catalogue(request: HttpRequest) -> HttpResponse:
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reward_item_create(actor=request_user(request), **form.cleaned_data)
        except DomainError as e:
            field = next(iter(e.fields), None)
            form.add_error(field if field in form.fields else None, e.message)
        else:
            messages.success(request, _("Item added to the catalogue."))
            return redirect("challenges:reward_catalogue")
    items = RewardItem.objects.all()
    return render(request, "challenges/rewards/catalogue.html", {"form": form, "items": items})


urlpatterns: list[URLPattern] = [
    path("rewards/catalogue/", catalogue, name="reward_catalogue"),
    path("rewards/<int:year>/", rewards_year, name="rewards_year"),
    path("<int:pk>/rewards/", rewards_page, name="rewards"),
    path("<int:pk>/rewards/add/", reward_add, name="reward_add"),
    path("<int:pk>/rewards/remove/", reward_remove, name="reward_remove"),
    path("<int:pk>/rewards/budget/", budget_set, name="reward_budget"),
    path("<int:pk>/rewards/award/", rewards_award, name="rewards_award"),
    path("<int:pk>/rewards/person/", award_person, name="award_person"),
    path("<int:pk>/rewards/export/", rewards_export, name="rewards_export"),
]
