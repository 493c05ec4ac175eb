"""The network's kinds and statuses. Strength is a defined 1–5 scale, shown wherever entered."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Strength(models.IntegerChoices):
    MET_ONCE = 1, _("1 – met once")
    ACQUAINTANCE = 2, _("2 – acquaintance, we have spoken")
    KNOW_WELL = 3, _("3 – we know each other well")
    TRUSTED = 4, _("4 – trusted, they listen to me")
    CLOSE = 5, _("5 – close, would take my call")


class RelationshipContext(models.TextChoices):
    FORMER_COLLEAGUE = "former_colleague", _("Former colleague")
    SCHOOL = "school", _("School or university")
    CUSTOMER = "customer", _("Customer")
    SUPPLIER = "supplier", _("Supplier or partner")
    EVENT = "event", _("Event or trade fair")
    ASSOCIATION = "association", _("Club or association")
    FAMILY = "family", _("Family")
    FRIEND = "friend", _("Friend")
    OTHER = "other", _("Other")


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Private – only me")
    ON_REQUEST = "on_request", _("On request – colleagues see that someone knows them, and ask")
    SHARED = "shared", _("Shared – colleagues see that I know them")


class ContactLevel(models.TextChoices):
    EXECUTIVE = "executive", _("Executive (C-level, owner)")
    DIRECTOR = "director", _("Director")
    MANAGER = "manager", _("Manager")
    STAFF = "staff", _("Operational")
    UNKNOWN = "", _("Unknown")


class BuyingRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision-maker")
    INFLUENCER = "influencer", _("Influencer")
    ALLY = "ally", _("Ally")
    OPPONENT = "opponent", _("Opponent")
    UNKNOWN = "unknown", _("Unknown")


class Attitude(models.TextChoices):
    FAVOURABLE = "favourable", _("Favourable")
    NEUTRAL = "neutral", _("Neutral")
    UNFAVOURABLE = "unfavourable", _("Unfavourable")
    UNKNOWN = "unknown", _("Unknown")


class IntroductionStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    MEETING_HELD = "meeting_held", _("Meeting held")
    OPPORTUNITY = "opportunity", _("Opportunity opened")
    NO_OUTCOME = "no_outcome", _("No outcome")


class OperationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for nominations")
    INVITING = "inviting", _("Invitations sent")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class InvitationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Put forward")
    SENT = "sent", _("Invitation sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Attendance(models.TextChoices):
    UNKNOWN = "unknown", _("Not known yet")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not come")


class NominationOutcome(models.TextChoices):
    NONE = "none", _("Nothing yet")
    MEETING = "meeting", _("Meeting")
    OPPORTUNITY = "opportunity", _("Opportunity")
    DEAL = "deal", _("Deal won")


class ImportSource(models.TextChoices):
    TABLE = "table", _("CSV or XLSX file")
    VCARD = "vcard", _("vCard file")
