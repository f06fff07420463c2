"""Typed records of files, media, command replies and opaque device payloads from pushes.

Same contract as :mod:`tracksolid.push_records`. These records are mostly identified by their
content, so their keys end in a :func:`~tracksolid.push_records.digest` of it.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from tracksolid.push_records import Key, PushRecord, digest

__all__ = [
    "ExtendedKks",
    "ExtensionData",
    "FileContent",
    "FileUpload",
    "FtpUploadResult",
    "InstructResponse",
    "IotHubEvent",
    "MediaUpload",
    "PassThrough",
    "PluginData",
    "ResourceList",
    "VideoResource",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class PluginData(PushRecord):
    """Plug-in module data (our endpoint ``pushplugin``).

    Key: ``(imei, event_time, digest(category, message_type, hex_content))``. ``event_time`` is
    ``postTime``, else ``gateTime``, else ``gpsTime``.
    """

    KIND: ClassVar[str] = "plugin"

    event_time: datetime
    hex_content: str | None = None
    category: str | None = None  # protocol, e.g. "0x9B", "0xF2"
    message_type: int | None = None
    gps_time: datetime | None = None
    lat: float | None = None
    lng: float | None = None

    @property
    def key(self) -> Key:
        return (
            self.imei,
            self.event_time,
            digest(self.category, self.message_type, self.hex_content),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class FileUpload(PushRecord):
    """A device's file-upload notice (``pushfileupload``).

    Key: ``(imei, upload_time, digest(file_names))``.
    """

    KIND: ClassVar[str] = "file_upload"

    upload_time: datetime
    file_names: tuple[str, ...] = ()
    success: bool | None = None  # result SUCCESS / FAILURE

    @property
    def key(self) -> Key:
        return (self.imei, self.upload_time, digest(self.file_names))


@dataclass(frozen=True, slots=True, kw_only=True)
class VideoResource:
    """One file in a device's video inventory."""

    channel: int | None = None
    begin_time: datetime | None = None
    end_time: datetime | None = None
    file_size: int | None = None
    resource_type: int | None = None
    code_type: int | None = None
    storage_type: int | None = None
    alarm_flag: str | None = None  # a 64-bit flag set, kept as sent
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceList(PushRecord):
    """A device's video inventory (``pushresourcelist``).

    Key: ``(imei, instruction_id or "", digest(resources))``.
    """

    KIND: ClassVar[str] = "resource_list"

    instruction_id: str | None = None
    total: int | None = None
    resources: tuple[VideoResource, ...] = ()

    @property
    def key(self) -> Key:
        return (self.imei, self.instruction_id or "", digest(self.resources))


@dataclass(frozen=True, slots=True, kw_only=True)
class FtpUploadResult(PushRecord):
    """An FTP upload's outcome (``pushftpfileupload``).

    Key: ``(imei, instruction_id or "", finish_time)``.
    """

    KIND: ClassVar[str] = "ftp_upload"

    finish_time: datetime
    success: bool | None = None  # result 0 = success, 1 = failure
    instruction_id: str | None = None

    @property
    def key(self) -> Key:
        return (self.imei, self.instruction_id or "", self.finish_time)


@dataclass(frozen=True, slots=True, kw_only=True)
class IotHubEvent(PushRecord):
    """An IoT-hub event such as ``UploadAlarmFileEnd`` (``pushIothubEvent``).

    Key: ``(imei, event_time, event_type, digest(content))``. ``content`` is ``eventContent``
    decoded from JSON, or the raw text.
    """

    KIND: ClassVar[str] = "iothub"

    event_time: datetime
    event_type: str
    content: Any = None

    @property
    def key(self) -> Key:
        return (self.imei, self.event_time, self.event_type, digest(self.content))


@dataclass(frozen=True, slots=True, kw_only=True)
class PassThrough(PushRecord):
    """Transparent data from the device (``pushPassThroughData``).

    Key: ``(imei, receive_time, digest(message_type, category, content))``. ``content`` is the
    base64 text as sent; ``payload`` decodes it.
    """

    KIND: ClassVar[str] = "pass_through"

    receive_time: datetime
    message_type: int | None = None
    category: str | None = None  # protocol, e.g. "0x0900"
    content: str | None = None

    @property
    def payload(self) -> bytes | None:
        """The decoded body, ``None`` when absent or not base64."""
        if self.content is None:
            return None
        try:
            return base64.b64decode(self.content, validate=True)
        except (binascii.Error, ValueError):
            return None

    @property
    def key(self) -> Key:
        return (
            self.imei,
            self.receive_time,
            digest(self.message_type, self.category, self.content),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtensionData(PushRecord):
    """Extension data (``pushTerminalTransInfo``): 8197 device status, 8199 serial port data.

    Key: ``(imei, event_time, digest(extension_id, content))``; ``event_time`` is ``postTime``,
    else ``gateTime``, else ``gpsTime``. ``content`` is decoded from JSON when it is JSON.
    """

    KIND: ClassVar[str] = "extension"

    event_time: datetime
    extension_id: int | None = None
    content: Any = None
    gps_time: datetime | None = None
    lat: float | None = None
    lng: float | None = None

    @property
    def key(self) -> Key:
        return (self.imei, self.event_time, digest(self.extension_id, self.content))


@dataclass(frozen=True, slots=True, kw_only=True)
class InstructResponse(PushRecord):
    """A device's answer to a command (``pushInstructResponse``, or the OpenAPI notification
    ``jimi.open.instruction.raw.receive``).

    Key: ``(imei, server_flag_id or "", digest(code, content))``.
    """

    KIND: ClassVar[str] = "instruct_response"

    code: str | None = None  # "_code"; 100 success, 200 bad parameter, 300 offline, 600 timeout
    message: str | None = None
    server_flag_id: str | None = None
    content: Any = None
    msg_type: str | None = None  # top-level msgType: "1" asynchronous, "2" offline command

    @property
    def succeeded(self) -> bool:
        """The device executed the command (``_code`` 100; no code: a plain reply)."""
        return self.code in (None, "100", "0")

    @property
    def still_queued(self) -> bool:
        """``_code`` 300, device offline: the vendor keeps the command for when it returns."""
        return self.code == "300"

    @property
    def key(self) -> Key:
        return (self.imei, self.server_flag_id or "", digest(self.code, self.content))


@dataclass(frozen=True, slots=True, kw_only=True)
class FileContent(PushRecord):
    """A facial-ID list or similar file content (``pushFileContent``).

    Key: ``(imei, event_time, digest(instruction_id, content))``.
    """

    KIND: ClassVar[str] = "file_content"

    event_time: datetime
    instruction_id: str | None = None
    post_time: datetime | None = None
    content: tuple[str, ...] = ()

    @property
    def key(self) -> Key:
        return (self.imei, self.event_time, digest(self.instruction_id, self.content))


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtendedKks(PushRecord):
    """JIMI KKS extended data (``pushextendedkks``); the spec names little, so most is ``extra``.

    Key: ``(imei, event_time, digest(sub_message_id, extra))``.
    """

    KIND: ClassVar[str] = "extended_kks"

    event_time: datetime
    sub_message_id: str | None = None
    lat: float | None = None
    lng: float | None = None

    @property
    def key(self) -> Key:
        return (self.imei, self.event_time, digest(self.sub_message_id, self.extra))


@dataclass(frozen=True, slots=True, kw_only=True)
class MediaUpload(PushRecord):
    """A photo or video uploaded to the vendor's cloud (``uploadCallback``).

    Key: ``(imei, filename)`` (the cloud file name, else the device's file name).
    """

    KIND: ClassVar[str] = "media_upload"

    filename: str
    business_type: str | None = None  # regularPicture, remotePictureOrVideo, eventAttachment, ...
    camera: int | None = None
    is_video: bool | None = None  # shootType 2 = video, 1 = photo
    duration: int | None = None  # seconds (shootTime)
    alarm_time: datetime | None = None
    lat: float | None = None
    lng: float | None = None
    mime_type: str | None = None
    local_file_name: str | None = None
    timezone: str | None = None
    instruction_id: str | None = None

    @property
    def key(self) -> Key:
        return (self.imei, self.filename)
