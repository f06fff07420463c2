"""Typed results of the device, location, track, report and alarm methods.

Each record names the fields the product uses, normalised (numbers from strings, booleans from
``"1"``/``"ON"``, aware UTC datetimes from both time formats, one name for field-name variants),
and keeps every other field the vendor sent in ``extra``. A present value that cannot be read is
``None`` in the record and kept as sent in ``extra``, so one odd field never loses a whole row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .normalise import to_bool
from .record_fields import Fields, pos_type_name
from .record_fields import no_extra as _no_extra
from .record_fields import position as _position
from .records_media import (
    CommandResult,
    CommandSent,
    CommandTemplate,
    InstructResult,
    LivePage,
    MediaCommand,
    MediaEvent,
    MediaFile,
    PlatformFence,
    VideoFile,
)
from .tokens import Token

# The media, command and fence records live in ``records_media``; this module exports every
# record so callers have one place to import from.
__all__ = [
    "AlarmRecord",
    "ChildAccount",
    "CommandResult",
    "CommandSent",
    "CommandTemplate",
    "DeviceGroup",
    "DeviceInfo",
    "DeviceLocation",
    "ExpirationUpdate",
    "Fields",
    "InstructResult",
    "LbsLocation",
    "LivePage",
    "MediaCommand",
    "MediaEvent",
    "MediaFile",
    "ParkingRecord",
    "PlatformFence",
    "TagLocation",
    "TokenGrant",
    "TrackPoint",
    "Trip",
    "VideoFile",
    "pos_type_name",
]


@dataclass(frozen=True)
class TokenGrant:
    """The answer to ``jimi.oauth.token.get``/``refresh``."""

    access_token: str
    refresh_token: str
    expires_in: int
    account: str | None = None
    app_key: str | None = None
    server_time: datetime | None = None
    extra: Mapping[str, Any] = field(default_factory=_no_extra, compare=False)

    def __repr__(self) -> str:
        return f"TokenGrant(account={self.account!r}, expires_in={self.expires_in})"

    @classmethod
    def parse(cls, raw: Mapping[str, Any], *, default_expires_in: int) -> TokenGrant:
        f = Fields(raw)
        access = f.text("accessToken", "access_token") or ""
        if not access:
            raise ValueError("token answer without accessToken")
        return cls(
            access_token=access,
            # refreshToken may be missing or equal to accessToken (field notes).
            refresh_token=f.text("refreshToken", "refresh_token") or access,
            expires_in=f.integer("expiresIn", "expires_in") or default_expires_in,
            account=f.text("account"),
            app_key=f.text("appKey"),
            server_time=f.time("time"),
            extra=f.extra(),
        )

    def to_token(self, now: datetime) -> Token:
        return Token(
            access_token=self.access_token,
            refresh_token=self.refresh_token,
            expires_at=now + timedelta(seconds=self.expires_in),
            obtained_at=now,
        )


@dataclass(frozen=True)
class DeviceInfo:
    """A device from ``jimi.user.device.list`` or ``jimi.track.device.detail``.

    Real fleets often leave ``vehicle_number``/``driver_name`` blank and type both into
    ``device_name``; the sync code decides what to make of that.
    """

    imei: str
    device_name: str | None = None
    mc_type: str | None = None
    sim: str | None = None
    expiration: datetime | None = None
    activation_time: datetime | None = None
    vehicle_name: str | None = None
    vehicle_number: str | None = None
    vehicle_icon: str | None = None
    driver_name: str | None = None
    driver_phone: str | None = None
    enabled: bool | None = None
    account: str | None = None
    current_mileage: float | None = None
    group_name: str | None = None
    group_id: str | None = None
    extra: Mapping[str, Any] = field(default_factory=_no_extra, compare=False)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> DeviceInfo:
        f = Fields(raw)
        return cls(
            imei=f.text("imei") or "",
            device_name=f.text("deviceName"),
            mc_type=f.text("mcType"),
            sim=f.text("sim"),
            expiration=f.time("expiration", "userExpiration"),
            activation_time=f.time("activationTime"),
            vehicle_name=f.text("vehicleName"),
            vehicle_number=f.text("vehicleNumber"),
            vehicle_icon=f.text("vehicleIcon"),
            driver_name=f.text("driverName"),
            driver_phone=f.text("driverPhone"),
            enabled=f.flag("enabledFlag"),
            account=f.text("account"),
            current_mileage=f.number("currentMileage"),
            group_name=f.text("deviceGroup", "groupName"),
            group_id=f.text("deviceGroupId", "groupId"),
            extra=f.extra(),
        )


@dataclass(frozen=True)
class DeviceLocation:
    """Latest state from ``jimi.user.device.location.list`` or ``jimi.device.location.get``."""

    imei: str
    device_name: str | None = None
    online: bool | None = None
    lat: float | None = None
    lng: float | None = None
    speed: float | None = None
    direction: int | None = None
    gps_time: datetime | None = None
    hb_time: datetime | None = None
    acc: bool | None = None
    current_mileage: float | None = None
    expired: bool | None = None
    pos_type: str | None = None
    gps_num: int | None = None
    gps_signal: int | None = None
    elect_quantity: int | None = None
    battery_voltage: float | None = None
    power_value: float | None = None
    mc_type: str | None = None
    confidence: int | None = None
    extra: Mapping[str, Any] = field(default_factory=_no_extra, compare=False)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> DeviceLocation:
        f = Fields(raw)
        lat, lng = _position(f)
        return cls(
            imei=f.text("imei") or "",
            device_name=f.text("deviceName"),
            online=f.flag("status"),
            lat=lat,
            lng=lng,
            speed=f.known_float("speed"),
            direction=f.known("direction"),
            gps_time=f.time("gpsTime"),
            hb_time=f.time("hbTime"),
            acc=f.flag("accStatus"),
            current_mileage=f.number("currentMileage"),
            expired=f.flag("expireFlag"),
            pos_type=pos_type_name(f.text("posType")),
            gps_num=f.integer("gpsNum"),
            gps_signal=f.integer("gpsSignal"),
            elect_quantity=f.integer("electQuantity"),
            battery_voltage=f.number("batteryPowerVal"),
            power_value=f.number("powerValue"),
            mc_type=f.text("mcType"),
            confidence=f.integer("confidence"),
            extra=f.extra(),
        )


@dataclass(frozen=True)
class TrackPoint:
    """One point of ``jimi.device.track.list``; ``reuploaded`` is ``gpsMode`` 1 (buffered)."""

    imei: str
    lat: float | None
    lng: float | None
    gps_time: datetime | None
    speed: float | None = None
    direction: int | None = None
    acc: bool | None = None
    ignition: bool | None = None
    pos_type: str | None = None
    gps_mode: int | None = None
    reuploaded: bool | None = None
    confidence: int | None = None
    extra: Mapping[str, Any] = field(default_factory=_no_extra, compare=False)

    @classmethod
    def parse(cls, raw: Mapping[str, Any], *, imei: str) -> TrackPoint:
        f = Fields(raw)
        lat, lng = _position(f)
        gps_mode = f.integer("gpsMode")
        return cls(
            imei=f.text("imei") or imei,
            lat=lat,
            lng=lng,
            gps_time=f.time("gpsTime"),
            # Beacon/TAG points report gpsSpeed -1: unknown, not reversing.
            speed=f.known_float("gpsSpeed", "speed"),
            direction=f.known("direction"),
            acc=f.flag("accStatus"),
            ignition=f.flag("ignition"),
            pos_type=pos_type_name(f.text("posType")),
            gps_mode=gps_mode,
            reuploaded=None if gps_mode is None else gps_mode == 1,
            confidence=f.integer("confidence"),
            extra=f.extra(),
        )


@dataclass(frozen=True)
class Trip:
    """One item of ``jimi.device.track.mileage``.

    ``distance`` is as sent, in ``distance_unit`` (the client's ``mileage_unit``: the doc says km,
    one production user saw metres); ``distance_km`` converts.
    """

    imei: str
    start_time: datetime | None
    end_time: datetime | None
    distance: float | None = None
    distance_unit: str = "km"
    avg_speed: float | None = None
    duration_s: int | None = None
    extra: Mapping[str, Any] = field(default_factory=_no_extra, compare=False)

    @property
    def distance_km(self) -> float | None:
        if self.distance is None:
            return None
        return self.distance / 1000 if self.distance_unit == "m" else self.distance

    @classmethod
    def parse(cls, raw: Mapping[str, Any], *, distance_unit: str = "km") -> Trip:
        f = Fields(raw)
        return cls(
            imei=f.text("imei") or "",
            start_time=f.time("startTime", "beginTime"),
            end_time=f.time("endTime"),
            distance=f.known_float("distance", "mileage"),
            distance_unit=distance_unit,
            avg_speed=f.known_float("avgSpeed"),
            # Real responses say ``elapsed``; the table says ``runTimeSecond``.
            duration_s=f.integer("elapsed", "runTimeSecond"),
            extra=f.extra(),
        )


@dataclass(frozen=True)
class ParkingRecord:
    """One stop or idling period of ``jimi.open.platform.report.parking``."""

    imei: str
    start_time: datetime | None
    end_time: datetime | None
    duration_s: int | None = None
    stop_s: int | None = None
    address: str | None = None
    device_name: str | None = None
    lat: float | None = None
    lng: float | None = None
    acc: bool | None = None
    extra: Mapping[str, Any] = field(default_factory=_no_extra, compare=False)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> ParkingRecord:
        f = Fields(raw)
        lat, lng = _position(f)
        return cls(
            imei=f.text("imei") or "",
            start_time=f.time("startTime"),
            end_time=f.time("endTime"),
            duration_s=f.integer("durSecond"),
            stop_s=f.integer("stopSecond"),
            address=f.text("addr", "address"),
            device_name=f.text("deviceName"),
            lat=lat,
            lng=lng,
            acc=f.flag("accStatus", "acc"),
            extra=f.extra(),
        )


@dataclass(frozen=True)
class AlarmRecord:
    """An alarm from ``jimi.device.alarm.list`` (pushes normalise to the same record).

    ``type_id`` stays a string: it may be a number (``"41"``) or a word (``"overSpeed"``).
    ``fence_id`` is the platform fence id (``geoid``) of fence alarms.
    """

    imei: str
    type_id: str | None
    type_name: str | None
    alarm_time: datetime | None
    position_time: datetime | None = None
    lat: float | None = None
    lng: float | None = None
    speed: float | None = None
    fence_id: str | None = None
    device_name: str | None = None
    model: str | None = None
    account: str | None = None
    extra: Mapping[str, Any] = field(default_factory=_no_extra, compare=False)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> AlarmRecord:
        f = Fields(raw)
        lat, lng = _position(f)
        return cls(
            imei=f.text("imei", "deviceImei") or "",
            type_id=f.text("alertTypeId", "alarmType", "alertType"),
            type_name=f.text("alarmTypeName", "alertTypeName", "alarmName"),
            alarm_time=f.time("alertTime", "alarmTime"),
            position_time=f.time("positioningTime", "gpsTime"),
            lat=lat,
            lng=lng,
            speed=f.known_float("speed", "gpsSpeed"),
            fence_id=f.text("geoid", "fenceId"),
            device_name=f.text("deviceName"),
            model=f.text("model"),
            account=f.text("account"),
            extra=f.extra(),
        )


@dataclass(frozen=True)
class DeviceGroup:
    group_id: str | None
    group_name: str | None
    extra: Mapping[str, Any] = field(default_factory=_no_extra, compare=False)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> DeviceGroup:
        f = Fields(raw)
        return cls(
            group_id=f.text("group_id", "groupId", "id"),
            group_name=f.text("group_name", "groupName", "name"),
            extra=f.extra(),
        )


@dataclass(frozen=True)
class ExpirationUpdate:
    """Per-IMEI outcome of ``jimi.user.device.expiration.update``."""

    imei: str
    ok: bool | None
    result: str | None
    message: str | None
    extra: Mapping[str, Any] = field(default_factory=_no_extra, compare=False)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> ExpirationUpdate:
        f = Fields(raw)
        result = f.text("update_result", "updateResult")
        ok: bool | None
        try:
            ok = to_bool(result)
        except ValueError:
            ok = result.lower() in ("success", "succeed", "ok") if result else None
        return cls(
            imei=f.text("imei") or "",
            ok=ok,
            result=result,
            message=f.text("update_msg", "updateMsg"),
            extra=f.extra(),
        )


@dataclass(frozen=True)
class LbsLocation:
    """``jimi.lbs.address.get``: a position from cell towers or Wi-Fi (quota ~10/device/day)."""

    lat: float | None
    lng: float | None
    accuracy: float | None = None
    extra: Mapping[str, Any] = field(default_factory=_no_extra, compare=False)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> LbsLocation:
        f = Fields(raw)
        lat, lng = _position(f)
        return cls(lat=lat, lng=lng, accuracy=f.number("accuracy"), extra=f.extra())


@dataclass(frozen=True)
class TagLocation:
    """``jimi.device.location.getTagMsg``: the latest beacon/TAG position."""

    imei: str
    lat: float | None
    lng: float | None
    gps_time: datetime | None
    speed: float | None = None
    pos_type: str | None = None
    gps_num: int | None = None
    extra: Mapping[str, Any] = field(default_factory=_no_extra, compare=False)

    @classmethod
    def parse(cls, raw: Mapping[str, Any], *, imei: str) -> TagLocation:
        f = Fields(raw)
        lat, lng = _position(f)
        return cls(
            imei=f.text("imei") or imei,
            lat=lat,
            lng=lng,
            gps_time=f.time("gpsTime"),
            speed=f.known_float("gpsSpeed", "speed"),
            pos_type=pos_type_name(f.text("positionType", "posType")),
            gps_num=f.integer("gpsNum"),
            extra=f.extra(),
        )


@dataclass(frozen=True)
class ChildAccount:
    """A sub-account from ``jimi.user.child.list`` (how the account tree is discovered)."""

    account: str
    name: str | None = None
    parent: str | None = None
    account_type: str | None = None
    extra: Mapping[str, Any] = field(default_factory=_no_extra, compare=False)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> ChildAccount:
        f = Fields(raw)
        return cls(
            account=f.text("account") or "",
            name=f.text("name", "nickName"),
            parent=f.text("parentAccount"),
            account_type=f.text("type"),
            extra=f.extra(),
        )
