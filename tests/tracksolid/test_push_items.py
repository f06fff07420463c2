"""Tests for tracksolid/push_items.py: positions, alarms, status and sensor pushes, each quirk."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from tests.tracksolid.push_payloads import IMEI, T0, form_push, gps_item, only
from tracksolid.push_items import alarm_from_record
from tracksolid.pushes import (
    AlarmEvent,
    FaultCodes,
    FuelReading,
    GpsPoint,
    Heartbeat,
    LbsReading,
    LoginEvent,
    ObdReading,
    RfidScan,
    TemperatureReading,
    TripReport,
)
from tracksolid.records import AlarmRecord


def test_it_reads_every_gps_field_as_a_typed_value() -> None:
    point = only(form_push("pushgps", [gps_item()]))

    assert point == GpsPoint(
        imei=IMEI,
        gps_time=T0,
        gate_time=datetime(2026, 11, 26, 8, 30, 2, tzinfo=UTC),
        lat=22.54321,
        lng=114.05321,
        speed=42.0,
        direction=79,
        satellites=11,
        acc=True,
        pos_type="GPS",
        post_method=0,
        status=1,
        altitude=35.0,
        distance=120400.0,
    )


def test_it_reads_a_login_event() -> None:
    event = only(
        form_push(
            "pushevent",
            [
                {
                    "deviceImei": IMEI,
                    "type": "login",
                    "gateTime": "2026-11-26 08:30:00",
                    "timezone": "GMT+08:00",
                }
            ],
        )
    )

    assert event == LoginEvent(imei=IMEI, event_type="LOGIN", event_time=T0, timezone="GMT+08:00")
    assert event.is_login
    assert event.key == (IMEI, "LOGIN", T0)


def test_it_reads_a_heartbeat() -> None:
    beat = only(
        form_push(
            "pushhb",
            [
                {
                    "deviceImei": IMEI,
                    "gateTime": "2026-11-26 08:30:00",
                    "powerLevel": 87,
                    "gsmSign": 4,
                    "acc": 0,
                    "powerStatus": 1,
                    "fortify": 0,
                }
            ],
        )
    )

    assert beat == Heartbeat(
        imei=IMEI, gate_time=T0, power_level=87, gsm_signal=4, acc=False, charging=True,
        fortified=False,
    )  # fmt: skip
    assert beat.key == (IMEI, T0)


def test_it_reads_an_alarm_in_the_spec_flat_shape() -> None:
    alarm = only(
        form_push(
            "pushalarm",
            [
                {
                    "deviceImei": IMEI,
                    "alarmType": "1",
                    "alarmName": "SOS",
                    "gateTime": "2026-11-26 08:30:00",
                    "fenceId": "",
                }
            ],
        )
    )

    assert alarm == AlarmEvent(
        imei=IMEI, type_id="1", type_name="SOS", alarm_time=T0, source="push", extra={}
    )


def test_it_reads_an_alarm_with_imei_and_a_nested_msg() -> None:
    item = {
        "imei": IMEI,
        "msgClass": 0,
        "type": "alarm",
        "msg": {
            "alertType": 41,
            "alarmTime": "2026-11-26 08:30:00",
            "lat": 22.5,
            "lng": 114.05,
            "gpsSpeed": 88,
            "alarmName": "Overspeed",
            "course": 90,
        },
    }

    alarm = only(form_push("pushalarm", [item]))

    assert (alarm.imei, alarm.type_id, alarm.type_name) == (IMEI, "41", "Overspeed")
    assert (alarm.alarm_time, alarm.lat, alarm.lng, alarm.speed) == (T0, 22.5, 114.05, 88.0)
    assert alarm.extra == {"msgClass": 0, "type": "alarm", "msg": {"course": 90}}


def test_it_reads_a_nested_msg_sent_as_a_json_string() -> None:
    item = {"imei": IMEI, "msg": json.dumps({"alertType": "6", "alarmTime": "2026-11-26 08:30:00"})}

    assert only(form_push("pushalarm", [item])).type_id == "6"


def test_it_gives_a_numeric_and_a_string_alert_type_the_same_key() -> None:
    def alarm(alert_type: Any) -> AlarmEvent:
        item = {"imei": IMEI, "msg": {"alertType": alert_type, "alarmTime": 1795681800000}}
        result: AlarmEvent = only(form_push("pushalarm", [item]))
        return result

    assert alarm(41).key == alarm("41").key == alarm(41.0).key == (IMEI, "41", T0)
    assert alarm("overSpeed").type_id == "overSpeed"


def test_it_reads_a_polled_alarm_shape_into_the_same_record() -> None:
    item = {"imei": IMEI, "alertTypeId": "in", "alarmTypeName": "Enter fence", "geoid": "778",
            "alarmTime": "2026-11-26 08:30:00", "lat": "22.5", "lng": "114"}  # fmt: skip

    alarm = only(form_push("pushalarm", [item]))

    assert (alarm.type_id, alarm.type_name, alarm.fence_id) == ("in", "Enter fence", "778")


def test_it_turns_a_polled_alarm_record_into_the_same_alarm_event() -> None:
    raw = {"imei": IMEI, "alertTypeId": "1", "alarmTypeName": "SOS", "deviceName": "Van 07",
           "alarmTime": "2026-11-26 08:30:00", "lat": "22.5", "lng": "114.05",
           "mcType": "JC400"}  # fmt: skip
    pushed = only(
        form_push(
            "pushalarm",
            [{"imei": IMEI, "msg": {"alertType": 1, "alarmTime": "2026-11-26 08:30:00"}}],
        )
    )

    polled = alarm_from_record(AlarmRecord.parse(raw))

    assert polled.key == pushed.key
    assert (polled.source, polled.type_name, polled.lat) == ("poll", "SOS", 22.5)
    assert polled.extra == {"deviceName": "Van 07", "mcType": "JC400"}
    json.dumps(polled.extra)


def test_it_reads_an_alarm_at_zero_zero_as_having_no_position() -> None:
    item = {"imei": IMEI, "msg": {"alertType": 1, "alarmTime": 1795681800, "lat": 0, "lng": 0}}

    alarm = only(form_push("pushalarm", [item]))

    assert (alarm.lat, alarm.lng) == (None, None)


def test_it_rejects_a_position_at_zero_zero() -> None:
    batch = form_push("pushgps", [gps_item(lat="0", lng="0.0")])

    assert [entry.reason for entry in batch.rejected] == ["item 0: lat/lng 0,0: no position fix"]


def test_it_rejects_an_alarm_without_a_type() -> None:
    batch = form_push("pushalarm", [{"imei": IMEI, "msg": {"alarmTime": "2026-11-26 08:30:00"}}])

    assert [entry.reason for entry in batch.rejected] == ["item 0: alarm type missing"]


def test_it_reads_epoch_seconds_and_iso_times_with_z() -> None:
    seconds = only(form_push("pushgps", [gps_item(gpsTime=1795681800)]))
    iso = only(form_push("pushgps", [gps_item(gpsTime="2026-11-26T08:30:00.000Z")]))
    millis_text = only(form_push("pushgps", [gps_item(gpsTime="1795681800000")]))

    assert seconds.gps_time == iso.gps_time == millis_text.gps_time == T0
    assert iso.gps_time.tzinfo is UTC


def test_it_reads_unknown_speed_and_heading_as_none() -> None:
    point = only(form_push("pushgps", [gps_item(gpsSpeed="-1", direction="-1")]))

    assert (point.speed, point.direction) == (None, None)


def test_it_reads_track_list_style_fields() -> None:
    point = only(
        form_push("pushgps", [gps_item(acc=None, accStatus="ON", postType=None, posType=5,
                                       gpsMode=1)])
    )  # fmt: skip

    assert (point.acc, point.pos_type, point.reuploaded) == (True, "BEACON", True)


def test_it_keeps_unknown_fields_in_extra() -> None:
    point = only(form_push("pushgps", [gps_item(iccid="8986", mcType="JC400")]))

    assert point.extra == {"iccid": "8986", "mcType": "JC400"}


def test_it_reads_an_rfid_scan() -> None:
    scan = only(
        form_push(
            "pushrfid",
            [
                {
                    "moduleType": "1",
                    "deviceImei": IMEI,
                    "gateTime": "2026-11-26 08:30:00",
                    "postTime": "2026-11-26 08:30:01",
                    "value": "0012345678",
                    "lat": 22.5,
                    "lng": 114.05,
                }
            ],
        )
    )

    assert isinstance(scan, RfidScan)
    assert scan.key == (IMEI, T0, "0012345678")
    assert (scan.module_type, scan.lat) == ("1", 22.5)


def test_it_reads_fuel_as_value_over_100_with_the_unit_name() -> None:
    items = [
        {"deviceImei": IMEI, "path": 1, "gateTime": "2026-11-26 08:30:00", "value": 4520,
         "unit": 4},
        {"deviceImei": IMEI, "path": "2", "gateTime": "2026-11-26 08:30:00", "value": "8150",
         "unit": "2"},
        {"deviceImei": IMEI, "gateTime": "2026-11-26 08:30:00", "value": 100, "unit": 9},
    ]  # fmt: skip

    records: list[Any] = form_push("pushoil", items).records
    litres, percent, unknown = records

    assert (litres.value, litres.unit, litres.sensor) == (45.2, "L", 1)
    assert (percent.value, percent.unit) == (81.5, "%")
    assert (unknown.unit, unknown.unit_code, unknown.sensor) == (None, 9, 0)
    assert isinstance(litres, FuelReading)
    assert litres.key == (IMEI, 1, T0)


def test_it_reads_temperature_and_humidity() -> None:
    reading = only(
        form_push(
            "pushtem",
            [
                {
                    "deviceImei": IMEI,
                    "tem": "-18.5",
                    "hum": 61,
                    "gateTime": "2026-11-26 08:30:00",
                    "postTime": "2026-11-26 08:30:05",
                }
            ],
        )
    )

    assert reading == TemperatureReading(
        imei=IMEI, reading_time=T0, temperature=-18.5, humidity=61.0,
        post_time=datetime(2026, 11, 26, 8, 30, 5, tzinfo=UTC),
    )  # fmt: skip


def test_it_reads_cell_towers_with_their_json_decoded() -> None:
    lbs = {"mcc": 460, "mnc": 0, "cellList": [{"lac": 9340, "ci": 3962, "rssi": -70}]}
    reading = only(
        form_push(
            "pushlbs",
            [
                {
                    "postType": "lbs",
                    "deviceImei": IMEI,
                    "gateTime": "2026-11-26 08:30:00",
                    "lbsJson": json.dumps(lbs),
                }
            ],
        )
    )

    assert isinstance(reading, LbsReading)
    assert (reading.post_type, reading.lbs) == ("LBS", lbs)


def test_it_reads_obd_data_with_its_data_ids() -> None:
    obd = {"car_type": 2, "push_time": "2026-11-26 08:30:05", "event_time": "2026-11-26 08:30:00",
           "AccState": 1, "statusFlags": 3, "lat": 22.5, "lng": 114.05, "dataID1": "2150",
           "dataID2": 88, "dataID9": "3.5", "vin": "LSV"}  # fmt: skip

    reading = only(form_push("pushobd", [{"deviceImei": IMEI, "obdJson": obd}]))

    assert isinstance(reading, ObdReading)
    assert (reading.event_time, reading.car_type, reading.acc, reading.status_flags) == (
        T0, 2, True, 3,
    )  # fmt: skip
    assert reading.values == {"dataID1": 2150, "dataID2": 88, "dataID9": 3.5}
    assert reading.extra == {"obdJson": {"vin": "LSV"}}


def test_it_reads_obd_data_sent_as_a_json_string() -> None:
    obd = json.dumps({"event_time": "2026-11-26 08:30:00", "dataID1": 1})

    assert only(form_push("pushobd", [{"deviceImei": IMEI, "obdJson": obd}])).values == {
        "dataID1": 1
    }


def test_it_reads_fault_codes_from_a_list_or_a_string() -> None:
    items = [
        {"deviceImei": IMEI, "gateTime": "2026-11-26 08:30:05", "faultCodeList": ["P0301", "P0420"],
         "faultNum": 2, "statusFlags": 1, "lat": 22.5, "lng": 114.05, "eventTime": 1795681800},
        {"deviceImei": IMEI, "gateTime": "2026-11-26 08:30:00", "faultCodeList": "P0301,P0420"},
    ]  # fmt: skip

    records: list[Any] = form_push("pushfaultinfo", items).records
    listed, text = records

    assert isinstance(listed, FaultCodes)
    assert listed.codes == text.codes == ("P0301", "P0420")
    assert listed.event_time == text.event_time == T0
    assert listed.report_time == datetime(2026, 11, 26, 8, 30, 5, tzinfo=UTC)


def test_it_reads_a_trip_report_with_bcd_times() -> None:
    item = {"deviceImei": IMEI, "gateTime": "2026-11-26 09:00:00", "miles": "12.4", "oils": 1.3,
            "idleTimes": 240, "tripSeq": 17, "beginTime": "261126083000",
            "endTime": "261126085500", "beginLat": 22.5, "beginLng": 114.05, "endLat": 22.6,
            "endLng": 114.1, "properties": 2}  # fmt: skip

    trip = only(form_push("pushtripreport", [item]))

    assert isinstance(trip, TripReport)
    assert (trip.begin_time, trip.end_time) == (T0, datetime(2026, 11, 26, 8, 55, tzinfo=UTC))
    assert (trip.distance_km, trip.fuel_l, trip.idle_seconds, trip.seq) == (12.4, 1.3, 240, 17)
    assert trip.is_end
    assert trip.key == (IMEI, 17, T0, True)


def test_it_reads_a_trip_report_with_ordinary_times() -> None:
    item = {"deviceImei": IMEI, "beginTime": "2026-11-26 08:30:00", "properties": 1,
            "endTime": "20261126085500"}  # fmt: skip

    trip = only(form_push("pushtripreport", [item]))

    assert (trip.begin_time, trip.is_end) == (T0, False)
    assert trip.end_time == datetime(2026, 11, 26, 8, 55, tzinfo=UTC)
