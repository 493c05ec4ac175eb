"""Reads of account plans: the buying centre with who in the company knows each person (as the
reader may see it: through ``selectors.account_map``, the one visibility module), the gaps, the
steps; the same for the page and the PDF of the account review."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.network.choices import BuyingRole
from relais.network.models import Account, AccountPlan, BuyingCentreEntry, Contact, PlanStep
from relais.network.selectors import SeenRelationship, account_map

# Whom a deal cannot do without knowing: a gap when nobody the reader may see knows them.
MUST_KNOW = (BuyingRole.DECISION_MAKER, BuyingRole.INFLUENCER, BuyingRole.ALLY)


@dataclass(frozen=True)
class CentreRow:
    entry: BuyingCentreEntry
    known: list[SeenRelationship]

    @property
    def best(self) -> int:
        return max((k.shown_strength for k in self.known), default=0)


@dataclass
class PlanView:
    account: Account
    plan: AccountPlan | None
    centre: list[CentreRow] = field(default_factory=list)
    others: list[Contact] = field(default_factory=list)  # people not in the buying centre yet
    gaps: list[str] = field(default_factory=list)
    steps: list[PlanStep] = field(default_factory=list)
    overdue: int = 0


def _gaps(centre: list[CentreRow]) -> list[str]:
    gaps = []
    if not any(r.entry.role == BuyingRole.DECISION_MAKER for r in centre):
        gaps.append(_("No decision-maker identified yet."))
    for row in centre:
        if row.entry.role in MUST_KNOW and not row.known:
            gaps.append(
                _("Nobody knows the %(role)s %(name)s.")
                % {"role": row.entry.get_role_display().lower(), "name": row.entry.contact}
            )
    return gaps


def plan_view(*, user: User, account: Account) -> PlanView:
    """The account's plan as ``user`` may see it (an account without one yet: an empty view)."""
    plan = AccountPlan.objects.filter(account=account).select_related("owner").first()
    people = account_map(user=user, account=account)
    known = {p.contact.pk: p.known for p in people}
    view = PlanView(account=account, plan=plan)
    if plan is None:
        view.others = [p.contact for p in people]
        view.gaps = _gaps([])
        return view
    entries = plan.buying_centre.select_related("contact").order_by("role", "contact__last_name")
    order = list(BuyingRole.values)
    view.centre = sorted(
        (CentreRow(e, known.get(e.contact_id, [])) for e in entries),
        key=lambda r: (order.index(r.entry.role), r.entry.contact.last_name),
    )
    placed = {r.entry.contact_id for r in view.centre}
    view.others = [p.contact for p in people if p.contact.pk not in placed]
    view.gaps = _gaps(view.centre)
    view.steps = list(plan.steps.select_related("owner"))
    today = timezone.localdate()
    view.overdue = sum(1 for s in view.steps if not s.done and s.due_on and s.due_on < today)
    return view


def plan_step_for_user(*, user: User, pk: int) -> PlanStep:
    """Raises PlanStep.DoesNotExist for anyone but staff (plans are company data)."""
    if not user.is_staff_member:
        raise PlanStep.DoesNotExist
    return PlanStep.objects.select_related("plan__account").get(pk=pk)


def buying_centre_entry_for_user(*, user: User, pk: int) -> BuyingCentreEntry:
    if not user.is_staff_member:
        raise BuyingCentreEntry.DoesNotExist
    return BuyingCentreEntry.objects.select_related("plan__account").get(pk=pk)
