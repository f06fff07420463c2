"""Parse one push item of the file, media, command and opaque-payload kinds into its record.

Same contract as :mod:`tracksolid.push_items`: the item and the top-level ``msgType`` in, a
record out or :class:`~tracksolid.push_fields.ItemError` naming the field.
"""

from __future__ import annotations

from typing import Any

from tracksolid import push_fields as f
from tracksolid.normalise import to_str
from tracksolid.push_fields import Item, ItemError
from tracksolid.push_file_records import (
    ExtendedKks,
    ExtensionData,
    FileContent,
    FileUpload,
    FtpUploadResult,
    InstructResponse,
    IotHubEvent,
    MediaUpload,
    PassThrough,
    PluginData,
    ResourceList,
    VideoResource,
)

__all__ = [
    "parse_extended_kks",
    "parse_extension",
    "parse_file_content",
    "parse_file_upload",
    "parse_ftp_upload",
    "parse_instruct_response",
    "parse_iothub_event",
    "parse_media_upload",
    "parse_pass_through",
    "parse_plugin",
    "parse_resource_list",
]


_POSITION = ("gpsTime", "lat", "lng")
_PLUGIN_KNOWN = f.known("hexContent", "postTime", "gateTime", "category", "type", *_POSITION)


def parse_plugin(item: Item, msg_type: str | None) -> PluginData:
    return PluginData(
        imei=f.imei(item),
        event_time=f.required_moment(item, "postTime", "gateTime", "gpsTime"),
        hex_content=f.text(item.get("hexContent")),
        category=f.text(item.get("category")),
        message_type=f.integer("type", item.get("type")),
        gps_time=f.moment("gpsTime", item.get("gpsTime")),
        lat=f.lat("lat", item.get("lat")),
        lng=f.lng("lng", item.get("lng")),
        extra=f.unnamed(item, _PLUGIN_KNOWN),
    )


_FILE_KNOWN = f.known("fileName", "gateTime", "result")


def parse_file_upload(item: Item, msg_type: str | None) -> FileUpload:
    result = to_str(item.get("result"))
    return FileUpload(
        imei=f.imei(item),
        upload_time=f.required_moment(item, "gateTime"),
        file_names=f.strings(item.get("fileName")),
        success=None if result is None else result.upper() == "SUCCESS",
        extra=f.unnamed(item, _FILE_KNOWN),
    )


_RESOURCE_KNOWN = frozenset({
    "channel", "beginTime", "endTime", "fileSize", "resourceType", "codeType", "storageType",
    "alarmFlag",
})  # fmt: skip
_RESOURCE_LIST_KNOWN = f.known("totalNum", "instructionID", "instructionId", "resourceList")


def _video_resource(index: int, entry: Any) -> VideoResource:
    if not isinstance(entry, dict):
        raise ItemError(f"resourceList[{index}] is not an object")
    get = entry.get
    return VideoResource(
        channel=f.integer("channel", get("channel")),
        begin_time=f.moment("beginTime", get("beginTime")),
        end_time=f.moment("endTime", get("endTime")),
        file_size=f.integer("fileSize", get("fileSize")),
        resource_type=f.integer("resourceType", get("resourceType")),
        code_type=f.integer("codeType", get("codeType")),
        storage_type=f.integer("storageType", get("storageType")),
        alarm_flag=f.text(get("alarmFlag")),
        extra=f.unnamed(entry, _RESOURCE_KNOWN),
    )


def parse_resource_list(item: Item, msg_type: str | None) -> ResourceList:
    entries = f.json_value(item.get("resourceList")) or []
    if not isinstance(entries, list):
        raise ItemError("resourceList is not a list")
    return ResourceList(
        imei=f.imei(item),
        instruction_id=f.text(f.first(item, "instructionID", "instructionId")[1]),
        total=f.integer("totalNum", item.get("totalNum")),
        resources=tuple(_video_resource(i, entry) for i, entry in enumerate(entries)),
        extra=f.unnamed(item, _RESOURCE_LIST_KNOWN),
    )


_FTP_KNOWN = f.known("result", "instructionID", "instructionId", "gateTime")


def parse_ftp_upload(item: Item, msg_type: str | None) -> FtpUploadResult:
    result = f.integer("result", item.get("result"))
    return FtpUploadResult(
        imei=f.imei(item),
        finish_time=f.required_moment(item, "gateTime"),
        success=None if result is None else result == 0,
        instruction_id=f.text(f.first(item, "instructionID", "instructionId")[1]),
        extra=f.unnamed(item, _FTP_KNOWN),
    )


_IOTHUB_KNOWN = f.known("gateTime", "eventType", "eventContent")


def parse_iothub_event(item: Item, msg_type: str | None) -> IotHubEvent:
    event_type = to_str(item.get("eventType"))
    if event_type is None:
        raise ItemError("eventType missing")
    return IotHubEvent(
        imei=f.imei(item),
        event_time=f.required_moment(item, "gateTime"),
        event_type=event_type,
        content=f.json_value(item.get("eventContent")),
        extra=f.unnamed(item, _IOTHUB_KNOWN),
    )


_PASS_KNOWN = f.known("gateTime", "type", "category", "content")


def parse_pass_through(item: Item, msg_type: str | None) -> PassThrough:
    return PassThrough(
        imei=f.imei(item),
        receive_time=f.required_moment(item, "gateTime", "postTime"),
        message_type=f.integer("type", item.get("type")),
        category=f.text(item.get("category")),
        content=f.text(item.get("content")),
        extra=f.unnamed(item, _PASS_KNOWN),
    )


_EXTENSION_KNOWN = f.known("postTime", "gateTime", "extensionId", "content", *_POSITION)


def parse_extension(item: Item, msg_type: str | None) -> ExtensionData:
    return ExtensionData(
        imei=f.imei(item),
        event_time=f.required_moment(item, "postTime", "gateTime", "gpsTime"),
        extension_id=f.integer("extensionId", item.get("extensionId")),
        content=f.json_value(item.get("content")),
        gps_time=f.moment("gpsTime", item.get("gpsTime")),
        lat=f.lat("lat", item.get("lat")),
        lng=f.lng("lng", item.get("lng")),
        extra=f.unnamed(item, _EXTENSION_KNOWN),
    )


_INSTRUCT_KNOWN = f.known(
    "_imei", "_code", "code", "_msg", "msg", "message", "_serverFlagId", "serverFlagId",
    "codeId", "_content", "content", "rawData",
)  # fmt: skip


def parse_instruct_response(item: Item, msg_type: str | None) -> InstructResponse:
    return InstructResponse(
        imei=f.imei(item, "_imei", "imei", "deviceImei"),
        code=f.text(f.first(item, "_code", "code")[1]),
        message=f.text(f.first(item, "_msg", "msg", "message")[1]),
        server_flag_id=f.text(f.first(item, "_serverFlagId", "serverFlagId", "codeId")[1]),
        content=f.json_value(f.first(item, "_content", "content", "rawData")[1]),
        msg_type=msg_type,
        extra=f.unnamed(item, _INSTRUCT_KNOWN),
    )


_FILE_CONTENT_KNOWN = f.known("instructionId", "instructionID", "postTime", "gateTime", "content")


def parse_file_content(item: Item, msg_type: str | None) -> FileContent:
    return FileContent(
        imei=f.imei(item),
        event_time=f.required_moment(item, "gateTime", "postTime"),
        instruction_id=f.text(f.first(item, "instructionId", "instructionID")[1]),
        post_time=f.moment("postTime", item.get("postTime")),
        content=f.strings(item.get("content")),
        extra=f.unnamed(item, _FILE_CONTENT_KNOWN),
    )


_KKS_KNOWN = f.known("subMessagesId", "gateTime", "postTime", "gpsTime", "lat", "lng")


def parse_extended_kks(item: Item, msg_type: str | None) -> ExtendedKks:
    return ExtendedKks(
        imei=f.imei(item),
        event_time=f.required_moment(item, "gateTime", "postTime", "gpsTime"),
        sub_message_id=f.text(item.get("subMessagesId")),
        lat=f.lat("lat", item.get("lat")),
        lng=f.lng("lng", item.get("lng")),
        extra=f.unnamed(item, _KKS_KNOWN),
    )


_MEDIA_KNOWN = f.known(
    "businessType", "camera", "shootType", "shootTime", "alarmTime", "lat", "lng", "mimeType",
    "localFileName", "filename", "fileName", "timezone", "instructionId", "instructionID",
)  # fmt: skip


def parse_media_upload(item: Item, msg_type: str | None) -> MediaUpload:
    get = item.get
    filename = f.text(f.first(item, "filename", "fileName", "localFileName")[1])
    if filename is None:
        raise ItemError("filename missing")
    shoot_type = f.integer("shootType", get("shootType"))
    return MediaUpload(
        imei=f.imei(item, "imei", "deviceImei"),
        filename=filename,
        business_type=f.text(get("businessType")),
        camera=f.integer("camera", get("camera")),
        is_video=None if shoot_type is None else shoot_type == 2,
        duration=f.integer("shootTime", get("shootTime")),
        alarm_time=f.moment("alarmTime", get("alarmTime")),
        lat=f.lat("lat", get("lat")),
        lng=f.lng("lng", get("lng")),
        mime_type=f.text(get("mimeType")),
        local_file_name=f.text(get("localFileName")),
        timezone=f.text(get("timezone")),
        instruction_id=f.text(f.first(item, "instructionId", "instructionID")[1]),
        extra=f.unnamed(item, _MEDIA_KNOWN),
    )
