"""Tests for tracksolid.client_tracking (spec sections 5 and 6) against the simulator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tracksolid import client_tracking
from tracksolid.client import TracksolidClient
from tracksolid.errors import BusinessError, IllegalUserOrDevice, ParameterError, RetentionExceeded
from tracksolid.records import DeviceLocation, TrackPoint
from tracksolid.simulator.testing import run_simulator

UNKNOWN = "860000000000000"


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    with run_simulator(
        devices=10, seed=2, app_key="k", app_secret="s", user_id="demo", password="demo"
    ) as simulator:
        yield simulator


def kind(sim: Any, wanted: str) -> str:
    return next(
        imei
        for imei, dev in sim.world.devices.items()
        if dev.kind == wanted and not getattr(dev, "never_reported", False)
    )


def calls(sim: Any, method: str) -> int:
    return int(sim.counters()["calls"].get(method, 0))


def now() -> datetime:
    return datetime.now(UTC)


def test_user_device_location_list_returns_the_fleet_typed(
    client: TracksolidClient, sim: Any
) -> None:
    locations = client.user_device_location_list()
    assert locations and all(isinstance(x, DeviceLocation) for x in locations)
    moving = [x for x in locations if x.lat is not None]
    assert moving and all(isinstance(x.lat, float) for x in moving)
    assert all(x.online in (True, False) and x.acc in (True, False) for x in locations)
    assert all(x.gps_time is not None and x.gps_time.tzinfo is UTC for x in locations)
    assert all(isinstance(x.current_mileage, float) for x in locations)


def test_user_device_location_list_leaves_out_devices_that_never_reported(
    client: TracksolidClient, sim: Any
) -> None:
    listed = {x.imei for x in client.user_device_location_list()}
    assert len(listed) == len(sim.imeis()) - 1


def test_an_expired_device_has_no_position_and_is_flagged(
    client: TracksolidClient, sim: Any
) -> None:
    expired = [x for x in client.user_device_location_list() if x.expired]
    assert expired and all(x.lat is None and x.lng is None for x in expired)


def test_user_device_location_list_of_an_unknown_account_is_an_illegal_user(
    client: TracksolidClient,
) -> None:
    with pytest.raises(IllegalUserOrDevice):
        client.user_device_location_list(target="stranger")


def test_device_location_get_chunks_imeis_by_its_batch_size(
    client: TracksolidClient, sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client_tracking, "LOCATION_BATCH", 4)
    before = calls(sim, "jimi.device.location.get")
    locations = client.device_location_get(sim.imeis())
    assert calls(sim, "jimi.device.location.get") - before == 3
    assert len(locations) == len(sim.imeis()) - 1


def test_device_location_get_sends_up_to_100_imeis_in_one_call() -> None:
    assert client_tracking.LOCATION_BATCH == 100
    assert client_tracking.BATCH == 50


def test_device_location_get_of_an_unknown_imei_is_an_illegal_device(
    client: TracksolidClient,
) -> None:
    with pytest.raises(IllegalUserOrDevice):
        client.device_location_get([UNKNOWN])


def test_device_location_url_share_returns_a_url(client: TracksolidClient, sim: Any) -> None:
    url = client.device_location_url_share(sim.imeis()[0])
    assert url is not None and url.startswith("http://127.0.0.1")
    with pytest.raises(IllegalUserOrDevice):
        client.device_location_url_share(UNKNOWN)


def test_device_track_list_splits_a_long_range_into_7_day_windows(
    client: TracksolidClient, sim: Any
) -> None:
    imei = kind(sim, "vehicle")
    before = calls(sim, "jimi.device.track.list")
    points = client.device_track_list(imei, now() - timedelta(days=15), now())
    assert calls(sim, "jimi.device.track.list") - before == 3
    assert points and all(isinstance(p, TrackPoint) for p in points)
    times = [p.gps_time for p in points]
    assert times == sorted(times)  # type: ignore[type-var]
    # Window boundaries are inclusive on the vendor side; the shared point is kept once.
    keys = [(p.gps_time, p.lat, p.lng) for p in points]
    assert len(set(keys)) == len(keys)


def test_track_points_have_booleans_numbers_and_named_position_types(
    client: TracksolidClient, sim: Any
) -> None:
    points = client.device_track_list(kind(sim, "vehicle"), now() - timedelta(days=1), now())
    assert {p.acc for p in points} <= {True, False}
    assert {p.pos_type for p in points} == {"GPS"}
    assert all(isinstance(p.speed, float) for p in points)
    assert {p.reuploaded for p in points} == {False}


def test_tag_track_points_have_unknown_speed(client: TracksolidClient, sim: Any) -> None:
    points = client.device_track_list(kind(sim, "tag"), now() - timedelta(days=2), now())
    assert points and {p.speed for p in points} == {None}
    assert {p.pos_type for p in points} == {"BEACON"}


def test_device_track_list_refuses_a_range_beyond_the_retention_horizon(
    client: TracksolidClient, sim: Any
) -> None:
    before = calls(sim, "jimi.device.track.list")
    with pytest.raises(RetentionExceeded, match="90 days"):
        client.device_track_list(sim.imeis()[0], now() - timedelta(days=100), now())
    assert calls(sim, "jimi.device.track.list") == before


def test_device_track_list_clamps_an_end_in_the_future(client: TracksolidClient, sim: Any) -> None:
    points = client.device_track_list(
        kind(sim, "vehicle"), now() - timedelta(days=2), now() + timedelta(days=1)
    )
    assert points


def test_device_track_list_of_an_unknown_imei_is_an_illegal_device(
    client: TracksolidClient,
) -> None:
    with pytest.raises(IllegalUserOrDevice):
        client.device_track_list(UNKNOWN, now() - timedelta(days=1), now())


def test_device_track_list_refuses_naive_datetimes(client: TracksolidClient) -> None:
    with pytest.raises(TypeError):
        client.device_track_list("x", datetime(2024, 1, 1), datetime(2024, 1, 2))


def test_device_track_mileage_returns_trips_in_the_configured_unit(
    client: TracksolidClient, sim: Any
) -> None:
    trips = client.device_track_mileage(sim.imeis(), now() - timedelta(days=2), now())
    assert trips
    trip = trips[0]
    assert trip.distance_unit == "m"
    assert trip.distance is not None and trip.distance_km == pytest.approx(trip.distance / 1000)
    assert isinstance(trip.duration_s, int)
    assert trip.start_time is not None and trip.start_time.tzinfo is UTC


def test_device_track_mileage_pages_to_the_end(client: TracksolidClient, sim: Any) -> None:
    everything = client.device_track_mileage(sim.imeis(), now() - timedelta(days=2), now())
    before = calls(sim, "jimi.device.track.mileage")
    paged = client.device_track_mileage(sim.imeis(), now() - timedelta(days=2), now(), page_size=7)
    assert calls(sim, "jimi.device.track.mileage") - before >= len(everything) // 7
    assert [(t.imei, t.start_time) for t in paged] == [(t.imei, t.start_time) for t in everything]


def test_device_track_mileage_of_an_unknown_imei_is_an_illegal_device(
    client: TracksolidClient,
) -> None:
    with pytest.raises(IllegalUserOrDevice):
        client.device_track_mileage([UNKNOWN], now() - timedelta(days=1), now())


def test_lbs_address_get_returns_a_position_with_accuracy(
    client: TracksolidClient, sim: Any
) -> None:
    fix = client.lbs_address_get(kind(sim, "vehicle"))
    assert isinstance(fix.lat, float) and isinstance(fix.accuracy, float)


def test_lbs_address_get_beyond_the_daily_quota_is_a_business_error(
    client: TracksolidClient, sim: Any
) -> None:
    imei = kind(sim, "obd")
    with pytest.raises(BusinessError):
        for _ in range(11):
            client.lbs_address_get(imei)


def test_open_platform_report_parking_pages_and_reads_iso_times(
    client: TracksolidClient, sim: Any
) -> None:
    stops = client.open_platform_report_parking(sim.imeis(), now() - timedelta(days=2), now())
    assert stops
    assert all(s.start_time is not None and s.start_time.tzinfo is UTC for s in stops)
    paged = client.open_platform_report_parking(
        sim.imeis(), now() - timedelta(days=2), now(), page_size=5
    )
    assert len(paged) == len(stops)


def test_open_platform_report_parking_with_a_bad_acc_type_is_a_parameter_error(
    client: TracksolidClient, sim: Any
) -> None:
    with pytest.raises(ParameterError):
        client.open_platform_report_parking(
            sim.imeis()[:1], now() - timedelta(days=1), now(), acc_type="9"
        )


def test_device_location_get_tag_msg_reads_a_beacon_position(
    client: TracksolidClient, sim: Any
) -> None:
    tag = client.device_location_get_tag_msg(kind(sim, "tag"))
    assert tag is not None
    assert tag.pos_type == "BEACON" and tag.speed is None
    assert isinstance(tag.lat, float) and tag.gps_time is not None


def test_device_location_get_tag_msg_of_a_vehicle_is_a_business_error(
    client: TracksolidClient, sim: Any
) -> None:
    with pytest.raises(BusinessError):
        client.device_location_get_tag_msg(kind(sim, "vehicle"))


def test_device_alarm_list_returns_typed_alarms_with_string_type_ids(
    client: TracksolidClient, sim: Any
) -> None:
    alarms = client.device_alarm_list(sim.imeis(), now() - timedelta(days=3), now())
    assert alarms
    alarm = alarms[0]
    assert isinstance(alarm.type_id, str) and alarm.type_name
    assert alarm.alarm_time is not None and alarm.alarm_time.tzinfo is UTC
    assert alarm.imei in sim.imeis()


def test_device_alarm_list_splits_a_long_range_into_month_windows(
    client: TracksolidClient, sim: Any
) -> None:
    before = calls(sim, "jimi.device.alarm.list")
    client.device_alarm_list(sim.imeis()[:2], now() - timedelta(days=60), now())
    assert calls(sim, "jimi.device.alarm.list") - before >= 3


def test_a_window_that_hits_the_row_cap_is_split_and_nothing_is_lost(
    client: TracksolidClient, sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    start, end = now() - timedelta(days=2), now() - timedelta(hours=1)
    expected = client.device_alarm_list(sim.imeis(), start, end)
    assert len(expected) > 40
    monkeypatch.setattr(client_tracking, "ALARM_ROW_CAP", 20)
    before = calls(sim, "jimi.device.alarm.list")
    split = client.device_alarm_list(sim.imeis(), start, end, page_size=8)
    assert calls(sim, "jimi.device.alarm.list") - before > len(expected) // 8
    assert sorted((a.imei, a.alarm_time, a.type_id) for a in split) == sorted(  # type: ignore[arg-type]
        (a.imei, a.alarm_time, a.type_id) for a in expected
    )


def test_device_alarm_list_without_a_range_returns_the_vendor_latest(
    client: TracksolidClient, sim: Any
) -> None:
    alarms = client.device_alarm_list(sim.imeis())
    assert 0 < len(alarms) <= 50


def test_device_alarm_list_of_an_unknown_imei_is_an_illegal_device(
    client: TracksolidClient,
) -> None:
    with pytest.raises(IllegalUserOrDevice):
        client.device_alarm_list([UNKNOWN], now() - timedelta(days=1), now())
