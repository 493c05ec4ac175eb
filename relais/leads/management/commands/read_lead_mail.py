"""``manage.py read_lead_mail --mbox FILE`` or ``--maildir DIR``: each message once."""

from __future__ import annotations

import mailbox
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from relais.leads.inbound import from_rfc822, handle_inbound


class Command(BaseCommand):
    help = "Turn partners' e-mails in an mbox file or a Maildir into leads."

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--mbox")
        source.add_argument("--maildir")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            box: mailbox.Mailbox = (
                mailbox.mbox(options["mbox"], create=False)
                if options["mbox"]
                else mailbox.Maildir(options["maildir"], create=False)
            )
            messages = list(box.iterkeys())
        except (OSError, mailbox.Error) as exc:
            raise CommandError(f"Cannot read the mailbox: {exc}") from exc
        outcomes: Counter[str] = Counter()
        for key in messages:
            outcomes[handle_inbound(from_rfc822(box.get_bytes(key)))] += 1
        self.stdout.write(
            ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items())) or "no message"
        )
