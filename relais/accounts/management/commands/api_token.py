"""``manage.py api_token create --email E --scopes read,write`` prints a new token once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from relais.accounts import services
from relais.accounts.models import User
from relais.core.errors import DomainError


class Command(BaseCommand):
    help = "Create (or list, or revoke) API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it once")
        create.add_argument("--email", required=True)
        create.add_argument("--scopes", default="read", help="comma-separated: read,write")
        create.add_argument("--name", default="command line")
        listing = sub.add_parser("list", help="list a user's tokens")
        listing.add_argument("--email", required=True)
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("--email", required=True)
        revoke.add_argument("--prefix", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["email"].strip().lower()).first()
        if user is None:
            raise CommandError(f"No user with e-mail {options['email']}.")
        action = options["action"]
        if action == "create":
            scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
            try:
                _token, raw = services.api_token_create(
                    user=user, name=options["name"], scopes=scopes
                )
            except (DomainError, ValueError) as exc:
                raise CommandError(f"Cannot create the token: {exc}") from exc
            self.stdout.write(raw)
        elif action == "list":
            for token in user.api_tokens.all():
                state = "revoked" if token.revoked_at else "active"
                self.stdout.write(
                    f"{token.prefix}…  {token.name}  {','.join(token.scopes)}  {state}"
                )
        else:
            found = user.api_tokens.filter(prefix=options["prefix"]).first()
            if found is None:
                raise CommandError(f"No token starting with {options['prefix']}.")
            services.api_token_revoke(token=found)
            self.stdout.write(f"Revoked {found.prefix}…")
