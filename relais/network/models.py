"""The salespeople's network: target accounts and their people, who in the company knows them
(strength 1–5, context, visibility), account plans, introductions between colleagues, special
operations, the teams sharing is switched on for, and the imports of accounts and contacts.

What a user may see of a relationship is decided in one place: ``selectors.py``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from relais.core.import_models import ImportBatch, ImportRowError
from relais.core.models import Departement, TimeStampedModel
from relais.leads.models import Lead
from relais.network.choices import (
    Attendance,
    Attitude,
    BuyingRole,
    ContactLevel,
    ImportSource,
    IntroductionStatus,
    InvitationStatus,
    NominationOutcome,
    OperationStatus,
    RelationshipContext,
    Strength,
    Visibility,
)
from relais.partners.models import Partner


class NetworkTeam(TimeStampedModel):
    """A group of salespeople. Sharing is switched on team by team (a pilot first): the shared
    and on-request relationships of a salesperson whose teams all have it off stay with them."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("manager"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="network_teams",
        verbose_name=_("members"),
    )
    sharing_enabled = models.BooleanField(_("sharing switched on"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("sales team")
        verbose_name_plural = _("sales teams")

    def __str__(self) -> str:
        return self.name


class Account(TimeStampedModel):
    """A target company. ``name_key`` is the leads' company key (legal form and accents dropped),
    which duplicate detection and the search read; a SIREN, when known, is unique."""

    name = models.CharField(_("company"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    sector = models.CharField(_("sector"), max_length=120, blank=True)
    sector_key = models.CharField(max_length=120, editable=False, blank=True)
    departement = models.ForeignKey(
        Departement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("département"),
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    partner = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("matching partner"),
    )
    leads = models.ManyToManyField(
        Lead, blank=True, related_name="+", verbose_name=_("matching leads")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["siren"], condition=~Q(siren=""), name="network_account_siren_unique"
            )
        ]
        indexes = [
            models.Index(fields=["sector_key", "name_key"], name="network_account_sector_idx"),
            models.Index(fields=["departement", "name_key"], name="network_account_dept_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(TimeStampedModel):
    """A person at an account. B2B data held on legitimate interest: the person may object
    (``objected_at``: no one records or shares a relationship with them any more) and the
    contact is anonymised when untouched for longer than the dated retention period."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("account")
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    name_key = models.CharField(max_length=220, editable=False, db_index=True)
    title = models.CharField(_("role or title"), max_length=150, blank=True)
    level = models.CharField(
        _("level"), max_length=12, choices=ContactLevel.choices, blank=True, default=""
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    linkedin_url = models.URLField(_("LinkedIn URL"), blank=True)
    objected_at = models.DateTimeField(_("objected"), null=True, blank=True)
    objection_reason = models.CharField(_("reason for the objection"), max_length=200, blank=True)
    # The last time someone in the company recorded anything about the person: the retention
    # period runs from here.
    last_activity_at = models.DateTimeField(_("last activity"))
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(
                fields=["email"], condition=~Q(email=""), name="network_contact_email_idx"
            ),
            models.Index(fields=["last_activity_at"], name="network_contact_activity_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Relationship(TimeStampedModel):
    """A salesperson knows a contact. ``account`` repeats the contact's account so "who knows
    someone at X" reads one index. The stored strength is never rewritten: it fades in display
    only, when ``last_interaction`` is old (``RELAIS_NETWORK_FADE_AFTER_DAYS``)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="network_relationships",
        verbose_name=_("known by"),
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="relationships", verbose_name=_("contact")
    )
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="relationships", db_index=False
    )
    strength = models.PositiveSmallIntegerField(_("strength"), choices=Strength.choices)
    context = models.CharField(_("context"), max_length=20, choices=RelationshipContext.choices)
    context_note = models.CharField(_("details"), max_length=200, blank=True)
    last_interaction = models.DateField(_("last interaction"), null=True, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=12, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    exclusive_until = models.DateField(_("exclusive until"), null=True, blank=True)

    class Meta:
        ordering = ["-strength", "-last_interaction", "pk"]
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        constraints = [
            models.UniqueConstraint(fields=["owner", "contact"], name="network_rel_owner_contact"),
            models.CheckConstraint(
                condition=Q(strength__gte=1, strength__lte=5), name="network_rel_strength_1_5"
            ),
        ]
        indexes = [
            models.Index(
                fields=["account", "visibility", "-strength", "-last_interaction"],
                name="network_rel_account_idx",
            ),
            models.Index(
                fields=["contact", "visibility", "-strength"], name="network_rel_contact_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner} → {self.contact} ({self.strength})"


class AccountPlan(TimeStampedModel):
    """The plan for one target account: strategy, objectives, its buying centre and next steps."""

    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, related_name="plan", verbose_name=_("account")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account lead"),
    )
    strategy = models.TextField(_("strategy"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)

    class Meta:
        verbose_name = _("account plan")
        verbose_name_plural = _("account plans")

    def __str__(self) -> str:
        return str(self.account)


class BuyingCentreEntry(models.Model):
    """A person of the account's buying centre, with their role and attitude."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="buying_centre")
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="+", verbose_name=_("contact")
    )
    role = models.CharField(
        _("role"), max_length=16, choices=BuyingRole.choices, default=BuyingRole.UNKNOWN
    )
    attitude = models.CharField(
        _("attitude"), max_length=14, choices=Attitude.choices, default=Attitude.UNKNOWN
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("buying-centre member")
        verbose_name_plural = _("buying centre")
        constraints = [
            models.UniqueConstraint(fields=["plan", "contact"], name="network_bc_plan_contact")
        ]

    def __str__(self) -> str:
        return f"{self.contact} ({self.role})"


class PlanStep(models.Model):
    """A next step of an account plan, with its owner and due date."""

    plan = models.ForeignKey(AccountPlan, on_delete=models.CASCADE, related_name="steps")
    text = models.CharField(_("step"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["done", "due_on", "pk"]
        verbose_name = _("next step")
        verbose_name_plural = _("next steps")

    def __str__(self) -> str:
        return self.text


class Introduction(TimeStampedModel):
    """A colleague asks a relationship's owner to introduce them to its person; the owner
    accepts or declines, and is told what came of it."""

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="introductions_requested",
        verbose_name=_("requested by"),
    )
    relationship = models.ForeignKey(
        Relationship,
        on_delete=models.CASCADE,
        related_name="introductions",
        verbose_name=_("relationship"),
    )
    why = models.TextField(_("why this person"))
    purpose = models.TextField(_("what for"))
    status = models.CharField(
        _("status"),
        max_length=14,
        choices=IntroductionStatus.choices,
        default=IntroductionStatus.REQUESTED,
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)
    outcome_at = models.DateTimeField(_("outcome recorded"), null=True, blank=True)
    outcome_note = models.TextField(_("what came of it"), blank=True)
    lead = models.ForeignKey(
        Lead,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead"),
    )
    owner_told_at = models.DateTimeField(_("owner told"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        indexes = [
            models.Index(fields=["requester", "status"], name="network_intro_requester_idx"),
            models.Index(fields=["relationship", "status"], name="network_intro_rel_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.requester} → {self.relationship.contact}"


class Operation(TimeStampedModel):
    """A special operation opened by a manager (VIP invitations to a trade fair…): each
    salesperson chooses which of their contacts to put forward."""

    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    nominations_close_on = models.DateField(_("nominations close"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OperationStatus.choices, default=OperationStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("special operation")
        verbose_name_plural = _("special operations")

    def __str__(self) -> str:
        return self.name


class OperationNomination(TimeStampedModel):
    """A contact put forward for an operation by a salesperson, who is credited with what came
    of it."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="nominations")
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="+", verbose_name=_("contact")
    )
    relationship = models.ForeignKey(
        Relationship, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("put forward by"),
    )
    invitation = models.CharField(
        _("invitation"),
        max_length=10,
        choices=InvitationStatus.choices,
        default=InvitationStatus.PROPOSED,
    )
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    attendance = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, default=Attendance.UNKNOWN
    )
    outcome = models.CharField(
        _("outcome"),
        max_length=12,
        choices=NominationOutcome.choices,
        default=NominationOutcome.NONE,
    )
    lead = models.ForeignKey(
        Lead, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "contact"], name="network_nomination_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.operation}: {self.contact}"


class NetworkImport(ImportBatch):
    """An uploaded file of accounts and contacts (CSV/XLSX with a mapping, or a vCard export):
    its dry run or import, its progress and its bad rows. Run by the task worker."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    source = models.CharField(
        max_length=8, choices=ImportSource.choices, default=ImportSource.TABLE
    )
    file = models.FileField(upload_to="imports/network/%Y/%m/")
    # The relationship the importer records with each imported contact (their own address book).
    relationship = models.JSONField(default=dict, blank=True)
    duplicates = models.PositiveIntegerField(default=0)


class NetworkImportError(ImportRowError):
    """One bad row of a network import, with the message for each bad field."""

    batch = models.ForeignKey(NetworkImport, on_delete=models.CASCADE, related_name="errors")
