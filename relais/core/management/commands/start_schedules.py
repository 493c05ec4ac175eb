"""Arm the recurring jobs (SLA timers…) in the task worker; safe to run at every deployment."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from relais.core.scheduling import start_schedules


class Command(BaseCommand):
    help = "Arm the recurring jobs run by the task worker (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for schedule in start_schedules():
            self.stdout.write(f"{schedule.name}: next run {schedule.next_run_at:%Y-%m-%d %H:%M}")
