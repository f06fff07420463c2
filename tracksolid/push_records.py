"""Typed records of positions, alarms, status and sensors, from pushes (and, for alarms, polls).

Every record is a frozen dataclass with ``imei``, aware-UTC times, the fields the spec names under
Pythonic names, and every field it does not name in ``extra``. Its ``key`` is the natural
idempotency key the ingest path (``telemetry/``) stores as a unique constraint, so a push delivered
twice stores nothing twice. Key parts are never ``None``: a record that would need a missing part
is rejected by the parser instead, and optional parts are replaced by a fixed stand-in (``""``,
``0``) or folded into a content digest (:func:`digest`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

__all__ = [
    "FUEL_UNITS",
    "AlarmEvent",
    "FaultCodes",
    "FuelReading",
    "GpsPoint",
    "Heartbeat",
    "Key",
    "LbsReading",
    "LoginEvent",
    "ObdReading",
    "PushRecord",
    "RfidScan",
    "TemperatureReading",
    "TripReport",
    "digest",
]

Key = tuple[Any, ...]


def digest(*parts: object) -> str:
    """A short, stable (process-independent) hex digest of JSON-able parts, for keys of blobs.

    Used where a record's identity is its content (a hex payload, a file list) and the content is
    too long for a database index.
    """
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class PushRecord:
    """Base of every record: the device and what the spec does not name."""

    KIND: ClassVar[str] = "record"

    imei: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> Key:  # pragma: no cover - every record overrides it
        raise NotImplementedError


@dataclass(frozen=True, slots=True, kw_only=True)
class GpsPoint(PushRecord):
    """A position (``pushgps``, TAG pushes). Key: ``(imei, gps_time)``."""

    KIND: ClassVar[str] = "gps"

    gps_time: datetime
    lat: float
    lng: float
    gate_time: datetime | None = None
    speed: float | None = None  # km/h; the vendor's -1 ("unknown", beacons) is None
    direction: int | None = None  # degrees; -1 is None
    satellites: int | None = None
    acc: bool | None = None
    pos_type: str | None = None  # "GPS", "LBS", "WIFI", "BEACON", or the vendor's code as text
    post_method: int | None = None  # upload mode 0x00-0x0F
    status: int | None = None
    altitude: float | None = None  # metres
    distance: float | None = None  # mileage in metres, as the spec says
    reuploaded: bool | None = None  # gpsMode 1 = re-uploaded (blind-area) point

    @property
    def key(self) -> Key:
        return (self.imei, self.gps_time)


@dataclass(frozen=True, slots=True, kw_only=True)
class AlarmEvent(PushRecord):
    """One alarm, whether pushed, notified through OpenAPI or polled.

    Key: ``(imei, type_id, alarm_time)``, the same for a push and a poll of the same alarm when the
    vendor names its type the same way in both.
    """

    KIND: ClassVar[str] = "alarm"

    type_id: str  # "1", "41", "1002", or a word ("in", "out", "overSpeed")
    alarm_time: datetime
    source: str  # "push" (pushalarm), "openapi" (jimi.push.device.alarm), "poll"
    type_name: str | None = None
    lat: float | None = None
    lng: float | None = None
    speed: float | None = None
    fence_id: str | None = None

    @property
    def key(self) -> Key:
        return (self.imei, self.type_id, self.alarm_time)


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginEvent(PushRecord):
    """A login or logout (``pushevent``). Key: ``(imei, event_type, event_time)``."""

    KIND: ClassVar[str] = "login"

    event_type: str  # "LOGIN" or "LOGOUT" (upper-cased as sent)
    event_time: datetime
    timezone: str | None = None  # the device's zone, e.g. "GMT+08:00"; event_time is UTC

    @property
    def is_login(self) -> bool:
        return self.event_type == "LOGIN"

    @property
    def key(self) -> Key:
        return (self.imei, self.event_type, self.event_time)


@dataclass(frozen=True, slots=True, kw_only=True)
class Heartbeat(PushRecord):
    """A heartbeat (``pushhb``). Key: ``(imei, gate_time)``."""

    KIND: ClassVar[str] = "heartbeat"

    gate_time: datetime
    power_level: int | None = None  # battery %
    gsm_signal: int | None = None
    acc: bool | None = None
    charging: bool | None = None
    fortified: bool | None = None

    @property
    def key(self) -> Key:
        return (self.imei, self.gate_time)


FUEL_UNITS = {1: "cm", 2: "%", 3: "V", 4: "L"}


@dataclass(frozen=True, slots=True, kw_only=True)
class FuelReading(PushRecord):
    """A fuel/oil sensor reading (``pushoil``). Key: ``(imei, sensor, reading_time)``.

    ``value`` is the vendor's value / 100; ``unit`` is its name (``FUEL_UNITS``), ``None`` for a
    code we do not know (the code stays in ``unit_code``). ``sensor`` is ``path``, 0 when absent.
    """

    KIND: ClassVar[str] = "fuel"

    sensor: int
    reading_time: datetime
    value: float | None = None
    unit: str | None = None
    unit_code: int | None = None
    gps_time: datetime | None = None
    lat: float | None = None
    lng: float | None = None

    @property
    def key(self) -> Key:
        return (self.imei, self.sensor, self.reading_time)


@dataclass(frozen=True, slots=True, kw_only=True)
class TemperatureReading(PushRecord):
    """Temperature and humidity (``pushtem``). Key: ``(imei, reading_time)``."""

    KIND: ClassVar[str] = "temperature"

    reading_time: datetime
    temperature: float | None = None  # °C
    humidity: float | None = None  # %
    post_time: datetime | None = None

    @property
    def key(self) -> Key:
        return (self.imei, self.reading_time)


@dataclass(frozen=True, slots=True, kw_only=True)
class LbsReading(PushRecord):
    """Cell towers or Wi-Fi seen (``pushlbs``). Key: ``(imei, reading_time, post_type)``.

    ``lbs`` is ``lbsJson`` decoded (``{"mcc", "mnc", "cellList": [...]}``), or the raw text when it
    is not JSON.
    """

    KIND: ClassVar[str] = "lbs"

    reading_time: datetime
    post_type: str  # "LBS" or "WIFI"; "" when absent
    lbs: Any = None

    @property
    def key(self) -> Key:
        return (self.imei, self.reading_time, self.post_type)


@dataclass(frozen=True, slots=True, kw_only=True)
class RfidScan(PushRecord):
    """An RFID card read (our endpoint ``pushrfid``). Key: ``(imei, scan_time, value)``."""

    KIND: ClassVar[str] = "rfid"

    scan_time: datetime
    value: str
    module_type: str | None = None
    post_time: datetime | None = None
    gps_time: datetime | None = None
    lat: float | None = None
    lng: float | None = None

    @property
    def key(self) -> Key:
        return (self.imei, self.scan_time, self.value)


@dataclass(frozen=True, slots=True, kw_only=True)
class ObdReading(PushRecord):
    """OBD readings (``pushobd``); ``values`` holds ``dataID1..N`` as sent, numbers converted.

    Key: ``(imei, event_time)``; ``event_time`` falls back to ``push_time`` then ``gateTime``.
    """

    KIND: ClassVar[str] = "obd"

    event_time: datetime
    push_time: datetime | None = None
    car_type: int | None = None  # 1 commercial, 2 passenger
    acc: bool | None = None
    status_flags: int | None = None
    lat: float | None = None
    lng: float | None = None
    values: dict[str, int | float | str] = field(default_factory=dict)

    @property
    def key(self) -> Key:
        return (self.imei, self.event_time)


@dataclass(frozen=True, slots=True, kw_only=True)
class FaultCodes(PushRecord):
    """A DTC fault-code report (``pushfaultinfo``).

    Key: ``(imei, event_time)``; ``event_time`` is ``eventTime``, else ``gateTime``.
    """

    KIND: ClassVar[str] = "fault_codes"

    event_time: datetime
    codes: tuple[str, ...] = ()
    count: int | None = None
    status_flags: int | None = None
    lat: float | None = None
    lng: float | None = None
    report_time: datetime | None = None

    @property
    def key(self) -> Key:
        return (self.imei, self.event_time)


@dataclass(frozen=True, slots=True, kw_only=True)
class TripReport(PushRecord):
    """A device's own trip report (``pushtripreport``); one at the start, one at the end.

    Key: ``(imei, seq or 0, trip_time, is_end)`` where ``trip_time`` is ``begin_time``, else the
    report time; the start and end reports of one trip are two records for the ingest to merge.
    """

    KIND: ClassVar[str] = "trip_report"

    trip_time: datetime
    is_end: bool  # properties 2 = end, 1 = start
    report_time: datetime | None = None
    distance_km: float | None = None  # "miles", which the spec says is km
    fuel_l: float | None = None  # "oils", litres
    idle_seconds: int | None = None
    seq: int | None = None
    begin_time: datetime | None = None
    end_time: datetime | None = None
    begin_lat: float | None = None
    begin_lng: float | None = None
    end_lat: float | None = None
    end_lng: float | None = None

    @property
    def key(self) -> Key:
        return (self.imei, self.seq or 0, self.trip_time, self.is_end)
