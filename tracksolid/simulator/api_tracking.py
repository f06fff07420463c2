"""Vendor methods of spec sections 5 and 6: locations, tracks, trips, parking, LBS, TAG, alarms."""

from __future__ import annotations

import math
import secrets
import time
from typing import TYPE_CHECKING, Any

from .alarms import Alarm, fence_alarms, generated_alarms
from .api_core import (
    MSG_PARAM,
    ApiError,
    Call,
    Reply,
    imei_list,
    method,
    need,
    need_time,
    opt_int,
    visible_account,
    visible_device,
)
from .motion import DAY
from .util import fmt, fmt_iso, noise

if TYPE_CHECKING:
    from .core import Simulator
    from .fleet import Device
    from .motion import Sample

TRACK_WINDOW = 7 * DAY
HISTORY = 92 * DAY
ALARM_WINDOW = 31 * DAY
ALARM_MAX_ROWS = 1000


def location_row(sim: Simulator, dev: Device, now: float, s: Sample) -> dict[str, Any]:
    """One location list item, typed as the real service types it: mostly strings."""
    w = sim.world
    online = w.is_online(dev, now)
    expired = now >= dev.expiration
    hb = w.last_heartbeat(dev, now)
    tag = dev.kind == "tag"
    speed = 0 if not online else round(s.speed)
    return {
        "imei": dev.imei,
        "deviceName": dev.device_name,
        "icon": dev.vehicle_icon,
        "status": "1" if online else "0",
        "posType": "BEACON" if tag else "GPS",
        # Expired devices report 0/0 (field notes).
        "lat": 0 if expired else s.lat,
        "lng": 0 if expired else s.lng,
        "hbTime": fmt(hb) if hb is not None else None,
        "accStatus": "1" if (s.acc and online) else "0",
        "speed": str(speed),
        "gpsTime": fmt(s.t),
        "direction": str(int(s.heading)) if s.heading >= 0 else "-1",
        "activationFlag": "1",
        "expireFlag": "1" if expired else "0",
        "electQuantity": str(w.battery(dev, now)) if tag else ("100" if dev.index % 3 else ""),
        "locDesc": None,
        "powerValue": None if tag else ("13.80" if s.acc else "12.60"),
        "batteryPowerVal": f"{3.7 + w.battery(dev, now) / 200:.2f}",
        "currentMileage": f"{w.odometer_km(dev, now):.2f}",
        "distance": "-1",
        "gpsNum": str(w.gps_num(dev, s.t)),
        "gpsSignal": str(w.gsm_signal(dev, now)),
        "mcType": dev.model,
        "mcTypeUseScope": "personal" if tag else "automobile",
        "trackerOil": None,
        "temperature": None,
        "iccid": dev.iccid,
        "confidence": None,
        "vehicleNumber": dev.vehicle_number,
        "driverName": dev.driver_name,
    }


def _locations(sim: Simulator, devices: list[Device]) -> list[dict[str, Any]]:
    now = sim.clock.sim()
    out = []
    for dev in devices:
        s = sim.world.last_point(dev, now)
        if s is None:
            continue  # devices that never reported are silently left out (field notes)
        out.append(location_row(sim, dev, now, s))
    return out


@method("jimi.user.device.location.list")
def location_list(sim: Simulator, call: Call) -> Reply:
    account = visible_account(sim, call, "target")
    return Reply(result=_locations(sim, sim.world.devices_of(account)))


@method("jimi.device.location.get")
def location_get(sim: Simulator, call: Call) -> Reply:
    # The real limit is 100 IMEIs here, not the generic 50 (field notes).
    imeis = imei_list(call, "imeis", 100)
    devs = [visible_device(sim, call, i) for i in imeis]
    return Reply(result=_locations(sim, devs))


@method("jimi.device.location.URL.share")
def location_share(sim: Simulator, call: Call) -> Reply:
    dev = visible_device(sim, call, need(call, "imei"))
    token = secrets.token_urlsafe(12)
    sim.shares[token] = dev.imei
    return Reply(result={"URL": f"{sim.root_url}/_share/{token}"})


def _window(
    sim: Simulator, call: Call, a_name: str, b_name: str, limit: float
) -> tuple[float, float]:
    a = need_time(call, a_name)
    b = need_time(call, b_name)
    now = sim.clock.sim()
    if b <= a:
        raise ApiError(1001, f"{MSG_PARAM}: {b_name} must be after {a_name}")
    if b - a > limit:
        raise ApiError(1001, f"{MSG_PARAM}: time range exceeds the limit")
    # "Now" is the later of the fleet's clock and real time: a client reading the wall clock
    # must not be refused because a test slowed or froze the fleet.
    if b > max(now, sim.clock.wall()):
        raise ApiError(1001, f"{MSG_PARAM}: {b_name} must be before now")
    return a, min(b, now)


@method("jimi.device.track.list")
def track_list(sim: Simulator, call: Call) -> Reply:
    dev = visible_device(sim, call, need(call, "imei"))
    a, b = _window(sim, call, "begin_time", "end_time", TRACK_WINDOW)
    if a < sim.clock.sim() - HISTORY:
        raise ApiError(1001, f"{MSG_PARAM}: only the last 3 months can be queried")
    if sim.config.track_latency > 0:
        time.sleep(sim.config.track_latency * (b - a) / DAY)
    tag = dev.kind == "tag"
    rows = []
    for s in sim.world.points_between(dev, a - 1e-6, b, upto=sim.clock.sim()):
        rows.append(
            {
                "lat": s.lat,
                "lng": s.lng,
                "gpsTime": fmt(s.t),
                "direction": int(s.heading) if s.heading >= 0 else 0,
                "gpsSpeed": -1 if tag else round(s.speed),
                "posType": 5 if tag else 1,
                "satellite": sim.world.gps_num(dev, s.t),
                "ignition": "ON" if s.acc else "OFF",
                "accStatus": "ON" if s.acc else "OFF",
                # 1 = buffered in a coverage gap and re-uploaded on reconnect.
                "gpsMode": 1 if sim.world.buffered(dev, s.t) else 0,
                "confidence": None,
            }
        )
    return Reply(result=rows)


def trips(sim: Simulator, dev: Device, a: float, b: float) -> list[dict[str, Any]]:
    """Trip rows (each drive segment that ended inside the window)."""
    unit = 1.0 if sim.config.mileage_unit == "m" else 0.001
    out = []
    for day in range(sim.world.day_of(a), sim.world.day_of(b) + 1):
        for seg in sim.world.plan(dev, day).segments:
            if seg.kind != "drive" or not (a <= seg.t0 and seg.t1 <= b):
                continue
            elapsed = int(seg.t1 - seg.t0)
            avg = seg.distance / max(elapsed, 1) * 3.6
            out.append(
                {
                    "imei": dev.imei,
                    "deviceName": dev.device_name,
                    "startTime": fmt(seg.t0),
                    "endTime": fmt(seg.t1),
                    "distance": f"{seg.distance * unit:.2f}",
                    "avgSpeed": f"{avg:.2f}",
                    "maxSpeed": str(int(seg.max_speed)),
                    "elapsed": elapsed,
                    "startLat": seg.lat,
                    "startLng": seg.lng,
                    "endLat": seg.end_lat,
                    "endLng": seg.end_lng,
                }
            )
    return out


def _paged_report(call: Call, rows: list[dict[str, Any]], total_time: int) -> Reply:
    start = opt_int(call, "start_row", 0, 0)
    size = opt_int(call, "page_size", 100, 1, 1000)
    # Report-style methods answer in ``data`` with ``result: null`` (field notes).
    return Reply(
        data={
            "totalTime": total_time,
            "dataTotalRows": len(rows),
            "rows": rows[start : start + size],
        }
    )


@method("jimi.device.track.mileage")
def track_mileage(sim: Simulator, call: Call) -> Reply:
    imeis = imei_list(call, "imeis", 50)
    devs = [visible_device(sim, call, i) for i in imeis]
    a, b = _window(sim, call, "begin_time", "end_time", ALARM_WINDOW)
    rows = [r for d in devs for r in trips(sim, d, a, b)]
    return _paged_report(call, rows, sum(int(r["elapsed"]) for r in rows))


@method("jimi.open.platform.report.parking")
def report_parking(sim: Simulator, call: Call) -> Reply:
    visible_account(sim, call, "account")
    imeis = imei_list(call, "imeis", 50)
    devs = [visible_device(sim, call, i) for i in imeis]
    a, b = _window(sim, call, "start_time", "end_time", ALARM_WINDOW)
    # start_row, page_size and acc_type are picky on the real service: all required.
    need(call, "start_row")
    need(call, "page_size")
    acc_type = need(call, "acc_type")
    if acc_type not in ("0", "1"):
        raise ApiError(1001, f"{MSG_PARAM}: acc_type")
    kind = "park" if acc_type == "0" else "idle"
    rows: list[dict[str, Any]] = []
    for dev in devs:
        for day in range(sim.world.day_of(a), sim.world.day_of(b) + 1):
            for seg in sim.world.plan(dev, day).segments:
                if seg.kind != kind or seg.t1 <= a or seg.t0 >= b or seg.t1 - seg.t0 < 60:
                    continue
                t0, t1 = max(a, seg.t0), min(b, seg.t1)
                rows.append(
                    {
                        "imei": dev.imei,
                        "deviceName": dev.device_name,
                        "startTime": fmt_iso(t0),
                        "endTime": fmt_iso(t1),
                        "durSecond": int(t1 - t0),
                        "stopSecond": int(t1 - t0),
                        "addr": None,
                        "lat": seg.lat,
                        "lng": seg.lng,
                        "accStatus": acc_type,
                    }
                )
    return _paged_report(call, rows, sum(int(r["durSecond"]) for r in rows))


@method("jimi.lbs.address.get")
def lbs_address(sim: Simulator, call: Call) -> Reply:
    dev = visible_device(sim, call, need(call, "imei"))
    now = sim.clock.sim()
    key = (dev.imei, sim.world.day_of(now))
    with sim.world.lock:
        used = sim.lbs_used.get(key, 0)
        if used >= sim.config.lbs_quota:
            raise ApiError(1100, "The LBS query limit for this device today has been reached")
        sim.lbs_used[key] = used + 1
    s = sim.world.last_point(dev, now)
    lat, lng = (s.lat, s.lng) if s else (sim.config.city_lat, sim.config.city_lng)
    # Cell-tower fixes are a few hundred metres off.
    jitter = 0.003 * (noise(dev.imei, now // 60) - 0.5)
    return Reply(
        result={
            "lat": round(lat + jitter, 6),
            "lng": round(lng - jitter, 6),
            "accuracy": 350 + int(noise(dev.imei, "acc", now // 60) * 900),
        }
    )


@method("jimi.device.location.getTagMsg")
def tag_msg(sim: Simulator, call: Call) -> Reply:
    dev = visible_device(sim, call, need(call, "imei"))
    if dev.kind != "tag":
        raise ApiError(1100, "The device is not a TAG device")
    s = sim.world.last_point(dev, sim.clock.sim())
    if s is None:
        return Reply(result=None)
    return Reply(
        result={
            "imei": dev.imei,
            "lng": s.lng,
            "lat": s.lat,
            "gpsTime": fmt(s.t),
            "gpsSpeed": -1,
            "positionType": "BEACON",
            "gpsNum": sim.world.gps_num(dev, s.t),
        }
    )


def alarms_for(sim: Simulator, dev: Device, a: float, b: float) -> list[Alarm]:
    out = generated_alarms(sim.world, dev, a, b)
    out.extend(x for x in sim.injected_alarms if x.imei == dev.imei and a < x.t <= b)
    fences = [f for f in list(sim.fences.values()) if f.alarm_types_for(dev.imei)]
    if fences:
        out.extend(fence_alarms(sim.world, dev, fences, a, b))
    out.sort(key=lambda x: x.t)
    return out


def alarm_row(sim: Simulator, dev: Device, al: Alarm) -> dict[str, Any]:
    return {
        "deviceName": dev.device_name,
        "imei": dev.imei,
        "model": dev.model,
        "account": dev.account,
        "alertTypeId": al.type_id,
        # Real responses say alarmTypeName; the spec's table says alertTypeName (field notes).
        "alarmTypeName": al.name,
        "alertTime": fmt(al.t),
        "positioningTime": fmt(math.floor(al.t)),
        "lat": al.lat,
        "lng": al.lng,
        "speed": str(int(al.speed)),
        "geoid": al.geoid or None,
        "fenceName": al.fence_name or None,
    }


@method("jimi.device.alarm.list")
def alarm_list(sim: Simulator, call: Call) -> Reply:
    imeis = imei_list(call, "imeis", 50)
    devs = [visible_device(sim, call, i) for i in imeis]
    now = sim.clock.sim()
    if not call.params.get("begin_time") and not call.params.get("end_time"):
        # No window: the latest 50 of the last month.
        a, b, latest = now - 30 * DAY, now, True
    else:
        a, b = _window(sim, call, "begin_time", "end_time", ALARM_WINDOW)
        latest = False
    rows = [alarm_row(sim, d, al) for d in devs for al in alarms_for(sim, d, a, b)]
    rows.sort(key=lambda r: str(r["alertTime"]))
    if latest:
        return Reply(result=rows[-50:][::-1])
    rows = rows[:ALARM_MAX_ROWS]
    page_no = opt_int(call, "page_no", 1, 1)
    size = opt_int(call, "page_size", ALARM_MAX_ROWS, 1, ALARM_MAX_ROWS)
    return Reply(result=rows[(page_no - 1) * size : page_no * size])
