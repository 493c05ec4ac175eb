"""``manage.py send_reminders``: run once a day (cron or a scheduler); safe to run twice."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from relais.partners.services.reminders import reminders_send


class Command(BaseCommand):
    help = "E-mail contract renewal and yearly declaration reminders (each sent once)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = reminders_send()
        self.stdout.write(
            f"Reminders sent: {counts['renewals']} contract renewals, "
            f"{counts['declarations']} yearly declarations."
        )
