"""Pushes: every section-10 type reaches a local receiver in real shapes, never retried."""

from __future__ import annotations

import json
import time

from tracksolid.simulator.testing import run_simulator

from .conftest import Receiver

DATA_PUSH = [
    "pushevent",
    "pushhb",
    "pushgps",
    "pushalarm",
    "pushrfid",
    "pushplugin",
    "pushoil",
    "pushfileupload",
    "pushtem",
    "pushlbs",
    "pushresourcelist",
    "pushftpfileupload",
    "pushIothubEvent",
    "pushPassThroughData",
    "pushTerminalTransInfo",
    "pushInstructResponse",
    "pushFileContent",
    "pushextendedkks",
    "uploadCallback",
    "pushobd",
    "pushfaultinfo",
    "pushtripreport",
]


def _round(receiver: Receiver, **kwargs: object) -> Receiver:
    with run_simulator(
        devices=20, seed=5, push_url=receiver.url, push_token="tok", push_interval=0, **kwargs
    ) as sim:  # type: ignore[arg-type]
        sim.push_now()
        counters = sim.counters()
    receiver.counters = counters  # type: ignore[attr-defined]
    return receiver


def test_push_now_sends_every_data_push_type(receiver: Receiver) -> None:
    _round(receiver)
    missing = [e for e in DATA_PUSH if not receiver.at(e)]
    assert missing == []
    assert receiver.at("pushopenapi")
    assert receiver.at("pushtag")


def test_data_push_is_a_form_with_token_and_a_json_array_of_at_most_50(receiver: Receiver) -> None:
    _round(receiver)
    for req in receiver.at("pushgps") + receiver.at("pushhb"):
        form = req.form()
        assert form["token"] == "tok"
        items = json.loads(form["data_list"])
        assert isinstance(items, list) and 1 <= len(items) <= 50
    gps = json.loads(receiver.at("pushgps")[0].form()["data_list"])[0]
    assert {
        "deviceImei",
        "gpsTime",
        "gateTime",
        "lat",
        "lng",
        "gpsSpeed",
        "direction",
        "acc",
        "satelliteNum",
        "postType",
    } <= set(gps)
    assert isinstance(gps["lat"], float) and isinstance(gps["gpsSpeed"], int)


def test_alarm_pushes_name_the_device_imei_and_nest_the_details(receiver: Receiver) -> None:
    _round(receiver)
    item = json.loads(receiver.at("pushalarm")[0].form()["data_list"])[0]
    assert "imei" in item and "deviceImei" not in item
    assert {"alertType", "alarmTime", "lat", "lng", "gpsSpeed"} <= set(item["msg"])
    assert item["msgClass"] in (0, 1)


def test_openapi_notifications_carry_msg_type_and_a_json_data_string(receiver: Receiver) -> None:
    _round(receiver)
    form = receiver.at("pushopenapi")[0].form()
    assert form["msgType"] == "jimi.push.device.alarm"
    data = json.loads(form["data"])
    assert {"imei", "deviceName", "alarmType", "alarmName", "lat", "lng", "alarmTime"} <= set(data)


def test_tag_pushes_are_json_arrays_with_epoch_milliseconds(receiver: Receiver) -> None:
    _round(receiver)
    req = receiver.at("pushtag")[0]
    items = req.json()
    assert isinstance(items, list)
    assert items[0]["positionType"] == "BEACON"
    assert items[0]["gpsTime"] > 10**12


def test_instruct_responses_put_one_object_in_data_list_beside_msg_type(receiver: Receiver) -> None:
    _round(receiver)
    form = receiver.at("pushInstructResponse")[0].form()
    assert form["msgType"] in ("1", "2")
    assert set(json.loads(form["data_list"])) >= {
        "_code",
        "_msg",
        "_imei",
        "_serverFlagId",
        "_content",
    }


def test_extended_kks_arrives_as_a_single_json_object(receiver: Receiver) -> None:
    _round(receiver)
    body = receiver.at("pushextendedkks")[0].json()
    assert body["token"] == "tok"
    assert "data_list" not in body
    assert "subMessagesId" in body


def test_pushes_can_use_json_bodies(receiver: Receiver) -> None:
    _round(receiver, push_json_body=True)
    body = receiver.at("pushgps")[0].json()
    assert body["token"] == "tok" and isinstance(body["data_list"], list)


def test_acknowledged_pushes_are_counted(receiver: Receiver) -> None:
    _round(receiver)
    counters = receiver.counters  # type: ignore[attr-defined]
    assert counters["pushes_acked"]["pushgps"] == counters["pushes_sent"]["pushgps"]
    assert counters["pushes_acked"]["tag"] == counters["pushes_sent"]["tag"]


def test_a_failed_push_is_counted_and_not_retried() -> None:
    receiver = Receiver(status=500)
    try:
        _round(receiver)
        counters = receiver.counters  # type: ignore[attr-defined]
        sent = counters["pushes_sent"]["pushgps"]
        assert counters["pushes_failed"]["pushgps"] == sent
        assert len(receiver.at("pushgps")) == sent
    finally:
        receiver.close()


def test_an_unreachable_receiver_does_not_stop_the_simulator() -> None:
    with run_simulator(
        devices=5,
        push_url="http://127.0.0.1:9/nothing",
        push_token="t",
        push_interval=0,
        push_timeout=0.5,
    ) as sim:
        sim.push_now()
        assert sim.counters()["pushes_acked"] == {}


def test_the_background_pusher_streams_gps_as_time_passes(receiver: Receiver) -> None:
    with run_simulator(
        devices=10, seed=2, push_url=receiver.url, push_token="tok", push_interval=0.2, speedup=7200
    ) as sim:
        deadline = time.time() + 10
        while time.time() < deadline and not receiver.at("pushgps"):
            time.sleep(0.2)
        assert sim.counters()["pushes_sent"].get("pushgps", 0) > 0
    assert receiver.at("pushgps")


def test_a_captured_photo_is_announced_by_upload_callback(receiver: Receiver) -> None:
    with run_simulator(
        devices=10, seed=3, push_url=receiver.url, push_token="tok", push_interval=0
    ) as sim:
        dev = next(d for d in sim.world.devices.values() if d.cameras)
        sim.set_offline(dev.imei, False)
        from tracksolid.simulator.api_media import schedule_capture

        mf = schedule_capture(sim, dev, 1, "photo", 0, sim.clock.sim())
        sim.advance(10)
        sim.pusher.push_round() if sim.pusher else sim.push_now()
    names = [json.loads(r.form()["data_list"]) for r in receiver.at("uploadCallback")]
    items = [i for batch in names for i in batch if i["filename"] == mf.name]
    assert items and items[0]["businessType"] == "remotePictureOrVideo"
    assert items[0]["mimeType"] == "image/jpeg"


def test_a_verify_call_posts_an_empty_body(receiver: Receiver) -> None:
    with run_simulator(devices=3, push_url=receiver.url, push_token="tok", push_interval=0) as sim:
        sim.push_verify()
        assert sim.counters()["pushes_acked"]["verify"] == 1
    assert receiver.at("pushgps")[0].body == b""
