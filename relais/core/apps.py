from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from relais.core import lookups


class CoreConfig(AppConfig):
    name = "relais.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from relais.core import checks  # noqa: F401 - registers the deploy checks

        lookups.register()
        self._schedule()
        # Infrastructure, not a business flow: the one signal Django offers after migrating.
        post_migrate.connect(analyze_after_migrations, sender=self)

    def _schedule(self) -> None:
        from datetime import timedelta

        from django.conf import settings

        from relais.core import jobs, outbox, scheduling

        every = timedelta(seconds=settings.RELAIS_EVENT_SWEEP_SECONDS)
        scheduling.register("core.events", every=every, job=outbox.sweep)
        resume = timedelta(seconds=settings.RELAIS_RESUME_SWEEP_SECONDS)
        scheduling.register("core.jobs", every=resume, job=jobs.requeue_stalled)


def analyze_after_migrations(using: str, plan: list[Any] | None = None, **_: Any) -> None:
    """SQLite plans with the statistics ANALYZE stored; an index a migration adds has none, and
    without them SQLite may sort a million leads instead of reading the new index (seen: the lead
    list took 5 s). PostgreSQL's autovacuum gathers its own; SQLite is analysed here, and only
    when migrations were applied."""
    connection = connections[using]
    if connection.vendor == "sqlite" and plan:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
