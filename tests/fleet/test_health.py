from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from fleet import health
from fleet.tasks import record_heartbeat


def test_it_answers_200_with_every_check_when_healthy(client, db):
    record_heartbeat()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "scheduler"}
    assert body["checks"]["scheduler"]["state"] == "ok"


def test_it_answers_503_when_the_scheduler_heartbeat_is_stale(client, db, settings):
    cache.set(health.HEARTBEAT_KEY, timezone.now() - timedelta(minutes=10))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["scheduler"]["state"] == "stale"


def test_it_answers_503_when_the_database_is_down(client, db, monkeypatch):
    record_heartbeat()

    def broken() -> dict:
        raise ConnectionError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "connection refused" in response.json()["checks"]["database"]["error"]
