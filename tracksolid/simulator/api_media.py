"""Vendor methods of spec section 7: dashcam capture, media lists, live and history video."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .alarms import MEDIA_ALARMS
from .api_core import (
    MSG_MEDIA_NOT_READY,
    MSG_OFFLINE,
    MSG_PARAM,
    ApiError,
    Call,
    Reply,
    imei_list,
    method,
    need,
    opt_int,
    visible_device,
)
from .media import stamp
from .motion import DAY
from .state import HistoryList, MediaFile
from .util import fmt, noise, parse_time

if TYPE_CHECKING:
    from .core import Simulator
    from .fleet import Device


def _dashcam(sim: Simulator, call: Call) -> Device:
    dev = visible_device(sim, call, need(call, "imei"))
    if not dev.cameras:
        raise ApiError(1100, "The device does not support video")
    return dev


def _channel(call: Call, dev: Device, name: str) -> int:
    ch = opt_int(call, name, 1, 1, 5)
    if ch > dev.cameras:
        raise ApiError(1001, f"{MSG_PARAM}: {name} {ch} (device has {dev.cameras} cameras)")
    return ch


def _online(sim: Simulator, dev: Device) -> float:
    now = sim.clock.sim()
    if not sim.world.is_reporting(dev, now):
        raise ApiError(41003, MSG_OFFLINE)
    return now


def schedule_capture(
    sim: Simulator,
    dev: Device,
    camera: int,
    kind: str,
    secs: int,
    now: float,
    business: str = "remotePictureOrVideo",
) -> MediaFile:
    seq = sim.new_id()
    ext = "jpg" if kind == "photo" else "mp4"
    s = sim.world.last_point(dev, now)
    mf = MediaFile(
        name=f"{dev.imei}_{camera}_{stamp(now)}_{seq}_{secs}.{ext}",
        imei=dev.imei,
        camera=camera,
        media_type=kind,
        created=now,
        ready=now + sim.config.command_delay + secs,
        business=business,
        instruction_id=seq,
        shoot_time=secs,
        lat=s.lat if s else 0.0,
        lng=s.lng if s else 0.0,
    )
    with sim.world.lock:
        sim.media.append(mf)
    return mf


def file_url(sim: Simulator, name: str) -> str:
    return f"{sim.root_url}/_media/file/{quote(name)}"


def thumb_url(sim: Simulator, name: str) -> str:
    return f"{sim.root_url}/_media/thumb/{quote(name)}.jpg"


@method("jimi.device.live.page.url")
def live_page(sim: Simulator, call: Call) -> Reply:
    dev = _dashcam(sim, call)
    now = sim.clock.sim()
    s = sim.world.last_point(dev, now)
    stream_type = call.params.get("type", "")
    return Reply(
        result={
            "lat": s.lat if s else None,
            "lng": s.lng if s else None,
            "gpsTime": fmt(s.t) if s else None,
            "VIN": None,
            "plateNo": dev.vehicle_number or None,
            "UrlCamera": f"{sim.root_url}/_media/live/{dev.imei}?type={quote(stream_type)}",
        }
    )


@method("jimi.device.meida.cmd.send")
def media_cmd(sim: Simulator, call: Call) -> Reply:
    dev = _dashcam(sim, call)
    camera = _channel(call, dev, "camera")
    kind = need(call, "mediaType").lower()
    if kind not in ("photo", "video"):
        raise ApiError(1001, f"{MSG_PARAM}: mediaType")
    secs = opt_int(call, "shootTime", 10, 1, 60) if kind == "video" else 0
    now = _online(sim, dev)
    mf = schedule_capture(sim, dev, camera, kind, secs, now)
    return Reply(result={"code": 0, "msg": "success", "cmdSeqNo": mf.instruction_id})


@method("jimi.device.history.cmd.send")
def history_cmd(sim: Simulator, call: Call) -> Reply:
    dev = _dashcam(sim, call)
    camera = _channel(call, dev, "camera")
    need(call, "type")
    now = _online(sim, dev)
    mf = schedule_capture(sim, dev, camera, "video", 15, now, business="historyVideo")
    return Reply(result={"code": 0, "msg": "success", "cmdSeqNo": mf.instruction_id})


def _paged(call: Call, rows: list[dict[str, Any]]) -> Reply:
    page = opt_int(call, "page_no", 1, 1)
    size = opt_int(call, "page_size", 20, 1, 100)
    total = len(rows)
    # Paged lists answer inside ``data`` (field notes).
    return Reply(
        data={
            "currentPage": page,
            "pageSize": size,
            "totalRecord": total,
            "totalPage": max(1, math.ceil(total / size)),
            "result": rows[(page - 1) * size : page * size],
        }
    )


def media_size(name: str) -> int:
    from .media_http import media_bytes

    return len(media_bytes(name))


@method("jimi.device.jimi.media.URL")
def media_url(sim: Simulator, call: Call) -> Reply:
    dev = _dashcam(sim, call)
    camera = _channel(call, dev, "camera")
    kind = need(call, "media_type").lower()
    if kind not in ("photo", "video"):
        raise ApiError(1001, f"{MSG_PARAM}: media_type")
    a = parse_time(call.params.get("start_time", "")) or 0.0
    b = parse_time(call.params.get("end_time", "")) or math.inf
    now = sim.clock.sim()
    with sim.world.lock:
        files = [
            m
            for m in sim.media
            if m.imei == dev.imei
            and m.camera == camera
            and m.media_type == kind
            and a <= m.created <= b
        ]
    ready = [m for m in files if m.ready <= now]
    if files and not ready:
        raise ApiError(1207, MSG_MEDIA_NOT_READY)
    rows = [
        {
            "thumb_URL": thumb_url(sim, m.name),
            "file_URL": file_url(sim, m.name),
            "create_time": fmt(m.created),
            "mime_type": "image/jpeg" if kind == "photo" else "video/mp4",
            "camera": m.camera,
            "file_size": media_size(m.name),
            "media_type": kind,
            "fileName": m.name,
        }
        for m in sorted(ready, key=lambda m: -m.created)
    ]
    return _paged(call, rows)


def alarm_media_name(imei: str, t: float, camera: int, kind: str) -> str:
    secs, ext = (6, "mp4") if kind == "video" else (0, "jpg")
    return f"{imei}_{camera}_{stamp(t)}_alarm_{secs}.{ext}"


@method("jimi.device.media.event.URL")
def media_event(sim: Simulator, call: Call) -> Reply:
    from .api_tracking import alarms_for

    imeis = imei_list(call, "imeis", 50)
    devs = [visible_device(sim, call, i) for i in imeis]
    kind = need(call, "media_type").lower()
    if kind not in ("photo", "video"):
        raise ApiError(1001, f"{MSG_PARAM}: media_type")
    a = parse_time(need(call, "start_time"))
    b = parse_time(need(call, "end_time"))
    if a is None or b is None or b <= a or b - a > 31 * DAY:
        raise ApiError(1001, f"{MSG_PARAM}: start_time/end_time")
    need(call, "page_no")
    need(call, "page_size")
    wanted = call.params.get("event_type", "")
    rows = []
    for dev in devs:
        if not dev.cameras:
            continue
        for al in alarms_for(sim, dev, a, min(b, sim.clock.sim())):
            if al.kind not in MEDIA_ALARMS or (wanted and wanted not in (al.type_id, al.kind)):
                continue
            files = []
            for cam in range(1, dev.cameras + 1):
                name = alarm_media_name(dev.imei, al.t, cam, kind)
                files.append(
                    {
                        "file_URL": file_url(sim, name),
                        "thumb_URL": thumb_url(sim, name),
                        "mime_type": "image/jpeg" if kind == "photo" else "video/mp4",
                        "camera": cam,
                        "file_size": media_size(name),
                        "fileName": name,
                    }
                )
            rows.append(
                {
                    "imei": dev.imei,
                    "event_type": al.type_id,
                    "event_name": al.name,
                    "lat": al.lat,
                    "lng": al.lng,
                    "alarm_time": fmt(al.t),
                    "fileList": files,
                }
            )
    return _paged(call, rows)


@method("jimi.device.media.live.stream")
def live_stream(sim: Simulator, call: Call) -> Reply:
    dev = _dashcam(sim, call)
    ch = _channel(call, dev, "channel")
    need(call, "appId")
    _online(sim, dev)
    return Reply(result=f"{sim.root_url}/_media/stream/{dev.imei}/{ch}.mjpg")


@method("jimi.device.media.history.list.cmd")
def history_list_cmd(sim: Simulator, call: Call) -> Reply:
    dev = _dashcam(sim, call)
    ch = _channel(call, dev, "channel")
    day = parse_time(need(call, "dateTime"))
    if day is None:
        raise ApiError(1001, f"{MSG_PARAM}: dateTime")
    iid = need(call, "instructionId")
    need(call, "appId")
    now = _online(sim, dev)
    with sim.world.lock:
        sim.history_lists[iid] = HistoryList(iid, dev.imei, ch, day, now + sim.config.command_delay)
    return Reply()


def history_files(sim: Simulator, hl: HistoryList) -> list[dict[str, Any]]:
    """The recordings a dashcam keeps: one file per 5 minutes of every drive that day."""
    dev = sim.world.devices[hl.imei]
    out = []
    for seg in sim.world.plan(dev, sim.world.day_of(hl.date)).segments:
        if seg.kind != "drive" or seg.t0 > hl.ready:
            continue
        t = seg.t0
        while t < seg.t1:
            end = min(seg.t1, t + 300)
            out.append(
                {
                    "channel": hl.channel,
                    "beginTime": fmt(t),
                    "endTime": fmt(end),
                    "fileSize": int((end - t) * 48000 * (1 + noise(dev.imei, t) / 5)),
                    "fileName": f"{stamp(t)}_{hl.channel}.mp4",
                    "codeType": 1,
                }
            )
            t = end
    return out


@method("jimi.device.media.history.list.get")
def history_list_get(sim: Simulator, call: Call) -> Reply:
    iid = need(call, "instructionId")
    hl = sim.history_lists.get(iid)
    if hl is None:
        raise ApiError(1001, f"{MSG_PARAM}: unknown instructionId")
    visible_device(sim, call, hl.imei)
    if sim.clock.sim() < hl.ready:
        raise ApiError(1207, MSG_MEDIA_NOT_READY)
    return Reply(result=history_files(sim, hl))


@method("jimi.device.media.history.stream")
def history_stream(sim: Simulator, call: Call) -> Reply:
    dev = _dashcam(sim, call)
    ch = _channel(call, dev, "channel")
    need(call, "appId")
    _online(sim, dev)
    begin = quote(call.params.get("beginTime", ""))
    return Reply(result=f"{sim.root_url}/_media/history/{dev.imei}/{ch}.mp4?begin={begin}")


@method("jimi.device.media.close.stream")
def close_stream(sim: Simulator, call: Call) -> Reply:
    dev = _dashcam(sim, call)
    _channel(call, dev, "channel")
    need(call, "type")
    need(call, "appId")
    return Reply()
