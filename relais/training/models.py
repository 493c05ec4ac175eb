"""Training: modules (text, a video, a document, a quiz) ordered into paths, each partner's
reading and quiz attempts, and the certificates that prove a module was completed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from relais.partners.models import Partner
from relais.training.choices import AttemptState, ModuleAudience, Validity


class Module(models.Model):
    """A unit of training written by managers. ``body`` is HTML cleaned on save (nh3);
    ``version`` goes up when the manager requires everyone to take it again, and only
    completions of the current version count."""

    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("text"), blank=True)
    video_url = models.URLField(_("video"), blank=True)
    document = models.FileField(_("document (PDF)"), upload_to="training/", blank=True)
    audience = models.CharField(
        _("for"), max_length=12, choices=ModuleAudience.choices, default=ModuleAudience.ALL
    )
    language = models.CharField(
        _("language"), max_length=2, choices=settings.LANGUAGES, default="fr"
    )
    # An engagement segment code ("dormant"...) narrowing the audience; empty: everyone in it.
    segment = models.CharField(_("segment"), max_length=12, blank=True)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (points)"), null=True, blank=True)
    attempts_allowed = models.PositiveSmallIntegerField(_("attempts allowed"), default=3)
    wait_minutes = models.PositiveIntegerField(_("wait between attempts (minutes)"), default=0)
    questions_per_attempt = models.PositiveSmallIntegerField(
        _("questions drawn per attempt"),
        null=True,
        blank=True,
        help_text=_("Empty: every question, in a shuffled order."),
    )
    validity = models.PositiveSmallIntegerField(
        _("certificate valid for"), choices=Validity.choices, default=Validity.FOREVER
    )
    required_for = models.CharField(
        _("required before working for"), max_length=12, choices=ModuleAudience.choices, blank=True
    )
    required_since = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("training module")
        verbose_name_plural = _("training modules")

    def __str__(self) -> str:
        return self.title


class Path(models.Model):
    """Modules in an order (e.g. "Démarrer comme revendeur")."""

    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    audience = models.CharField(
        _("for"), max_length=12, choices=ModuleAudience.choices, default=ModuleAudience.ALL
    )
    language = models.CharField(
        _("language"), max_length=2, choices=settings.LANGUAGES, default="fr"
    )
    published = models.BooleanField(_("published"), default=False)
    modules = models.ManyToManyField(Module, through="PathStep", related_name="paths")

    class Meta:
        ordering = ["title"]
        verbose_name = _("training path")
        verbose_name_plural = _("training paths")

    def __str__(self) -> str:
        return self.title


class PathStep(models.Model):
    path = models.ForeignKey(Path, on_delete=models.CASCADE, related_name="steps")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["path", "module"], name="path_step_once")]

    def __str__(self) -> str:
        return f"{self.path_id} · {self.position} · {self.module_id}"


class Question(models.Model):
    """A single- or multiple-choice question of a module's quiz (its bank)."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(_("question"))
    multiple = models.BooleanField(_("several answers are right"), default=False)
    points = models.PositiveSmallIntegerField(_("points"), default=1)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("answer"), max_length=300)
    correct = models.BooleanField(_("right answer"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class Reading(models.Model):
    """A partner read (opened to the end) a module's version."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="readings")
    version = models.PositiveIntegerField()
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "module", "version"], name="reading_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} read {self.module_id} v{self.version}"


class Attempt(models.Model):
    """One try at a module's quiz: the questions drawn and their order (``drawn``: question ids,
    ``order``: {question id: [choice ids]}), the answers given, the score. Checked on the server
    against the choices, never against what the page sent back about them."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="attempts")
    version = models.PositiveIntegerField()
    state = models.CharField(
        max_length=8, choices=AttemptState.choices, default=AttemptState.STARTED
    )
    drawn = models.JSONField(default=list)
    order = models.JSONField(default=dict)
    answers = models.JSONField(default=dict)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    out_of = models.PositiveSmallIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["partner", "module", "started_at"])]
        constraints = [
            # One attempt open at a time per partner and module (a double click opens one).
            models.UniqueConstraint(
                fields=["partner", "module"],
                condition=Q(state="started"),
                name="attempt_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} · {self.module_id} · {self.state}"


class Certificate(models.Model):
    """A module (or a path) completed: issued once per partner, module and version, with a
    public verification code. Expired or revoked, it no longer counts as done; done again (the
    quiz passed in a new round of attempts), the module gets the next ``round``'s certificate,
    and the lapsed one stays as it was, so its code still verifies as expired or revoked."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="certificates")
    module = models.ForeignKey(
        Module, on_delete=models.PROTECT, null=True, blank=True, related_name="certificates"
    )
    path = models.ForeignKey(
        Path, on_delete=models.PROTECT, null=True, blank=True, related_name="certificates"
    )
    version = models.PositiveIntegerField(default=1)
    round = models.PositiveIntegerField(default=1)
    code = models.CharField(_("verification code"), max_length=24, unique=True)
    issued_at = models.DateTimeField(_("issued"))
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "module", "version", "round"],
                condition=Q(module__isnull=False),
                name="certificate_once_per_module_version",
            ),
            models.UniqueConstraint(
                fields=["partner", "path", "round"],
                condition=Q(path__isnull=False),
                name="certificate_once_per_path",
            ),
            models.CheckConstraint(
                condition=Q(module__isnull=True) ^ Q(path__isnull=True),
                name="certificate_module_or_path",
            ),
        ]
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return self.code


class ExpiryReminder(models.Model):
    """A reminder sent before a certificate expires, once per certificate and delay."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="+")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "days_before"], name="expiry_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} −{self.days_before}d"
