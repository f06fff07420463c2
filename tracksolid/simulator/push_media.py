"""Media-related push items: uploadCallback announcements and IoT-hub alarm file lists."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from .alarms import MEDIA_ALARMS, Alarm
from .media import stamp
from .push_items import Items, _crossed, _reporting, _tz
from .util import fmt

if TYPE_CHECKING:
    from .core import Simulator
    from .fleet import Device


def regular_pictures(sim: Simulator, a: float, b: float, force: bool) -> Items:
    """Dashcams photograph the road every 30 minutes while driving (businessType regularPicture)."""
    period = 1800.0
    if not _crossed(a, b, period, force):
        return []
    t = math.floor(b / period) * period
    out: Items = []
    for dev in _reporting(sim, t):
        if not dev.cameras:
            continue
        s = sim.world.last_point(dev, t)
        if s is None or (not s.acc and not force):
            continue
        name = f"{dev.imei}_1_{stamp(t)}_reg_0.jpg"
        out.append(
            upload_callback(sim, dev, name, "regularPicture", 1, "photo", 0, t, s.lat, s.lng, "")
        )
    return out


def upload_callback(
    sim: Simulator,
    dev: Device,
    name: str,
    business: str,
    camera: int,
    kind: str,
    secs: int,
    t: float,
    lat: float,
    lng: float,
    instruction: str,
) -> dict[str, Any]:
    from .api_media import file_url

    return {
        "businessType": business,
        "imei": dev.imei,
        "camera": camera,
        "shootType": 1 if kind == "photo" else 2,
        "shootTime": secs,
        "alarmTime": int(t),
        "lat": f"{lat:.6f}",
        "lng": f"{lng:.6f}",
        "mimeType": "image/jpeg" if kind == "photo" else "video/mp4",
        "localFileName": name.split("_", 1)[1],
        "filename": name,
        "fileUrl": file_url(sim, name),
        "timezone": _tz(sim),
        "instructionId": instruction or None,
    }


def alarm_media(sim: Simulator, pairs: list[tuple[Device, Alarm]]) -> tuple[Items, Items]:
    """Event attachments for dashcam alarms: uploadCallback items and IoT-hub file lists."""
    from .api_media import alarm_media_name

    uploads: Items = []
    hub: Items = []
    for dev, al in pairs:
        if not dev.cameras or al.kind not in MEDIA_ALARMS:
            continue
        names = []
        for cam in range(1, dev.cameras + 1):
            for kind in ("photo", "video"):
                name = alarm_media_name(dev.imei, al.t, cam, kind)
                names.append(name)
                uploads.append(
                    upload_callback(
                        sim,
                        dev,
                        name,
                        "eventAttachment",
                        cam,
                        kind,
                        6 if kind == "video" else 0,
                        al.t,
                        al.lat,
                        al.lng,
                        "",
                    )
                )
        hub.append(
            {
                "deviceImei": dev.imei,
                "gateTime": fmt(al.t + 5),
                "eventType": "UploadAlarmFileList",
                "eventContent": json.dumps({"alarmType": al.type_id, "files": names}),
            }
        )
    return uploads, hub
