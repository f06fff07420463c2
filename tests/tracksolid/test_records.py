"""Tests for tracksolid.records: each vendor quirk in the field notes is normalised."""

from __future__ import annotations

from datetime import UTC, datetime

from tracksolid.records import (
    AlarmRecord,
    DeviceInfo,
    DeviceLocation,
    ParkingRecord,
    TokenGrant,
    TrackPoint,
    Trip,
    pos_type_name,
)
from tracksolid.records_media import CommandResult, InstructResult, MediaEvent

LOCATION = {
    "imei": "868120000000001",
    "deviceName": "Van 1 / 1234-ABC",
    "status": "1",
    "posType": "GPS",
    "lat": 40.41,
    "lng": -3.7,
    "hbTime": "2024-05-01 10:00:05",
    "accStatus": "0",
    "speed": "42",
    "gpsTime": "2024-05-01 10:00:00",
    "direction": "-1",
    "expireFlag": "0",
    "electQuantity": "",
    "batteryPowerVal": "4.14",
    "currentMileage": "8853.60",
    "distance": "-1",
    "gpsNum": "11",
    "gpsSignal": "3",
    "iccid": "8934",
    "icon": "car",
}


def test_location_strings_become_numbers_booleans_and_utc_times() -> None:
    loc = DeviceLocation.parse(LOCATION)
    assert loc.online is True
    assert loc.acc is False
    assert loc.speed == 42.0
    assert loc.current_mileage == 8853.6
    assert loc.gps_num == 11
    assert loc.gps_signal == 3
    assert loc.battery_voltage == 4.14
    assert loc.gps_time == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert loc.hb_time == datetime(2024, 5, 1, 10, 0, 5, tzinfo=UTC)
    assert loc.pos_type == "GPS"


def test_a_direction_of_minus_one_and_an_empty_battery_are_unknown() -> None:
    loc = DeviceLocation.parse(LOCATION)
    assert loc.direction is None
    assert loc.elect_quantity is None


def test_fields_the_record_does_not_name_are_kept_in_extra() -> None:
    loc = DeviceLocation.parse(LOCATION)
    assert loc.extra == {"distance": "-1", "iccid": "8934", "icon": "car"}


def test_an_unreadable_value_is_none_and_kept_as_sent_in_extra() -> None:
    loc = DeviceLocation.parse({**LOCATION, "speed": "fast"})
    assert loc.speed is None
    assert loc.extra["speed"] == "fast"


def test_an_expired_device_at_zero_zero_has_no_position() -> None:
    loc = DeviceLocation.parse({**LOCATION, "lat": 0, "lng": 0, "expireFlag": "1"})
    assert (loc.lat, loc.lng, loc.expired) == (None, None, True)


def test_track_points_read_on_off_and_numeric_position_types() -> None:
    raw = {
        "lat": 1.5,
        "lng": 2.5,
        "gpsTime": "2024-05-01 10:00:00",
        "gpsSpeed": 30,
        "direction": 79,
        "accStatus": "ON",
        "ignition": "OFF",
        "posType": 2,
        "gpsMode": 1,
        "satellite": 9,
    }
    point = TrackPoint.parse(raw, imei="A")
    assert (point.imei, point.speed, point.direction) == ("A", 30.0, 79)
    assert (point.acc, point.ignition) == (True, False)
    assert point.pos_type == "LBS"
    assert point.reuploaded is True
    assert point.extra == {"satellite": 9}


def test_a_beacon_point_with_speed_minus_one_has_unknown_speed() -> None:
    point = TrackPoint.parse({"lat": 1, "lng": 2, "gpsSpeed": -1, "posType": 5}, imei="A")
    assert point.speed is None
    assert point.pos_type == "BEACON"
    assert pos_type_name(3) == "WIFI"


def test_alarms_read_alarm_type_name_and_the_documented_alert_type_name() -> None:
    real = AlarmRecord.parse({"imei": "A", "alertTypeId": "overSpeed", "alarmTypeName": "Speed"})
    documented = AlarmRecord.parse({"imei": "A", "alertTypeId": "41", "alertTypeName": "SOS"})
    assert (real.type_id, real.type_name) == ("overSpeed", "Speed")
    assert (documented.type_id, documented.type_name) == ("41", "SOS")


def test_a_fence_alarm_carries_the_platform_fence_id() -> None:
    alarm = AlarmRecord.parse(
        {
            "imei": "A",
            "alertTypeId": "in",
            "alertTime": "2024-05-01 10:00:00",
            "positioningTime": "2024-05-01 09:59:58",
            "geoid": "1234",
            "speed": "12",
        }
    )
    assert alarm.fence_id == "1234"
    assert alarm.alarm_time == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert alarm.position_time == datetime(2024, 5, 1, 9, 59, 58, tzinfo=UTC)
    assert alarm.speed == 12.0


def test_trips_read_elapsed_or_run_time_second_and_convert_metres() -> None:
    real = Trip.parse({"imei": "A", "distance": "1500.00", "elapsed": 600}, distance_unit="m")
    documented = Trip.parse({"imei": "A", "distance": 1.5, "runTimeSecond": "600"})
    assert real.duration_s == documented.duration_s == 600
    assert real.distance_km == documented.distance_km == 1.5


def test_parking_times_in_iso_with_z_become_utc() -> None:
    record = ParkingRecord.parse(
        {"imei": "A", "startTime": "2022-12-10T01:05:33.000Z", "durSecond": 120, "addr": None}
    )
    assert record.start_time == datetime(2022, 12, 10, 1, 5, 33, tzinfo=UTC)
    assert record.duration_s == 120


def test_device_info_reads_the_enabled_flag_and_the_group() -> None:
    info = DeviceInfo.parse(
        {
            "imei": "A",
            "deviceName": "Van 1",
            "enabledFlag": 1,
            "expiration": "2030-01-01 23:59:59",
            "deviceGroup": "Vans",
            "deviceGroupId": "g1",
            "vehicleNumber": "",
        }
    )
    assert info.enabled is True
    assert (info.group_name, info.group_id) == ("Vans", "g1")
    assert info.vehicle_number is None
    assert info.expiration == datetime(2030, 1, 1, 23, 59, 59, tzinfo=UTC)


def test_a_token_grant_whose_refresh_token_is_missing_reuses_the_access_token() -> None:
    grant = TokenGrant.parse({"accessToken": "abc", "expiresIn": 60}, default_expires_in=7200)
    assert grant.refresh_token == "abc"
    assert grant.expires_in == 60
    assert "abc" not in repr(grant)


def test_media_events_parse_their_nested_file_list() -> None:
    event = MediaEvent.parse(
        {
            "imei": "A",
            "event_type": "collision",
            "alarm_time": "2024-05-01 10:00:00",
            "fileList": [{"file_URL": "http://x/1.jpg", "mime_type": "image/jpeg"}],
        }
    )
    assert event.files[0].file_url == "http://x/1.jpg"
    assert event.files[0].mime_type == "image/jpeg"


def test_an_instruct_answer_is_ok_only_with_code_100() -> None:
    assert InstructResult.parse({"_code": "100", "_msg": "ok"}).ok
    assert not InstructResult.parse({"_code": 300, "_msg": "offline"}).ok


def test_a_command_result_names_the_device_result_code_of_a_refusal() -> None:
    refused = CommandResult.parse(
        {"codeId": "7", "isExecute": False, "content": "Result code\uff1a226"}
    )
    done = CommandResult.parse({"codeId": "8", "isExecute": True, "content": "Result code: 1"})
    waiting = CommandResult.parse({"codeId": "9", "isExecute": False, "content": None})

    assert (refused.refusal_code, done.refusal_code, waiting.refusal_code) == ("226", None, None)
