"""What each Data Push type carries, in the vendor's shapes, for a window (a, b] of sim time.

Each collector returns ``(endpoint, items)``; the pusher batches and sends them. With
``force`` a collector that found nothing in the window reports the current state instead, so
``push_now()`` exercises every push type.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from .alarms import Alarm
from .motion import DAY
from .util import fmt, fmt_bcd, noise

if TYPE_CHECKING:
    from .core import Simulator
    from .fleet import Device

Items = list[dict[str, Any]]
DTC_POOL = ("P0301", "P0420", "P0171", "P0128", "P0442", "P0500", "C0035", "U0100", "B1318")


def _crossed(a: float, b: float, period: float, force: bool) -> bool:
    return force or math.floor(b / period) > math.floor(a / period)


def _tz(sim: Simulator) -> str:
    h = sim.config.tz_offset_hours
    return f"GMT{'+' if h >= 0 else '-'}{int(abs(h)):02d}:{int(abs(h) * 60) % 60:02d}"


def _reporting(sim: Simulator, b: float) -> Iterator[Device]:
    for dev in list(sim.world.devices.values()):
        if sim.world.is_reporting(dev, b):
            yield dev


def gps(sim: Simulator, a: float, b: float, force: bool) -> tuple[Items, Items]:
    """``/pushgps`` items for trackers and TAG-push items for beacons."""
    w = sim.world
    items: Items = []
    tags: Items = []
    for dev in list(w.devices.values()):
        pts = w.points_between(dev, a, b)
        gate = {}
        for reconnect, late in w.reuploads(dev, a, b):
            # Buffered points arrive with the reconnect as their gateway time.
            gate.update({s.t: reconnect for s in late})
            pts = sorted([*pts, *late], key=lambda s: s.t)
        if not pts and force:
            last = w.last_point(dev, b)
            pts = [last] if last is not None and w.is_reporting(dev, b) else []
        if not pts:
            continue
        if dev.kind == "tag":
            tags.extend(
                {
                    "imei": dev.imei,
                    "gpsTime": int(s.t * 1000),
                    "lat": s.lat,
                    "lng": s.lng,
                    "gpsNum": w.gps_num(dev, s.t),
                    "positionType": "BEACON",
                }
                for s in pts
            )
            continue
        odo = w.odometer_km(dev, pts[0].t) * 1000.0
        prev = pts[0]
        for s in pts:
            odo += abs(s.t - prev.t) * s.speed / 3.6 if s.speed > 0 else 0.0
            prev = s
            items.append(
                {
                    "deviceImei": dev.imei,
                    "gpsTime": fmt(s.t),
                    "gateTime": fmt(gate.get(s.t, s.t) + 1),
                    "lng": s.lng,
                    "lat": s.lat,
                    "satelliteNum": w.gps_num(dev, s.t),
                    "gpsSpeed": round(s.speed),
                    "direction": max(0, int(s.heading)),
                    "acc": 1 if s.acc else 0,
                    "postType": 1,
                    "postMethod": 0,
                    "status": 1,
                    "altitude": 600 + int(noise(dev.imei, int(s.t) // 60) * 60),
                    "distance": int(odo),
                }
            )
    return items, tags


def alarms(sim: Simulator, a: float, b: float, force: bool) -> list[tuple[Device, Alarm]]:
    from .api_tracking import alarms_for

    out: list[tuple[Device, Alarm]] = []
    for dev in list(sim.world.devices.values()):
        out.extend((dev, al) for al in alarms_for(sim, dev, a, b))
    if not out and force:
        for dev in list(sim.world.devices.values()):
            found = alarms_for(sim, dev, b - DAY, b)
            if found:
                out.append((dev, found[-1]))
                break
    return out


def alarm_item(dev: Device, al: Alarm) -> dict[str, Any]:
    type_id: int | str = int(al.type_id) if al.type_id.isdigit() else al.type_id
    return {
        "imei": dev.imei,
        "deviceName": dev.device_name,
        # Dashcams speak JT808 (msgClass 1); the trackers Jimi's own protocol (0).
        "msgClass": 1 if dev.cameras else 0,
        "type": "alarm",
        "gateTime": fmt(al.t + 1),
        "msg": {
            "alertType": type_id,
            "alarmName": al.name,
            "alarmTime": fmt(al.t),
            "lat": al.lat,
            "lng": al.lng,
            "gpsSpeed": int(al.speed),
            "gpsTime": fmt(al.t),
            "geoid": al.geoid or None,
            "fenceName": al.fence_name or None,
        },
    }


def openapi_alarm(dev: Device, al: Alarm) -> dict[str, Any]:
    return {
        "imei": dev.imei,
        "deviceName": dev.device_name,
        "alarmType": al.type_id,
        "alarmName": al.name,
        "lat": al.lat,
        "lng": al.lng,
        "alarmTime": fmt(al.t),
    }


def events(sim: Simulator, a: float, b: float, force: bool) -> Items:
    """LOGIN/LOGOUT at the edges of offline spans."""
    w = sim.world
    out: Items = []
    for dev in list(w.devices.values()):
        if dev.never_reported:
            continue
        edges: list[tuple[float, str]] = []
        for day in range(w.day_of(a + 1e-6), w.day_of(b) + 1):
            win = w.offline_window(dev, day)
            if win:
                edges += [(win[0], "LOGOUT"), (win[1], "LOGIN")]
        for start, end in w.offline_overrides.get(dev.imei, ()):
            if start is not None:
                edges.append((start, "LOGOUT"))
            if end is not None:
                edges.append((end, "LOGIN"))
        out += [
            {"deviceImei": dev.imei, "type": kind, "gateTime": fmt(t), "timezone": _tz(sim)}
            for t, kind in sorted(edges)
            if a < t <= b
        ]
    if not out and force:
        out = [
            {"deviceImei": d.imei, "type": "LOGIN", "gateTime": fmt(b), "timezone": _tz(sim)}
            for d in _reporting(sim, b)
        ][:5]
    return out


def periodic(
    sim: Simulator,
    a: float,
    b: float,
    force: bool,
    period: float,
    wanted: Callable[[Device], bool],
    make: Callable[[Device, float], dict[str, Any] | None],
) -> Items:
    """Readings sent every ``period`` seconds by devices that have the sensor."""
    if not _crossed(a, b, period, force):
        return []
    t = math.floor(b / period) * period if not force else b
    out: Items = []
    for dev in _reporting(sim, t):
        if wanted(dev):
            item = make(dev, t)
            if item is not None:
                out.append(item)
    return out


def heartbeat(sim: Simulator, dev: Device, t: float) -> dict[str, Any]:
    s = sim.world.last_point(dev, t)
    return {
        "deviceImei": dev.imei,
        "gateTime": fmt(t),
        "powerLevel": sim.world.battery(dev, t),
        "gsmSign": sim.world.gsm_signal(dev, t),
        "acc": 1 if s and s.acc else 0,
        "powerStatus": 0 if dev.kind == "tag" else 1,
        "fortify": 0,
    }


def _pos(sim: Simulator, dev: Device, t: float) -> dict[str, Any]:
    s = sim.world.last_point(dev, t)
    if s is None:
        return {}
    return {"gpsTime": fmt(s.t), "lat": s.lat, "lng": s.lng}


def oil(sim: Simulator, dev: Device, t: float) -> dict[str, Any]:
    # Tank level falls with distance and is refilled every ~550 km.
    level = 85.0 - (sim.world.odometer_km(dev, t) % 550.0) / 550.0 * 70.0
    return {
        "deviceImei": dev.imei,
        "path": 1,
        "gateTime": fmt(t),
        "value": round(level * 100),
        "unit": 2,
        **_pos(sim, dev, t),
    }


def temperature(sim: Simulator, dev: Device, t: float) -> dict[str, Any]:
    return {
        "deviceImei": dev.imei,
        "tem": round(3.0 + noise(dev.imei, t // 300) * 3, 1),
        "hum": round(55 + noise(dev.imei, "h", t // 300) * 20, 1),
        "gateTime": fmt(t),
        "postTime": fmt(t + 2),
    }


def obd(sim: Simulator, dev: Device, t: float, force: bool = False) -> dict[str, Any] | None:
    """OBD readings flow while the engine runs (``force``: report a standing engine too)."""
    s = sim.world.last_point(dev, t)
    if s is None or not (s.acc or force):
        return None
    rpm = (800 + int(s.speed * 35) + int(noise(dev.imei, t) * 200)) if s.acc else 0
    return {
        "deviceImei": dev.imei,
        "obdJson": {
            "car_type": 2,
            "push_time": fmt(t + 1),
            "event_time": fmt(t),
            "AccState": 1,
            "statusFlags": 0,
            "lng": s.lng,
            "lat": s.lat,
            "dataID1": rpm,
            "dataID2": int(s.speed),
            "dataID3": 85 + int(noise(dev.imei, "c", t) * 10),
            "dataID4": int(85 - (sim.world.odometer_km(dev, t) % 550.0) / 550.0 * 70),
            "dataID5": 13800 + int(noise(dev.imei, "v", t) * 400),
            "dataID6": 20 + int(s.speed / 3),
        },
    }


def faults(sim: Simulator, a: float, b: float, force: bool) -> Items:
    """DTC reports: some OBD devices raise fault codes once on some days."""
    w = sim.world
    out: Items = []
    for dev in list(w.devices.values()):
        if dev.kind != "obd" or dev.never_reported:
            continue
        for day in range(w.day_of(a + 1e-6), w.day_of(b) + 1):
            if noise(w.seed, dev.imei, day, "dtc") >= 0.3 and not force:
                continue
            t = w.day_start(day) + 3600 * (8 + 10 * noise(w.seed, dev.imei, day, "dtct"))
            if force and not a < t <= b:
                t = b
            if a < t <= b and w.is_reporting(dev, t):
                n = 1 + int(noise(w.seed, dev.imei, day, "n") * 3)
                codes = [
                    DTC_POOL[int(noise(w.seed, dev.imei, day, k) * len(DTC_POOL))] for k in range(n)
                ]
                codes = sorted(set(codes))
                s = w.last_point(dev, t)
                out.append(
                    {
                        "deviceImei": dev.imei,
                        "gateTime": fmt(t),
                        "faultCodeList": codes,
                        "faultNum": len(codes),
                        "statusFlags": 1,
                        "lng": s.lng if s else 0.0,
                        "lat": s.lat if s else 0.0,
                        "eventTime": int(t),
                    }
                )
                if force:
                    return out
    return out


def trip_reports(sim: Simulator, a: float, b: float, force: bool) -> tuple[Items, Items]:
    """``/pushtripreport`` at trip start and end (OBD and dashcams); RFID scans at trip start."""
    w = sim.world
    trips: Items = []
    rfid: Items = []
    for dev in list(w.devices.values()):
        if dev.never_reported or dev.kind == "tag":
            continue
        lo = a if not force else b - DAY
        for day in range(w.day_of(lo + 1e-6), w.day_of(b) + 1):
            for seg in w.plan(dev, day).segments:
                if seg.kind != "drive":
                    continue
                marks = [(seg.t0, 1), (seg.t1, 2)]
                for t, prop in marks:
                    if not (lo < t <= b) or not w.is_reporting(dev, t):
                        continue
                    if dev.kind in ("obd", "dashcam"):
                        done = prop == 2
                        trips.append(
                            {
                                "deviceImei": dev.imei,
                                "gateTime": fmt(t + 2),
                                "miles": round(seg.distance / 1000, 2) if done else 0.0,
                                "oils": round(seg.distance / 1000 * 0.085, 2) if done else 0.0,
                                "idleTimes": int(noise(dev.imei, seg.t0) * 300),
                                "tripSeq": seg.trip_seq,
                                "beginTime": fmt_bcd(seg.t0),
                                "endTime": fmt_bcd(seg.t1) if done else "",
                                "beginLat": seg.lat,
                                "beginLng": seg.lng,
                                "endLat": seg.end_lat if done else 0.0,
                                "endLng": seg.end_lng if done else 0.0,
                                "properties": prop,
                            }
                        )
                    if dev.has_rfid and prop == 1:
                        card = f"{int(noise(dev.imei, 'card') * 0xFFFFFFFF):08X}"
                        rfid.append(
                            {
                                "moduleType": "RFID",
                                "deviceImei": dev.imei,
                                "gateTime": fmt(t),
                                "postTime": fmt(t + 1),
                                "value": card,
                                "gpsTime": fmt(t),
                                "lng": seg.lng,
                                "lat": seg.lat,
                            }
                        )
    if force:
        trips, rfid = trips[-3:], rfid[-3:]
    return trips, rfid


def lbs(sim: Simulator, dev: Device, t: float) -> dict[str, Any]:
    cells = [
        {
            "lac": 28000 + int(noise(dev.imei, k) * 1000),
            "ci": 10000 + int(noise(dev.imei, t, k) * 50000),
            "rssi": -60 - int(noise(dev.imei, "r", k, t) * 40),
        }
        for k in range(3)
    ]
    return {
        "postType": "LBS",
        "deviceImei": dev.imei,
        "gateTime": fmt(t),
        "lbsJson": json.dumps({"mcc": 214, "mnc": 1, "cellList": cells}, separators=(",", ":")),
    }


def plugin(sim: Simulator, dev: Device, t: float) -> dict[str, Any]:
    hex_content = f"9B01{int(noise(dev.imei, t) * 0xFFFF):04X}{int(t) % 0xFFFF:04X}"
    return {
        "deviceImei": dev.imei,
        "hexContent": hex_content,
        "postTime": fmt(t + 1),
        "category": "0x9B",
        "type": 1,
        **_pos(sim, dev, t),
    }


def passthrough(sim: Simulator, dev: Device, t: float) -> dict[str, Any]:
    body = f"SIM PASSTHROUGH {dev.imei} {int(t)}".encode()
    return {
        "deviceImei": dev.imei,
        "gateTime": fmt(t),
        "type": 240,
        "category": "0x0900",
        "content": base64.b64encode(body).decode(),
    }


def extension(sim: Simulator, dev: Device, t: float) -> dict[str, Any]:
    content = {
        "acc": 1 if (s := sim.world.last_point(dev, t)) and s.acc else 0,
        "battery": sim.world.battery(dev, t),
        "gsm": sim.world.gsm_signal(dev, t),
    }
    return {
        "postTime": fmt(t),
        "deviceImei": dev.imei,
        "extensionId": 8197,
        "content": json.dumps(content, separators=(",", ":")),
        **_pos(sim, dev, t),
    }


def kks(sim: Simulator, dev: Device, t: float) -> dict[str, Any]:
    s = sim.world.last_point(dev, t)
    return {
        "deviceImei": dev.imei,
        "gateTime": fmt(t),
        "subMessagesId": 1,
        "content": {
            "lat": s.lat if s else None,
            "lng": s.lng if s else None,
            "speed": int(s.speed) if s else 0,
            "accuracy": 5,
        },
    }


def face_ids(sim: Simulator, dev: Device, t: float) -> dict[str, Any]:
    return {
        "instructionId": f"face-{dev.imei[-6:]}-{int(t)}",
        "postTime": fmt(t + 1),
        "deviceImei": dev.imei,
        "gateTime": fmt(t),
        "content": [f"ID{int(noise(dev.imei, k) * 9999):04d}" for k in range(3)],
    }
