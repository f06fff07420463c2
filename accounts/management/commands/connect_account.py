"""``connect_account``: create or update a Tracksolid account, check it, print the push URL."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.services import AccountConnectionError, connect_account


class Command(BaseCommand):
    help = (
        "Create the organisation if needed, create or update its Tracksolid account, check the "
        "credentials by obtaining a token, and print the push URL and push token to register "
        "with the vendor."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="Organisation slug (created if new).")
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--region", help="Tracksolid node: hk, eu, us, cn or legacy.")
        where.add_argument("--base-url", help="A custom /route/rest URL, e.g. the simulator's.")
        parser.add_argument("--app-key", required=True)
        parser.add_argument("--app-secret", required=True)
        parser.add_argument("--user-id", required=True, help="The Tracksolid login.")
        parser.add_argument("--password", required=True, help="The Tracksolid password.")
        parser.add_argument("--target", help="Account whose devices to mirror (default: login).")
        parser.add_argument("--name", help="Account name in this organisation (default: login).")
        parser.add_argument(
            "--public-url", help="Our address as the vendor reaches it (default: PUBLIC_BASE_URL)."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            account = connect_account(
                org_slug=options["org"],
                name=options["name"],
                region=options["region"],
                base_url=options["base_url"],
                app_key=options["app_key"],
                app_secret=options["app_secret"],
                user_id=options["user_id"],
                password=options["password"],
                target=options["target"],
            )
        except AccountConnectionError as exc:
            raise CommandError(str(exc)) from None
        push_url = account.push_url(options["public_url"])
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "account_id": account.pk,
                        "organisation": account.organisation.slug,
                        "name": account.name,
                        "api_base_url": account.api_base_url,
                        "target": account.target,
                        "push_url": push_url,
                        "push_token": account.push_token,
                        "token_expires_at": (
                            account.token_expires_at.isoformat()
                            if account.token_expires_at
                            else None
                        ),
                    }
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Connected {account.name!r} of {account.organisation.slug!r} "
                f"({account.api_base_url}): credentials checked."
            )
        )
        self.stdout.write(f"Push URL:   {push_url}")
        self.stdout.write(f"Push token: {account.push_token}")
        self.stdout.write("Register both with Tracksolid to receive pushes.")
