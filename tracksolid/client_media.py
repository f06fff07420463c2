"""Spec section 7: dashcam media (capture, cloud files, live and recorded streams)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from .client_core import ClientCore, chunks, imei_list
from .normalise import vendor_time
from .records_media import LivePage, MediaCommand, MediaEvent, MediaFile, VideoFile

__all__ = ["MediaMethods"]

BATCH = 50


def _time(value: datetime | None) -> str | None:
    return None if value is None else vendor_time(value)


class MediaMethods(ClientCore):
    def device_live_page_url(
        self, imei: str, type: str | None = None, voice: str | None = None
    ) -> LivePage:
        """``jimi.device.live.page.url``: an embeddable live-video page."""
        method = "jimi.device.live.page.url"
        payload = self.result(method, {"imei": imei, "type": type, "voice": voice})
        if isinstance(payload, str):
            return LivePage(url=payload)
        return self.parse_one(method, payload, LivePage.parse)

    def device_meida_cmd_send(
        self, imei: str, camera: int, media_type: str, shoot_time: int | None = None
    ) -> MediaCommand:
        """``jimi.device.meida.cmd.send`` (the vendor's spelling): capture a photo or video."""
        method = "jimi.device.meida.cmd.send"
        envelope = self.call(
            method,
            {"imei": imei, "camera": camera, "mediaType": media_type, "shootTime": shoot_time},
            idempotent=False,
        )
        return self._media_command(envelope)

    def device_history_cmd_send(
        self,
        imei: str,
        type: str,
        camera: int,
        file_name: str | None = None,
        time: str | None = None,
    ) -> MediaCommand:
        """``jimi.device.history.cmd.send``: have the device upload stored video."""
        envelope = self.call(
            "jimi.device.history.cmd.send",
            {"imei": imei, "type": type, "camera": camera, "fileName": file_name, "time": time},
            idempotent=False,
        )
        return self._media_command(envelope)

    def _media_command(self, envelope: object) -> MediaCommand:
        assert isinstance(envelope, dict)
        payload = self.payload(envelope)
        if isinstance(payload, dict):
            return MediaCommand.parse({"code": envelope.get("code"), **payload})
        return MediaCommand(
            cmd_seq_no=self.str_field(payload) or self.str_field(envelope.get("cmdSeqNo")),
            code=0,
            message=str(envelope.get("message") or envelope.get("msg") or "") or None,
        )

    def device_jimi_media_url(
        self,
        imei: str,
        camera: int,
        media_type: str,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        *,
        page_size: int = 50,
    ) -> list[MediaFile]:
        """``jimi.device.jimi.media.URL``: photos and videos in the cloud, every page."""
        method = "jimi.device.jimi.media.URL"
        rows = self.paged(
            method,
            {
                "imei": imei,
                "camera": camera,
                "media_type": media_type,
                "start_time": _time(start_time),
                "end_time": _time(end_time),
            },
            page_size=page_size,
            style="page",
            first=1,
        )
        return [MediaFile.parse(row) for row in rows]

    def device_media_event_url(
        self,
        imeis: Sequence[str] | str,
        media_type: str,
        start_time: datetime,
        end_time: datetime,
        event_type: str | None = None,
        *,
        page_size: int = 50,
    ) -> list[MediaEvent]:
        """``jimi.device.media.event.URL``: alarm-triggered media, 50 IMEIs a call, all pages."""
        method = "jimi.device.media.event.URL"
        events: list[MediaEvent] = []
        for chunk in chunks(imei_list(imeis), BATCH):
            rows = self.paged(
                method,
                {
                    "imeis": ",".join(chunk),
                    "media_type": media_type,
                    "start_time": vendor_time(start_time),
                    "end_time": vendor_time(end_time),
                    "event_type": event_type,
                },
                page_size=page_size,
                style="page",
                first=1,
            )
            events.extend(MediaEvent.parse(row) for row in rows)
        return events

    def device_media_live_stream(self, imei: str, channel: int, app_id: str) -> str | None:
        """``jimi.device.media.live.stream``: an RTSP/HLS/FLV address for live video."""
        payload = self.result(
            "jimi.device.media.live.stream", {"imei": imei, "channel": channel, "appId": app_id}
        )
        return self.str_field(payload, "url", "URL", "result")

    def device_media_history_list_cmd(
        self, imei: str, channel: int, date_time: datetime, instruction_id: str, app_id: str
    ) -> None:
        """``jimi.device.media.history.list.cmd``: step 1, ask the device for its video list."""
        self.call(
            "jimi.device.media.history.list.cmd",
            {
                "imei": imei,
                "channel": channel,
                "dateTime": vendor_time(date_time),
                "instructionId": instruction_id,
                "appId": app_id,
            },
            idempotent=False,
        )

    def device_media_history_list_get(self, instruction_id: str) -> list[VideoFile]:
        """``jimi.device.media.history.list.get``: step 2, the list compiled after step 1.

        ``MediaNotReady`` (1207) means the device has not answered yet.
        """
        method = "jimi.device.media.history.list.get"
        payload = self.result(method, {"instructionId": instruction_id})
        return self.parse_rows(method, payload, VideoFile.parse)

    def device_media_history_stream(
        self,
        imei: str,
        channel: int,
        app_id: str,
        begin_time: datetime | None = None,
        end_time: datetime | None = None,
        file_name_list: Sequence[str] | str | None = None,
    ) -> str | None:
        """``jimi.device.media.history.stream``: a playback address for recorded video."""
        names = file_name_list
        if names is not None and not isinstance(names, str):
            names = ",".join(names)
        payload = self.result(
            "jimi.device.media.history.stream",
            {
                "imei": imei,
                "channel": channel,
                "appId": app_id,
                "beginTime": _time(begin_time),
                "endTime": _time(end_time),
                "fileNameList": names,
            },
        )
        return self.str_field(payload, "url", "URL", "result")

    def device_media_close_stream(self, imei: str, channel: int, type: str, app_id: str) -> None:
        """``jimi.device.media.close.stream``: end a stream to free the device's channel."""
        self.call(
            "jimi.device.media.close.stream",
            {"imei": imei, "channel": channel, "type": type, "appId": app_id},
        )
