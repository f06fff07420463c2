"""Parse one push item of the position, alarm, status and sensor kinds into its record.

Each parser takes the item (a dict as the vendor sent it) and the request's top-level ``msgType``
and returns a record or raises :class:`~tracksolid.push_fields.ItemError` naming the field.
Field-name variants (``deviceImei``/``imei``, ``alarmType``/``alertType``/``alertTypeId``,
``posType``/``postType``) and value quirks (numbers as strings, ``"ON"``/``"1"``, epoch ms, BCD
times) are absorbed here. The pollers reuse :func:`parse_alarm` and :func:`parse_gps_point`, so a
polled alarm or track point becomes the same record as a pushed one.
"""

from __future__ import annotations

from typing import Any

from tracksolid import push_fields as f
from tracksolid.normalise import to_float, to_str
from tracksolid.push_fields import Item, ItemError
from tracksolid.push_records import (
    FUEL_UNITS,
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
from tracksolid.records import AlarmRecord, pos_type_name

__all__ = [
    "alarm_from_record",
    "parse_alarm",
    "parse_fault_codes",
    "parse_fuel",
    "parse_gps_point",
    "parse_heartbeat",
    "parse_lbs",
    "parse_login",
    "parse_obd",
    "parse_openapi_alarm",
    "parse_rfid",
    "parse_temperature",
    "parse_trip_report",
]


def _type_id(value: Any) -> str:
    """``41``, ``41.0`` and ``"41"`` are the same alarm type: ``"41"``."""
    if value is None or isinstance(value, bool) or value == "":
        raise ItemError("alarm type missing")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_GPS_KNOWN = frozenset({
    "deviceImei", "imei", "gpsTime", "gateTime", "lat", "lng", "gpsSpeed", "speed", "direction",
    "satelliteNum", "gpsNum", "acc", "accStatus", "postType", "posType", "positionType",
    "postMethod", "status", "altitude", "distance", "gpsMode",
})  # fmt: skip


def parse_gps_point(item: Item, msg_type: str | None = None) -> GpsPoint:
    """A ``pushgps`` item, a TAG push item, or a track-list point as a :class:`GpsPoint`."""
    get = item.get
    lat = f.lat("lat", get("lat"))
    lng = f.lng("lng", get("lng"))
    if lat is None or lng is None:
        raise ItemError("lat/lng missing")
    if lat == 0 and lng == 0:  # what an expired device or a beacon without a fix reports
        raise ItemError("lat/lng 0,0: no position fix")
    mode = get("gpsMode")
    return GpsPoint(
        imei=f.imei(item),
        gps_time=f.required_moment(item, "gpsTime"),
        gate_time=f.moment("gateTime", get("gateTime")),
        lat=lat,
        lng=lng,
        speed=f.speed("gpsSpeed", f.first(item, "gpsSpeed", "speed")[1]),
        direction=_direction(get("direction")),
        satellites=f.integer("satelliteNum", f.first(item, "satelliteNum", "gpsNum")[1]),
        acc=f.flag("acc", f.first(item, "acc", "accStatus")[1]),
        pos_type=pos_type_name(f.first(item, "postType", "posType", "positionType")[1]),
        post_method=f.integer("postMethod", get("postMethod")),
        status=f.integer("status", get("status")),
        altitude=f.number("altitude", get("altitude")),
        distance=f.number("distance", get("distance")),
        reuploaded=None if mode is None or mode == "" else f.flag("gpsMode", mode),
        extra=f.unnamed(item, _GPS_KNOWN),
    )


def _direction(value: Any) -> int | None:
    number = f.number("direction", value)
    if number is None or number < 0:
        return None
    return int(number)


_ALARM_KNOWN = frozenset({
    "deviceImei", "imei", "alertType", "alarmType", "alertTypeId", "alarmTypeId", "alarmName",
    "alertTypeName", "alarmTypeName", "alertName", "alarmTime", "gateTime", "alertTime", "lat",
    "lng", "gpsSpeed", "speed", "geoid", "fenceId", "msg",
})  # fmt: skip


def parse_alarm(item: Item, msg_type: str | None = None, *, source: str = "push") -> AlarmEvent:
    """Any alarm shape as an :class:`AlarmEvent`.

    Shapes: the spec's ``{deviceImei, alarmType, alarmName, gateTime}``; the real ``pushalarm``
    ``{imei, msgClass, type, msg: {alertType, alarmTime, lat, lng, gpsSpeed, ...}}``; the OpenAPI
    notification ``{imei, deviceName, alarmType, alarmName, lat, lng, alarmTime}``; and the poll's
    ``{imei, alertTypeId, alarmTypeName, alarmTime, geoid, ...}``.
    """
    flat = item
    extra = f.unnamed(item, _ALARM_KNOWN)
    if item.get("msg") is not None:
        msg = f.json_object("msg", item["msg"])
        flat = {**item, **msg}
        inner = f.unnamed(msg, _ALARM_KNOWN)
        if inner:
            extra["msg"] = inner
    _, type_value = f.first(flat, "alertType", "alarmType", "alertTypeId", "alarmTypeId")
    lat, lng = f.lat("lat", flat.get("lat")), f.lng("lng", flat.get("lng"))  # 0,0: no fix
    return AlarmEvent(
        imei=f.imei(flat),
        type_id=_type_id(type_value),
        type_name=f.text(
            f.first(flat, "alarmName", "alarmTypeName", "alertTypeName", "alertName")[1]
        ),
        alarm_time=f.required_moment(flat, "alertTime", "alarmTime", "gateTime"),
        source=source,
        lat=lat if lat or lng else None,
        lng=lng if lat or lng else None,
        speed=f.speed("gpsSpeed", f.first(flat, "gpsSpeed", "speed")[1]),
        fence_id=f.text(f.first(flat, "geoid", "fenceId")[1]),
        extra=extra,
    )


def alarm_from_record(record: AlarmRecord) -> AlarmEvent:
    """A polled alarm (the client's :class:`~tracksolid.records.AlarmRecord`) as the same
    :class:`AlarmEvent` a push makes, so both reach the ingest path as one record type.

    Raises :class:`ItemError` when the poll lacks what the key needs (IMEI, type, time).
    """
    if record.type_id is None:
        raise ItemError("alarm type missing")
    if record.alarm_time is None:
        raise ItemError("alertTime/alarmTime missing")
    named = {
        "deviceName": record.device_name,
        "model": record.model,
        "account": record.account,
        "positioningTime": record.position_time and record.position_time.isoformat(),
    }  # extra stays JSON-able: it is stored as sent
    return AlarmEvent(
        imei=f.imei({"imei": record.imei}),
        type_id=record.type_id,
        type_name=record.type_name,
        alarm_time=record.alarm_time,
        source="poll",
        lat=record.lat,
        lng=record.lng,
        speed=record.speed,
        fence_id=record.fence_id,
        extra={**{k: v for k, v in named.items() if v is not None}, **record.extra},
    )


def parse_openapi_alarm(item: Item, msg_type: str | None) -> AlarmEvent:
    return parse_alarm(item, msg_type, source="openapi")


_EVENT_KNOWN = f.known("type", "gateTime", "timezone")


def parse_login(item: Item, msg_type: str | None) -> LoginEvent:
    event_type = to_str(item.get("type"))
    if event_type is None:
        raise ItemError("type missing")
    return LoginEvent(
        imei=f.imei(item),
        event_type=event_type.upper(),
        event_time=f.required_moment(item, "gateTime"),
        timezone=to_str(item.get("timezone")),
        extra=f.unnamed(item, _EVENT_KNOWN),
    )


_HB_KNOWN = f.known("gateTime", "powerLevel", "gsmSign", "acc", "powerStatus", "fortify")


def parse_heartbeat(item: Item, msg_type: str | None) -> Heartbeat:
    get = item.get
    return Heartbeat(
        imei=f.imei(item),
        gate_time=f.required_moment(item, "gateTime"),
        power_level=f.integer("powerLevel", get("powerLevel")),
        gsm_signal=f.integer("gsmSign", get("gsmSign")),
        acc=f.flag("acc", get("acc")),
        charging=f.flag("powerStatus", get("powerStatus")),
        fortified=f.flag("fortify", get("fortify")),
        extra=f.unnamed(item, _HB_KNOWN),
    )


_POSITION = ("gpsTime", "lat", "lng")
_RFID_KNOWN = f.known("moduleType", "gateTime", "postTime", "value", *_POSITION)


def parse_rfid(item: Item, msg_type: str | None) -> RfidScan:
    value = f.text(item.get("value"))
    if value is None:
        raise ItemError("value missing")
    return RfidScan(
        imei=f.imei(item),
        scan_time=f.required_moment(item, "gateTime", "postTime", "gpsTime"),
        value=value,
        module_type=f.text(item.get("moduleType")),
        post_time=f.moment("postTime", item.get("postTime")),
        gps_time=f.moment("gpsTime", item.get("gpsTime")),
        lat=f.lat("lat", item.get("lat")),
        lng=f.lng("lng", item.get("lng")),
        extra=f.unnamed(item, _RFID_KNOWN),
    )


_OIL_KNOWN = f.known("path", "gateTime", "value", "unit", *_POSITION)


def parse_fuel(item: Item, msg_type: str | None) -> FuelReading:
    raw = f.number("value", item.get("value"))
    unit_code = f.integer("unit", item.get("unit"))
    return FuelReading(
        imei=f.imei(item),
        sensor=f.integer("path", item.get("path")) or 0,
        reading_time=f.required_moment(item, "gateTime", "gpsTime"),
        value=None if raw is None else raw / 100,
        unit=None if unit_code is None else FUEL_UNITS.get(unit_code),
        unit_code=unit_code,
        gps_time=f.moment("gpsTime", item.get("gpsTime")),
        lat=f.lat("lat", item.get("lat")),
        lng=f.lng("lng", item.get("lng")),
        extra=f.unnamed(item, _OIL_KNOWN),
    )


_TEM_KNOWN = f.known("tem", "hum", "gateTime", "postTime")


def parse_temperature(item: Item, msg_type: str | None) -> TemperatureReading:
    return TemperatureReading(
        imei=f.imei(item),
        reading_time=f.required_moment(item, "gateTime", "postTime"),
        temperature=f.number("tem", item.get("tem")),
        humidity=f.number("hum", item.get("hum")),
        post_time=f.moment("postTime", item.get("postTime")),
        extra=f.unnamed(item, _TEM_KNOWN),
    )


_LBS_KNOWN = f.known("postType", "gateTime", "lbsJson")


def parse_lbs(item: Item, msg_type: str | None) -> LbsReading:
    return LbsReading(
        imei=f.imei(item),
        reading_time=f.required_moment(item, "gateTime"),
        post_type=(to_str(item.get("postType")) or "").upper(),
        lbs=f.json_value(item.get("lbsJson")),
        extra=f.unnamed(item, _LBS_KNOWN),
    )


_OBD_KNOWN = f.known("obdJson", "gateTime")
_OBD_FIELDS = frozenset({
    "car_type", "push_time", "event_time", "AccState", "statusFlags", "lat", "lng", "deviceImei",
    "imei", "gateTime",
})  # fmt: skip


def _obd_value(value: Any) -> int | float | str:
    try:
        number = to_float(value)
    except (ValueError, TypeError):
        return str(value)
    if number is None:
        return ""
    return int(number) if number.is_integer() else number


def parse_obd(item: Item, msg_type: str | None) -> ObdReading:
    nested = item.get("obdJson") is not None
    obd = f.json_object("obdJson", item["obdJson"]) if nested else item
    both = {**obd, **item} if nested else item
    values: dict[str, int | float | str] = {}
    unknown: dict[str, Any] = {}
    for key, value in obd.items():
        if key[:6].lower() == "dataid":
            values[key] = _obd_value(value)
        elif key not in _OBD_FIELDS:
            unknown[key] = value
    if nested:
        extra = f.unnamed(item, _OBD_KNOWN)
        if unknown:
            extra["obdJson"] = unknown
    else:
        extra = unknown
    get = obd.get
    return ObdReading(
        imei=f.imei(both),
        event_time=f.required_moment(both, "event_time", "push_time", "gateTime"),
        push_time=f.moment("push_time", get("push_time")),
        car_type=f.integer("car_type", get("car_type")),
        acc=f.flag("AccState", get("AccState")),
        status_flags=f.integer("statusFlags", get("statusFlags")),
        lat=f.lat("lat", get("lat")),
        lng=f.lng("lng", get("lng")),
        values=values,
        extra=extra,
    )


_FAULT_KNOWN = f.known(
    "gateTime", "faultCodeList", "faultNum", "statusFlags", "lat", "lng", "eventTime"
)


def parse_fault_codes(item: Item, msg_type: str | None) -> FaultCodes:
    return FaultCodes(
        imei=f.imei(item),
        event_time=f.required_moment(item, "eventTime", "gateTime"),
        codes=f.strings(item.get("faultCodeList")),
        count=f.integer("faultNum", item.get("faultNum")),
        status_flags=f.integer("statusFlags", item.get("statusFlags")),
        lat=f.lat("lat", item.get("lat")),
        lng=f.lng("lng", item.get("lng")),
        report_time=f.moment("gateTime", item.get("gateTime")),
        extra=f.unnamed(item, _FAULT_KNOWN),
    )


_TRIP_KNOWN = f.known(
    "gateTime", "miles", "oils", "idleTimes", "tripSeq", "beginTime", "endTime", "beginLat",
    "beginLng", "endLat", "endLng", "properties",
)  # fmt: skip


def parse_trip_report(item: Item, msg_type: str | None) -> TripReport:
    get = item.get
    begin_time = f.moment("beginTime", get("beginTime"))
    report_time = f.moment("gateTime", get("gateTime"))
    trip_time = begin_time or report_time
    if trip_time is None:
        raise ItemError("beginTime/gateTime missing")
    return TripReport(
        imei=f.imei(item),
        trip_time=trip_time,
        is_end=f.integer("properties", get("properties")) == 2,
        report_time=report_time,
        distance_km=f.number("miles", get("miles")),
        fuel_l=f.number("oils", get("oils")),
        idle_seconds=f.integer("idleTimes", get("idleTimes")),
        seq=f.integer("tripSeq", get("tripSeq")),
        begin_time=begin_time,
        end_time=f.moment("endTime", get("endTime")),
        begin_lat=f.lat("beginLat", get("beginLat")),
        begin_lng=f.lng("beginLng", get("beginLng")),
        end_lat=f.lat("endLat", get("endLat")),
        end_lng=f.lng("endLng", get("endLng")),
        extra=f.unnamed(item, _TRIP_KNOWN),
    )
