"""Automations: a template sent when something happens to a partner (joined N days ago, first
lead, first payment, dormant for N days, a reseller's KPI below its norm) and the monthly
digest, each at most once per partner and occasion however often the worker runs.

The sweep (``automations_run``, the ``engagement.automations`` recurring job) finds, for each
active automation, the partners due in set-based reads, then sends to them batch by batch.
Occasions: "" for what happens once in a partner's life (joined, first lead, first payment),
the date of the last lead for dormancy (a partner who wakes up and falls silent again is told
again), the month ("2026-11") for a KPI below its norm and for the digest.

An automation acts on what happens once it exists: switching on "first lead" does not
congratulate every partner who referred years ago, nor "joined 7 days ago" welcome the whole
network. A campaign to a segment is the tool for those already there (with its holdout).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.mail import EmailMultiAlternatives, mailers
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from relais.accounts.models import User
from relais.commissions.models import PaymentItem
from relais.core.audit import audit_record
from relais.core.errors import DomainError
from relais.core.textcheck import refuse_bad_text
from relais.core.timeline import Entry
from relais.engagement import digest, mailing, merge
from relais.engagement.choices import RecipientState, Topic, Trigger
from relais.engagement.models import (
    Automation,
    AutomationSend,
    MessageTemplate,
    PartnerMonth,
    Preference,
)
from relais.engagement.preferences import blocked, suppressed_among
from relais.leads import counters as lead_counters
from relais.leads.counters import local_zone
from relais.leads.models import Lead
from relais.partners.choices import PartnerKind, PartnerStatus
from relais.partners.models import Partner
from relais.routing.kpis import RATES, kpi_table
from relais.routing.review import JUDGED_FROM

LIVE = (PartnerStatus.ACTIVE, PartnerStatus.PAUSED)
WITH_DAYS = (Trigger.JOINED, Trigger.DORMANT)
BATCH = 500
# A row still "sending" this long after it was claimed belongs to a worker that died between
# the commit and the SMTP answer: nobody knows whether the mail left, so it is reported failed
# and never sent again (at most once, see ``_send_batch``).
STALE_AFTER = timedelta(minutes=30)
INTERRUPTED = gettext_noop(
    "Interrupted before the mail server answered: not sent again, to avoid a second copy."
)


# --- Reads -------------------------------------------------------------------------------------


def automations_for_user(*, user: User) -> QuerySet[Automation]:
    """The automations a manager sees, each with how many it sent, skipped and failed."""
    if not user.can_manage:
        return Automation.objects.none()
    return Automation.objects.select_related("template").annotate(
        n_sent=Count("sends", filter=Q(sends__state=RecipientState.SENT)),
        n_skipped=Count("sends", filter=Q(sends__state=RecipientState.SKIPPED)),
        n_failed=Count("sends", filter=Q(sends__state=RecipientState.FAILED)),
    )


def automation_get_for_user(*, user: User, pk: int) -> Automation:
    """One automation, for a user who manages the programme (``DoesNotExist`` otherwise)."""
    return automations_for_user(user=user).get(pk=pk)


def automation_when(automation: Automation) -> str:
    """When the automation sends, as the pages say it: "Joined 7 days ago", "First lead"."""
    n = automation.days or 0
    if automation.trigger == Trigger.JOINED:
        return ngettext("Joined %(n)s day ago", "Joined %(n)s days ago", n) % {"n": n}
    if automation.trigger == Trigger.DORMANT:
        return ngettext("Dormant for %(n)s day", "Dormant for %(n)s days", n) % {"n": n}
    return str(Trigger(automation.trigger).label)


def automation_sends(automation: Automation) -> QuerySet[AutomationSend]:
    return automation.sends.select_related("partner").order_by("-at", "-pk")


def automations_received(partner: Partner) -> Iterable[Entry]:
    """Each automatic e-mail the partner was sent, on their page's timeline."""
    rows = (
        AutomationSend.objects.filter(partner=partner, state=RecipientState.SENT)
        .select_related("automation")
        .order_by("-at")
    )
    for row in rows:
        yield Entry(
            at=row.at,
            sentence=_("Automatic e-mail sent: %(name)s") % {"name": row.automation.name},
        )


# --- Services: what a manager writes -----------------------------------------------------------


def _refuse(field: str, message: str, code: str) -> DomainError:
    return DomainError(message, code=code, fields={field: message})


def _template(value: Any) -> MessageTemplate | None:
    if isinstance(value, MessageTemplate):
        return value
    if value in (None, ""):
        return None
    return MessageTemplate.objects.filter(pk=value).first()


def _days(trigger: str, value: Any) -> int | None:
    if trigger not in WITH_DAYS:
        return None  # the other triggers have no delay: a stale value is dropped
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise _refuse("days", _("Say after how many days."), "days_required") from None
    if days < 1:
        raise _refuse("days", _("The number of days is 1 or more."), "days_too_small")
    return days


def _cleaned(automation: Automation | None, data: dict[str, Any]) -> dict[str, Any]:
    """The automation's fields from a form's data, each refusal naming its field."""
    name = str(data.get("name") or "").strip()
    if not name:
        raise _refuse("name", _("Give the automation a name."), "name_required")
    refuse_bad_text(Automation, {"name": name})
    trigger = str(data.get("trigger") or "")
    if trigger not in Trigger.values:
        raise _refuse("trigger", _("Choose when the e-mail is sent."), "trigger_required")
    template = _template(data.get("template"))
    if template is None:
        raise _refuse("template", _("Choose the e-mail template to send."), "template_required")
    active = bool(data.get("active", True))
    if trigger == Trigger.DIGEST and active:
        others = Automation.objects.filter(trigger=Trigger.DIGEST, active=True)
        if automation is not None:
            others = others.exclude(pk=automation.pk)
        if others.exists():  # two digests would give every partner two a month
            message = _("A monthly digest is already active: deactivate it first.")
            raise _refuse("trigger", message, "digest_exists")
    return {
        "name": name,
        "trigger": trigger,
        "days": _days(trigger, data.get("days")),
        "template": template,
        "active": active,
    }


def automation_save(
    *, automation: Automation | None, data: dict[str, Any], actor: User | None
) -> Automation:
    """Create (``automation`` None) or change an automation from ``data`` (name, trigger,
    days, template, active), refused naming the field when a value is missing or wrong."""
    values = _cleaned(automation, data)
    with transaction.atomic():
        if automation is None:
            automation = Automation.objects.create(**values)
            audit_record(subject=automation, action="created", actor=actor, target=values["name"])
            return automation
        locked = Automation.objects.select_for_update().get(pk=automation.pk)
        changes = {
            k: [str(getattr(locked, k)), str(v)]
            for k, v in values.items()
            if getattr(locked, k) != v
        }
        for field, value in values.items():
            setattr(locked, field, value)
        locked.save(update_fields=list(values))
        audit_record(subject=locked, action="updated", actor=actor, changes=changes)
    return locked


def automation_toggle(*, automation: Automation, active: bool, actor: User | None) -> Automation:
    """Switch an automation on or off (a second digest is refused, as at save)."""
    if active and automation.trigger == Trigger.DIGEST:
        _cleaned(automation, {**_as_data(automation), "active": True})
    with transaction.atomic():
        Automation.objects.filter(pk=automation.pk).update(active=active)
        audit_record(
            subject=automation, action="activated" if active else "deactivated", actor=actor
        )
    automation.active = active
    return automation


def _as_data(automation: Automation) -> dict[str, Any]:
    return {
        "name": automation.name,
        "trigger": automation.trigger,
        "days": automation.days,
        "template": automation.template_id,
        "active": automation.active,
    }


def digest_automation_ensure(*, actor: User | None) -> Automation:
    """The monthly digest's automation, with its default template (``digest``), created when
    none exists; an existing one is switched on if it was off."""
    template = digest.digest_template_ensure()
    found = Automation.objects.filter(trigger=Trigger.DIGEST).order_by("-active", "pk").first()
    if found is not None:
        return (
            found if found.active else automation_toggle(automation=found, active=True, actor=actor)
        )
    data = {"name": template.name, "trigger": Trigger.DIGEST, "template": template, "active": True}
    return automation_save(automation=None, data=data, actor=actor)


# --- Who is due --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """A batch of partners due for an automation: (partner id, occasion) pairs not yet sent."""

    pairs: list[tuple[int, str]]


def _local_date(moment: datetime) -> date:
    return timezone.localtime(moment, local_zone()).date()


def _month(day: date) -> str:
    return f"{day:%Y-%m}"


def _not_sent(automation: Automation, occasion: str) -> Exists:
    return Exists(
        AutomationSend.objects.filter(
            automation=automation, partner=OuterRef("pk"), occasion=occasion
        )
    )


def _batches(ids: QuerySet[Partner, int], occasion: str) -> Iterator[Due]:
    """The partner ids of ``ids`` (ordered), ``BATCH`` at a time, keyed from the last one read
    (a batch's sends do not shift the next one's window)."""
    last = 0
    while chunk := list(ids.filter(pk__gt=last).order_by("pk")[:BATCH]):
        last = chunk[-1]
        yield Due([(pk, occasion) for pk in chunk])


def _live(automation: Automation, occasion: str) -> QuerySet[Partner]:
    return Partner.objects.filter(status__in=LIVE).exclude(_not_sent(automation, occasion))


def _joined(automation: Automation, now: datetime) -> Iterator[Due]:
    """Partners who joined N days ago or more, and reached that day since the automation was
    created (a worker that missed a day catches up; the existing network is not welcomed)."""
    delay = timedelta(days=automation.days or 0)
    partners = _live(automation, "").filter(
        created_at__lte=now - delay, created_at__gte=automation.created_at - delay
    )
    return _batches(partners.values_list("pk", flat=True), "")


def _first_lead(automation: Automation, now: datetime) -> Iterator[Due]:
    """Partners with a lead, none of them before the automation was created (both read on the
    leads' (partner, submitted_at) index)."""
    leads = Lead.objects.filter(partner=OuterRef("pk"))
    before = leads.filter(submitted_at__lt=automation.created_at)
    partners = _live(automation, "").filter(Exists(leads)).exclude(Exists(before))
    return _batches(partners.values_list("pk", flat=True), "")


def _first_payment(automation: Automation, now: datetime) -> Iterator[Due]:
    """Partners paid once, not before the automation was created."""
    paid = PaymentItem.objects.filter(partner=OuterRef("pk"), paid_at__isnull=False)
    before = paid.filter(paid_at__lt=automation.created_at)
    partners = _live(automation, "").filter(Exists(paid)).exclude(Exists(before))
    return _batches(partners.values_list("pk", flat=True), "")


def _dormant_candidates(first: date, last: date) -> QuerySet[Any, int]:
    """Partners whose last lead fell in a month from ``first`` to ``last``: read from the
    partner months (``engagement.counters``) when they are kept, else from the leads."""
    if PartnerMonth.objects.exists():
        months = PartnerMonth.objects.filter(submitted__gt=0).values("partner_id")
        rows = months.annotate(latest=Max("month")).filter(latest__gte=first, latest__lte=last)
        return rows.order_by().values_list("partner_id", flat=True)
    leads = Lead.objects.filter(partner__isnull=False).values("partner_id")
    start = lead_counters.day_start(first)
    end = lead_counters.day_start((last.replace(day=28) + timedelta(days=4)).replace(day=1))
    silent = leads.annotate(latest=Max("submitted_at")).filter(latest__gte=start, latest__lt=end)
    return silent.order_by().values_list("partner_id", flat=True)


def _dormant(automation: Automation, now: datetime) -> Iterator[Due]:
    """Partners who referred before and not for N days, fallen silent since the automation
    was created; the occasion is the day of their last lead. The months narrow the partners
    down; each batch's exact last day is one grouped read on the leads' partner index."""
    days = automation.days or 0
    cutoff = _local_date(now) - timedelta(days=days)
    earliest = _local_date(automation.created_at) - timedelta(days=days)
    if earliest > cutoff:
        return
    candidates = Partner.objects.filter(
        status__in=LIVE, pk__in=_dormant_candidates(earliest.replace(day=1), cutoff.replace(day=1))
    ).values_list("pk", flat=True)
    for batch in _batches(candidates, ""):
        ids = [pk for pk, _occasion in batch.pairs]
        last = (
            Lead.objects.filter(partner_id__in=ids)
            .values("partner_id")
            .annotate(latest=Max("submitted_at"))
            .order_by()
            .values_list("partner_id", "latest")
        )
        silent = {pk: _local_date(at).isoformat() for pk, at in last}
        silent = {
            pk: day
            for pk, day in silent.items()
            if earliest.isoformat() <= day <= cutoff.isoformat()
        }
        sent = set(
            AutomationSend.objects.filter(
                automation=automation, partner_id__in=list(silent)
            ).values_list("partner_id", "occasion")
        )
        pairs = [(pk, day) for pk, day in sorted(silent.items()) if (pk, day) not in sent]
        if pairs:
            yield Due(pairs)


def _kpi_below(automation: Automation, now: datetime) -> Iterator[Due]:
    """Resellers with an amber or red light on a rate this year (judged from ``JUDGED_FROM``
    leads, as the yearly review judges them), once a month at most."""
    today = _local_date(now)
    occasion = _month(today)
    start = lead_counters.day_start(date(today.year, 1, 1))
    kpis = kpi_table(start=start, end=now, with_medians=False, up_to_date=False)
    below = [
        k.assignee
        for k in kpis
        if k.received >= JUDGED_FROM and any(k.lights[r] in ("amber", "red") for r in RATES)
    ]
    partners = _live(automation, occasion).filter(kind=PartnerKind.RESELLER, pk__in=below)
    return _batches(partners.values_list("pk", flat=True), occasion)


def _digest(automation: Automation, now: datetime) -> Iterator[Due]:
    """Every live partner who was one during last month, once for that month (sent from the
    1st of the next)."""
    this_month = _local_date(now).replace(day=1)
    occasion = _month(digest.previous_month(this_month))
    partners = _live(automation, occasion).filter(
        created_at__lt=lead_counters.day_start(this_month)
    )
    return _batches(partners.values_list("pk", flat=True), occasion)


FINDERS = {
    Trigger.JOINED: _joined,
    Trigger.FIRST_LEAD: _first_lead,
    Trigger.FIRST_PAYMENT: _first_payment,
    Trigger.DORMANT: _dormant,
    Trigger.KPI_BELOW: _kpi_below,
    Trigger.DIGEST: _digest,
}


# --- Sending -----------------------------------------------------------------------------------


@dataclass
class _Outgoing:
    row: AutomationSend
    message: EmailMultiAlternatives


def _topic(automation: Automation) -> str:
    return Topic.DIGEST if automation.trigger == Trigger.DIGEST else automation.template.topic


@dataclass
class _Run:
    """What one automation's run reads once for all its batches."""

    automation: Automation
    now: datetime
    tally: Counter[str]
    network: dict[str, float | None] | None = None  # the digest's network rates

    @property
    def digest_month(self) -> date:
        return digest.previous_month(_local_date(self.now).replace(day=1))


def _figures(
    run: _Run, partners: list[Partner], languages: dict[int, str]
) -> dict[int, dict[str, Any]]:
    if run.automation.trigger != Trigger.DIGEST:
        return merge.figures_for(partners, languages=languages)
    month = run.digest_month
    if run.network is None and any(p.kind == PartnerKind.RESELLER for p in partners):
        run.network = digest.network_rates(month.year)
    return digest.digest_figures(partners, languages=languages, month=month, network=run.network)


def _prepare(run: _Run, due: Due) -> tuple[list[AutomationSend], list[_Outgoing]]:
    """The batch's skipped rows (a preference or the suppression list blocks the mail) and
    its messages, written in each partner's language, each with its row to claim."""
    automation = run.automation
    partners = Partner.objects.in_bulk([pk for pk, _occasion in due.pairs])
    stored = Preference.objects.filter(partner_id__in=list(partners)).in_bulk()
    suppressed = suppressed_among([p.email for p in partners.values()])
    topic = _topic(automation)
    skipped: list[AutomationSend] = []
    sending: list[tuple[Partner, str, str]] = []
    for pk, occasion in due.pairs:
        partner = partners[pk]
        preference = stored.get(pk) or Preference(partner=partner)
        email = partner.email or ""
        reason = blocked(preference, email, topic, email.lower() in suppressed)
        if reason:
            skipped.append(_row(automation, pk, occasion, RecipientState.SKIPPED, reason))
        else:
            sending.append((partner, occasion, preference.language))
    languages = {partner.pk: language for partner, _occasion, language in sending}
    figures = _figures(run, [p for p, _o, _l in sending], languages)
    outgoing = []
    for partner, occasion, language in sending:
        written = mailing.write(automation.template, language=language, figures=figures[partner.pk])
        message = mailing.programme_message(
            partner=partner,
            email=partner.email,
            language=language,
            topic=topic,
            subject=written.subject,
            body=written.body,
        )
        row = _row(automation, partner.pk, occasion, RecipientState.SENDING)
        row.message_id = mailing.message_id(message)  # ours, until the provider's replaces it
        outgoing.append(_Outgoing(row, message))
    return skipped, outgoing


def _row(
    automation: Automation, pk: int, occasion: str, state: str, reason: str = ""
) -> AutomationSend:
    """An unsaved row (its ``at`` is stamped when it is written)."""
    return AutomationSend(
        automation=automation, partner_id=pk, occasion=occasion, state=state, skip_reason=reason
    )


def _send_batch(run: _Run, due: Due) -> None:
    """Send one batch, at most once per partner and occasion.

    The order is what makes it at most once. For each message: 1. its row is INSERTed (state
    "sending") and COMMITTED before the mail leaves; the unique (automation, partner,
    occasion) refuses the INSERT to a concurrent or repeated run, which then sends nothing.
    2. The mail is handed to the server. 3. The row is marked sent or failed from its answer.
    A worker killed between 1 and 3 leaves one "sending" row: the next run past
    ``STALE_AFTER`` reports it failed (``_report_interrupted``) and never sends a second copy.
    Sending first and writing after would, on the same kill, send the mail again on the next
    run. The claim is per message, not per batch, so a kill strands only the message in flight;
    the batch's other rows are written in one INSERT (those skipped, which send nothing)."""
    tally = run.tally
    skipped, outgoing = _prepare(run, due)
    stamp = timezone.now()  # the wall clock, as the stale check reads it (not the run's ``now``)
    for row in skipped:
        row.at = stamp
    with transaction.atomic():
        AutomationSend.objects.bulk_create(skipped, batch_size=BATCH, ignore_conflicts=True)
    tally["skipped"] += len(skipped)
    if not outgoing:
        return
    connection = mailers.default
    try:
        connection.open()
    except Exception:  # the server unreachable: nothing claimed, so the next run sends them
        tally["unreachable"] += len(outgoing)
        return
    try:
        for item in outgoing:
            if _claim(item.row):
                tally[_deliver(connection, item)] += 1
    finally:
        connection.close()


def _claim(row: AutomationSend) -> bool:
    """Write the row "sending" and commit it; False when another run holds the triple."""
    row.at = timezone.now()
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return False
    return True


def _deliver(connection: Any, item: _Outgoing) -> str:
    """Send one claimed message and write down what the server answered."""
    claimed = AutomationSend.objects.filter(pk=item.row.pk)
    try:
        connection.send_messages([item.message])
    except Exception as exc:  # any refusal of the server is this row's failure
        claimed.update(state=RecipientState.FAILED, failure=str(exc)[:300], at=timezone.now())
        return "failed"
    claimed.update(
        state=RecipientState.SENT,
        message_id=mailing.message_id(item.message),
        at=timezone.now(),
    )
    return "sent"


def _report_interrupted(now: datetime) -> int:
    """Rows left "sending" by a worker that died before the server answered: failed."""
    return AutomationSend.objects.filter(
        state=RecipientState.SENDING, at__lt=now - STALE_AFTER
    ).update(state=RecipientState.FAILED, failure=INTERRUPTED)


def automation_run(*, automation: Automation, now: datetime, tally: Counter[str]) -> None:
    """Send one automation to every partner it is due for now."""
    run = _Run(automation, now, tally)
    for due in FINDERS[Trigger(automation.trigger)](automation, now):
        _send_batch(run, due)


def automations_run(*, now: datetime | None = None) -> str:
    """The sweep: every active automation sent to the partners due. Safe to run at any time
    and as often as wanted, also by two workers at once (see ``_send_batch``). Must not run
    inside a transaction: each batch's rows are committed before its mails leave."""
    now = now or timezone.now()
    lead_counters.refresh()  # a lead declared a minute ago counts (partner and KPI months)
    tally: Counter[str] = Counter(interrupted=_report_interrupted(timezone.now()))
    automations = Automation.objects.filter(active=True).select_related("template")
    for automation in automations.order_by("pk"):
        automation_run(automation=automation, now=now, tally=tally)
    summary = (
        f"{tally['sent']} sent, {tally['skipped']} skipped, {tally['failed']} failed, "
        f"{tally['interrupted']} interrupted"
    )
    if tally["unreachable"]:
        summary += f"; mail server unreachable, {tally['unreachable']} left for the next run"
    return summary


def automations_job(now: datetime) -> str:
    """The scheduled sweep (``engagement.automations``)."""
    return automations_run(now=now)
