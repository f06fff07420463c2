"""``GET /healthz``: database, broker and scheduler status for load balancers and compose."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from fleet.celery import app as celery_app

HEARTBEAT_KEY = "fleet:scheduler-heartbeat"
_STARTED = time.monotonic()


def check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def check_broker() -> dict[str, Any]:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "transport": conn.transport_cls}


def check_scheduler() -> dict[str, Any]:
    """Beat sends ``fleet.tasks.record_heartbeat`` and a worker runs it: fresh means both work."""
    beat = cache.get(HEARTBEAT_KEY)
    if beat is None:
        starting = time.monotonic() - _STARTED < settings.SCHEDULER_STALE_AFTER
        return {"ok": starting, "last_heartbeat": None, "state": "starting" if starting else "down"}
    age = (timezone.now() - beat).total_seconds()
    ok = age < settings.SCHEDULER_STALE_AFTER
    return {
        "ok": ok,
        "last_heartbeat": beat.isoformat(),
        "age_seconds": round(age, 1),
        "state": "ok" if ok else "stale",
    }


CHECKS = {"database": check_database, "broker": check_broker, "scheduler": check_scheduler}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    results: dict[str, dict[str, Any]] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure is the answer, never a 500
            results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    healthy = all(result["ok"] for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", "checks": results},
        status=200 if healthy else 503,
    )
