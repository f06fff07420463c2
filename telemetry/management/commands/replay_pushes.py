"""Reprocess kept raw pushes through the ingest path (after a fix, or after a failure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from telemetry.models import RawPush
from telemetry.pushes import replay_push


def _when(text: str) -> datetime:
    """An ISO 8601 time with zone, or a date (midnight UTC)."""
    if len(text) == 10:
        text += "T00:00:00+00:00"
    value = parse_datetime(text)
    if value is None or value.tzinfo is None:
        raise CommandError(
            f"cannot read {text!r}; use a date or a time with zone, e.g."
            " 2026-11-26 or 2026-11-26T08:00:00Z"
        )
    return value


class Command(BaseCommand):
    help = "Replay kept pushes: the failed ones (default), or every push in a time range."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--failed", action="store_true", help="failed and partly rejected pushes (the default)"
        )
        parser.add_argument("--since", help="received at or after (ISO 8601 with zone)")
        parser.add_argument("--until", help="received before (ISO 8601 with zone)")
        parser.add_argument("--account", type=int, help="only this Tracksolid account id")
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        pushes = RawPush.objects.order_by("id")
        if options["since"]:
            pushes = pushes.filter(received_at__gte=_when(options["since"]))
        if options["until"]:
            pushes = pushes.filter(received_at__lt=_when(options["until"]))
        if options["failed"] or not (options["since"] or options["until"]):
            pushes = pushes.filter(status__in=[RawPush.Status.FAILED, RawPush.Status.PARTIAL])
        if options["account"]:
            pushes = pushes.filter(account_id=options["account"])
        total = pushes.count()
        if options["dry_run"]:
            self.stdout.write(f"{total} pushes would be replayed")
            return
        outcomes: dict[str, int] = {}
        for done, raw in enumerate(pushes.select_related("account").iterator(chunk_size=200), 1):
            status = replay_push(raw=raw).status
            outcomes[status] = outcomes.get(status, 0) + 1
            if done % 500 == 0:
                self.stdout.write(f"  {done}/{total}")
        summary = ", ".join(f"{n} {status}" for status, n in sorted(outcomes.items())) or "none"
        self.stdout.write(self.style.SUCCESS(f"replayed {total} pushes: {summary}"))
