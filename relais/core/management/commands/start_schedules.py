"""Arm the recurring jobs (SLA timers…) in the task worker; safe to run at every deployment."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from relais.core.scheduling import start_schedules


class Command(BaseCommand):
    help = "Arm the recurring jobs run by the task worker (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for schedule in start_schedules():
            # In the site's time zone, as every log line is (the stored value is UTC).
            due = timezone.localtime(schedule.next_run_at)
            self.stdout.write(f"{schedule.name}: next run {due:%Y-%m-%d %H:%M}")
