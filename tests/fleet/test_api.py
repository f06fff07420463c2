"""API v1 devices, groups, the token login and the shared error bodies (``fleet/api.py``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Membership, Role, User
from fleet.models import Device, DeviceGroup
from telemetry.models import DeviceState

pytestmark = pytest.mark.django_db


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def set_state(device: Device, **fields: object) -> DeviceState:
    now = timezone.now()
    values = {"gps_time": now, "lat": 48.85, "lng": 2.35, "updated_at": now, **fields}
    state, _ = DeviceState.objects.update_or_create(device=device, defaults=values)
    return state


# --- token login --------------------------------------------------------------------------------


def test_a_user_gets_a_token_for_a_username_and_password(world):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "dave", "password": "pw-dave-123"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=world.dispatcher).key}


def test_a_wrong_password_gets_a_400_with_a_clear_error(world):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "dave", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_credentials"
    assert "Unable to log in" in body["detail"]


def test_a_missing_password_names_the_field(world):
    response = APIClient().post("/api/v1/auth/token/", {"username": "dave"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "required"
    assert response.json()["detail"].startswith("password:")


def test_the_token_authenticates_and_revoking_it_locks_the_client_out(world):
    token = (
        APIClient()
        .post("/api/v1/auth/token/", {"username": "dave", "password": "pw-dave-123"}, format="json")
        .json()["token"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/devices/").status_code == 200
    assert client.delete("/api/v1/auth/token/").status_code == 204
    response = client.get("/api/v1/devices/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_an_anonymous_caller_gets_401_with_a_token_challenge(world):
    response = APIClient().get("/api/v1/devices/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/devices/",
        "/api/v1/devices/counts/",
        "/api/v1/groups/",
        "/api/v1/positions/latest/",
        "/api/v1/trips/",
        "/api/v1/stops/",
        "/api/v1/alarms/",
        "/api/v1/summaries/daily/",
    ],
)
def test_every_list_refuses_an_anonymous_caller(world, url):
    assert APIClient().get(url).status_code == 401


def test_every_object_endpoint_refuses_an_anonymous_caller(world):
    client = APIClient()
    device = world.devices[0]
    assert client.get(f"/api/v1/devices/{device.pk}/").status_code == 401
    assert client.get(f"/api/v1/devices/{device.pk}/track/").status_code == 401
    assert client.get(f"/api/v1/groups/{world.group.pk}/").status_code == 401
    assert client.post("/api/v1/alarms/1/acknowledge/", {}, format="json").status_code == 401
    assert client.delete("/api/v1/auth/token/").status_code == 401


def test_a_session_login_works_for_our_pages(world):
    client = APIClient()
    client.login(username="dave", password="pw-dave-123")
    assert client.get("/api/v1/devices/").status_code == 200


# --- devices ------------------------------------------------------------------------------------


def test_the_device_list_has_the_documented_shape(world):
    device = world.devices[0]
    device.vehicle_number = "AB-123"
    device.driver_name = "Dan"
    device.save()
    set_state(device, speed=42.0, direction=90, acc=True, battery=80, gsm_signal=4)
    body = client_for(world.dispatcher).get("/api/v1/devices/").json()
    assert body["count"] == 3
    first = body["results"][0]
    assert set(first) == {
        "id", "imei", "name", "device_name", "vehicle_number", "driver_name", "driver_phone",
        "mc_type", "group", "organisation", "expiration", "state", "status",
    }  # fmt: skip
    assert first["name"] == "Van 0"
    assert first["group"] == {"id": world.group.pk, "name": "Vans"}
    assert first["status"] == "moving"
    assert set(first["state"]) == {
        "gps_time", "lat", "lng", "speed", "direction", "acc", "battery", "gsm_signal",
        "mileage", "last_heartbeat_at", "updated_at", "extra",
    }  # fmt: skip
    assert first["state"]["speed"] == 42.0
    assert body["results"][1]["state"] is None
    assert body["results"][1]["status"] == "unknown"


def test_times_come_in_the_users_time_zone_with_an_offset(world):
    set_state(world.devices[0], gps_time=datetime(2026, 7, 1, 10, 0, tzinfo=UTC))
    alice = client_for(world.admin)  # Europe/Paris
    state = alice.get(f"/api/v1/devices/{world.devices[0].pk}/").json()["state"]
    assert state["gps_time"] == "2026-07-01T12:00:00+02:00"
    dave = client_for(world.dispatcher)  # UTC
    state = dave.get(f"/api/v1/devices/{world.devices[0].pk}/").json()["state"]
    assert state["gps_time"] == "2026-07-01T10:00:00Z"


def test_a_token_user_also_gets_their_time_zone(world):
    set_state(world.devices[0], gps_time=datetime(2026, 7, 1, 10, 0, tzinfo=UTC))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.admin).key}")
    state = client.get(f"/api/v1/devices/{world.devices[0].pk}/").json()["state"]
    assert state["gps_time"] == "2026-07-01T12:00:00+02:00"


def test_the_device_list_filters_by_status(world):
    set_state(world.devices[0], speed=50.0, acc=True)
    set_state(world.devices[1], speed=0.0, acc=True)
    set_state(world.devices[2], gps_time=timezone.now() - timedelta(days=1))
    client = client_for(world.dispatcher)

    def names(status: str) -> list[str]:
        body = client.get("/api/v1/devices/", {"status": status}).json()
        return [d["name"] for d in body["results"]]

    assert names("moving") == ["Van 0"]
    assert names("idle") == ["Van 1"]
    assert names("offline") == ["Van 2"]
    assert names("parked") == []
    assert names("unknown") == []


def test_an_unknown_status_is_a_400(world):
    response = client_for(world.dispatcher).get("/api/v1/devices/", {"status": "flying"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_choice"


def test_the_device_list_filters_by_group_and_search(world):
    other_group = DeviceGroup.objects.create(organisation=world.acme, name="Trucks")
    world.devices[2].group = other_group
    world.devices[2].vehicle_number = "XY-999"
    world.devices[2].save()
    client = client_for(world.dispatcher)
    in_group = client.get("/api/v1/devices/", {"group": other_group.pk}).json()["results"]
    assert [d["id"] for d in in_group] == [world.devices[2].pk]
    found = client.get("/api/v1/devices/", {"search": "xy-9"}).json()["results"]
    assert [d["id"] for d in found] == [world.devices[2].pk]
    by_imei = client.get("/api/v1/devices/", {"search": world.devices[1].imei}).json()
    assert [d["id"] for d in by_imei["results"]] == [world.devices[1].pk]


def test_the_organisation_filter_narrows_but_never_widens(world):
    Membership.objects.create(user=world.dispatcher, organisation=world.other, role=Role.VIEWER)
    client = client_for(world.dispatcher)
    assert client.get("/api/v1/devices/").json()["count"] == 4
    only_other = client.get("/api/v1/devices/", {"organisation": world.other.pk}).json()
    assert [d["id"] for d in only_other["results"]] == [world.other_device.pk]
    outsider = client_for(world.outsider)
    leaked = outsider.get("/api/v1/devices/", {"organisation": world.acme.pk}).json()
    assert leaked["count"] == 0


def test_the_device_list_pages_and_takes_a_page_size(world):
    client = client_for(world.dispatcher)
    body = client.get("/api/v1/devices/", {"page_size": 2}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["next"] is not None
    second = client.get("/api/v1/devices/", {"page_size": 2, "page": 2}).json()
    assert len(second["results"]) == 1


def test_the_device_list_costs_the_same_queries_for_one_or_many_devices(
    world, django_assert_num_queries
):
    client = client_for(world.dispatcher)
    for device in world.devices:
        set_state(device)
    with django_assert_num_queries(2):  # count, page (group and state joined)
        client.get("/api/v1/devices/", {"status": "parked"})
    for i in range(20):
        device = Device.objects.create(imei=f"3500000000000{i:02d}", organisation=world.acme)
        set_state(device)
    with django_assert_num_queries(2):
        assert client.get("/api/v1/devices/").json()["count"] == 23


def test_another_organisations_user_sees_no_devices_and_gets_404_for_each(world):
    client = client_for(world.outsider)
    body = client.get("/api/v1/devices/").json()
    assert [d["id"] for d in body["results"]] == [world.other_device.pk]
    for device in world.devices:
        response = client.get(f"/api/v1/devices/{device.pk}/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_the_counts_give_every_status_and_ignore_the_status_filter(world):
    set_state(world.devices[0], speed=50.0)
    set_state(world.devices[1], speed=0.0, acc=False)
    client = client_for(world.dispatcher)
    expected = {"total": 3, "moving": 1, "idle": 0, "parked": 1, "offline": 0, "unknown": 1}
    assert client.get("/api/v1/devices/counts/").json() == expected
    assert client.get("/api/v1/devices/counts/", {"status": "moving"}).json() == expected
    assert client.get("/api/v1/devices/counts/", {"search": "Van 0"}).json()["total"] == 1
    assert client_for(world.outsider).get("/api/v1/devices/counts/").json()["total"] == 1


def test_the_counts_take_one_query(world, django_assert_num_queries):
    client = client_for(world.dispatcher)
    with django_assert_num_queries(1):
        client.get("/api/v1/devices/counts/")


def test_a_device_named_like_markup_comes_back_as_plain_json_text(world):
    name = "<img src=x onerror=alert(1)>"
    world.devices[0].device_name = name
    world.devices[0].save()
    response = client_for(world.dispatcher).get(f"/api/v1/devices/{world.devices[0].pk}/")
    assert response["Content-Type"] == "application/json"
    assert response.json()["name"] == name
    assert name.encode() in response.content


# --- groups -------------------------------------------------------------------------------------


def test_groups_are_listed_for_their_organisation_only(world, django_assert_num_queries):
    client = client_for(world.dispatcher)
    with django_assert_num_queries(2):
        body = client.get("/api/v1/groups/").json()
    assert body["results"] == [
        {"id": world.group.pk, "name": "Vans", "vendor_account": "", "organisation": world.acme.pk}
    ]
    outsider = client_for(world.outsider)
    assert outsider.get("/api/v1/groups/").json()["count"] == 0
    assert outsider.get(f"/api/v1/groups/{world.group.pk}/").status_code == 404


# --- the schema ---------------------------------------------------------------------------------


def test_the_openapi_schema_validates_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    text = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/positions/latest/" in text


def test_the_docs_page_renders(world):
    client = APIClient()
    client.force_login(world.dispatcher)
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/schema/").status_code == 200


# --- error bodies ---------------------------------------------------------------------------------


def test_a_validation_error_names_each_field_under_errors(world):
    response = APIClient().post("/api/v1/auth/token/", {}, format="json")
    body = response.json()
    assert set(body) == {"detail", "code", "errors"}
    assert set(body["errors"]) == {"username", "password"}
    assert "username: This field is required." in body["detail"]


def test_a_wrong_method_gets_the_same_error_shape(world):
    response = client_for(world.dispatcher).delete("/api/v1/devices/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_password_guessing_is_throttled(world, monkeypatch):
    from django.core.cache.backends.locmem import LocMemCache

    from fleet.api import LoginRateThrottle

    # A private cache: the shared one may be cleared by another test process meanwhile.
    monkeypatch.setattr(LoginRateThrottle, "cache", LocMemCache("throttle-test", {}))
    client = APIClient()
    for _ in range(20):
        client.post("/api/v1/auth/token/", {"username": "dave", "password": "x"}, format="json")
    response = client.post(
        "/api/v1/auth/token/", {"username": "dave", "password": "pw-dave-123"}, format="json"
    )
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"


# --- directory ----------------------------------------------------------------------------------


def test_the_directory_lists_every_visible_device_as_compact_rows(world):
    world.devices[1].vehicle_number = "AB-123"
    world.devices[1].device_name = ""
    world.devices[1].save()
    body = client_for(world.dispatcher).get("/api/v1/devices/directory/").json()
    rows = [dict(zip(body["fields"], row, strict=True)) for row in body["devices"]]
    assert {row["imei"] for row in rows} == {d.imei for d in world.devices}
    unnamed = next(row for row in rows if row["imei"] == world.devices[1].imei)
    assert unnamed["name"] == "AB-123" and unnamed["group_name"] == "Vans"


def test_the_directory_gives_the_status_of_devices_with_no_position_too(world):
    # A heartbeat long ago and never a fix: offline, as the device's own page says.
    set_state(
        world.devices[0],
        gps_time=None,
        lat=None,
        lng=None,
        last_heartbeat_at=timezone.now() - timedelta(days=1),
    )
    api = client_for(world.dispatcher)

    body = api.get("/api/v1/devices/directory/").json()
    detail = api.get(f"/api/v1/devices/{world.devices[0].pk}/").json()

    rows = {row[0]: dict(zip(body["fields"], row, strict=True)) for row in body["devices"]}
    assert rows[world.devices[0].pk]["status"] == detail["status"] == "offline"
    assert rows[world.devices[1].pk]["status"] == "unknown"


def test_the_directory_shows_another_organisation_nothing_and_takes_filters(world):
    assert client_for(world.outsider).get("/api/v1/devices/directory/").json()["devices"] == [
        [
            world.other_device.pk,
            world.other_device.imei,
            "Other truck",
            "Other truck",
            "",
            "",
            "",
            "",
            None,
            None,
            world.other.pk,
            "unknown",
        ]
    ]
    body = client_for(world.admin).get("/api/v1/devices/directory/?search=Van 2").json()
    assert [row[1] for row in body["devices"]] == [world.devices[2].imei]


def test_the_directory_takes_one_query_whatever_the_fleet_size(world, django_assert_num_queries):
    for n in range(20):
        Device.objects.create(imei=f"8655550000000{n:02d}", organisation=world.acme)
    api = client_for(world.admin)
    with django_assert_num_queries(1):  # tenancy is a subquery of the one SELECT
        assert len(api.get("/api/v1/devices/directory/").json()["devices"]) == 23
