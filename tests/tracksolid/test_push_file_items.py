"""Tests for tracksolid/push_file_items.py: file, media, command and opaque-payload pushes."""

from __future__ import annotations

from tests.tracksolid.push_payloads import IMEI, T0, form_push, only
from tracksolid.pushes import (
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
)


def test_it_reads_plug_in_module_data() -> None:
    data = only(
        form_push(
            "pushplugin",
            [
                {
                    "deviceImei": IMEI,
                    "hexContent": "7878110103",
                    "postTime": "2026-11-26 08:30:00",
                    "category": "0x9B",
                    "type": 1,
                }
            ],
        )
    )

    assert isinstance(data, PluginData)
    assert (data.event_time, data.category, data.message_type) == (T0, "0x9B", 1)


def test_it_reads_a_file_upload_notice() -> None:
    notice = only(
        form_push(
            "pushfileupload",
            [
                {
                    "deviceImei": IMEI,
                    "fileName": "a.jpg;b.jpg;",
                    "gateTime": "2026-11-26 08:30:00",
                    "result": "SUCCESS",
                }
            ],
        )
    )

    assert isinstance(notice, FileUpload)
    assert (notice.file_names, notice.success) == (("a.jpg", "b.jpg"), True)


def test_it_reads_a_video_resource_list() -> None:
    item = {
        "imei": IMEI,
        "totalNum": "1",
        "instructionID": "abc-1",
        "resourceList": [
            {"channel": 1, "beginTime": "261126083000", "endTime": "261126083100",
             "fileSize": 1048576, "resourceType": 2, "codeType": 0, "storageType": 1,
             "alarmFlag": "0"},
        ],
    }  # fmt: skip

    listing = only(form_push("pushresourcelist", [item]))

    assert isinstance(listing, ResourceList)
    assert (listing.instruction_id, listing.total) == ("abc-1", 1)
    assert listing.resources[0].begin_time == T0
    assert listing.resources[0].file_size == 1048576


def test_it_reads_an_ftp_upload_result() -> None:
    result = only(
        form_push(
            "pushftpfileupload",
            [
                {
                    "result": 0,
                    "deviceImei": IMEI,
                    "instructionID": "i-9",
                    "gateTime": "2026-11-26 08:30:00",
                }
            ],
        )
    )

    assert result == FtpUploadResult(imei=IMEI, finish_time=T0, success=True, instruction_id="i-9")


def test_it_reads_an_iothub_event_with_its_content_decoded() -> None:
    event = only(
        form_push(
            "pushIothubEvent",
            [
                {
                    "deviceImei": IMEI,
                    "gateTime": "2026-11-26 08:30:00",
                    "eventType": "UploadAlarmFileEnd",
                    "eventContent": '{"alarmId": "77"}',
                }
            ],
        )
    )

    assert isinstance(event, IotHubEvent)
    assert (event.event_type, event.content) == ("UploadAlarmFileEnd", {"alarmId": "77"})


def test_it_reads_pass_through_data_and_decodes_its_base64() -> None:
    data = only(
        form_push(
            "pushPassThroughData",
            [
                {
                    "deviceImei": IMEI,
                    "gateTime": "2026-11-26 08:30:00",
                    "type": 240,
                    "category": "0x0900",
                    "content": "aGVsbG8=",
                }
            ],
        )
    )

    assert isinstance(data, PassThrough)
    assert (data.message_type, data.category, data.payload) == (240, "0x0900", b"hello")


def test_it_reads_extension_data() -> None:
    data = only(
        form_push(
            "pushTerminalTransInfo",
            [
                {
                    "postTime": "2026-11-26 08:30:00",
                    "deviceImei": IMEI,
                    "extensionId": 8197,
                    "content": '{"power": "12.1"}',
                }
            ],
        )
    )

    assert isinstance(data, ExtensionData)
    assert (data.extension_id, data.content) == (8197, {"power": "12.1"})


def test_it_reads_an_offline_command_response_with_its_msg_type() -> None:
    reply = {"_code": "100", "_msg": "success", "_imei": IMEI, "_serverFlagId": "5512",
             "_content": "RELAY,1#OK"}  # fmt: skip

    batch = form_push("pushInstructResponse", reply, msgType="2")

    response = only(batch)
    assert response == InstructResponse(
        imei=IMEI, code="100", message="success", server_flag_id="5512", content="RELAY,1#OK",
        msg_type="2",
    )  # fmt: skip


def test_it_reads_a_facial_id_list() -> None:
    content = only(
        form_push(
            "pushFileContent",
            [
                {
                    "instructionId": "f-1",
                    "postTime": "2026-11-26 08:30:01",
                    "deviceImei": IMEI,
                    "gateTime": "2026-11-26 08:30:00",
                    "content": ["id-1", "id-2"],
                }
            ],
        )
    )

    assert isinstance(content, FileContent)
    assert (content.event_time, content.content) == (T0, ("id-1", "id-2"))


def test_it_reads_jimi_kks_extended_data_keeping_what_it_cannot_name() -> None:
    data = only(
        form_push(
            "pushextendedkks",
            [
                {
                    "deviceImei": IMEI,
                    "subMessagesId": "0x0C",
                    "gateTime": "2026-11-26 08:30:00",
                    "accuracy": 3.5,
                }
            ],
        )
    )

    assert isinstance(data, ExtendedKks)
    assert (data.sub_message_id, data.extra) == ("0x0C", {"accuracy": 3.5})


def test_it_reads_a_dashcam_upload_callback() -> None:
    item = {"businessType": "eventAttachment", "imei": IMEI, "camera": 2, "shootType": 2,
            "shootTime": 10, "alarmTime": 1795681800, "lat": "22.5", "lng": "114.05",
            "mimeType": "video/mp4", "localFileName": "CH2_0830.mp4",
            "filename": "2026/11/26/abc.mp4", "instructionId": "m-3"}  # fmt: skip

    upload = only(form_push("uploadCallback", [item]))

    assert upload == MediaUpload(
        imei=IMEI, filename="2026/11/26/abc.mp4", business_type="eventAttachment", camera=2,
        is_video=True, duration=10, alarm_time=T0, lat=22.5, lng=114.05, mime_type="video/mp4",
        local_file_name="CH2_0830.mp4", instruction_id="m-3",
    )  # fmt: skip
    assert upload.key == (IMEI, "2026/11/26/abc.mp4")
