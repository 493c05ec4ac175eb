"""``/api/v1/surveys/``: the NPS results (overall, by month, by group, read from the counters)
and the answers, for managers only. The same selectors as the pages; mounted in
``relais/api/api.py``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from relais.accounts.decorators import request_user
from relais.core.apischema import ERRORS, Pages
from relais.surveys import selectors
from relais.surveys.choices import Category, Dimension, category_of
from relais.surveys.models import Answer

router = Router(tags=["surveys"])

GROUPS = (Dimension.PRODUCT, Dimension.DEPARTEMENT, Dimension.RESELLER, Dimension.SALESPERSON)


class NpsOut(Schema):
    key: str = Field(description="The month (YYYY-MM-01) or the group's id or code; '' overall.")
    label: str
    nps: int | None = Field(description="% promoters − % detractors; null with no answer.")
    answers: int
    promoters: int
    passives: int
    detractors: int


class ResultsOut(Schema):
    total: NpsOut
    by_month: list[NpsOut]


class AnswerOut(Schema):
    id: int
    customer: int = Field(alias="customer_id")
    score: int
    category: Category
    answered_at: datetime
    changed_at: datetime | None
    comment: str = Field(description="Empty for a detractor's comment the token may not read.")
    publish_consent: bool
    product: int | None = Field(alias="product_id_copy")
    departement: str = Field(alias="departement_code")
    reseller: int | None = Field(alias="reseller_id_copy")
    salesperson: int | None = Field(alias="salesperson_id_copy")

    @staticmethod
    def resolve_category(obj: Answer) -> str:
        return category_of(obj.score).value

    @staticmethod
    def resolve_comment(obj: Answer, context: dict[str, Any]) -> str:
        from relais.surveys.followups import may_read_comment

        user = request_user(context["request"])
        return obj.comment if may_read_comment(user, obj) else ""


def _manager(request: HttpRequest) -> Any:
    user = request_user(request)
    if not user.can_manage:
        raise PermissionDenied(_("Only managers read the survey results."))
    return user


def _out(n: selectors.Nps) -> dict[str, Any]:
    return {
        "key": n.key,
        "label": n.label,
        "nps": n.score,
        "answers": n.answers,
        "promoters": n.promoters,
        "passives": n.passives,
        "detractors": n.detractors,
    }


@router.get("/surveys/results", response={200: ResultsOut, **ERRORS})
def results(request: HttpRequest) -> dict[str, Any]:
    """The NPS overall and month by month."""
    _manager(request)
    return {
        "total": _out(selectors.nps_total()),
        "by_month": [_out(n) for n in selectors.nps_by_month()],
    }


@router.get("/surveys/results/{group}", response={200: list[NpsOut], **ERRORS})
def results_by(request: HttpRequest, group: Dimension) -> list[dict[str, Any]]:
    """The NPS per product, département, reseller or salesperson, the most answers first."""
    _manager(request)
    if group not in GROUPS:
        return [_out(selectors.nps_total())]
    return [_out(n) for n in selectors.nps_by(group)]


@router.get("/surveys/answers", response={200: list[AnswerOut], **ERRORS})
@paginate(Pages)
def answers(request: HttpRequest) -> QuerySet[Answer]:
    """Every answer, the latest first."""
    _manager(request)
    return Answer.objects.select_related("follow_up").order_by("-answered_at", "-pk")
