"""Customers, the surveys sent to them, their answers, the counters NPS is read from, the
follow-up of detractors and the invitations of promoters."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from relais.core.import_models import ImportBatch, ImportRowError
from relais.core.models import Departement
from relais.leads.models import Lead, ProductCategory
from relais.partners.models import Partner
from relais.surveys.choices import CustomerSource, Dimension, SendState


class Customer(models.Model):
    """Someone who bought: from a won lead (``lead`` set, once per lead) or imported."""

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    departement = models.ForeignKey(
        Departement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("département"),
    )
    product = models.ForeignKey(
        ProductCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    reseller = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reseller"),
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("salesperson"),
    )
    lead = models.OneToOneField(
        Lead, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=10, choices=CustomerSource.choices)
    won_at = models.DateTimeField(_("won"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set, under the customer's row lock, when a survey is queued for them: the throttle.
    last_surveyed_at = models.DateTimeField(_("last surveyed"), null=True, blank=True)
    # Set when the retention period blanked the personal fields (the scores stay counted).
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("customer")
        indexes = [models.Index(fields=["won_at"], name="surveys_customer_won")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        person = f"{self.first_name} {self.last_name}".strip()
        return self.company_name or person or self.email


class SurveyRequest(models.Model):
    """One survey for one customer and occasion ("won:<lead id>", "set:<uuid>"): the pair is
    unique, so a sweep or a manager's send run twice queues it once. It is sent once (the
    campaigns' queued → sending → sent, committed before the server sees the message) and
    reminded once at most."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="surveys")
    occasion = models.CharField(max_length=60)
    created_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=SendState.choices, default=SendState.QUEUED)
    skip_reason = models.CharField(max_length=40, blank=True)
    failure = models.CharField(max_length=300, blank=True)
    sending_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True)
    reminder_state = models.CharField(max_length=10, choices=SendState.choices, blank=True)
    reminder_sending_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "occasion"], name="surveys_request_once")
        ]
        indexes = [
            models.Index(fields=["state", "created_at"], name="surveys_request_state"),
            models.Index(fields=["reminder_state", "sent_at"], name="surveys_request_remind"),
        ]

    def __str__(self) -> str:
        return f"{self.occasion} #{self.pk}"


class Answer(models.Model):
    """The customer's answer to one survey: one row, whose score a second click changes. The
    groups it counts in (month, product, département, reseller, salesperson) are copied at the
    first click, so a later change moves the same counters."""

    request = models.OneToOneField(SurveyRequest, on_delete=models.CASCADE, related_name="answer")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="answers")
    score = models.PositiveSmallIntegerField(_("score"))
    answered_at = models.DateTimeField(_("answered"))
    changed_at = models.DateTimeField(null=True, blank=True)
    month = models.DateField()
    product_id_copy = models.BigIntegerField(null=True)
    departement_code = models.CharField(max_length=3, blank=True)
    reseller_id_copy = models.BigIntegerField(null=True)
    salesperson_id_copy = models.BigIntegerField(null=True)
    comment = models.TextField(_("comment"), blank=True)
    commented_at = models.DateTimeField(null=True, blank=True)
    publish_consent = models.BooleanField(_("may be published"), default=False)
    consent_wording = models.TextField(blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=10), name="surveys_score_0_10")
        ]
        indexes = [models.Index(fields=["answered_at"], name="surveys_answer_at")]

    def __str__(self) -> str:
        return f"{self.score}/10 #{self.pk}"


# The month of a group's all-time counter row (no answer is that old).
ALL_TIME = date(1, 1, 1)


class NpsCounter(models.Model):
    """How many promoters, passives and detractors a group has in a month, moved by each answer
    (and each change) in the answer's transaction: results read these, never the answers."""

    dimension = models.CharField(max_length=12, choices=Dimension.choices)
    key = models.CharField(max_length=40, blank=True)
    month = models.DateField()
    promoters = models.IntegerField(default=0)
    passives = models.IntegerField(default=0)
    detractors = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "key", "month"], name="surveys_counter_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dimension}:{self.key} {self.month}"


class FollowUp(models.Model):
    """A detractor called back: by the salesperson who sold, else the managers (the reseller who
    sold is named so they can be asked), due in a few days, reminded once, closed with its
    outcome."""

    answer = models.OneToOneField(Answer, on_delete=models.CASCADE, related_name="follow_up")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    reseller = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    due_on = models.DateField(_("due"))
    reminded_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["done_at", "due_on"], name="surveys_followup_due")]

    def __str__(self) -> str:
        return f"follow-up #{self.pk}"


class Invitation(models.Model):
    """A promoter asked to become an introducer: once per customer; used once, when accepting
    creates the candidate partner."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="invitation")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=SendState.choices, default=SendState.QUEUED)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    partner = models.OneToOneField(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"invitation #{self.pk}"


class CustomerImport(ImportBatch):
    """An uploaded customer file: its mapping, its dry run or import, its progress."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file = models.FileField(upload_to="imports/customers/%Y/%m/")


class CustomerImportError(ImportRowError):
    batch = models.ForeignKey(CustomerImport, on_delete=models.CASCADE, related_name="errors")
