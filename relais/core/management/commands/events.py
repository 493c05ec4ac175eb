"""The domain-event outbox seen from the shell: what waits, what failed, and replaying it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from relais.core import events, outbox


class Command(BaseCommand):
    help = (
        "Show the domain-event deliveries that failed and are still waiting (default), "
        "list who subscribes to what (--handlers), or retry them now (--replay [ID ...])."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--handlers", action="store_true", help="list every subscription")
        parser.add_argument(
            "--replay",
            nargs="*",
            type=int,
            metavar="ID",
            help="make these deliveries (all unfinished ones if no ID) due now and deliver",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["handlers"]:
            for kind, handler in events.subscriptions():
                self.stdout.write(f"{kind} -> {handler}")
            return
        if options["replay"] is not None:
            made_due = outbox.replay(options["replay"] or None)
            self.stdout.write(f"{made_due} made due; {outbox.deliver_all()}")
        self._show_stuck()

    def _show_stuck(self) -> None:
        age = outbox.oldest_undelivered_age()
        self.stdout.write(f"oldest undelivered event: {'none' if age is None else age}")
        for delivery in outbox.stuck():
            self.stdout.write(
                f"#{delivery.pk} {delivery.event} -> {delivery.handler} "
                f"attempts={delivery.attempts} next={delivery.next_attempt_at:%Y-%m-%d %H:%M:%S} "
                f"error={delivery.last_error.splitlines()[-1] if delivery.last_error else ''}"
            )
