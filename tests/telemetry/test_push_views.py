import json
from urllib.parse import urlencode

import pytest
from django.db import connection

from fleet.models import Device
from telemetry.ingest import forget_devices
from telemetry.models import (
    Alarm,
    DeviceMessage,
    DeviceState,
    Heartbeat,
    Position,
    RawPush,
    SensorReading,
)
from telemetry.pushes import forget_accounts

IMEI = "860123456789000"  # world.devices[0]


def gps_item(imei=IMEI, second=0, lat=48.85, lng=2.35, speed=42):
    return {
        "deviceImei": imei,
        "gpsTime": f"2026-11-26 08:00:{second:02d}",
        "gateTime": f"2026-11-26 08:00:{second:02d}",
        "lat": lat,
        "lng": lng,
        "satelliteNum": 9,
        "gpsSpeed": speed,
        "direction": 90,
        "acc": 1,
        "postType": 1,
        "altitude": 35,
        "distance": 1200,
    }


def post_form(client, account, endpoint, data, token=None):
    body = urlencode({"token": token or account.push_token, "data_list": json.dumps(data)})
    return client.post(
        f"/push/{account.push_key}/{endpoint}",
        body,
        content_type="application/x-www-form-urlencoded",
    )


def test_it_stores_a_gps_batch_and_acknowledges_it(client, world):
    response = post_form(client, world.account, "pushgps", [gps_item(second=s) for s in range(5)])
    assert response.status_code == 200
    assert response.json() == {"code": 0, "msg": "success"}
    assert Position.objects.filter(device=world.devices[0]).count() == 5
    raw = RawPush.objects.get()
    assert raw.status == RawPush.Status.PROCESSED and raw.record_count == 5


def test_the_latest_state_moves_to_the_newest_fix(client, world):
    post_form(client, world.account, "pushgps", [gps_item(second=9, lat=1.0), gps_item(second=3)])
    state = DeviceState.objects.get(device=world.devices[0])
    assert state.lat == 1.0 and state.gps_time.second == 9
    post_form(client, world.account, "pushgps", [gps_item(second=5, lat=2.0)])
    state.refresh_from_db()
    assert state.lat == 1.0, "an older fix must not overwrite a newer state"


def test_the_same_push_delivered_twice_stores_nothing_twice(client, world):
    batch = [gps_item(second=s) for s in range(3)]
    post_form(client, world.account, "pushgps", batch)
    post_form(client, world.account, "pushgps", batch)
    assert Position.objects.count() == 3
    assert RawPush.objects.count() == 2


def test_a_bad_item_is_kept_with_its_reason_and_the_rest_is_stored(client, world):
    response = post_form(
        client, world.account, "pushgps", [gps_item(second=1), gps_item(second=2, lat=123.4)]
    )
    body = response.json()
    assert response.status_code == 200 and body["code"] == 0
    assert body["rejected"] == 1 and "lat" in body["reasons"][0]
    assert Position.objects.count() == 1
    raw = RawPush.objects.get()
    assert raw.status == RawPush.Status.PARTIAL
    assert raw.rejected[0]["item"]["lat"] == 123.4


def test_an_unknown_imei_creates_the_device_under_the_accounts_organisation(client, world):
    post_form(client, world.account, "pushgps", [gps_item(imei="861111111111111")])
    device = Device.objects.get(imei="861111111111111")
    assert device.organisation == world.acme and device.account == world.account
    assert Position.objects.filter(device=device).exists()


def test_an_imei_of_another_organisation_is_refused(client, world):
    response = post_form(
        client,
        world.account,
        "pushgps",
        [gps_item(imei=world.other_device.imei), gps_item(second=2)],
    )
    assert response.json()["rejected"] == 1
    assert not Position.objects.filter(device=world.other_device).exists()
    assert Position.objects.count() == 1


def test_a_wrong_token_is_refused_with_a_clear_message(client, world):
    response = post_form(client, world.account, "pushgps", [gps_item()], token="nope")
    assert response.status_code == 403
    assert response.json()["msg"] == "wrong or missing push token"
    assert not Position.objects.exists()


def test_an_unknown_push_key_is_refused(client, world):
    response = client.post("/push/not-a-key/pushgps", {"token": "x", "data_list": "[]"})
    assert response.status_code == 404
    assert response.json()["msg"] == "unknown push URL"


def test_an_empty_verify_request_is_answered_success(client, world):
    assert (
        client.post(
            f"/push/{world.account.push_key}/pushgps",
            b"",
            content_type="application/x-www-form-urlencoded",
        ).json()["code"]
        == 0
    )
    assert client.get(f"/push/{world.account.push_key}").json() == {"code": 0, "msg": "success"}
    assert not RawPush.objects.exists()


def test_an_unreadable_body_is_kept_for_replay_and_answered_clearly(client, world):
    response = client.post(
        f"/push/{world.account.push_key}/pushgps", b"{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "kept as #" in response.json()["msg"]
    raw = RawPush.objects.get()
    assert raw.status == RawPush.Status.FAILED and bytes(raw.body) == b"{not json"


def test_an_unknown_endpoint_is_kept_for_replay(client, world):
    response = post_form(client, world.account, "pushsomethingnew", [{"deviceImei": IMEI}])
    assert response.status_code == 200
    assert RawPush.objects.get().status == RawPush.Status.FAILED


def test_it_reads_an_alarm_with_imei_and_a_nested_msg(client, world):
    item = {
        "imei": IMEI,
        "msgClass": 0,
        "type": "alarm",
        "msg": {
            "alertType": 1,
            "alarmTime": "2026-11-26 08:01:00",
            "lat": 48.8,
            "lng": 2.3,
            "gpsSpeed": 12,
        },
    }
    post_form(client, world.account, "pushalarm", [item])
    alarm = Alarm.objects.get()
    assert alarm.type_id == "1" and alarm.source == "push" and alarm.lat == 48.8


def test_it_reads_a_tag_push_array_and_acknowledges_with_code_200(client, world):
    body = json.dumps(
        [
            {
                "imei": IMEI,
                "gpsTime": 1764144000000,
                "lat": 48.1,
                "lng": 2.1,
                "gpsNum": 0,
                "positionType": "BEACON",
            }
        ]
    )
    response = client.post(
        f"/push/{world.account.push_key}/pushtag", body, content_type="application/json"
    )
    assert response.json() == {"code": 200, "msg": "success"}
    assert Position.objects.get().pos_type == "BEACON"


def test_it_reads_an_openapi_alarm_notification_at_the_base_url(client, world):
    data = {
        "imei": IMEI,
        "deviceName": "Van 0",
        "alarmType": "overSpeed",
        "alarmName": "Overspeed",
        "lat": 48.0,
        "lng": 2.0,
        "alarmTime": "2026-11-26 08:02:00",
    }
    response = client.post(
        f"/push/{world.account.push_key}",
        {"msgType": "jimi.push.device.alarm", "data": json.dumps(data)},
    )
    assert response.json()["code"] == 0
    assert Alarm.objects.get().type_name == "Overspeed"


def test_heartbeats_update_the_latest_state(client, world):
    post_form(
        client,
        world.account,
        "pushhb",
        [
            {
                "deviceImei": IMEI,
                "gateTime": "2026-11-26 08:00:00",
                "powerLevel": 77,
                "gsmSign": 3,
                "acc": 0,
            }
        ],
    )
    assert Heartbeat.objects.count() == 1
    state = DeviceState.objects.get(device=world.devices[0])
    assert state.battery == 77 and state.gsm_signal == 3


def test_fuel_values_are_divided_by_100_with_their_unit(client, world):
    post_form(
        client,
        world.account,
        "pushoil",
        [
            {
                "deviceImei": IMEI,
                "path": 1,
                "gateTime": "2026-11-26 08:00:00",
                "value": 5230,
                "unit": 4,
            }
        ],
    )
    reading = SensorReading.objects.get()
    assert reading.value == 52.3 and reading.unit == "L"


def test_other_kinds_are_kept_whole_as_device_messages(client, world):
    post_form(
        client,
        world.account,
        "pushlbs",
        [
            {
                "deviceImei": IMEI,
                "postType": "LBS",
                "gateTime": "2026-11-26 08:00:00",
                "lbsJson": json.dumps({"mcc": 460, "mnc": 0, "cellList": []}),
            }
        ],
    )
    message = DeviceMessage.objects.get()
    assert message.kind == "lbs" and message.payload["lbs"]["mcc"] == 460


def test_a_json_body_with_a_data_list_is_accepted(client, world):
    body = json.dumps({"token": world.account.push_token, "data_list": [gps_item()]})
    response = client.post(
        f"/push/{world.account.push_key}/pushgps", body, content_type="application/json"
    )
    assert response.json()["code"] == 0 and Position.objects.count() == 1


@pytest.mark.parametrize("devices", [1, 10, 50])
@pytest.mark.parametrize(("warm", "queries"), [(True, 4), (False, 6)], ids=["warm", "cold"])
def test_a_50_point_batch_takes_the_same_queries_whatever_the_number_of_devices(
    client, world, django_assert_num_queries, devices, warm, queries
):
    imeis = [f"8620000000000{i:02d}" for i in range(devices)]
    post_form(client, world.account, "pushgps", [gps_item(imei=i) for i in imeis])  # create them
    items = [gps_item(imei=imeis[i % devices], second=1 + i // devices) for i in range(50)]
    if not warm:
        forget_devices()
        forget_accounts()
    # Warm: transaction, positions with latest states, raw push, commit. Cold adds the account
    # and the devices (the process caches both). SQLite writes positions and states apart.
    if connection.vendor != "postgresql":
        queries += 1
    with django_assert_num_queries(queries):
        assert post_form(client, world.account, "pushgps", items).status_code == 200
    assert Position.objects.count() == devices + 50


@pytest.mark.parametrize("method", ["put", "delete"])
def test_other_methods_are_refused(client, world, method):
    response = getattr(client, method)(f"/push/{world.account.push_key}/pushgps")
    assert response.status_code == 405
