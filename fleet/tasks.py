"""Fleet-wide periodic tasks."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from fleet.health import HEARTBEAT_KEY


@shared_task(name="fleet.tasks.record_heartbeat", expires=25, ignore_result=True)
def record_heartbeat() -> None:
    """Proof for /healthz that beat schedules and a worker runs tasks."""
    cache.set(HEARTBEAT_KEY, timezone.now(), timeout=3600)
