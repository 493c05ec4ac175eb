"""Introductions between colleagues: asked through a relationship the asker may see, accepted or
declined by its owner (with a reason), then an outcome — a meeting held, an opportunity (a lead
with the channel "internal introduction", brought by the owner and worked by the asker), or
nothing — of which the owner is told by e-mail. When that lead is won, the owner earns the
internal bonus (``on_lead_won``, through the commission rule engine)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.accounts.models import User
from relais.commissions.services.employee_bonuses import employee_bonus_accrue
from relais.core.errors import DomainError, TransitionError
from relais.core.http import absolute_url
from relais.leads.choices import Channel, LeadStatus
from relais.leads.events import LeadWon
from relais.leads.models import Lead
from relais.leads.services import lead_submit, lead_transition
from relais.network.choices import IntroductionStatus
from relais.network.introduction_selectors import owner_shown
from relais.network.models import Introduction, Relationship
from relais.network.selectors import visible_q
from relais.routing.services import assignment_introduce

S = IntroductionStatus
OPEN = (S.REQUESTED, S.ACCEPTED, S.MEETING_HELD)
# The moves each status allows; anything else is refused with the allowed ones named.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.REQUESTED: (S.ACCEPTED, S.DECLINED),
    S.ACCEPTED: (S.MEETING_HELD, S.OPPORTUNITY, S.NO_OUTCOME),
    S.MEETING_HELD: (S.OPPORTUNITY, S.NO_OUTCOME),
    S.DECLINED: (),
    S.OPPORTUNITY: (),
    S.NO_OUTCOME: (),
}
OUTCOMES = (S.MEETING_HELD, S.OPPORTUNITY, S.NO_OUTCOME)
MAX_TEXT = 2000


def _invalid(errors: dict[str, str]) -> DomainError:
    return DomainError(" ".join(errors.values()), code="invalid", fields=errors)


def _text(value: Any, field: str, errors: dict[str, str], label: str) -> str:
    text = str(value or "").strip()
    if not text:
        errors[field] = _("%(field)s: required.") % {"field": label}
    elif len(text) > MAX_TEXT:
        errors[field] = _("%(field)s: at most %(n)s characters.") % {"field": label, "n": MAX_TEXT}
    return text


def _move(intro: Introduction, target: str) -> None:
    allowed = TRANSITIONS[intro.status]
    if target not in allowed:
        names = ", ".join(str(S(a).label) for a in allowed) or _("none")
        raise TransitionError(
            _(
                "This introduction is %(status)s: it cannot become %(target)s"
                " (possible: %(allowed)s)."
            )
            % {"status": S(intro.status).label, "target": S(target).label, "allowed": names},
            code="illegal_transition",
        )


def introduction_request(
    *, requester: User, relationship: Relationship, why: str, purpose: str
) -> Introduction:
    """Ask ``relationship``'s owner for an introduction to its person. Only through a
    relationship the requester may see (a private one is refused as if it did not exist), never
    to oneself, never while the owner keeps it exclusive. Asking again while a request is open
    returns that request (a retried form makes no second one)."""
    errors: dict[str, str] = {}
    why = _text(why, "why", errors, _("Why this person"))
    purpose = _text(purpose, "purpose", errors, _("What for"))
    if not requester.is_staff_member:
        raise DomainError(_("Only staff ask for introductions."), code="forbidden")
    with transaction.atomic():
        # The relationship's row lock serialises two requests of the same colleague.
        rel = (
            Relationship.objects.select_for_update()
            .filter(visible_q(requester), pk=relationship.pk, contact__anonymised_at__isnull=True)
            .first()
        )
        if rel is None:
            raise DomainError(_("No such relationship."), code="not_found")
        if rel.owner_id == requester.pk:
            raise _invalid(
                {"relationship": _("This is your own relationship: no introduction is needed.")}
            )
        if rel.exclusive_until and rel.exclusive_until >= timezone.localdate():
            until = date_format(rel.exclusive_until, "SHORT_DATE_FORMAT")
            raise _invalid(
                {
                    "relationship": _("Its owner handles this person alone until %(date)s.")
                    % {"date": until}
                }
            )
        if errors:
            raise _invalid(errors)
        existing = Introduction.objects.filter(
            requester=requester, relationship=rel, status__in=OPEN
        ).first()
        if existing is not None:
            return existing
        intro = Introduction.objects.create(
            requester=requester, relationship=rel, why=why, purpose=purpose
        )
        transaction.on_commit(lambda: introduction_notify.enqueue(intro.pk, "requested"))
    return intro


def _locked(introduction: Introduction) -> Introduction:
    return (
        Introduction.objects.select_for_update()
        .select_related("relationship")
        .get(pk=introduction.pk)
    )


def introduction_accept(*, introduction: Introduction, actor: User) -> Introduction:
    """The owner agrees to introduce the colleague."""
    with transaction.atomic():
        intro = _locked(introduction)
        if intro.relationship.owner_id != actor.pk:
            raise DomainError(_("Only the person who knows them answers."), code="forbidden")
        _move(intro, S.ACCEPTED)
        intro.status, intro.decided_at = S.ACCEPTED, timezone.now()
        intro.save(update_fields=["status", "decided_at", "updated_at"])
        transaction.on_commit(lambda: introduction_notify.enqueue(intro.pk, "answered"))
    return intro


def introduction_decline(*, introduction: Introduction, actor: User, reason: str) -> Introduction:
    """The owner declines, saying why (the colleague reads it)."""
    errors: dict[str, str] = {}
    reason = _text(reason, "reason", errors, _("Reason"))
    with transaction.atomic():
        intro = _locked(introduction)
        if intro.relationship.owner_id != actor.pk:
            raise DomainError(_("Only the person who knows them answers."), code="forbidden")
        _move(intro, S.DECLINED)
        if errors:
            raise _invalid(errors)
        intro.status, intro.decided_at, intro.decline_reason = S.DECLINED, timezone.now(), reason
        intro.save(update_fields=["status", "decided_at", "decline_reason", "updated_at"])
        transaction.on_commit(lambda: introduction_notify.enqueue(intro.pk, "answered"))
    return intro


def introductions_decline_exclusive(*, relationship: Relationship) -> list[Introduction]:
    """The owner made ``relationship`` exclusive: the requests still waiting for an answer
    through it are declined, the reason naming the date, and each asker is told (after commit).
    Requests already accepted go on: the owner agreed to them. Nothing while not exclusive."""
    until = relationship.exclusive_until
    if until is None or until < timezone.localdate():
        return []
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Exclusive until %(date)s.") % {"date": date_format(until, "SHORT_DATE_FORMAT")}
    declined = []
    with transaction.atomic():
        waiting = Introduction.objects.select_for_update().filter(
            relationship=relationship, status=S.REQUESTED
        )
        for intro in waiting:
            intro.status, intro.decided_at = S.DECLINED, timezone.now()
            intro.decline_reason = reason
            intro.save(update_fields=["status", "decided_at", "decline_reason", "updated_at"])
            declined.append(intro)
        ids = [intro.pk for intro in declined]
        transaction.on_commit(lambda: [introduction_notify.enqueue(pk, "answered") for pk in ids])
    return declined


def _opportunity_lead(intro: Introduction, actor: User, data: dict[str, Any]) -> Lead:
    """The lead of the opportunity, through the leads app's own services: the contact's details
    (what the asker typed wins), brought by the owner, qualified and given to the asker."""
    contact, account = intro.relationship.contact, intro.relationship.account
    prospect = {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "company_name": account.name,
        "email": contact.email,
        "phone": contact.phone,
        "siren": account.siren,
        **{k: v for k, v in data.items() if v not in (None, "")},
    }
    lead = lead_submit(
        data=prospect,
        channel=Channel.INTRODUCTION,
        salesperson=intro.relationship.owner,
        actor=actor,
    )
    if lead.review_reason:  # a duplicate or a conflict: a manager decides before anyone works it
        return lead
    lead = lead_transition(lead=lead, to=LeadStatus.QUALIFIED, actor=actor)
    note = _("Introduction by %(owner)s") % {"owner": intro.relationship.owner}
    # Routing's assignment record, so the asker's SLA timers run as on any assigned lead.
    assignment_introduce(lead=lead, salesperson=actor, actor=actor, note=note)
    lead.refresh_from_db()
    return lead


def introduction_outcome_record(
    *,
    introduction: Introduction,
    actor: User,
    outcome: str,
    note: str = "",
    lead_data: dict[str, Any] | None = None,
) -> Introduction:
    """The asker says what came of it: a meeting held (and later an opportunity or nothing),
    an opportunity (a lead is opened, ``lead_data`` completing the contact's details: its bad
    fields are named and nothing is saved), or nothing. The owner is e-mailed each time."""
    if outcome not in OUTCOMES:
        raise _invalid({"outcome": _("Choose what came of it.")})
    if len(note) > MAX_TEXT:
        raise _invalid({"note": _("At most %(n)s characters.") % {"n": MAX_TEXT}})
    with transaction.atomic():
        intro = _locked(introduction)
        if intro.requester_id != actor.pk:
            raise DomainError(
                _("Only the colleague who asked records the outcome."), code="forbidden"
            )
        _move(intro, outcome)
        if outcome == S.OPPORTUNITY:
            try:
                intro.lead = _opportunity_lead(intro, actor, lead_data or {})
            except ValidationError as exc:
                fields = {k: " ".join(v) for k, v in exc.message_dict.items()}
                raise _invalid(fields) from None
        intro.status, intro.outcome_at = outcome, timezone.now()
        intro.outcome_note = note.strip()
        intro.save(update_fields=["status", "outcome_at", "outcome_note", "lead", "updated_at"])
        transaction.on_commit(lambda: introduction_notify.enqueue(intro.pk, "outcome"))
    return intro


def introduction_bonus_award(*, lead: Lead) -> list[Any]:
    """The internal bonus of the owners whose introduction brought this won lead: computed by
    the commission rule engine, once per introduction and deal however often it is called."""
    made = []
    intros = Introduction.objects.filter(lead=lead, status=S.OPPORTUNITY).select_related(
        "relationship__owner", "relationship__contact", "requester"
    )
    for intro in intros:
        owner = intro.relationship.owner
        if not owner.is_active or not owner.is_staff_member:
            continue
        source = _("Introduction of %(contact)s to %(colleague)s") % {
            "contact": intro.relationship.contact,
            "colleague": intro.requester,
        }
        bonus = employee_bonus_accrue(
            employee=owner,
            lead=lead,
            key=f"introduction:{intro.pk}:won:{lead.pk}",
            base=lead.won_amount,
            on=lead.won_date or timezone.localdate(),
            source=source,
        )
        made += [bonus] if bonus else []
    return made


def on_lead_won(event: LeadWon) -> None:
    """The leads app's LeadWon, delivered by the outbox (registered in NetworkConfig.ready)."""
    lead = Lead.objects.filter(pk=event.lead_id, channel=Channel.INTRODUCTION).first()
    if lead is not None and lead.status == LeadStatus.WON:
        introduction_bonus_award(lead=lead)


# --- e-mails -------------------------------------------------------------------------------

SUBJECTS = {
    "requested": gettext_lazy("%(requester)s asks you for an introduction to %(contact)s"),
    "answered": gettext_lazy("Your introduction to %(contact)s: %(status)s"),
    "outcome": gettext_lazy("What came of your introduction to %(contact)s: %(status)s"),
}


@task()
def introduction_notify(introduction_id: int, what: str) -> bool:
    """The e-mail of one step: the owner is asked, the asker hears the answer, the owner hears
    what came of it (stamped ``owner_told_at``; a retried task does not send it twice)."""
    intro = (
        Introduction.objects.select_related(
            "requester", "relationship__owner", "relationship__contact"
        )
        .filter(pk=introduction_id)
        .first()
    )
    if intro is None:
        return False
    owner = intro.relationship.owner
    if what == "outcome":
        # Told once per outcome: a retried task finds it stamped after the outcome and stops.
        untold = Q(owner_told_at__isnull=True) | Q(owner_told_at__lt=F("outcome_at"))
        if not Introduction.objects.filter(untold, pk=intro.pk).update(
            owner_told_at=timezone.now()
        ):
            return False
    to = intro.requester if what == "answered" else owner
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "intro": intro,
            "owner": owner if owner_shown(intro=intro, user=intro.requester) else _("A colleague"),
            "requester": intro.requester,
            "contact": intro.relationship.contact,
            "status": S(intro.status).label,
            "url": absolute_url(reverse("network:introduction", args=[intro.pk])),
        }
        subject = str(SUBJECTS[what]) % {
            "requester": intro.requester,
            "contact": intro.relationship.contact,
            "status": S(intro.status).label,
        }
        body = render_to_string(f"network/email/introduction_{what}.txt", context)
    send_mail(subject, body, None, [to.email])
    return True
