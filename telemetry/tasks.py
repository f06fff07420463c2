"""Celery tasks of the pollers: one per account and poller, and fan-outs beat runs.

Each task loads its account by id (a deleted or deactivated account is skipped), calls one
service, and returns a small JSON summary. Vendor outages and 1006 answers are retried with
back-off; a run that found its cursor claimed by another run returns at once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import shared_task
from celery.app.task import Task

from accounts.models import TracksolidAccount
from telemetry import backfill, pollers
from tracksolid.errors import RateLimited, TracksolidUnavailable

RETRY: dict[str, Any] = {
    "autoretry_for": (TracksolidUnavailable, RateLimited),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
    "ignore_result": True,
}


def _account(account_id: int) -> TracksolidAccount | None:
    return TracksolidAccount.objects.filter(pk=account_id, is_active=True).first()


def _summary(result: pollers.PollResult) -> dict[str, Any]:
    return {
        "ran": result.ran,
        "fetched": result.fetched,
        "stored": result.stored,
        "errors": list(result.errors),
    }


@shared_task(name="telemetry.tasks.poll_locations", expires=25, **RETRY)
def poll_locations(account_id: int) -> dict[str, Any] | None:
    account = _account(account_id)
    return _summary(pollers.poll_locations(account=account)) if account else None


@shared_task(name="telemetry.tasks.poll_trips", expires=14 * 60, **RETRY)
def poll_trips(account_id: int) -> dict[str, Any] | None:
    account = _account(account_id)
    return _summary(pollers.poll_trips(account=account)) if account else None


@shared_task(name="telemetry.tasks.poll_stops", expires=14 * 60, **RETRY)
def poll_stops(account_id: int) -> dict[str, Any] | None:
    account = _account(account_id)
    return _summary(pollers.poll_stops(account=account)) if account else None


@shared_task(name="telemetry.tasks.poll_alarms", expires=110, **RETRY)
def poll_alarms(account_id: int) -> dict[str, Any] | None:
    account = _account(account_id)
    return _summary(pollers.poll_alarms(account=account)) if account else None


@shared_task(name="telemetry.tasks.sync_devices", expires=55 * 60, **RETRY)
def sync_devices(account_id: int) -> dict[str, Any] | None:
    account = _account(account_id)
    return _summary(pollers.sync_account_devices(account=account)) if account else None


@shared_task(name="telemetry.tasks.backfill_gaps", expires=29 * 60, **RETRY)
def backfill_gaps(account_id: int) -> dict[str, Any] | None:
    account = _account(account_id)
    if account is None:
        return None
    result = backfill.backfill_gaps(account=account)
    return {
        "ran": result.ran,
        "gaps": result.gaps,
        "stored": result.stored,
        "errors": result.errors,
    }


@shared_task(name="telemetry.tasks.catch_up_account", **RETRY)
def catch_up_account(account_id: int, days: int = 2) -> dict[str, Any] | None:
    """A newly connected account: its devices, the history the vendor still keeps, and one run
    of every poller, so its first page shows more than what arrives from now on.

    Trips, stops and alarms are fetched over the same ``days`` as the track history (daily
    summaries of those days need them); the cursors still end at now, and the ingest path's
    unique keys plus the pollers' "ended before the last run" rule keep a second catch-up from
    storing anything twice.
    """
    account = _account(account_id)
    if account is None:
        return None
    summary: dict[str, Any] = {"devices": _summary(pollers.sync_account_devices(account=account))}
    imported = backfill.import_history(account=account, days=days)
    summary["history"] = {"windows": imported.windows, "stored": imported.stored}
    summary["locations"] = _summary(pollers.poll_locations(account=account))
    lookback = timedelta(days=days)
    for name, poll in (
        ("trips", pollers.poll_trips),
        ("stops", pollers.poll_stops),
        ("alarms", pollers.poll_alarms),
    ):
        summary[name] = _summary(poll(account=account, lookback=lookback))
    return summary


def fan_out(task: Task[Any, Any], expires: int) -> list[int]:
    """Enqueue ``task`` once per active account; returns the account ids."""
    ids = list(TracksolidAccount.objects.filter(is_active=True).values_list("pk", flat=True))
    for account_id in ids:
        task.apply_async(args=(account_id,), expires=expires)
    return ids


@shared_task(name="telemetry.tasks.poll_all_locations", expires=25, ignore_result=True)
def poll_all_locations() -> list[int]:
    return fan_out(poll_locations, 25)


@shared_task(name="telemetry.tasks.poll_all_trips", expires=14 * 60, ignore_result=True)
def poll_all_trips() -> list[int]:
    return fan_out(poll_trips, 14 * 60)


@shared_task(name="telemetry.tasks.poll_all_stops", expires=14 * 60, ignore_result=True)
def poll_all_stops() -> list[int]:
    return fan_out(poll_stops, 14 * 60)


@shared_task(name="telemetry.tasks.poll_all_alarms", expires=110, ignore_result=True)
def poll_all_alarms() -> list[int]:
    return fan_out(poll_alarms, 110)


@shared_task(name="telemetry.tasks.sync_all_devices", expires=55 * 60, ignore_result=True)
def sync_all_devices() -> list[int]:
    return fan_out(sync_devices, 55 * 60)


@shared_task(name="telemetry.tasks.backfill_all_gaps", expires=29 * 60, ignore_result=True)
def backfill_all_gaps() -> list[int]:
    return fan_out(backfill_gaps, 29 * 60)
