"""Display status in Python and SQL, epoch seconds, cursors and latest rows
(``telemetry/selectors.py``)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from fleet.models import Device
from telemetry.models import DeviceState
from telemetry.selectors import (
    EpochSeconds,
    InvalidCursor,
    display_status,
    latest_rows,
    make_cursor,
    parse_cursor,
    status_case,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
FRESH = NOW - timedelta(seconds=30)
STALE = NOW - timedelta(hours=2)


def state(**fields: object) -> DeviceState:
    return DeviceState(updated_at=NOW, **fields)


def test_a_device_without_a_state_is_unknown():
    assert display_status(None, NOW) == "unknown"


def test_a_device_with_nothing_heard_and_no_vendor_flag_is_unknown():
    assert display_status(state(), NOW) == "unknown"


def test_a_fresh_fix_at_speed_is_moving():
    assert display_status(state(gps_time=FRESH, speed=40.0, acc=True), NOW) == "moving"


def test_gps_drift_below_the_moving_speed_is_not_moving():
    assert display_status(state(gps_time=FRESH, speed=2.0, acc=False), NOW) == "parked"


def test_ignition_on_and_standing_is_idle():
    assert display_status(state(gps_time=FRESH, speed=0.0, acc=True), NOW) == "idle"


def test_ignition_off_is_parked():
    assert display_status(state(gps_time=FRESH, speed=0.0, acc=False), NOW) == "parked"


def test_a_stale_fix_is_offline_whatever_the_speed():
    assert display_status(state(gps_time=STALE, speed=80.0, acc=True), NOW) == "offline"


def test_a_recent_heartbeat_keeps_a_device_with_an_old_fix_online():
    parked = state(gps_time=STALE, last_heartbeat_at=FRESH, speed=0.0, acc=False)
    assert display_status(parked, NOW) == "parked"


def test_the_vendor_saying_offline_wins_over_a_fresh_fix():
    assert display_status(state(gps_time=FRESH, speed=50.0, vendor_online=False), NOW) == "offline"


@pytest.mark.django_db
def test_the_sql_status_agrees_with_the_python_status_in_every_case(world, settings):
    """Every combination of fix age, heartbeat age, vendor flag, speed and ignition."""
    settings.DEVICE_OFFLINE_AFTER = 600
    times = [None, FRESH, STALE]
    cases = list(
        itertools.product(
            times, times, [None, True, False], [None, 0.0, 2.0, 40.0], [None, True, False]
        )
    )
    devices = Device.objects.bulk_create(
        [Device(imei=f"99{i:013d}", organisation=world.acme) for i in range(len(cases))]
    )
    expected = {}
    rows = []
    for device, (gps, beat, vendor, speed, acc) in zip(devices, cases, strict=True):
        row = DeviceState(
            device=device, gps_time=gps, last_heartbeat_at=beat, vendor_online=vendor,
            speed=speed, acc=acc, updated_at=NOW,
        )  # fmt: skip
        rows.append(row)
        expected[device.pk] = display_status(row, NOW)
    DeviceState.objects.bulk_create(rows)
    from_states = dict(
        DeviceState.objects.filter(device__in=devices)
        .annotate(s=status_case(NOW))
        .values_list("device_id", "s")
    )
    assert from_states == expected
    without_state = Device.objects.create(imei="990000000000999", organisation=world.acme)
    expected[without_state.pk] = "unknown"
    from_devices = dict(
        Device.objects.filter(organisation=world.acme, imei__startswith="99")
        .annotate(s=status_case(NOW, "state__"))
        .values_list("id", "s")
    )
    assert from_devices == expected


@pytest.mark.django_db
def test_epoch_seconds_are_computed_by_the_database(world):
    moment = datetime(2026, 11, 26, 8, 30, 15, 500000, tzinfo=UTC)
    DeviceState.objects.create(device=world.devices[0], gps_time=moment, updated_at=moment)
    value = DeviceState.objects.annotate(t=EpochSeconds("gps_time")).values_list("t", flat=True)
    assert list(value) == [int(moment.timestamp())]


def test_a_cursor_reads_back_as_a_moment_two_seconds_earlier():
    assert parse_cursor(make_cursor(NOW)) == NOW - timedelta(seconds=2)


@pytest.mark.parametrize("cursor", ["", "abc", "2.123", "1.-5", "1.99999999999999999999999"])
def test_a_malformed_cursor_is_refused(cursor):
    with pytest.raises(InvalidCursor):
        parse_cursor(cursor)


@pytest.mark.django_db
def test_a_delta_includes_devices_that_just_went_offline_without_a_new_row(world, settings):
    settings.DEVICE_OFFLINE_AFTER = 600
    now = timezone.now()
    offline_after = timedelta(minutes=10)
    went_offline = DeviceState.objects.create(
        device=world.devices[0], gps_time=now - offline_after - timedelta(seconds=5),
        lat=1.0, lng=2.0, updated_at=now - offline_after - timedelta(seconds=5),
    )  # fmt: skip
    DeviceState.objects.create(
        device=world.devices[1], gps_time=now - timedelta(hours=3), lat=1.0, lng=2.0,
        updated_at=now - timedelta(hours=3),
    )  # fmt: skip
    rows = latest_rows(DeviceState.objects.all(), now=now, since=now - timedelta(seconds=30))
    assert [(r[0], r[5]) for r in rows] == [(went_offline.pk, "offline")]
