import socket
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from fleet import health
from fleet.celery import app as celery_app
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


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port bound but not listening: connecting to it is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_it_answers_503_when_the_broker_is_unreachable(
    client, db, settings, monkeypatch, closed_port
):
    record_heartbeat()
    url = f"redis://127.0.0.1:{closed_port}/0"
    # Celery copies Django's CELERY_* settings once, when its configuration is first used, so
    # the app is pointed at the dead broker too (its configuration read, and restored, first).
    monkeypatch.setitem(celery_app.conf, "broker_url", url)
    monkeypatch.setitem(celery_app.conf, "broker_write_url", None)
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", {})
    settings.CELERY_BROKER_URL = url
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["broker"]["error"]
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["scheduler"]["ok"] is True


def test_it_answers_200_again_once_the_broker_is_back(client, db):
    record_heartbeat()
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
