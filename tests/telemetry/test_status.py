"""Tests for telemetry.status: online, offline or unknown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings

from fleet.models import Device
from telemetry.models import DeviceState
from telemetry.status import device_status, last_seen, status_of

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
FRESH = NOW - timedelta(minutes=2)
STALE = NOW - timedelta(hours=1)


def state(
    *,
    gps_time: datetime | None = None,
    heartbeat: datetime | None = None,
    online: bool | None = None,
) -> DeviceState:
    return DeviceState(gps_time=gps_time, last_heartbeat_at=heartbeat, vendor_online=online)


def test_a_device_we_know_nothing_about_is_unknown() -> None:
    assert device_status(None, NOW) == "unknown"
    assert device_status(state(), NOW) == "unknown"


def test_without_data_the_vendor_flag_decides() -> None:
    assert device_status(state(online=True), NOW) == "online"
    assert device_status(state(online=False), NOW) == "offline"


def test_a_recent_position_is_online() -> None:
    assert device_status(state(gps_time=FRESH), NOW) == "online"
    assert device_status(state(gps_time=FRESH, online=True), NOW) == "online"


def test_a_recent_heartbeat_keeps_a_parked_device_online() -> None:
    assert device_status(state(gps_time=STALE, heartbeat=FRESH, online=True), NOW) == "online"


def test_nothing_heard_for_longer_than_the_timeout_is_offline_whatever_the_flag_says() -> None:
    assert device_status(state(gps_time=STALE, online=True), NOW) == "offline"
    assert device_status(state(gps_time=STALE, heartbeat=STALE), NOW) == "offline"


def test_the_vendor_saying_offline_wins_over_a_recent_position() -> None:
    assert device_status(state(gps_time=FRESH, online=False), NOW) == "offline"


@override_settings(DEVICE_OFFLINE_AFTER=60)
def test_the_timeout_is_configurable() -> None:
    assert device_status(state(gps_time=FRESH, online=True), NOW) == "offline"
    assert device_status(state(gps_time=NOW - timedelta(seconds=30)), NOW) == "online"
    assert device_status(state(gps_time=FRESH), NOW, offline_after=timedelta(hours=1)) == "online"


def test_last_seen_is_the_newer_of_position_and_heartbeat() -> None:
    assert last_seen(state(gps_time=STALE, heartbeat=FRESH)) == FRESH
    assert last_seen(state(gps_time=FRESH, heartbeat=STALE)) == FRESH
    assert last_seen(state()) is None


@pytest.mark.django_db
def test_status_of_a_device_reads_its_state(world) -> None:  # type: ignore[no-untyped-def]
    device: Device = world.devices[0]
    assert status_of(device, NOW) == "unknown"
    DeviceState.objects.create(device=device, gps_time=FRESH, updated_at=NOW)
    device = Device.objects.select_related("state").get(pk=device.pk)
    assert status_of(device, NOW) == "online"
