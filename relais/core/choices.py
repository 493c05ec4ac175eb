from django.db import models
from django.utils.translation import gettext_lazy as _


class TerritoryKind(models.TextChoices):
    DEPARTEMENT = "departement", _("Département")
    COLLECTIVITE = "collectivite", _("Overseas collectivity")


class JobState(models.TextChoices):
    """A slow action the task worker runs for a user (``core.jobs``); the values are the
    resumable jobs' own (``core.resumable``)."""

    QUEUED = "queued", _("Waiting for the task worker")
    RUNNING = "running", _("In progress")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
