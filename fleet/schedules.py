"""Default periodic tasks, installed into django-celery-beat's tables where admins edit them.

Installed after every ``migrate`` (like Django's own permissions); an entry an admin changed or
disabled is left as it is, only missing ones are created.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DefaultSchedule:
    name: str
    task: str
    every_seconds: int
    description: str
    kwargs: dict[str, Any] | None = None

    @property
    def expires(self) -> int:
        # A run that waited longer than its interval is superseded by the next one.
        return max(1, self.every_seconds - 1)


DEFAULT_SCHEDULES: list[DefaultSchedule] = [
    DefaultSchedule(
        name="Scheduler heartbeat",
        task="fleet.tasks.record_heartbeat",
        every_seconds=20,
        description="Lets /healthz tell that beat and a worker are running.",
    ),
    DefaultSchedule(
        name="Poll latest locations",
        task="telemetry.tasks.poll_all_locations",
        every_seconds=30,
        description="One jimi.user.device.location.list call per active Tracksolid account.",
    ),
    DefaultSchedule(
        name="Poll command results",
        task="fleet.tasks.poll_all_command_results",
        every_seconds=15,
        description="jimi.open.instruction.result for devices with commands awaiting an answer.",
    ),
    DefaultSchedule(
        name="Poll alarms",
        task="telemetry.tasks.poll_all_alarms",
        every_seconds=120,
        description="jimi.device.alarm.list from each account's cursor, 50 devices a call.",
    ),
    DefaultSchedule(
        name="Poll trips",
        task="telemetry.tasks.poll_all_trips",
        every_seconds=15 * 60,
        description="jimi.device.track.mileage from each account's cursor, 50 devices a call.",
    ),
    DefaultSchedule(
        name="Poll parking and idling",
        task="telemetry.tasks.poll_all_stops",
        every_seconds=15 * 60,
        description="jimi.open.platform.report.parking (parking and idling), 50 devices a call.",
    ),
    DefaultSchedule(
        name="Back-fill position gaps",
        task="telemetry.tasks.backfill_all_gaps",
        every_seconds=30 * 60,
        description="Fills holes in stored positions from jimi.device.track.list.",
    ),
    DefaultSchedule(
        name="Sync devices and groups",
        task="telemetry.tasks.sync_all_devices",
        every_seconds=60 * 60,
        description="Mirrors each account's devices and groups (list, detail for changes).",
    ),
]


def install_default_schedules(**_: Any) -> int:
    """Create the missing default schedules; return how many were created."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    created = 0
    for entry in DEFAULT_SCHEDULES:
        if PeriodicTask.objects.filter(name=entry.name).exists():
            continue
        interval, _ = IntervalSchedule.objects.get_or_create(
            every=entry.every_seconds, period=IntervalSchedule.SECONDS
        )
        PeriodicTask.objects.create(
            name=entry.name,
            task=entry.task,
            interval=interval,
            kwargs=json.dumps(entry.kwargs or {}),
            expire_seconds=entry.expires,
            description=entry.description,
        )
        created += 1
    return created
