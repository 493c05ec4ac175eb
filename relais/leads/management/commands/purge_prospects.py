"""``manage.py purge_prospects``: run daily; anonymises prospects past the retention period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from relais.leads.gdpr import retention_purge


class Command(BaseCommand):
    help = "Anonymise prospects whose last own contact is older than the legal retention period."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{retention_purge()} prospects anonymised.")
