"""Campaigns: an e-mail to a segment, a saved filter or partners picked by hand, written and
checked as a draft, launched once (now or at a set time), then sent by the task worker
(``engagement.sending``), a random holdout left out to measure the effect (``engagement.report``).

A campaign moves draft → scheduled → queued → running → sent (or failed, or cancelled); each
move is one of the functions below, and each refuses the moves it does not make.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import mailers
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.core.audit import audit_record
from relais.core.errors import DomainError, TransitionError
from relais.engagement import mailing, merge
from relais.engagement.choices import Audience, CampaignState, Segment
from relais.engagement.filters import saved_segment_partners
from relais.engagement.models import Campaign, MessageTemplate, SavedSegment
from relais.engagement.preferences import preference_of
from relais.engagement.segments import LIVE, segment_partners
from relais.partners.models import Partner

EDITABLE = (CampaignState.DRAFT, CampaignState.SCHEDULED)
CANCELLABLE = (CampaignState.SCHEDULED, CampaignState.QUEUED)
MAX_HOLDOUT = Decimal("0.5")
TEMPLATE_PARTS = ("subject_fr", "body_fr", "subject_en", "body_en")


def _refuse(field: str, message: str, code: str) -> DomainError:
    return DomainError(message, code=code, fields={field: message})


def _cleaned(data: dict[str, Any], picked: list[int] | None) -> dict[str, Any]:
    """The campaign's fields from the form's data, each refusal naming its field."""
    name = str(data.get("name") or "").strip()
    if not name:
        raise _refuse("name", _("Give the campaign a name."), "name_required")
    template = _instance(MessageTemplate, data.get("template"))
    if template is None:
        raise _refuse("template", _("Choose the e-mail template to send."), "template_required")
    audience = data.get("audience") or Audience.SEGMENT
    if audience not in Audience.values:
        raise _refuse("audience", _("Choose who receives the campaign."), "audience_required")
    values: dict[str, Any] = {
        "name": name[:160],
        "template": template,
        "audience": audience,
        "segment": "",
        "saved_segment": None,
        "holdout_share": _share(data.get("holdout_share")),
        "rate_per_minute": _rate(data.get("rate_per_minute")),
    }
    values.update(_audience(audience, data, picked))
    return values


def _instance[M: (MessageTemplate, SavedSegment)](model: type[M], value: Any) -> M | None:
    """The object a form gave (or its id), None when missing or unknown."""
    if isinstance(value, model):
        return value
    if value in (None, ""):
        return None
    try:
        found: M | None = model._default_manager.filter(pk=int(value)).first()
    except (TypeError, ValueError):
        return None
    return found


def _audience(audience: str, data: dict[str, Any], picked: list[int] | None) -> dict[str, Any]:
    if audience == Audience.SEGMENT:
        segment = data.get("segment") or ""
        if segment not in Segment.values:
            raise _refuse("segment", _("Choose the segment to write to."), "segment_required")
        return {"segment": segment}
    if audience == Audience.SAVED:
        saved = _instance(SavedSegment, data.get("saved_segment"))
        if saved is None:
            message = _("Choose the saved filter to write to.")
            raise _refuse("saved_segment", message, "saved_segment_required")
        return {"saved_segment": saved}
    if not picked:
        raise _refuse("picked", _("Pick at least one partner."), "picked_required")
    return {}


def _share(value: Any) -> Decimal:
    if value in (None, ""):
        return Decimal(settings.RELAIS_CAMPAIGN_HOLDOUT)
    try:
        share = Decimal(str(value))
    except InvalidOperation:
        share = Decimal(-1)
    if not Decimal(0) <= share <= MAX_HOLDOUT:
        message = _("The share held out is between 0 and 0.5 (half the audience).")
        raise _refuse("holdout_share", message, "holdout_share_range")
    return share.quantize(Decimal("0.001"))


def _rate(value: Any) -> int:
    if value in (None, ""):
        return int(settings.RELAIS_CAMPAIGN_RATE_PER_MINUTE)
    try:
        rate = int(value)
    except (TypeError, ValueError):
        rate = 0
    if rate < 1:
        message = _("Send at least one e-mail a minute.")
        raise _refuse("rate_per_minute", message, "rate_too_low")
    return rate


def campaign_save(
    *, campaign: Campaign | None, data: dict[str, Any], picked: list[int] | None = None, actor: User
) -> Campaign:
    """Create a draft campaign, or change one still a draft or scheduled. ``data`` holds the
    form's fields (name, template, audience, segment, saved_segment, holdout_share,
    rate_per_minute); ``picked`` the partners' ids for an audience picked by hand."""
    values = _cleaned(data, picked)
    with transaction.atomic():
        if campaign is None:
            campaign = Campaign(created_by=actor, **values)
            action = "created"
        else:
            campaign = _locked(campaign, EDITABLE, _("Only a draft or scheduled campaign changes."))
            for name, value in values.items():
                setattr(campaign, name, value)
            action = "updated"
        campaign.save()
        if values["audience"] == Audience.LIST:
            campaign.picked.set(Partner.objects.filter(pk__in=picked or []))
        else:
            campaign.picked.clear()
        audit_record(subject=campaign, action=action, actor=actor, target=campaign.name)
    return campaign


def _locked(campaign: Campaign, states: tuple[str, ...], refusal: str) -> Campaign:
    """The campaign's row, locked until the transaction ends, if it is in one of ``states``."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.state not in states:
        state = CampaignState(locked.state).label
        raise TransitionError(f"{refusal} ({state})", code="campaign_state")
    return locked


def audience_partners(campaign: Campaign) -> QuerySet[Partner]:
    """The live partners the campaign writes to, as its audience stands now."""
    if campaign.audience == Audience.SEGMENT:
        return segment_partners(campaign.segment)
    if campaign.audience == Audience.SAVED:
        if campaign.saved_segment is None:
            return Partner.objects.none()
        return saved_segment_partners(campaign.saved_segment).filter(status__in=LIVE)
    return Partner.objects.filter(pk__in=campaign.picked.values("pk"), status__in=LIVE)


def template_refusal(template: MessageTemplate) -> str | None:
    """Why the template may not be sent as it stands (a merge field gone, broken syntax)."""
    for part in TEMPLATE_PARTS:
        try:
            merge.template_check(getattr(template, part), field=part)
        except ValidationError as exc:
            return " ".join(str(m) for m in exc.messages)
    return None


def campaign_launch(*, campaign: Campaign, actor: User, at: datetime | None = None) -> Campaign:
    """Launch a draft: now (the worker sends it), or at ``at`` (the sweep starts it then).
    Refused for a campaign already launched — sending the same campaign twice — for an
    audience that matches nobody, and for a template that no longer passes its check."""
    now = timezone.now()
    with transaction.atomic():
        # The row lock (and the conditional update below, for SQLite) settles two launches
        # at once: the second one finds the campaign launched and is refused.
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.state != CampaignState.DRAFT:
            raise TransitionError(
                _("This campaign was already launched (%(state)s): it is not sent twice.")
                % {"state": CampaignState(locked.state).label},
                code="already_launched",
            )
        if (refusal := template_refusal(locked.template)) is not None:
            raise _refuse("template", refusal, "template_invalid")
        if not audience_partners(locked).exists():
            message = _("The audience matches nobody: there is no one to send this campaign to.")
            raise _refuse("audience", message, "empty_audience")
        later = at is not None and at > now
        values: dict[str, Any] = {
            "holdout_seed": secrets.randbelow(2**31 - 1) + 1,  # recorded: the draw is replayable
            "state": CampaignState.SCHEDULED if later else CampaignState.QUEUED,
            "scheduled_for": at if later else None,
            "launched_at": None if later else now,
            "heartbeat_at": now,
        }
        if not Campaign.objects.filter(pk=locked.pk, state=CampaignState.DRAFT).update(**values):
            raise TransitionError(_("This campaign was already launched."), code="already_launched")
        audit_record(subject=locked, action="scheduled" if later else "launched", actor=actor)
        if not later:
            transaction.on_commit(lambda: enqueue(locked.pk))
    locked.refresh_from_db()
    return locked


def enqueue(campaign_id: int) -> None:
    from relais.engagement.tasks import send_campaign  # tasks import the services, not back

    send_campaign.enqueue(campaign_id)


def campaign_cancel(*, campaign: Campaign, actor: User) -> Campaign:
    """Cancel a scheduled or queued campaign before its worker starts sending."""
    with transaction.atomic():
        locked = _locked(
            campaign, CANCELLABLE, _("Only a scheduled or queued campaign can be cancelled.")
        )
        # Conditional: a worker that claimed it meanwhile (running) keeps it.
        cancelled = Campaign.objects.filter(pk=locked.pk, state__in=CANCELLABLE).update(
            state=CampaignState.CANCELLED, finished_at=timezone.now()
        )
        if not cancelled:
            raise TransitionError(_("The campaign is already being sent."), code="campaign_state")
        audit_record(subject=locked, action="cancelled", actor=actor)
    locked.refresh_from_db()
    return locked


def campaign_preview(*, campaign: Campaign, partner: Partner) -> mailing.Written:
    """The e-mail as ``partner`` (one of the audience) would read it, in their language."""
    if not audience_partners(campaign).filter(pk=partner.pk).exists():
        raise DomainError(
            _("%(partner)s is not in this campaign's audience.") % {"partner": partner},
            code="not_in_audience",
        )
    language = preference_of(partner).language
    figures = merge.figures_for([partner], languages={partner.pk: language})
    return mailing.write(campaign.template, language=language, figures=figures[partner.pk])


def campaign_test_send(*, campaign: Campaign, actor: User, partner: Partner | None = None) -> None:
    """Send the e-mail as the first partner of the audience (or ``partner``) would receive it
    to the actor's own address, its subject marked "[TEST]"."""
    partner = partner or audience_partners(campaign).order_by("pk").first()
    if partner is None:
        message = _("The audience matches nobody: there is no one to show the e-mail as.")
        raise _refuse("audience", message, "empty_audience")
    if not actor.email:
        raise DomainError(_("Your account has no e-mail address."), code="no_email")
    written = campaign_preview(campaign=campaign, partner=partner)
    test = mailing.programme_message(
        partner=partner,
        email=actor.email,
        language=preference_of(partner).language,
        topic=campaign.template.topic,
        subject=f"[TEST] {written.subject}",
        body=written.body,
    )
    with mailers.default as connection:
        connection.send_messages([test])
