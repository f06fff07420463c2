"""Typed results of the media, command, fence and instruction methods (see ``records``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .errors import device_result_code
from .record_fields import Fields, no_extra

__all__ = [
    "CommandResult",
    "CommandSent",
    "CommandTemplate",
    "InstructResult",
    "LivePage",
    "MediaCommand",
    "MediaEvent",
    "MediaFile",
    "PlatformFence",
    "VideoFile",
]


@dataclass(frozen=True)
class LivePage:
    """``jimi.device.live.page.url``: an embeddable live video page and where the device is."""

    url: str | None
    lat: float | None = None
    lng: float | None = None
    gps_time: datetime | None = None
    vin: str | None = None
    plate_no: str | None = None
    extra: Mapping[str, Any] = field(default_factory=no_extra, compare=False)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> LivePage:
        f = Fields(raw)
        return cls(
            url=f.text("UrlCamera", "urlCamera", "url", "URL"),
            lat=f.number("lat"),
            lng=f.number("lng"),
            gps_time=f.time("gpsTime"),
            vin=f.text("VIN", "vin"),
            plate_no=f.text("plateNo"),
            extra=f.extra(),
        )


@dataclass(frozen=True)
class MediaCommand:
    """The answer to a capture or history-upload command; track it by ``cmd_seq_no``."""

    cmd_seq_no: str | None
    code: int | None = None
    message: str | None = None
    extra: Mapping[str, Any] = field(default_factory=no_extra, compare=False)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> MediaCommand:
        f = Fields(raw)
        return cls(
            cmd_seq_no=f.text("cmdSeqNo", "cmd_seq_no"),
            code=f.integer("code"),
            message=f.text("msg", "message"),
            extra=f.extra(),
        )


@dataclass(frozen=True)
class MediaFile:
    """A photo or video in the vendor's cloud (``jimi.device.jimi.media.URL`` or an event)."""

    file_url: str | None
    thumb_url: str | None = None
    create_time: datetime | None = None
    mime_type: str | None = None
    camera: int | None = None
    file_size: int | None = None
    imei: str | None = None
    media_type: str | None = None
    extra: Mapping[str, Any] = field(default_factory=no_extra, compare=False)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> MediaFile:
        f = Fields(raw)
        return cls(
            file_url=f.text("file_URL", "fileUrl", "file_url", "url"),
            thumb_url=f.text("thumb_URL", "thumbUrl", "thumb_url"),
            create_time=f.time("create_time", "createTime"),
            mime_type=f.text("mime_type", "mimeType"),
            camera=f.integer("camera", "channel"),
            file_size=f.integer("file_size", "fileSize"),
            imei=f.text("imei"),
            media_type=f.text("media_type", "mediaType"),
            extra=f.extra(),
        )


@dataclass(frozen=True)
class MediaEvent:
    """An alarm-triggered media event with its files (``jimi.device.media.event.URL``)."""

    imei: str
    event_type: str | None
    alarm_time: datetime | None
    lat: float | None = None
    lng: float | None = None
    files: tuple[MediaFile, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=no_extra, compare=False)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> MediaEvent:
        f = Fields(raw)
        files = f.raw_value("fileList", "files")
        if isinstance(files, str):
            try:
                files = json.loads(files)
            except ValueError:
                files = []
        return cls(
            imei=f.text("imei") or "",
            event_type=f.text("event_type", "eventType"),
            alarm_time=f.time("alarm_time", "alarmTime"),
            lat=f.number("lat"),
            lng=f.number("lng"),
            files=tuple(MediaFile.parse(item) for item in files or () if isinstance(item, Mapping)),
            extra=f.extra(),
        )


@dataclass(frozen=True)
class VideoFile:
    """A recording stored on the device (``jimi.device.media.history.list.get``)."""

    channel: int | None
    begin_time: datetime | None
    end_time: datetime | None
    file_size: int | None = None
    file_name: str | None = None
    code_type: int | None = None
    extra: Mapping[str, Any] = field(default_factory=no_extra, compare=False)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> VideoFile:
        f = Fields(raw)
        return cls(
            channel=f.integer("channel"),
            begin_time=f.time("beginTime"),
            end_time=f.time("endTime"),
            file_size=f.integer("fileSize"),
            file_name=f.text("fileName"),
            code_type=f.integer("codeType"),
            extra=f.extra(),
        )


@dataclass(frozen=True)
class CommandTemplate:
    """A command the device model supports (``jimi.open.instruction.list``)."""

    id: str | None
    name: str | None
    template: str | None
    explain: str | None = None
    offline: bool | None = None
    extra: Mapping[str, Any] = field(default_factory=no_extra, compare=False)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> CommandTemplate:
        f = Fields(raw)
        return cls(
            id=f.text("id"),
            name=f.text("orderName"),
            template=f.text("orderContent"),
            explain=f.text("orderExplain"),
            offline=f.flag("isOffLine"),
            extra=f.extra(),
        )


@dataclass(frozen=True)
class CommandSent:
    """The vendor's acknowledgement of a sent command (``message`` may be Chinese).

    ``code_id`` is the command's id when the vendor returns one; it matches ``codeId`` in
    ``jimi.open.instruction.result``.
    """

    message: str | None
    code_id: str | None = None
    result: Any = None

    @classmethod
    def parse(cls, envelope: Mapping[str, Any]) -> CommandSent:
        result = envelope.get("result")
        if result is None:
            result = envelope.get("data")
        code_id = None
        if isinstance(result, str | int) and not isinstance(result, bool):
            code_id = str(result)
        elif isinstance(result, Mapping):
            code_id = Fields(result).text("codeId", "code_id", "id")
        message = envelope.get("message") or envelope.get("msg")
        return cls(message=str(message) if message else None, code_id=code_id, result=result)


@dataclass(frozen=True)
class CommandResult:
    """A command's execution record (``jimi.open.instruction.result``)."""

    code_id: str | None
    code: str | None
    content: str | None
    executed: bool | None = None
    send_time: datetime | None = None
    sender: str | None = None
    receive_device: str | None = None
    extra: Mapping[str, Any] = field(default_factory=no_extra, compare=False)

    @property
    def refusal_code(self) -> str | None:
        """The device's result code when it refused the command: not executed, and the content
        reads "Result code<full-width colon>226" (a guess at the real shape, as the simulator's)."""
        return None if self.executed else device_result_code(self.content)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> CommandResult:
        f = Fields(raw)
        return cls(
            code_id=f.text("codeId"),
            code=f.text("code"),
            content=f.text("content"),
            executed=f.flag("isExecute"),
            send_time=f.time("sendTime"),
            sender=f.text("sender"),
            receive_device=f.text("receiveDevice"),
            extra=f.extra(),
        )


@dataclass(frozen=True)
class InstructResult:
    """The answer of the Instruction API (``sendInstruct``): ``code`` 100 is success.

    Other codes: 200 invalid parameter, 300 device offline, 600 timeout.
    """

    code: int | None
    message: str | None
    content: str | None = None
    extra: Mapping[str, Any] = field(default_factory=no_extra, compare=False)

    @property
    def ok(self) -> bool:
        return self.code == 100

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> InstructResult:
        f = Fields(raw)
        return cls(
            code=f.integer("_code", "code"),
            message=f.text("_msg", "msg", "message"),
            content=f.text("_content", "content"),
            extra=f.extra(),
        )


def _points(geom: str | None) -> tuple[tuple[float, float], ...]:
    """``"lat,lng;lat,lng"`` (lists) or ``"lat,lng#lat,lng"`` (create) → (lat, lng) pairs."""
    if not geom:
        return ()
    points = []
    for part in geom.replace("#", ";").split(";"):
        lat, _, lng = part.strip().partition(",")
        if lat and lng:
            points.append((float(lat), float(lng)))
    return tuple(points)


@dataclass(frozen=True)
class PlatformFence:
    """A platform fence as listed: ``points`` are (lat, lng), latitude first as the vendor's."""

    fence_id: str | None
    name: str | None
    fence_type: str | None
    points: tuple[tuple[float, float], ...] = ()
    radius_m: float | None = None
    color: str | None = None
    description: str | None = None
    imeis: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=no_extra, compare=False)

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> PlatformFence:
        f = Fields(raw)
        geom = f.text("geom")
        try:
            points = _points(geom)
        except ValueError:
            points = ()
        imeis = f.text("imeis") or ""
        return cls(
            fence_id=f.text("fenceId", "fence_id", "id"),
            name=f.text("fenceName", "fence_name", "name"),
            fence_type=(f.text("fenceType", "fence_type") or "").lower() or None,
            points=points,
            radius_m=f.number("radius"),
            color=f.text("fenceColor", "fence_color"),
            description=f.text("description"),
            imeis=tuple(i.strip() for i in imeis.split(",") if i.strip()),
            extra=f.extra() if points or not geom else {**f.extra(), "geom": geom},
        )
