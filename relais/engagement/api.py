"""``/api/v1/``: network animation. Managers read the segments and their movements, keep saved
segments, templates and campaigns (a draft, its launch, its report with the holdout effect, its
recipients) and read the automations; a partner's own token reads and changes what it agreed to
receive (``/me/mail-preferences``). The same services and scoped getters as the pages."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator

from relais.accounts.decorators import request_user
from relais.accounts.models import User
from relais.core.apischema import ERRORS, Pages, RecordId
from relais.core.errors import DomainError
from relais.engagement import campaign_selectors, campaigns, selectors
from relais.engagement.automations import automations_for_user
from relais.engagement.choices import Audience, CampaignState, RecipientState, Segment, Topic
from relais.engagement.filters import filter_names, saved_segment_partners, saved_segment_save
from relais.engagement.models import Campaign, MessageTemplate, Preference, SavedSegment
from relais.engagement.preferences import (
    partner_resubscribe,
    partner_unsubscribe,
    preference_of,
    preference_update,
)
from relais.engagement.report import campaign_report
from relais.engagement.segments import Thresholds
from relais.engagement.template_services import message_template_save
from relais.partners.choices import PartnerKind, PartnerStatus
from relais.partners.models import Partner
from relais.partners.selectors import partner_for_user

router = Router(tags=["engagement"])


class Invalid(DomainError):
    """A service's refusal of what the caller sent (a field missing or wrong, an audience that
    matches nobody): a 422 like the schema's own errors, the service's code kept."""

    status = 422


def _manager(request: HttpRequest) -> User:
    user = request_user(request)
    if not user.can_manage:
        raise PermissionDenied(_("Only managers run the network's animation."))
    return user


def _as_invalid(exc: DomainError) -> DomainError:
    """A 400 refusal of the input becomes a 422; a 409 (a state that forbids it) stays."""
    if exc.status == DomainError.status:
        return Invalid(exc.message, code=exc.code, fields=exc.fields)
    return exc


# --- Segments ------------------------------------------------------------------------------------


class SegmentCountOut(Schema):
    code: Segment
    label: str
    count: int = Field(description="Partners in the segment at the last judgement.")
    moved_in: int = Field(description="Came in this month.")
    moved_out: int = Field(description="Left this month.")
    moved_in_last: int = Field(description="Came in last month.")
    moved_out_last: int = Field(description="Left last month.")
    net: int


class FlowOut(Schema):
    this_month: int
    last_month: int


class ThresholdsOut(Schema):
    champion_leads: int
    active_leads: int
    dormant_months: int
    new_days: int


class SegmentsOut(Schema):
    judged_on: date | None
    thresholds: ThresholdsOut
    introducers: list[SegmentCountOut]
    resellers: list[SegmentCountOut]
    went_dormant: FlowOut
    woke_up: FlowOut


class SegmentMemberOut(Schema):
    id: int
    display_name: str
    kind: PartnerKind
    status: PartnerStatus
    email: str
    departement: str | None
    segment: Segment
    since: date
    leads_12m: int
    won_12m: int
    last_lead_month: date | None

    @staticmethod
    def resolve_departement(obj: Partner) -> str | None:
        return obj.departement_id

    @staticmethod
    def resolve_segment(obj: Partner) -> str:
        return obj.segment.segment

    @staticmethod
    def resolve_since(obj: Partner) -> date:
        return obj.segment.since

    @staticmethod
    def resolve_leads_12m(obj: Partner) -> int:
        return obj.segment.leads_12m

    @staticmethod
    def resolve_won_12m(obj: Partner) -> int:
        return obj.segment.won_12m

    @staticmethod
    def resolve_last_lead_month(obj: Partner) -> date | None:
        return obj.segment.last_lead_month


class MemberFilters(Schema):
    q: str | None = None
    status: PartnerStatus | None = None
    departement: str | None = None
    region: str | None = None


@router.get("/segments", response={200: SegmentsOut, **ERRORS})
def segments(request: HttpRequest) -> dict[str, Any]:
    """Partners per lifecycle segment at the last judgement, with the movements between
    segments this month and last (who went dormant, who woke up), and the thresholds."""
    _manager(request)
    overview = selectors.segment_overview()
    return {
        "judged_on": overview.judged_on,
        "thresholds": Thresholds.current(),
        "introducers": overview.introducers,
        "resellers": overview.resellers,
        "went_dormant": overview.went_dormant,
        "woke_up": overview.woke_up,
    }


@router.get("/segments/{code}/partners", response={200: list[SegmentMemberOut], **ERRORS})
@paginate(Pages)
def segment_partners(  # type: ignore[no-untyped-def]
    request: HttpRequest, code: Segment, filters: Query[MemberFilters]
):
    """The live partners of a segment, by name, filtered like the page's drill-down."""
    user = _manager(request)
    return selectors.segment_members(user, code, filters=filters.dict(exclude_none=True))


# --- Saved segments ------------------------------------------------------------------------------


class SavedSegmentOut(Schema):
    id: int
    name: str
    filters: dict[str, str]
    count: int = Field(description="Partners the filters match today.")
    created_at: datetime

    @staticmethod
    def resolve_count(obj: SavedSegment) -> int:
        return saved_segment_partners(obj).count()


FilterValue = str | int | Decimal | date | None


class SavedSegmentIn(Schema):
    name: str
    filters: dict[str, FilterValue] = Field(
        default_factory=dict,
        description=("Any of: " + ", ".join(filter_names()) + ". Left out: every partner."),
    )


@router.get("/saved-segments", response={200: list[SavedSegmentOut], **ERRORS})
@paginate(Pages)
def saved_segments(request: HttpRequest) -> QuerySet[SavedSegment]:
    """The custom segments, by name, each with how many partners it matches today."""
    return selectors.saved_segments_for_user(user=_manager(request))


@router.post("/saved-segments", response={201: SavedSegmentOut, **ERRORS})
def saved_segment_create(request: HttpRequest, payload: SavedSegmentIn) -> Status:
    """Save a named filter; a filter unknown, a value refused or a name taken is a 422
    naming the field."""
    user = _manager(request)
    unknown = sorted(set(payload.filters) - set(filter_names()))
    if unknown:
        message = _("Unknown filter. The filters are: %(names)s.") % {
            "names": ", ".join(filter_names())
        }
        raise ValidationError({f"filters.{name}": message for name in unknown})
    filters = {k: "" if v is None else str(v) for k, v in payload.filters.items()}
    saved = saved_segment_save(name=payload.name, filters=filters, actor=user)
    return Status(201, saved)


# --- Templates ----------------------------------------------------------------------------------


class TemplateOut(Schema):
    id: int
    name: str
    topic: Topic
    subject_fr: str
    body_fr: str
    subject_en: str
    body_en: str
    updated_at: datetime
    campaigns: int = 0
    automations: int = 0

    @staticmethod
    def resolve_campaigns(obj: MessageTemplate) -> int:
        return getattr(obj, "n_campaigns", 0)

    @staticmethod
    def resolve_automations(obj: MessageTemplate) -> int:
        return getattr(obj, "n_automations", 0)


class TemplateIn(Schema):
    name: str
    topic: Topic = Topic.NEWS
    subject_fr: str
    body_fr: str
    subject_en: str = ""
    body_en: str = ""


@router.get("/templates", response={200: list[TemplateOut], **ERRORS})
@paginate(Pages)
def templates(request: HttpRequest) -> QuerySet[MessageTemplate]:
    """The e-mail templates, by name, with how many campaigns and automations use each."""
    return campaign_selectors.message_template_list(user=_manager(request))


@router.post("/templates", response={201: TemplateOut, **ERRORS})
def template_create(request: HttpRequest, payload: TemplateIn) -> Status:
    """A template in French (and English), checked at save: an unknown merge field or a
    broken tag is a 422 naming the field and the name, every field's error at once."""
    user = _manager(request)
    template = message_template_save(template=MessageTemplate(), data=payload.dict(), actor=user)
    return Status(201, template)


# --- Campaigns ----------------------------------------------------------------------------------


class CampaignOut(Schema):
    id: int
    name: str
    template_id: int
    template_name: str
    audience: Audience
    segment: str
    saved_segment_id: int | None
    holdout_share: Decimal
    rate_per_minute: int
    scheduled_for: datetime | None
    state: CampaignState
    failure: str
    created_at: datetime
    launched_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_template_name(obj: Campaign) -> str:
        return obj.template.name


class CampaignListOut(CampaignOut):
    sent: int = Field(description="Recipients whose e-mail left.")
    total: int = Field(description="Recipients meant to receive it (the holdout excluded).")

    @staticmethod
    def resolve_sent(obj: Campaign) -> int:
        return getattr(obj, "n_sent", 0)

    @staticmethod
    def resolve_total(obj: Campaign) -> int:
        return getattr(obj, "n_total", 0)


class GroupOut(Schema):
    partners: int
    submitted: int = Field(description="Leads they submitted in the 30 days after the launch.")
    won: int = Field(description="Of those, won.")
    submitted_rate: Decimal | None = Field(description="Leads submitted per partner.")
    won_rate: Decimal | None


class ReportOut(Schema):
    counts: dict[str, int]
    recipients: GroupOut
    holdout: GroupOut
    window_start: datetime | None
    window_end: datetime | None
    window_closed: bool
    submitted_difference: Decimal | None = Field(
        description="Leads submitted per partner, recipients minus holdout: the effect."
    )
    won_difference: Decimal | None


class CampaignDetailOut(CampaignOut):
    picked: list[int] = Field(description="The partners picked, for audience 'list'.")
    progress: dict[str, int] = Field(description="Recipients by state.")
    report: ReportOut | None = Field(description="Once launched: counts and holdout effect.")

    @staticmethod
    def resolve_picked(obj: Campaign) -> list[int]:
        return list(obj.picked.order_by("pk").values_list("pk", flat=True))

    @staticmethod
    def resolve_progress(obj: Campaign) -> dict[str, int]:
        return campaign_selectors.campaign_progress(obj).by_state

    @staticmethod
    def resolve_report(obj: Campaign) -> dict[str, Any] | None:
        if obj.launched_at is None:
            return None
        report = campaign_report(obj)
        return {
            "counts": report.counts,
            "recipients": report.recipients,
            "holdout": report.holdout,
            "window_start": report.window_start,
            "window_end": report.window_end,
            "window_closed": report.window_closed,
            "submitted_difference": report.submitted_difference,
            "won_difference": report.won_difference,
        }


class CampaignIn(Schema):
    name: str
    template: RecordId
    audience: Audience = Audience.SEGMENT
    segment: Segment | None = None
    saved_segment: RecordId | None = None
    picked: list[RecordId] = Field(default_factory=list, description="For audience 'list'.")
    holdout_share: Decimal | None = Field(None, description="0 to 0.5; the setting if left out.")
    rate_per_minute: int | None = None


class LaunchIn(Schema):
    at: datetime | None = Field(None, description="Later: scheduled; left out: sent now.")


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    try:
        return campaign_selectors.campaign_get_for_user(user=_manager(request), pk=campaign_id)
    except Campaign.DoesNotExist:
        raise Http404 from None


@router.get("/campaigns", response={200: list[CampaignListOut], **ERRORS})
@paginate(Pages)
def campaign_list(request: HttpRequest) -> QuerySet[Campaign]:
    """Newest first, each with its sent and total recipients."""
    return campaign_selectors.campaign_list(user=_manager(request))


@router.post("/campaigns", response={201: CampaignDetailOut, **ERRORS})
def campaign_create(request: HttpRequest, payload: CampaignIn) -> Status:
    """A draft campaign; a field missing or wrong is a 422 with the service's code naming it
    (``template_required``, ``segment_required``, ``holdout_share_range``…)."""
    user = _manager(request)
    data = payload.dict(exclude={"picked"})
    data["segment"] = data["segment"] or ""
    try:
        campaign = campaigns.campaign_save(
            campaign=None, data=data, picked=payload.picked, actor=user
        )
    except DomainError as exc:
        raise _as_invalid(exc) from exc
    return Status(201, _campaign(request, campaign.pk))


@router.post("/campaigns/{campaign_id}/launch", response={200: CampaignDetailOut, **ERRORS})
def campaign_launch(
    request: HttpRequest, campaign_id: RecordId, payload: LaunchIn | None = None
) -> Campaign:
    """Launch a draft, now or at ``at``. A campaign already launched is a 409
    (``already_launched``): it is never sent twice; an audience that matches nobody
    (``empty_audience``) or a template that no longer passes its check (``template_invalid``)
    is a 422."""
    campaign = _campaign(request, campaign_id)
    at = payload.at if payload is not None else None
    try:
        campaigns.campaign_launch(campaign=campaign, actor=request_user(request), at=at)
    except DomainError as exc:
        raise _as_invalid(exc) from exc
    return _campaign(request, campaign_id)


@router.get("/campaigns/{campaign_id}", response={200: CampaignDetailOut, **ERRORS})
def campaign_detail(request: HttpRequest, campaign_id: RecordId) -> Campaign:
    """The campaign, its recipients by state and, once launched, its report: what became of
    the e-mails, and the leads submitted and won in the 30 days after the launch by the
    recipients and by the holdout, who received nothing, with the difference."""
    return _campaign(request, campaign_id)


class RecipientOut(Schema):
    id: int
    partner_id: int
    partner_name: str
    email: str
    language: str
    state: RecipientState
    skip_reason: str
    failure: str
    sent_at: datetime | None
    delivered_at: datetime | None
    opened_at: datetime | None
    clicked_at: datetime | None
    bounced_at: datetime | None
    unsubscribed_at: datetime | None

    @staticmethod
    def resolve_partner_name(obj: Any) -> str:
        return str(obj.partner.display_name)


class RecipientFilters(Schema):
    state: RecipientState | None = None


@router.get("/campaigns/{campaign_id}/recipients", response={200: list[RecipientOut], **ERRORS})
@paginate(Pages)
def campaign_recipients(  # type: ignore[no-untyped-def]
    request: HttpRequest, campaign_id: RecordId, filters: Query[RecipientFilters]
):
    """The campaign's recipients (the holdout's rows too, state ``holdout``), optionally in
    one state."""
    campaign = _campaign(request, campaign_id)
    return campaign_selectors.campaign_recipients(campaign, state=filters.state or "")


# --- Automations --------------------------------------------------------------------------------


class AutomationOut(Schema):
    id: int
    name: str
    trigger: str
    days: int | None
    template_id: int
    template_name: str
    active: bool
    created_at: datetime
    sent: int
    skipped: int
    failed: int

    @staticmethod
    def resolve_template_name(obj: Any) -> str:
        return str(obj.template.name)

    @staticmethod
    def resolve_sent(obj: Any) -> int:
        return int(obj.n_sent)

    @staticmethod
    def resolve_skipped(obj: Any) -> int:
        return int(obj.n_skipped)

    @staticmethod
    def resolve_failed(obj: Any) -> int:
        return int(obj.n_failed)


@router.get("/automations", response={200: list[AutomationOut], **ERRORS})
@paginate(Pages)
def automation_list(request: HttpRequest) -> Any:
    """The automations, by name, each with how many e-mails it sent, skipped and failed."""
    return automations_for_user(user=_manager(request)).order_by("name", "pk")


# --- A partner's own preferences ----------------------------------------------------------------


class MailPreferencesOut(Schema):
    language: str
    topics: list[Topic] = Field(description="What they agreed to receive.")
    unsubscribed: bool = Field(description="From every programme e-mail (topics kept).")
    unsubscribed_at: datetime | None

    @staticmethod
    def resolve_topics(obj: Preference) -> list[str]:
        return [topic for topic in Topic.values if getattr(obj, topic)]

    @staticmethod
    def resolve_unsubscribed(obj: Preference) -> bool:
        return obj.unsubscribed_at is not None


class MailPreferencesIn(Schema):
    language: str
    topics: list[Topic] = Field(default_factory=list)
    unsubscribed: bool = False

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in dict(settings.LANGUAGES):
            names = ", ".join(dict(settings.LANGUAGES))
            raise ValueError(
                _("Language %(language)s: one of %(names)s.") % {"language": value, "names": names}
            )
        return value


def _own_partner(request: HttpRequest) -> Partner:
    partner = partner_for_user(request_user(request))
    if partner is None:
        raise PermissionDenied(_("Only a partner's users have e-mail preferences."))
    return partner


@router.get("/me/mail-preferences", response={200: MailPreferencesOut, **ERRORS})
def mail_preferences(request: HttpRequest) -> Preference:
    """What the token's partner agreed to receive, and in which language."""
    return preference_of(_own_partner(request))


@router.put("/me/mail-preferences", response={200: MailPreferencesOut, **ERRORS})
def mail_preferences_set(request: HttpRequest, payload: MailPreferencesIn) -> Preference:
    """Replace the partner's choices. ``unsubscribed: true`` stops every programme e-mail (the
    topics sent are kept for a later subscription; while unsubscribed, only the language
    changes); ``false`` subscribes again. Contractual and payment e-mails are never blocked."""
    partner = _own_partner(request)
    chosen = {topic: topic in payload.topics for topic in Topic.values}
    was_unsubscribed = preference_of(partner).unsubscribed_at is not None
    if payload.unsubscribed and was_unsubscribed:
        # Staying unsubscribed changes the language only: saving the topics would subscribe
        # again, and unsubscribing anew would move the date and blame the latest campaign.
        nothing = dict.fromkeys(Topic.values, False)
        return preference_update(partner=partner, language=payload.language, **nothing)
    if was_unsubscribed:
        partner_resubscribe(partner=partner)
    preference = preference_update(partner=partner, language=payload.language, **chosen)
    if payload.unsubscribed:
        preference = partner_unsubscribe(partner=partner, via="api")
    return preference
