"""``backfill``: fill one device's position gaps from the vendor's track history, with progress."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_date, parse_datetime

from fleet.models import Device
from telemetry.backfill import WindowReport, backfill_gaps
from tracksolid.errors import TracksolidError


def parse_when(text: str) -> datetime:
    """``2026-09-01``, ``2026-09-01 08:00`` or ISO 8601; naive values are UTC."""
    value = parse_datetime(text)
    if value is None:
        day = parse_date(text)
        if day is None:
            raise CommandError(f"not a date or date-time: {text!r} (e.g. 2026-09-01)")
        value = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = (
        "Fetch jimi.device.track.list for every gap of a device's stored positions in a range "
        "(7-day windows, within the vendor's ~3-month history) and store it as back-filled."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--device", required=True, help="The device's IMEI.")
        parser.add_argument("--since", required=True, help="Start (UTC), e.g. 2026-09-01.")
        parser.add_argument("--until", help="End (UTC); default now.")

    def handle(self, *args: Any, **options: Any) -> None:
        device = Device.objects.select_related("account").filter(imei=options["device"]).first()
        if device is None:
            raise CommandError(f"no device with IMEI {options['device']}")
        since = parse_when(options["since"])
        until = parse_when(options["until"]) if options["until"] else None
        if until is not None and until <= since:
            raise CommandError("--until must be after --since")

        def progress(report: WindowReport) -> None:
            self.stdout.write(
                f"[{report.index}/{report.total}] {report.begin:%Y-%m-%d %H:%M} → "
                f"{report.end:%Y-%m-%d %H:%M}: {report.fetched} points, {report.stored} new"
            )

        try:
            result = backfill_gaps(device=device, since=since, until=until, progress=progress)
        except (TracksolidError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        if not result.ran:
            raise CommandError(f"a back-fill of {device.imei} is already running")
        for error in result.errors:
            self.stderr.write(error)
        self.stdout.write(
            self.style.SUCCESS(
                f"{device.imei}: {result.gaps} gaps, {result.windows} windows fetched, "
                f"{result.fetched} points, {result.stored} new positions."
            )
        )
