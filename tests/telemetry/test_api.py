"""API v1 trips, stops and alarms: lists, filters, exports and acknowledgement
(``telemetry/api.py``)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.models import Membership, Role, User
from telemetry.models import Alarm, Source, Stop, Trip

pytestmark = pytest.mark.django_db

DAY = datetime(2026, 11, 25, tzinfo=UTC)


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def add_trip(device, hours: float, km: float = 10.0) -> Trip:
    start = DAY + timedelta(hours=hours)
    return Trip.objects.create(
        device=device, start_time=start, end_time=start + timedelta(minutes=30),
        distance_km=km, avg_speed=20.0, duration_s=1800,
    )  # fmt: skip


def add_stop(device, hours: float, kind: str = Stop.Kind.PARKING) -> Stop:
    start = DAY + timedelta(hours=hours)
    return Stop.objects.create(
        device=device, kind=kind, start_time=start, end_time=start + timedelta(minutes=10),
        duration_s=600, lat=48.8, lng=2.3, address="1 Rue de Rivoli",
    )  # fmt: skip


def add_alarm(device, hours: float, type_id: str = "1", **fields: object) -> Alarm:
    return Alarm.objects.create(
        device=device, type_id=type_id, type_name=f"type {type_id}",
        alarm_time=DAY + timedelta(hours=hours), source=Source.PUSH, received_at=DAY, **fields,
    )  # fmt: skip


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


# --- trips --------------------------------------------------------------------------------------


def test_trips_are_listed_newest_first_with_their_device(world):
    early, late = add_trip(world.devices[0], 8), add_trip(world.devices[1], 12)
    body = client_for(world.dispatcher).get("/api/v1/trips/").json()
    assert [t["id"] for t in body["results"]] == [late.pk, early.pk]
    assert body["results"][0] == {
        "id": late.pk, "device": world.devices[1].pk, "device_name": "Van 1",
        "start_time": "2026-11-25T12:00:00Z", "end_time": "2026-11-25T12:30:00Z",
        "distance_km": 10.0, "avg_speed": 20.0, "duration_s": 1800,
    }  # fmt: skip


def test_trips_filter_by_device_group_and_range(world):
    first = add_trip(world.devices[0], 8)
    second = add_trip(world.devices[1], 20)
    client = client_for(world.dispatcher)
    assert ids(client.get("/api/v1/trips/", {"device": world.devices[0].pk})) == [first.pk]
    assert ids(client.get("/api/v1/trips/", {"group": world.group.pk})) == [second.pk, first.pk]
    in_range = client.get("/api/v1/trips/", {"from": "2026-11-25T10:00:00Z", "to": "2026-11-25"})
    assert ids(in_range) == [second.pk]


def test_another_organisation_sees_no_trips_and_gets_404_for_each(world):
    trip = add_trip(world.devices[0], 8)
    client = client_for(world.outsider)
    assert ids(client.get("/api/v1/trips/")) == []
    assert client.get(f"/api/v1/trips/{trip.pk}/").status_code == 404


def test_the_trip_list_costs_the_same_queries_for_one_or_many_trips(
    world, django_assert_num_queries
):
    client = client_for(world.dispatcher)
    add_trip(world.devices[0], 1)
    with django_assert_num_queries(2):
        client.get("/api/v1/trips/")
    for hour in range(2, 20):
        add_trip(world.devices[hour % 3], hour)
    with django_assert_num_queries(2):
        client.get("/api/v1/trips/")


def test_trips_export_as_csv_with_a_total_row(world):
    add_trip(world.devices[0], 8, km=10.5)
    add_trip(world.devices[1], 9, km=4.5)
    response = client_for(world.admin).get(
        "/api/v1/trips/", {"format": "csv", "from": "2026-11-25", "to": "2026-11-25"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="trips_2026-11-25_2026-11-26.csv"' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][:4] == ["Device", "IMEI", "Start (Europe/Paris)", "End (Europe/Paris)"]
    assert lines[1][0] == "Van 1"
    assert lines[1][2] == "2026-11-25T10:00:00+01:00"
    assert lines[-1][0] == "Total"
    assert float(lines[-1][4]) == 15.0
    assert float(lines[-1][5]) == 60.0


def test_trips_export_as_xlsx_that_opens(world):
    add_trip(world.devices[0], 8, km=10.5)
    response = client_for(world.dispatcher).get("/api/v1/trips/", {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert ".xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "Device"
    assert rows[1][0] == "Van 0"
    assert rows[1][2] == datetime(2026, 11, 25, 8, 0)
    assert rows[-1][0] == "Total"
    assert rows[-1][4] == 10.5


def test_an_export_holds_only_the_callers_rows(world):
    add_trip(world.devices[0], 8)
    response = client_for(world.outsider).get("/api/v1/trips/", {"format": "csv"})
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [line[0] for line in lines] == ["Device", "Total"]


def test_an_export_with_a_bad_range_answers_a_json_error(world):
    response = client_for(world.dispatcher).get(
        "/api/v1/trips/", {"format": "csv", "from": "2026-11-26", "to": "2026-11-25"}
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "invalid_range"


# --- stops --------------------------------------------------------------------------------------


def test_stops_filter_by_kind(world):
    parking = add_stop(world.devices[0], 8)
    idling = add_stop(world.devices[0], 9, kind=Stop.Kind.IDLING)
    client = client_for(world.dispatcher)
    assert ids(client.get("/api/v1/stops/", {"kind": "parking"})) == [parking.pk]
    assert ids(client.get("/api/v1/stops/", {"kind": "idling"})) == [idling.pk]
    assert ids(client.get("/api/v1/stops/")) == [idling.pk, parking.pk]
    assert client.get("/api/v1/stops/", {"kind": "napping"}).status_code == 400


def test_a_stop_has_its_place_and_duration(world):
    stop = add_stop(world.devices[0], 8)
    row = client_for(world.dispatcher).get(f"/api/v1/stops/{stop.pk}/").json()
    assert row["kind"] == "parking"
    assert row["duration_s"] == 600
    assert (row["lat"], row["lng"], row["address"]) == (48.8, 2.3, "1 Rue de Rivoli")


def test_another_organisation_sees_no_stops_and_gets_404_for_each(world):
    stop = add_stop(world.devices[0], 8)
    client = client_for(world.outsider)
    assert ids(client.get("/api/v1/stops/")) == []
    assert client.get(f"/api/v1/stops/{stop.pk}/").status_code == 404


def test_the_stop_list_costs_the_same_queries_for_one_or_many_stops(
    world, django_assert_num_queries
):
    client = client_for(world.dispatcher)
    add_stop(world.devices[0], 1)
    with django_assert_num_queries(2):
        client.get("/api/v1/stops/")
    for hour in range(2, 20):
        add_stop(world.devices[hour % 3], hour)
    with django_assert_num_queries(2):
        client.get("/api/v1/stops/")


def test_stops_export_as_csv(world):
    add_stop(world.devices[0], 8)
    response = client_for(world.dispatcher).get("/api/v1/stops/", {"format": "csv"})
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert lines[1][2] == "Parking"
    assert lines[-1][0] == "Total"
    assert float(lines[-1][5]) == 10.0


# --- alarms -------------------------------------------------------------------------------------


def test_alarms_are_listed_newest_first_and_filter(world):
    old = add_alarm(world.devices[0], 1, type_id="1")
    new = add_alarm(world.devices[1], 2, type_id="41")
    done = add_alarm(world.devices[0], 3, type_id="1", acknowledged_at=DAY)
    client = client_for(world.dispatcher)
    assert ids(client.get("/api/v1/alarms/")) == [done.pk, new.pk, old.pk]
    assert ids(client.get("/api/v1/alarms/", {"type": "41"})) == [new.pk]
    assert ids(client.get("/api/v1/alarms/", {"device": world.devices[0].pk})) == [done.pk, old.pk]
    assert ids(client.get("/api/v1/alarms/", {"acknowledged": "false"})) == [new.pk, old.pk]
    assert ids(client.get("/api/v1/alarms/", {"acknowledged": "true"})) == [done.pk]
    assert ids(client.get("/api/v1/alarms/", {"group": world.group.pk})) == [
        done.pk,
        new.pk,
        old.pk,
    ]
    assert ids(client.get("/api/v1/alarms/", {"from": "2026-11-25T01:30:00Z"})) == [done.pk, new.pk]
    assert ids(client.get("/api/v1/alarms/", {"to": "2026-11-25T01:30:00Z"})) == [old.pk]


def test_another_organisation_sees_no_alarms_and_gets_404_for_each(world):
    alarm = add_alarm(world.devices[0], 1)
    client = client_for(world.outsider)
    assert ids(client.get("/api/v1/alarms/")) == []
    assert client.get(f"/api/v1/alarms/{alarm.pk}/").status_code == 404
    response = client.post(f"/api/v1/alarms/{alarm.pk}/acknowledge/", {}, format="json")
    assert response.status_code == 404
    alarm.refresh_from_db()
    assert alarm.acknowledged_at is None


def test_the_alarm_list_costs_the_same_queries_for_one_or_many_alarms(
    world, django_assert_num_queries
):
    client = client_for(world.dispatcher)
    add_alarm(world.devices[0], 1)
    with django_assert_num_queries(2):
        client.get("/api/v1/alarms/")
    for hour in range(2, 20):
        add_alarm(world.devices[hour % 3], hour, acknowledged_at=DAY, acknowledged_by=world.admin)
    with django_assert_num_queries(2):
        client.get("/api/v1/alarms/")


def test_a_dispatcher_acknowledges_an_alarm_with_a_note(world):
    alarm = add_alarm(world.devices[0], 1)
    response = client_for(world.dispatcher).post(
        f"/api/v1/alarms/{alarm.pk}/acknowledge/",
        {"note": "Driver called, all fine"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["acknowledged_by"] == "dave"
    assert body["acknowledgement_note"] == "Driver called, all fine"
    assert body["acknowledged_at"] is not None
    alarm.refresh_from_db()
    assert alarm.acknowledged_by == world.dispatcher


def test_acknowledging_twice_keeps_the_first_acknowledgement(world):
    alarm = add_alarm(world.devices[0], 1)
    url = f"/api/v1/alarms/{alarm.pk}/acknowledge/"
    first = client_for(world.dispatcher).post(url, {"note": "first"}, format="json").json()
    second = client_for(world.admin).post(url, {"note": "second"}, format="json")
    assert second.status_code == 200
    assert second.json()["acknowledgement_note"] == "first"
    assert second.json()["acknowledged_by"] == "dave"
    assert second.json()["acknowledged_at"] is not None
    alarm.refresh_from_db()
    assert alarm.acknowledgement_note == first["acknowledgement_note"]


def test_a_viewer_may_not_acknowledge(world):
    viewer = User.objects.create_user("vic", password="pw-vic-123")
    Membership.objects.create(user=viewer, organisation=world.acme, role=Role.VIEWER)
    alarm = add_alarm(world.devices[0], 1)
    client = client_for(viewer)
    assert ids(client.get("/api/v1/alarms/")) == [alarm.pk]
    response = client.post(f"/api/v1/alarms/{alarm.pk}/acknowledge/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    alarm.refresh_from_db()
    assert alarm.acknowledged_at is None


def test_alarms_export_as_csv_with_a_count(world):
    add_alarm(world.devices[0], 1)
    add_alarm(world.devices[1], 2)
    response = client_for(world.dispatcher).get("/api/v1/alarms/", {"format": "csv"})
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert lines[0][-1] == "Count"
    assert lines[-1][0] == "Total"
    assert lines[-1][-1] == "2"


def test_an_unknown_format_is_a_404(world):
    response = client_for(world.dispatcher).get("/api/v1/alarms/", {"format": "pdf"})
    assert response.status_code == 404


# --- alarm types --------------------------------------------------------------------------------


def test_alarm_types_are_counted_most_frequent_first(world):
    for hours in (1, 2, 3):
        add_alarm(world.devices[0], hours, type_id="41")
    add_alarm(world.devices[1], 4, type_id="1")
    add_alarm(world.devices[1], 5, type_id="1")
    add_alarm(world.devices[2], 6, type_id="9")
    response = client_for(world.dispatcher).get("/api/v1/alarms/types/")
    assert response.status_code == 200, response.content
    assert response.json() == [
        {"type_id": "41", "type_name": "type 41", "count": 3},
        {"type_id": "1", "type_name": "type 1", "count": 2},
        {"type_id": "9", "type_name": "type 9", "count": 1},
    ]


def test_alarm_types_take_the_lists_range_and_device_filters_but_not_its_type(world):
    add_alarm(world.devices[0], 1, type_id="41")
    add_alarm(world.devices[0], 3, type_id="1")
    add_alarm(world.devices[1], 3, type_id="9")
    client = client_for(world.dispatcher)

    def types(**params: object) -> list[tuple[str, int]]:
        response = client.get("/api/v1/alarms/types/", params)
        assert response.status_code == 200, response.content
        return [(row["type_id"], row["count"]) for row in response.json()]

    assert types(device=world.devices[0].pk) == [("1", 1), ("41", 1)]
    assert types(**{"from": "2026-11-25T02:00:00Z"}) == [("1", 1), ("9", 1)]
    assert types(to="2026-11-25T02:00:00Z") == [("41", 1)]
    assert types(device=world.devices[0].pk, type="41") == [("1", 1), ("41", 1)]


def test_alarm_types_answer_a_bad_range_with_a_400(world):
    client = client_for(world.dispatcher)
    response = client.get("/api/v1/alarms/types/", {"from": "2026-11-26", "to": "2026-11-25"})
    assert response.status_code == 400


def test_another_organisation_sees_no_alarm_types(world):
    add_alarm(world.devices[0], 1, type_id="41")
    response = client_for(world.outsider).get("/api/v1/alarms/types/")
    assert response.status_code == 200
    assert response.json() == []


def test_alarm_types_cost_one_query_however_many_alarms(world, django_assert_num_queries):
    client = client_for(world.dispatcher)
    add_alarm(world.devices[0], 1)
    with django_assert_num_queries(1):
        client.get("/api/v1/alarms/types/")
    for hour in range(2, 30):
        add_alarm(world.devices[hour % 3], hour, type_id=str(hour % 5))
    with django_assert_num_queries(1):
        client.get("/api/v1/alarms/types/")


def test_a_trips_export_rounds_distances_and_speeds(world):
    add_trip(world.devices[0], 8, km=7.957409999999999)
    Trip.objects.update(avg_speed=41.73)
    response = client_for(world.admin).get("/api/v1/trips/", {"format": "csv"})
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert lines[0][4:7] == ["Distance (km)", "Duration (min)", "Average speed (km/h)"]
    assert lines[1][4] == "8.0"
    assert lines[1][6] == "42"
    assert lines[-1][4] == "8.0"
