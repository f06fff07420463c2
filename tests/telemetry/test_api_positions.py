"""API v1 live map feed and device tracks (``telemetry/api_positions.py``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from telemetry.ingest import ingest_records
from telemetry.models import Alarm, DeviceState, Position, Source, Stop
from tracksolid.push_records import AlarmEvent, GpsPoint

pytestmark = pytest.mark.django_db

DAY = datetime(2026, 11, 25, tzinfo=UTC)


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def drive(world, device, start: datetime, count: int, step: int = 10, speed: float = 36.0):
    points = [
        GpsPoint(
            imei=device.imei, gps_time=start + timedelta(seconds=step * i),
            lat=48.8 + i * 1e-4, lng=2.3 + (i % 7) * 1e-4, speed=speed, direction=90, acc=True,
        )
        for i in range(count)
    ]  # fmt: skip
    ingest_records(account=world.account, records=points, source="push")


# --- latest positions ---------------------------------------------------------------------------


def test_the_latest_positions_list_every_visible_device_as_a_compact_row(world):
    now = timezone.now()
    drive(world, world.devices[0], now - timedelta(seconds=30), 3)
    drive(world, world.devices[1], now - timedelta(hours=2), 1)
    body = client_for(world.dispatcher).get("/api/v1/positions/latest/").json()
    assert body["fields"] == [
        "id",
        "lat",
        "lng",
        "speed",
        "direction",
        "status",
        "gps_time",
        "name",
    ]
    assert body["cursor"].startswith("1.")
    assert datetime.fromisoformat(body["server_time"]).tzinfo is not None
    rows = {row[0]: row for row in body["devices"]}
    assert set(rows) == {world.devices[0].pk, world.devices[1].pk}
    latest = Position.objects.filter(device=world.devices[0]).latest("gps_time")
    assert rows[world.devices[0].pk] == [
        world.devices[0].pk, latest.lat, latest.lng, 36.0, 90, "moving",
        latest.gps_time.strftime("%Y-%m-%dT%H:%M:%SZ"), "Van 0",
    ]  # fmt: skip
    assert rows[world.devices[1].pk][5] == "offline"


def test_rows_carry_epoch_seconds_when_asked_and_refuse_an_unknown_time_format(world):
    drive(world, world.devices[0], timezone.now(), 1)
    api = client_for(world.dispatcher)
    latest = Position.objects.filter(device=world.devices[0]).latest("gps_time")

    epoch = api.get("/api/v1/positions/latest/", {"time_format": "epoch"}).json()
    wrong = api.get("/api/v1/positions/latest/", {"time_format": "unix"})

    assert epoch["devices"][0][6] == int(latest.gps_time.timestamp())
    assert wrong.status_code == 400
    assert wrong.json()["errors"] == {"time_format": ['must be "iso" or "epoch".']}


def test_another_organisation_sees_none_of_the_positions(world):
    drive(world, world.devices[0], timezone.now(), 1)
    body = client_for(world.outsider).get("/api/v1/positions/latest/").json()
    assert body["devices"] == []


def test_the_organisation_filter_narrows_the_feed(world):
    drive(world, world.devices[0], timezone.now(), 1)
    client = client_for(world.dispatcher)
    mine = client.get("/api/v1/positions/latest/", {"organisation": world.acme.pk}).json()
    assert [row[0] for row in mine["devices"]] == [world.devices[0].pk]
    other = client.get("/api/v1/positions/latest/", {"organisation": world.other.pk}).json()
    assert other["devices"] == []


def test_a_delta_lists_only_the_devices_that_changed_since_the_cursor(world):
    client = client_for(world.dispatcher)
    start = timezone.now() - timedelta(minutes=1)
    with time_machine.travel(start - timedelta(seconds=10), tick=False):
        drive(world, world.devices[0], start - timedelta(seconds=15), 1)
        drive(world, world.devices[1], start - timedelta(seconds=15), 1)
    with time_machine.travel(start, tick=False):
        cursor = client.get("/api/v1/positions/latest/").json()["cursor"]
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        drive(world, world.devices[1], start + timedelta(seconds=25), 1)
        delta = client.get("/api/v1/positions/latest/", {"since": cursor}).json()
    assert [row[0] for row in delta["devices"]] == [world.devices[1].pk]
    assert delta["cursor"] != cursor


def test_a_bad_cursor_is_a_400_with_its_code(world):
    response = client_for(world.dispatcher).get("/api/v1/positions/latest/", {"since": "junk"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


def test_the_latest_positions_take_one_query_however_many_devices(world, django_assert_num_queries):
    client = client_for(world.dispatcher)
    drive(world, world.devices[0], timezone.now(), 1)
    with django_assert_num_queries(1):
        client.get("/api/v1/positions/latest/")
    for device in world.devices:
        drive(world, device, timezone.now(), 2)
    with django_assert_num_queries(1):
        assert len(client.get("/api/v1/positions/latest/").json()["devices"]) == 3


def test_a_device_named_like_markup_is_plain_text_in_the_feed(world):
    name = "<img src=x onerror=alert(1)>"
    world.devices[0].device_name = name
    world.devices[0].save()
    drive(world, world.devices[0], timezone.now(), 1)
    response = client_for(world.dispatcher).get("/api/v1/positions/latest/")
    assert response["Content-Type"] == "application/json"
    assert response.json()["devices"][0][7] == name


# --- tracks ---------------------------------------------------------------------------------------


def track_url(device) -> str:
    return f"/api/v1/devices/{device.pk}/track/"


def test_a_track_within_the_budget_is_raw_with_its_stops_and_alarms(world):
    device = world.devices[0]
    drive(world, device, DAY + timedelta(hours=8), 100)
    Stop.objects.create(
        device=device, kind=Stop.Kind.PARKING, start_time=DAY + timedelta(hours=7),
        end_time=DAY + timedelta(hours=8), duration_s=3600, lat=48.8, lng=2.3,
    )  # fmt: skip
    ingest_records(
        account=world.account,
        records=[AlarmEvent(imei=device.imei, type_id="1", type_name="SOS", source="push",
                            alarm_time=DAY + timedelta(hours=8, minutes=5), lat=48.8, lng=2.3)],
        source="push",
    )  # fmt: skip
    body = (
        client_for(world.dispatcher)
        .get(track_url(device), {"from": "2026-11-25T07:30:00Z", "to": "2026-11-25T09:00:00Z"})
        .json()
    )
    assert body["device"] == device.pk
    assert body["from"] == "2026-11-25T07:30:00Z"
    assert body["simplified"] is False
    assert body["total_points"] == 100
    assert len(body["points"]) == 100
    first = body["points"][0]
    assert first == ["2026-11-25T08:00:00Z", 48.8, 2.3, 36.0, 90, True]
    assert [s["kind"] for s in body["stops"]] == ["parking"]
    assert body["stops"][0]["start"] == int((DAY + timedelta(hours=7)).timestamp())
    assert [(a["type_name"], a["acknowledged"]) for a in body["alarms"]] == [("SOS", False)]


def test_a_track_over_the_budget_is_simplified_keeping_its_ends(world):
    device = world.devices[0]
    drive(world, device, DAY, 3000)
    body = (
        client_for(world.dispatcher)
        .get(
            track_url(device),
            {"from": "2026-11-25", "to": "2026-11-25", "max_points": 500, "time_format": "epoch"},
        )
        .json()
    )
    assert body["simplified"] is True
    assert body["total_points"] == 3000
    assert 2 < len(body["points"]) <= 500
    assert body["points"][0][0] == int(DAY.timestamp())
    assert body["points"][-1][0] == int((DAY + timedelta(seconds=10 * 2999)).timestamp())


def test_a_date_only_range_covers_the_whole_day_in_the_users_zone(world):
    device = world.devices[0]
    # 23:30 UTC on the 24th is 00:30 on the 25th in Paris (alice's zone).
    drive(world, device, DAY - timedelta(minutes=30), 1)
    alice = client_for(world.admin)
    body = alice.get(track_url(device), {"from": "2026-11-25", "to": "2026-11-25"}).json()
    assert body["from"] == "2026-11-25T00:00:00+01:00"
    assert body["to"] == "2026-11-26T00:00:00+01:00"
    assert len(body["points"]) == 1


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"from": "2026-11-25T10:00:00Z", "to": "2026-11-25T09:00:00Z"}, "invalid_range"),
        ({"from": "2026-10-01", "to": "2026-11-25"}, "range_too_long"),
        ({"from": "yesterday"}, "invalid_time"),
        ({"max_points": "1"}, "invalid"),
        ({"max_points": "0"}, "invalid"),
        ({"max_points": "lots"}, "invalid"),
    ],
)
def test_a_bad_track_range_is_a_400_that_says_why(world, params, code):
    response = client_for(world.dispatcher).get(track_url(world.devices[0]), params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert body["detail"]


def test_another_organisations_device_track_is_a_404(world):
    response = client_for(world.outsider).get(track_url(world.devices[0]))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_track_takes_the_same_queries_for_few_or_many_points(world, django_assert_num_queries):
    device = world.devices[0]
    client = client_for(world.dispatcher)
    params = {"from": "2026-11-25", "to": "2026-11-25"}
    drive(world, device, DAY, 5)
    with django_assert_num_queries(4):  # device, positions, stops, alarms
        client.get(track_url(device), params)
    drive(world, device, DAY + timedelta(hours=1), 500)
    with django_assert_num_queries(4):
        client.get(track_url(device), params)


def test_an_acknowledged_alarm_is_marked_on_the_track(world):
    device = world.devices[0]
    Alarm.objects.create(
        device=device, type_id="2", alarm_time=DAY + timedelta(hours=1), source=Source.PUSH,
        received_at=DAY, acknowledged_at=DAY + timedelta(hours=2),
    )  # fmt: skip
    body = client_for(world.dispatcher).get(track_url(device), {"from": "2026-11-25"}).json()
    assert [a["acknowledged"] for a in body["alarms"]] == [True]
    assert DeviceState.objects.count() == 0
