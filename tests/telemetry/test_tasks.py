"""Tests for telemetry.tasks, called directly (never in eager mode)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import TracksolidAccount
from fleet.models import Device
from fleet.schedules import DEFAULT_SCHEDULES
from telemetry import tasks
from telemetry.models import Alarm, PollCursor, Position, Stop, Trip
from tests.simulator_fixtures import account_on, vendor_calls
from tracksolid.errors import RateLimited, TracksolidUnavailable
from tracksolid.simulator import Simulator

pytestmark = pytest.mark.django_db

POLL_TASKS = [
    tasks.poll_locations,
    tasks.poll_trips,
    tasks.poll_stops,
    tasks.poll_alarms,
    tasks.sync_devices,
    tasks.backfill_gaps,
]


def test_the_location_task_polls_the_account(
    simulator: Simulator, sim_account: TracksolidAccount
) -> None:
    summary = tasks.poll_locations(sim_account.pk)
    assert summary is not None and summary["ran"] and summary["fetched"] > 0
    assert Position.objects.exists()
    assert vendor_calls(simulator)["jimi.user.device.location.list"] == 1


def test_every_poll_task_runs_its_service_and_leaves_a_cursor(
    simulator: Simulator, sim_account: TracksolidAccount
) -> None:
    tasks.sync_devices(sim_account.pk)
    assert Device.objects.filter(account=sim_account).count() == len(simulator.imeis())
    for task in (tasks.poll_trips, tasks.poll_stops, tasks.poll_alarms, tasks.backfill_gaps):
        summary = task(sim_account.pk)
        assert summary is not None and summary["ran"] and summary["errors"] == []
    pollers = set(PollCursor.objects.filter(account=sim_account).values_list("poller", flat=True))
    assert pollers == {"device_sync", "trips", "stops", "alarms", "backfill"}
    assert "1006" not in simulator.counters()["errors"]


@pytest.mark.parametrize("task", POLL_TASKS, ids=lambda t: t.name)
def test_a_task_for_an_account_that_is_gone_does_nothing(task: Any, db: None) -> None:
    assert task(987654) is None


def test_an_inactive_account_is_not_polled(
    simulator: Simulator, sim_account: TracksolidAccount
) -> None:
    TracksolidAccount.objects.filter(pk=sim_account.pk).update(is_active=False)
    assert tasks.poll_locations(sim_account.pk) is None
    assert vendor_calls(simulator) == {}


@pytest.mark.parametrize("task", POLL_TASKS, ids=lambda t: t.name)
def test_vendor_outages_and_rate_limits_are_retried_with_backoff(task: Any) -> None:
    assert set(task.autoretry_for) == {TracksolidUnavailable, RateLimited}
    assert task.retry_backoff and task.retry_jitter


def test_a_fan_out_enqueues_one_task_per_active_account(
    simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = account_on(simulator, slug="one")
    second = account_on(simulator, slug="two")
    idle = account_on(simulator, slug="three")
    idle.is_active = False
    idle.save()
    sent: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        tasks.poll_locations, "apply_async", lambda args, expires: sent.append((args, expires))
    )

    assert sorted(tasks.poll_all_locations()) == sorted([first.pk, second.pk])

    assert sorted(sent) == sorted([((first.pk,), 25), ((second.pk,), 25)])


def test_every_fan_out_has_a_default_schedule() -> None:
    scheduled = {entry.task: entry for entry in DEFAULT_SCHEDULES}
    expected = {
        "telemetry.tasks.poll_all_locations": 30,
        "telemetry.tasks.poll_all_alarms": 120,
        "telemetry.tasks.poll_all_trips": 900,
        "telemetry.tasks.poll_all_stops": 900,
        "telemetry.tasks.backfill_all_gaps": 1800,
        "telemetry.tasks.sync_all_devices": 3600,
    }
    for name, every in expected.items():
        assert scheduled[name].every_seconds == every
        assert getattr(tasks, name.rsplit(".", 1)[1]).name == name


def test_catching_up_a_new_account_brings_its_devices_history_and_reports(
    simulator: Any, sim_account: TracksolidAccount
) -> None:
    summary = tasks.catch_up_account(sim_account.pk, days=2)
    assert summary is not None
    assert summary["devices"]["stored"]["created"] >= 8
    assert summary["history"]["stored"] > 100
    assert Position.objects.filter(source="backfill").exists()
    assert Trip.objects.exists()
    # Again: the history is there, nothing is stored twice.
    again = tasks.catch_up_account(sim_account.pk, days=2)
    assert again is not None and again["history"]["stored"] <= 5


def test_catching_up_fetches_trips_and_stops_over_the_whole_history_window(
    simulator: Simulator, sim_account: TracksolidAccount
) -> None:
    started = timezone.now()
    today = started.replace(hour=0, minute=0, second=0, microsecond=0)
    yesterday = (today - timedelta(days=1), today)
    # Older than the pollers' own first-run window (one day back from now).
    before_first_run_window = started - timedelta(days=1, hours=1)

    summary = tasks.catch_up_account(sim_account.pk, days=2)

    assert summary is not None
    for name in ("trips", "stops", "alarms"):
        assert summary[name]["errors"] == []
    imeis = set(simulator.imeis())
    trip_devices = set(
        Trip.objects.filter(start_time__range=yesterday).values_list("device__imei", flat=True)
    )
    stop_devices = set(
        Stop.objects.filter(start_time__range=yesterday).values_list("device__imei", flat=True)
    )
    assert trip_devices and trip_devices <= imeis
    assert stop_devices and stop_devices <= imeis
    assert Trip.objects.filter(start_time__lt=before_first_run_window).exists()
    assert Stop.objects.filter(start_time__lt=before_first_run_window).exists()
    # The cursors stand at now: the next regular poll continues from here.
    for poller in ("trips", "stops", "alarms"):
        position = PollCursor.objects.get(account=sim_account, poller=poller).position
        assert position is not None and position >= started - timedelta(minutes=5)


def test_catching_up_twice_stores_no_trip_stop_or_alarm_twice(
    simulator: Simulator, sim_account: TracksolidAccount
) -> None:
    tasks.catch_up_account(sim_account.pk, days=2)
    counts = (Trip.objects.count(), Stop.objects.count(), Alarm.objects.count())
    assert counts[0] and counts[1]

    tasks.catch_up_account(sim_account.pk, days=2)

    assert (Trip.objects.count(), Stop.objects.count(), Alarm.objects.count()) == counts
