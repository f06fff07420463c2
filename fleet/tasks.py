"""Fleet-wide periodic tasks: the scheduler heartbeat and device command results."""

from dataclasses import asdict
from typing import Any

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from accounts.models import TracksolidAccount
from fleet import commands
from fleet.health import HEARTBEAT_KEY
from fleet.models import Command
from tracksolid.errors import RateLimited, TracksolidUnavailable


@shared_task(name="fleet.tasks.record_heartbeat", expires=25, ignore_result=True)
def record_heartbeat() -> None:
    """Proof for /healthz that beat schedules and a worker runs tasks."""
    cache.set(HEARTBEAT_KEY, timezone.now(), timeout=3600)


@shared_task(
    name="fleet.tasks.poll_command_results",
    expires=14,
    autoretry_for=(TracksolidUnavailable, RateLimited),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=3,
    ignore_result=True,
)
def poll_command_results(account_id: int) -> dict[str, Any] | None:
    account = TracksolidAccount.objects.filter(pk=account_id, is_active=True).first()
    if account is None:
        return None
    return asdict(commands.poll_command_results(account=account))


@shared_task(name="fleet.tasks.poll_all_command_results", expires=14, ignore_result=True)
def poll_all_command_results() -> list[int]:
    """Only accounts with commands waiting for an answer: most runs enqueue nothing."""
    ids = list(
        Command.objects.awaiting_answer()
        .filter(account__is_active=True)
        .values_list("account_id", flat=True)
        .distinct()
        .order_by()
    )
    for account_id in ids:
        poll_command_results.apply_async(args=(account_id,), expires=14)
    return ids
