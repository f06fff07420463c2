"""Tests for tracksolid/pushes.py: request shapes, endpoints, dispatch, rejection, keys."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest

from tests.tracksolid.push_payloads import (
    FORM,
    IMEI,
    JSON,
    T0,
    form_push,
    gps_item,
    json_push,
    only,
    openapi_push,
)
from tracksolid.pushes import (
    ENDPOINTS,
    AlarmEvent,
    InstructResponse,
    PushFormatError,
    PushRecord,
    UnknownEndpoint,
    _parse_form,
    canonical_endpoint,
    parse_push,
)

# --- request shapes ---------------------------------------------------------------------------


def test_it_reads_a_form_with_token_and_data_list() -> None:
    batch = form_push("pushgps", [gps_item(), gps_item(gpsTime="2026-11-26 08:30:10")])

    assert batch.kind == "pushgps"
    assert batch.token == "push-token"
    assert [point.key[1].second for point in batch.records] == [0, 10]
    assert batch.ack() == {"code": 0, "msg": "success"}


def test_it_reads_a_single_object_sent_as_data_list() -> None:
    point = only(form_push("pushgps", gps_item()))

    assert point.imei == IMEI


def test_it_reads_a_single_item_sent_as_plain_form_fields() -> None:
    body = urlencode({"token": "push-token", **gps_item()}).encode()

    batch = parse_push("pushgps", content_type=FORM, body=body, query={})

    assert batch.token == "push-token"
    assert only(batch).gps_time == T0
    assert only(batch).extra == {}


def test_it_reads_a_json_body_with_token_and_data_list() -> None:
    batch = json_push("pushgps", {"token": "push-token", "data_list": [gps_item()]})

    assert batch.token == "push-token"
    assert only(batch).lat == 22.54321


def test_it_reads_a_json_body_whose_data_list_is_a_string() -> None:
    batch = json_push("pushgps", {"token": "push-token", "data_list": json.dumps([gps_item()])})

    assert only(batch).imei == IMEI


def test_it_reads_a_bare_json_object_as_one_item_without_its_token() -> None:
    batch = json_push("pushgps", {"token": "push-token", **gps_item()})

    assert batch.token == "push-token"
    assert "token" not in only(batch).extra


def test_it_keeps_an_extra_top_level_msg_type() -> None:
    batch = form_push("pushgps", [gps_item()], msgType="gps")

    assert batch.msg_type == "gps"
    assert only(batch).imei == IMEI


def test_it_takes_the_token_from_the_query_string_when_the_body_has_none() -> None:
    batch = json_push("pushgps", [gps_item()], query={"token": "in-query"})

    assert batch.token == "in-query"


def test_it_answers_an_empty_verify_request_with_an_empty_valid_batch() -> None:
    batch = parse_push("pushgps", content_type=FORM, body=b"", query={})

    assert (batch.records, batch.rejected, batch.token) == ([], [], None)
    assert batch.ack() == {"code": 0, "msg": "success"}


def test_it_answers_a_verify_request_with_only_a_token() -> None:
    batch = parse_push("pushalarm", content_type=FORM, body=b"token=abc", query={})

    assert (batch.records, batch.rejected, batch.token) == ([], [], "abc")


def test_it_raises_a_format_error_for_a_body_that_is_not_json() -> None:
    with pytest.raises(PushFormatError, match="body is not JSON"):
        parse_push("pushgps", content_type=JSON, body=b'{"token": "a", "data_list": [', query={})


def test_it_raises_a_format_error_for_a_data_list_that_is_not_json() -> None:
    body = urlencode({"token": "t", "data_list": "[{deviceImei: 1"}).encode()

    with pytest.raises(PushFormatError, match="data_list is not JSON") as caught:
        parse_push("pushgps", content_type=FORM, body=body, query={})
    assert caught.value.reason.startswith("data_list is not JSON")


def test_it_raises_a_format_error_for_a_json_content_type_with_plain_text() -> None:
    with pytest.raises(PushFormatError, match="body is not JSON"):
        parse_push("pushgps", content_type=JSON, body=b"hello", query={})


def test_it_raises_a_format_error_for_a_json_scalar_data_list() -> None:
    with pytest.raises(PushFormatError, match="neither a JSON array nor an object"):
        form_push("pushgps", 42)


def test_it_raises_a_format_error_for_json_nested_too_deeply() -> None:
    with pytest.raises(PushFormatError, match="nested too deeply"):
        parse_push("pushgps", content_type=JSON, body=b"[" * 100_000, query={})


def test_it_reads_a_multipart_form() -> None:
    boundary = "----jimi"
    parts = [("token", "push-token"), ("data_list", json.dumps([gps_item()]))]
    body = (
        "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in parts
        )
        + f"--{boundary}--\r\n"
    )

    batch = parse_push(
        "pushgps",
        content_type=f"multipart/form-data; boundary={boundary}",
        body=body.encode(),
        query={},
    )

    assert batch.token == "push-token"
    assert only(batch).gps_time == T0


def test_it_reads_a_body_with_a_utf8_byte_order_mark() -> None:
    body = b"\xef\xbb\xbf" + json.dumps({"token": "t", "data_list": [gps_item()]}).encode()

    assert only(parse_push("pushgps", content_type=JSON, body=body, query={})).imei == IMEI


def test_it_decodes_items_sent_as_json_strings_inside_the_array() -> None:
    batch = form_push("pushgps", [json.dumps(gps_item())])

    assert only(batch).imei == IMEI


def test_it_parses_every_item_beyond_fifty_and_flags_the_batch() -> None:
    items = [gps_item(gpsTime=f"2026-11-26 08:{n:02d}:00") for n in range(51)]

    batch = form_push("pushgps", items)

    assert len(batch.records) == 51
    assert batch.over_limit
    assert not form_push("pushgps", items[:50]).over_limit


@pytest.mark.parametrize(
    "body",
    [
        b"token=a%2Bb+c&data_list=%5B%7B%22x%22%3A%22%E4%B8%AD%2525%22%7D%5D",
        b"a=%zz&b=%2&c=x%&d=%%41&e=%3d%3D&f=a=b",
        b"x=%0A%0D&y=%\nab&z=%\r\n",
        b"&&k=v&k=w&=&lone",
    ],
)
def test_it_decodes_a_form_exactly_as_the_standard_library_does(body: bytes) -> None:
    assert _parse_form(body) == dict(parse_qsl(body.decode(), keep_blank_values=True))


# --- endpoints --------------------------------------------------------------------------------


def test_endpoints_cover_every_section_10_push_and_our_own_names() -> None:
    assert {
        "pushevent", "pushhb", "pushgps", "pushalarm", "pushoil", "pushfileupload", "pushtem",
        "pushlbs", "pushresourcelist", "pushftpfileupload", "pushIothubEvent",
        "pushPassThroughData", "pushTerminalTransInfo", "pushInstructResponse",
        "pushFileContent", "pushextendedkks", "uploadCallback", "pushobd", "pushfaultinfo",
        "pushtripreport", "pushrfid", "pushplugin", "openapi", "pushtag",
    } == ENDPOINTS  # fmt: skip


def test_it_matches_endpoint_names_case_insensitively() -> None:
    assert canonical_endpoint("pushiothubevent") == "pushIothubEvent"
    assert canonical_endpoint("/PUSHGPS/") == "pushgps"
    assert canonical_endpoint("uploadCallback") == "uploadCallback"


def test_it_refuses_an_unknown_endpoint() -> None:
    with pytest.raises(UnknownEndpoint, match="pushnothing"):
        parse_push("pushnothing", content_type=FORM, body=b"", query={})


def test_it_reads_an_openapi_alarm_notification() -> None:
    data = {"imei": IMEI, "deviceName": "Van 07", "alarmType": "1", "alarmName": "SOS",
            "lat": 22.5, "lng": 114.05, "alarmTime": "2026-11-26 08:30:00"}  # fmt: skip

    batch = openapi_push("openapi", "jimi.push.device.alarm", data)

    assert (batch.kind, batch.msg_type) == ("openapi", "jimi.push.device.alarm")
    alarm = only(batch)
    assert (alarm.source, alarm.type_id, alarm.alarm_time) == ("openapi", "1", T0)
    assert alarm.extra == {"deviceName": "Van 07"}


def test_it_routes_an_openapi_notification_sent_to_a_data_push_url() -> None:
    data = {"imei": IMEI, "alarmType": "1", "alarmTime": "2026-11-26 08:30:00"}

    batch = openapi_push("pushgps", "jimi.push.device.alarm", data)

    assert batch.kind == "openapi"
    assert isinstance(only(batch), AlarmEvent)


def test_it_reads_an_openapi_raw_instruction_reply() -> None:
    data = {"imei": IMEI, "content": "RELAY=1 OK", "serverFlagId": "1001"}

    reply = only(openapi_push("openapi", "jimi.open.instruction.raw.receive", data))

    assert isinstance(reply, InstructResponse)
    assert (reply.content, reply.server_flag_id) == ("RELAY=1 OK", "1001")


def test_it_reads_a_raw_instruction_reply_named_with_code_id_and_raw_data() -> None:
    # The shape the simulator sends (field names vary between integrations).
    data = {"imei": IMEI, "rawData": "787805810001", "codeId": "77", "receiveTime": "x"}

    reply = only(openapi_push("openapi", "jimi.open.instruction.raw.receive", data))

    assert (reply.content, reply.server_flag_id) == ("787805810001", "77")
    assert reply.extra == {"receiveTime": "x"}


def test_it_rejects_an_openapi_notification_of_an_unknown_msg_type_for_replay() -> None:
    batch = openapi_push("openapi", "jimi.push.device.new", {"imei": "1"})

    assert batch.records == []
    assert batch.rejected[0].reason == "item 0: unknown msgType 'jimi.push.device.new'"
    assert batch.rejected[0].item == {"imei": "1"}


def test_it_reads_a_tag_push_and_answers_with_code_200() -> None:
    body = [{"imei": IMEI, "gpsTime": 1795681800000, "lat": 22.5, "lng": 114.05, "gpsNum": 0,
             "positionType": "BEACON"}]  # fmt: skip

    batch = json_push("pushtag", body)

    point = only(batch)
    assert (point.gps_time, point.pos_type, point.satellites) == (T0, "BEACON", 0)
    assert batch.ack() == {"code": 200, "msg": "success"}


# --- validation -------------------------------------------------------------------------------


def test_it_rejects_a_bad_item_and_keeps_the_rest_of_the_batch() -> None:
    items = [gps_item(), gps_item(lat="123.4"), "not an item", gps_item(gpsTime="2026-11-26 08:31")]

    batch = form_push("pushgps", items)

    assert len(batch.records) == 2
    assert [(entry.index, entry.reason) for entry in batch.rejected] == [
        (1, "item 1: lat 123.4 out of range"),
        (2, "item 2: not a JSON object"),
    ]
    assert batch.rejected[0].item["lat"] == "123.4"
    assert batch.ack() == {
        "code": 0,
        "msg": "success",
        "rejected": 2,
        "reasons": ["item 1: lat 123.4 out of range", "item 2: not a JSON object"],
    }


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"deviceImei": None}, "imei missing"),
        ({"deviceImei": "86247-6051"}, "deviceImei '86247-6051' is not 10-20 letters or digits"),
        ({"deviceImei": "123"}, "deviceImei '123' is not 10-20 letters or digits"),
        ({"lng": "-181"}, "lng -181.0 out of range"),
        ({"lat": ""}, "lat/lng missing"),
        ({"gpsTime": ""}, "gpsTime missing"),
        ({"gpsTime": "yesterday"}, "gpsTime 'yesterday' is not a time"),
        ({"gpsSpeed": "fast"}, "gpsSpeed 'fast' is not a number"),
        ({"satelliteNum": "11.5"}, "satelliteNum '11.5' is not an integer"),
        ({"acc": "maybe"}, "acc 'maybe' is not a flag"),
        ({"altitude": "NaN"}, "altitude 'NaN' is not a number"),
    ],
)
def test_it_names_the_field_when_it_rejects_an_item(override: dict[str, Any], reason: str) -> None:
    batch = form_push("pushgps", [gps_item(**override)])

    assert [entry.reason for entry in batch.rejected] == [f"item 0: {reason}"]


def test_it_accepts_an_alphanumeric_imei_of_ten_to_twenty_characters() -> None:
    assert only(form_push("pushgps", [gps_item(deviceImei="TAG0012345")])).imei == "TAG0012345"
    assert only(form_push("pushgps", [gps_item(deviceImei=862476051234567)])).imei == IMEI


# --- idempotency keys -------------------------------------------------------------------------

SAMPLES: dict[str, list[dict[str, Any]]] = {
    "pushgps": [gps_item()],
    "pushalarm": [{"imei": IMEI, "msg": {"alertType": 1, "alarmTime": "2026-11-26 08:30:00"}}],
    "pushevent": [{"deviceImei": IMEI, "type": "LOGOUT", "gateTime": "2026-11-26 08:30:00"}],
    "pushhb": [{"deviceImei": IMEI, "gateTime": "2026-11-26 08:30:00"}],
    "pushrfid": [{"deviceImei": IMEI, "gateTime": "2026-11-26 08:30:00", "value": "01"}],
    "pushplugin": [{"deviceImei": IMEI, "postTime": "2026-11-26 08:30:00", "hexContent": "7878"}],
    "pushoil": [{"deviceImei": IMEI, "gateTime": "2026-11-26 08:30:00", "value": 1}],
    "pushfileupload": [{"deviceImei": IMEI, "gateTime": "2026-11-26 08:30:00", "fileName": "a"}],
    "pushtem": [{"deviceImei": IMEI, "gateTime": "2026-11-26 08:30:00", "tem": 4}],
    "pushlbs": [{"deviceImei": IMEI, "gateTime": "2026-11-26 08:30:00"}],
    "pushresourcelist": [{"imei": IMEI, "resourceList": []}],
    "pushftpfileupload": [{"deviceImei": IMEI, "gateTime": "2026-11-26 08:30:00"}],
    "pushIothubEvent": [
        {"deviceImei": IMEI, "gateTime": "2026-11-26 08:30:00", "eventType": "UploadMediaFileEnd"}
    ],
    "pushPassThroughData": [{"deviceImei": IMEI, "gateTime": "2026-11-26 08:30:00"}],
    "pushTerminalTransInfo": [{"deviceImei": IMEI, "postTime": "2026-11-26 08:30:00"}],
    "pushInstructResponse": [{"_imei": IMEI, "_code": "100"}],
    "pushFileContent": [{"deviceImei": IMEI, "gateTime": "2026-11-26 08:30:00"}],
    "pushextendedkks": [{"deviceImei": IMEI, "gateTime": "2026-11-26 08:30:00"}],
    "uploadCallback": [{"imei": IMEI, "filename": "x.jpg"}],
    "pushobd": [{"deviceImei": IMEI, "obdJson": {"event_time": "2026-11-26 08:30:00"}}],
    "pushfaultinfo": [{"deviceImei": IMEI, "gateTime": "2026-11-26 08:30:00"}],
    "pushtripreport": [{"deviceImei": IMEI, "gateTime": "2026-11-26 08:30:00"}],
    "pushtag": [{"imei": IMEI, "gpsTime": 1795681800000, "lat": 1, "lng": 2}],
}


def test_the_samples_cover_every_data_push_endpoint() -> None:
    assert set(SAMPLES) == ENDPOINTS - {"openapi"}


@pytest.mark.parametrize("endpoint", sorted(SAMPLES))
def test_every_record_has_a_stable_key_without_none(endpoint: str) -> None:
    first: PushRecord = only(form_push(endpoint, SAMPLES[endpoint]))
    again: PushRecord = only(form_push(endpoint, json.loads(json.dumps(SAMPLES[endpoint]))))

    assert first.key == again.key
    assert first.key[0] == IMEI
    assert None not in first.key
    hash(first.key)


@pytest.mark.parametrize("endpoint", sorted(SAMPLES))
def test_every_record_time_is_aware_utc(endpoint: str) -> None:
    record = only(form_push(endpoint, SAMPLES[endpoint]))

    for part in record.key:
        if isinstance(part, datetime):
            assert part.utcoffset() is not None
            assert part == T0


def test_it_gives_the_same_alarm_the_same_key_whether_pushed_or_notified() -> None:
    pushed = only(form_push("pushalarm", SAMPLES["pushalarm"]))
    data = {"imei": IMEI, "alarmType": "1", "alarmTime": "2026-11-26 08:30:00"}
    notified = only(openapi_push("openapi", "jimi.push.device.alarm", data))

    assert pushed.key == notified.key
    assert (pushed.source, notified.source) == ("push", "openapi")


def test_it_lists_the_devices_a_batch_names() -> None:
    other = "862476059999999"
    batch = form_push("pushgps", [gps_item(), gps_item(deviceImei=other), gps_item()])

    assert batch.imeis == {IMEI, other}


def test_an_openapi_notification_sent_to_pushopenapi_is_read_as_one():
    from tracksolid.pushes import canonical_endpoint

    assert canonical_endpoint("pushopenapi") == "openapi"
    assert canonical_endpoint("/PushOpenApi/") == "openapi"
