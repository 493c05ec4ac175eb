"""Leads: a prospect passed in by a partner or a salesperson, and what became of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.import_models import ImportBatch, ImportRowError
from relais.core.models import Departement
from relais.leads.choices import (
    Channel,
    KeyKind,
    LeadStatus,
    ProspectKind,
    RejectionReason,
    ReviewReason,
    SoldBy,
)
from relais.partners.models import Partner


class ProductCategory(models.Model):
    """A product line; ``sold_by`` says whether its leads go to resellers or to our salespeople."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    sold_by = models.CharField(
        _("sold by"), max_length=12, choices=SoldBy.choices, default=SoldBy.RESELLERS
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")

    def __str__(self) -> str:
        return self.name


class Lead(models.Model):
    """A prospect and its lifecycle; identifiers stored normalised (E.164, lower-case e-mail)."""

    prospect_kind = models.CharField(
        _("prospect"), max_length=10, choices=ProspectKind.choices, default=ProspectKind.PERSON
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    address_line = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5)
    city = models.CharField(_("city"), max_length=100, blank=True)
    # No single-column index on this and the three foreign keys below: each leads a composite
    # index (Meta.indexes), which serves the same lookups; one index less for every write.
    # Null when no French département uses the postcode (98000, Monaco): the lead is kept, outside
    # the territory, and the router leaves it in the unassigned queue with that reason.
    departement = models.ForeignKey(
        Departement,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("département"),
        db_index=False,
        null=True,
        blank=True,
    )
    need = models.TextField(_("need"), blank=True)
    category = models.ForeignKey(
        ProductCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("product"),
    )
    estimated_value = models.DecimalField(
        _("estimated value excl. VAT"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("introducer"),
        db_index=False,
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referred_leads",
        verbose_name=_("salesperson"),
        db_index=False,
    )
    # The prospect's own consent: an introducer cannot give it for them (french-rules.md).
    consent_marketing = models.BooleanField(_("consents to marketing e-mails"), default=False)
    consent_phone = models.BooleanField(_("consents to phone calls"), default=False)

    status = models.CharField(
        _("status"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("submitted"))  # indexed below, with what counts need
    qualified_at = models.DateTimeField(_("qualified"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("rejected"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    in_progress_at = models.DateTimeField(_("in progress since"), null=True, blank=True)
    won_at = models.DateTimeField(_("won"), null=True, blank=True)
    lost_at = models.DateTimeField(_("lost"), null=True, blank=True)
    rejection_reason = models.CharField(
        _("rejection reason"), max_length=16, choices=RejectionReason.choices, blank=True
    )
    won_amount = models.DecimalField(
        _("amount won excl. VAT"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    won_date = models.DateField(_("date won"), null=True, blank=True)
    collected_amount = models.DecimalField(
        _("collected excl. VAT"), max_digits=12, decimal_places=2, default=0
    )
    refunded_amount = models.DecimalField(
        _("refunded excl. VAT"), max_digits=12, decimal_places=2, default=0
    )
    lost_reason = models.CharField(_("reason lost"), max_length=200, blank=True)

    assigned_reseller = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_leads",
        verbose_name=_("reseller"),
        db_index=False,
    )
    assigned_salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_leads",
        verbose_name=_("assigned salesperson"),
        db_index=False,
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
        db_index=False,
    )
    review_reason = models.CharField(
        _("held for review"), max_length=16, choices=ReviewReason.choices, blank=True
    )
    last_prospect_contact_at = models.DateTimeField(_("last contact from the prospect"))
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The CRM's deal for this lead: which CRM (an integration's source key) and its deal id, by
    # which the CRM pushes the deal's status (``leads.crm``). Database defaults: the fast path's
    # writers name only the columns they fill.
    crm_source = models.CharField(_("CRM"), max_length=40, blank=True, default="", db_default="")
    crm_deal_id = models.CharField(
        _("CRM deal id"), max_length=100, blank=True, default="", db_default=""
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        constraints = [
            # One lead per deal of a CRM (a second link of the same deal is refused).
            models.UniqueConstraint(
                fields=["crm_source", "crm_deal_id"],
                condition=~models.Q(crm_deal_id=""),
                name="lead_crm_deal_once",
            )
        ]
        indexes = [
            # Newest first (the default order: submitted_at, then id, exactly), and the
            # dashboard's counts by status and amounts won since a date read from the index
            # alone (an index-only scan on PostgreSQL): 3× faster at a million leads.
            models.Index(
                fields=["submitted_at", "id", "status", "won_amount"], name="lead_submitted_counts"
            ),
            models.Index(fields=["status", "-submitted_at"]),
            models.Index(fields=["partner", "-submitted_at"]),
            # The filtered lead list: its first page comes off the index, already in order.
            models.Index(fields=["departement", "status", "-submitted_at"]),
            models.Index(fields=["channel", "-submitted_at"]),
            # The assignee's inbox: its leads by status, newest assignment first.
            # These four columns are empty on most rows (a new lead has no assignee, a partner's
            # lead no salesperson, an original no original): their indexes hold only the rows
            # with a value, so a row without one is written without touching them (a lead's
            # insert and its routing's update each maintain three or four indexes fewer of 13).
            # Every lookup names a value (``= x``), which tells both databases it is not null.
            models.Index(
                fields=["assigned_reseller", "status", "-assigned_at"],
                condition=models.Q(assigned_reseller__isnull=False),
                name="lead_assigned_reseller_idx",
            ),
            models.Index(
                fields=["assigned_salesperson", "status", "-assigned_at"],
                condition=models.Q(assigned_salesperson__isnull=False),
                name="lead_assigned_salesperson_idx",
            ),
            models.Index(
                fields=["salesperson"],
                condition=models.Q(salesperson__isnull=False),
                name="lead_salesperson_idx",
            ),
            models.Index(
                fields=["duplicate_of"],
                condition=models.Q(duplicate_of__isnull=False),
                name="lead_duplicate_of_idx",
            ),
            models.Index(
                fields=["review_reason"],
                condition=~models.Q(review_reason=""),
                name="lead_held_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.prospect_name or f"#{self.pk}"

    @property
    def prospect_name(self) -> str:
        person = f"{self.first_name} {self.last_name}".strip()
        return self.company_name or person or self.email or self.phone


class ProspectKey(models.Model):
    """One normalised identity of a prospect (its e-mail, phone, SIREN, or name + postcode).

    The unique row is both the index duplicate detection reads (no scan of the lead table) and
    the lock that serialises two submissions of the same prospect.
    """

    kind = models.CharField(max_length=8, choices=KeyKind.choices)
    value = models.CharField(max_length=220)
    lead = models.ForeignKey(Lead, on_delete=models.SET_NULL, null=True, related_name="+")
    lead_submitted_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="prospect_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class LeadEvent(models.Model):
    """The lead's timeline: who did what, when."""

    # Indexed by Meta.indexes (lead, at), which serves the lookups by lead alone.
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events", db_index=False)
    at = models.DateTimeField(_("at"))
    # Empty for what the system does (routing, reminders): indexed where set only (Meta).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    kind = models.CharField(_("event"), max_length=30)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["lead", "at"]),
            models.Index(
                fields=["actor"],
                condition=models.Q(actor__isnull=False),
                name="lead_event_actor_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class Suppression(models.Model):
    """A prospect who objected: new leads for this e-mail or phone are held, no marketing sent."""

    kind = models.CharField(max_length=8, choices=KeyKind.choices)
    value = models.CharField(max_length=220)
    created_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="suppression_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class IdempotencyRecord(models.Model):
    """The stored answer to an API write sent with an Idempotency-Key, replayed on a retry."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotency_unique")]

    def __str__(self) -> str:
        return self.key


class InboundMessage(models.Model):
    """An e-mail already handled, by Message-ID: a webhook retry or a re-read mbox is a no-op."""

    message_id = models.CharField(max_length=300, unique=True)
    sender = models.EmailField()
    received_at = models.DateTimeField(auto_now_add=True)
    lead = models.ForeignKey(
        Lead, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(max_length=20)

    def __str__(self) -> str:
        return self.message_id


class LeadImport(ImportBatch):
    """A file of leads imported by a manager, run by the task worker; progress is stored, and
    the last row created (``resume_after``) with each thousand, so a killed run goes on there."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(upload_to="imports/leads/%Y/%m/")


class LeadImportError(ImportRowError):
    """One bad row of an import, with the message for each bad field."""

    batch = models.ForeignKey(LeadImport, on_delete=models.CASCADE, related_name="errors")


class NoticeDue(models.Model):
    """A lead whose prospect is owed the GDPR art. 14 notice, written in the intake's own
    transaction (the mark exists only if the lead does) and deleted by ``leads.notices`` once
    handled. No foreign key, like ``LeadTouch``: one narrow INSERT on the intake path."""

    lead_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"lead {self.lead_id}: notice due"


class LeadTouch(models.Model):
    """A lead whose counted figures changed since the counters were last brought up to date.

    Written in the same transaction as the change, so a change and its mark commit together;
    ``leads.counters.refresh`` recomputes what the marked leads feed, then deletes exactly the
    marks it read (a mark written meanwhile survives for the next refresh). No foreign key: a
    mark costs one narrow INSERT on the intake path."""

    lead_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"lead {self.lead_id} changed"


class LeadDay(models.Model):
    """Leads submitted on one day (Paris time) in one status, and the amount won: the
    dashboard's counters, recomputed day by day from the leads (never added to by hand)."""

    day = models.DateField()
    status = models.CharField(max_length=16, choices=LeadStatus.choices)
    leads = models.PositiveIntegerField(default=0)
    won_amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "status"], name="lead_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.status}: {self.leads}"
