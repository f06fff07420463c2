"""API v1 daily summaries (``telemetry/api_reports.py``)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.models import User
from telemetry.models import Alarm, Position, Source, Stop, Trip

pytestmark = pytest.mark.django_db

DAY = datetime(2026, 11, 25, tzinfo=UTC)
URL = "/api/v1/summaries/daily/"


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def a_day_of_work(device, day: datetime) -> None:
    for hour, km in ((8, 12.0), (14, 8.0)):
        Trip.objects.create(
            device=device, start_time=day + timedelta(hours=hour), distance_km=km,
            duration_s=1800,
        )  # fmt: skip
    Stop.objects.create(
        device=device, kind=Stop.Kind.IDLING, start_time=day + timedelta(hours=9), duration_s=300
    )
    Stop.objects.create(
        device=device, kind=Stop.Kind.PARKING, start_time=day + timedelta(hours=10),
        duration_s=3600,
    )  # fmt: skip
    Alarm.objects.create(
        device=device, type_id="1", alarm_time=day + timedelta(hours=11), source=Source.PUSH,
        received_at=day,
    )  # fmt: skip
    Position.objects.bulk_create(
        Position(
            device=device, gps_time=day + timedelta(hours=8, minutes=m), lat=48.8, lng=2.3,
            speed=float(m), source=Source.PUSH, received_at=day,
        )
        for m in range(0, 60, 10)
    )  # fmt: skip


def test_a_summary_row_per_device_and_day_with_its_figures(world):
    a_day_of_work(world.devices[0], DAY)
    a_day_of_work(world.devices[0], DAY + timedelta(days=1))
    body = (
        client_for(world.dispatcher)
        .get(URL, {"from": "2026-11-25", "to": "2026-11-26", "device": world.devices[0].pk})
        .json()
    )
    assert body["count"] == 1
    assert [r["date"] for r in body["results"]] == ["2026-11-25", "2026-11-26"]
    assert body["results"][0] == {
        "device": world.devices[0].pk, "device_name": "Van 0", "date": "2026-11-25",
        "distance_km": 20.0, "driving_s": 3600, "idle_s": 300, "parking_s": 3600, "trips": 2,
        "alarms": 1, "max_speed": 50.0,
    }  # fmt: skip


def test_days_are_cut_in_the_users_time_zone(world):
    # 23:30 UTC on the 24th is the 25th in Paris.
    Trip.objects.create(
        device=world.devices[0], start_time=DAY - timedelta(minutes=30), distance_km=5.0
    )
    paris = client_for(world.admin).get(URL, {"from": "2026-11-24", "to": "2026-11-25"}).json()
    assert [(r["date"], r["trips"]) for r in paris["results"]] == [("2026-11-25", 1)]
    utc = client_for(world.dispatcher).get(URL, {"from": "2026-11-24", "to": "2026-11-25"}).json()
    assert [(r["date"], r["trips"]) for r in utc["results"]] == [("2026-11-24", 1)]


def test_a_group_filter_and_pagination_by_device(world):
    for device in world.devices:
        a_day_of_work(device, DAY)
    client = client_for(world.dispatcher)
    body = client.get(URL, {"from": "2026-11-25", "to": "2026-11-25", "group": world.group.pk,
                            "page_size": 2}).json()  # fmt: skip
    assert body["count"] == 3
    assert [r["device_name"] for r in body["results"]] == ["Van 0", "Van 1"]
    assert body["next"] is not None


def test_another_organisation_sees_no_summaries(world):
    a_day_of_work(world.devices[0], DAY)
    body = client_for(world.outsider).get(URL, {"from": "2026-11-25", "to": "2026-11-25"}).json()
    assert body["results"] == []
    snooping = client_for(world.outsider).get(
        URL, {"from": "2026-11-25", "to": "2026-11-25", "device": world.devices[0].pk}
    )
    assert snooping.json()["count"] == 0


def test_summaries_take_the_same_queries_for_one_or_many_devices(world, django_assert_num_queries):
    client = client_for(world.dispatcher)
    params = {"from": "2026-11-25", "to": "2026-11-26"}
    a_day_of_work(world.devices[0], DAY)
    with django_assert_num_queries(6):  # count, devices, trips, stops, alarms, positions
        client.get(URL, params)
    for device in world.devices:
        a_day_of_work(device, DAY + timedelta(days=1))
    with django_assert_num_queries(6):
        client.get(URL, params)


def test_a_range_over_31_days_is_refused(world):
    response = client_for(world.dispatcher).get(URL, {"from": "2026-01-01", "to": "2026-03-01"})
    assert response.status_code == 400
    assert response.json()["code"] == "range_too_long"


def test_summaries_export_as_csv_and_xlsx_with_totals(world):
    a_day_of_work(world.devices[0], DAY)
    a_day_of_work(world.devices[1], DAY)
    client = client_for(world.dispatcher)
    params = {"from": "2026-11-25", "to": "2026-11-25"}
    response = client.get(URL, {**params, "format": "csv"})
    assert 'filename="daily-summary_2026-11-25_2026-11-25.csv"' in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert lines[0][:3] == ["Device", "Date", "Distance (km)"]
    assert [line[0] for line in lines[1:]] == ["Van 0", "Van 1", "Total"]
    assert float(lines[-1][2]) == 40.0
    assert int(lines[-1][6]) == 4
    response = client.get(URL, {**params, "format": "xlsx"})
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert rows[-1][0] == "Total"
    assert rows[-1][2] == 40.0


def test_the_top_speed_of_each_day_uses_that_days_positions_only(world):
    device = world.devices[0]
    Position.objects.bulk_create(
        Position(device=device, gps_time=moment, lat=48.8, lng=2.3, speed=speed,
                 source=Source.PUSH, received_at=DAY)
        for moment, speed in (
            (DAY + timedelta(hours=23, minutes=30), 90.0),  # the 26th in Paris
            (DAY + timedelta(hours=22), 40.0),  # 23:00 on the 25th in Paris
        )
    )  # fmt: skip
    body = client_for(world.admin).get(URL, {"from": "2026-11-25", "to": "2026-11-26"}).json()
    assert [(r["date"], r["max_speed"]) for r in body["results"]] == [
        ("2026-11-25", 40.0),
        ("2026-11-26", 90.0),
    ]


def test_the_summary_export_rounds_distances_and_names_the_speed_unit(world):
    for hour, km in ((8, 3.1), (9, 4.857409999999999)):
        Trip.objects.create(
            device=world.devices[0], start_time=DAY + timedelta(hours=hour), distance_km=km,
            duration_s=1000,
        )  # fmt: skip
    response = client_for(world.dispatcher).get(
        URL, {"from": "2026-11-25", "to": "2026-11-25", "format": "csv"}
    )
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert lines[0][-1] == "Max speed (km/h)"
    assert lines[1][2] == "8.0"
    assert lines[1][3] == "0.56"  # hours of driving
    assert lines[-1][2] == "8.0"
