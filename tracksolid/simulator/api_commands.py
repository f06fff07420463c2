"""Vendor methods of spec sections 8 and 9 (commands, fences) and the Appendix A Instruction API."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from .api_core import (
    MSG_EXISTS,
    MSG_OFFLINE,
    MSG_PARAM,
    ApiError,
    Call,
    Reply,
    imei_list,
    method,
    need,
    opt_int,
    visible_account,
    visible_device,
)
from .state import Command, Fence
from .util import fmt, noise

if TYPE_CHECKING:
    from .core import Simulator
    from .fleet import Device

# (id, name, template, explanation, works offline). Templates use {0}, {1} as the vendor's do.
_COMMON = [
    ("1", "Locate", "WHERE#", "Ask the device for its position", False),
    ("2", "Device status", "STATUS#", "Battery, GSM, GPS and ACC status", False),
    ("3", "Parameters", "PARAM#", "Current configuration", False),
    ("7", "Restart", "RESET#", "Restart the device", True),
    ("8", "APN", "APN,{0}#", "Set the APN", True),
]
INSTRUCTIONS: dict[str, list[tuple[str, str, str, str, bool]]] = {
    "vehicle": [
        *_COMMON,
        ("163", "Cut off fuel/power", "RELAY,{0}#", "1 = cut off, 0 = restore", True),
        ("5", "Upload interval", "TIMER,{0},{1}#", "Seconds with ACC on, ACC off", True),
        ("6", "Overspeed alarm", "SPEED,ON,{0},{1},1#", "Seconds, km/h", True),
    ],
    "obd": [
        *_COMMON,
        ("5", "Upload interval", "TIMER,{0},{1}#", "Seconds with ACC on, ACC off", True),
        ("20", "Read fault codes", "OBDDTC#", "Read the DTC list", False),
        ("21", "Clear fault codes", "CLEARDTC#", "Clear the DTC list", False),
    ],
    "dashcam": [
        *_COMMON,
        ("30", "Take a photo", "PICTURE,{0}#", "Camera channel", False),
        ("31", "Record video", "VIDEO,{0},{1}#", "Camera channel, seconds", False),
        ("32", "Format SD card", "FORMAT#", "Erase recordings", False),
    ],
    "tag": [
        ("2", "Device status", "STATUS#", "Battery and beacon status", False),
        ("40", "Beacon interval", "BTIV,{0}#", "Seconds between beacons", True),
    ],
}
MSG_SENT = "command is successfully sent."


def reply_text(sim: Simulator, dev: Device, content: str, t: float) -> str:
    s = sim.world.last_point(dev, t)
    head = content.split(",")[0].rstrip("#")
    if head == "WHERE" and s is not None:
        return (
            f"Lat:N{s.lat:.6f},Lon:{'W' if s.lng < 0 else 'E'}{abs(s.lng):.6f},"
            f"Course:{max(0, int(s.heading))},Speed:{int(s.speed)}km/h,DateTime:{fmt(s.t)}"
        )
    if head == "STATUS":
        acc = "ON" if s is not None and s.acc else "OFF"
        return (
            f"Battery:{sim.world.battery(dev, t)}%,GPRS:Link Up,GSM Signal Level:Strong,"
            f"GPS:Successful positioning,ACC:{acc}"
        )
    if head == "RELAY":
        return (
            "Cut off the fuel supply: Success!"
            if content.startswith("RELAY,1")
            else ("Restore fuel supply: Success!")
        )
    return f"{content.rstrip('#')} OK"


def result_code(sim: Simulator, code_id: str, salt: str) -> int:
    """A device result code, 225-252 as the field notes give them, fixed by seed and command."""
    return 225 + int(noise(sim.seed, code_id, salt) * 28)


def settle(sim: Simulator, cmd: Command, now: float) -> None:
    """Move a command on: pending while offline, then executed or refused once the device answers.

    A refusal (``--command-refusal-rate``) is a guess at the real shape: ``isExecute`` false,
    status "failed", ``content`` "Result code" + a full-width colon (U+FF1A) + 225-252.
    """
    if cmd.outcome == "failed" or (cmd.outcome == "executed" and cmd.reply):
        return
    if now < cmd.ready:
        return
    dev = sim.world.devices[cmd.imei]
    if not sim.world.is_reporting(dev, now):
        cmd.outcome = "pending"
        return
    if not cmd.raw and noise(sim.seed, cmd.code_id, "refuse") < sim.config.command_refusal_rate:
        cmd.outcome = "failed"
        cmd.reply = f"Result code\uff1a{result_code(sim, cmd.code_id, 'refuse-rc')}"
        return
    was_pending = cmd.outcome == "pending"
    cmd.outcome = "executed"
    cmd.reply = cmd.content if cmd.raw else reply_text(sim, dev, cmd.content, now)
    if was_pending:
        cmd.pushed = False  # an offline command's answer is pushed (pushInstructResponse)


@method("jimi.open.instruction.list")
def instruction_list(sim: Simulator, call: Call) -> Reply:
    dev = visible_device(sim, call, need(call, "imei"))
    return Reply(
        result=[
            {
                "id": i,
                "orderName": name,
                "orderContent": tpl,
                "orderExplain": explain,
                "isOffLine": offline,
            }
            for i, name, tpl, explain, offline in INSTRUCTIONS[dev.kind]
        ]
    )


def _fill(template: str, params: list[Any]) -> str:
    wanted = len(set(re.findall(r"\{(\d+)\}", template)))
    if len(params) != wanted:
        raise ApiError(1001, f"{MSG_PARAM}: inst_param_json params")
    out = template
    for k, value in enumerate(params):
        out = out.replace("{" + str(k) + "}", str(value))
    return out


@method("jimi.open.instruction.send")
def instruction_send(sim: Simulator, call: Call) -> Reply:
    dev = visible_device(sim, call, need(call, "imei"))
    try:
        spec = json.loads(need(call, "inst_param_json"))
    except ValueError as exc:
        raise ApiError(1001, f"{MSG_PARAM}: inst_param_json is not JSON") from exc
    if not isinstance(spec, dict) or "inst_id" not in spec:
        raise ApiError(1001, f"{MSG_PARAM}: inst_param_json")
    entry = next((e for e in INSTRUCTIONS[dev.kind] if e[0] == str(spec["inst_id"])), None)
    if entry is None:
        raise ApiError(12001, "The device does not support this command")
    params = spec.get("params") or []
    if not isinstance(params, list):
        raise ApiError(1001, f"{MSG_PARAM}: params")
    content = _fill(str(spec.get("inst_template") or entry[2]), params)
    now = sim.clock.sim()
    online = sim.world.is_reporting(dev, now)
    if not online and not entry[4]:
        raise ApiError(12002, "The device is offline, the command cannot be sent")
    code_id = sim.new_id()
    if online and noise(sim.seed, code_id, "fail") < sim.config.command_failure_rate:
        rc = result_code(sim, code_id, "rc")
        # The real message has a full-width colon.
        raise ApiError(12005, f"Fail to send command. Result code\uff1a{rc}")
    cmd = Command(
        code_id,
        dev.imei,
        content,
        now,
        now + sim.config.command_delay,
        "pending" if not online else "sent",
        "",
        call.account,
        entry[0],
        pushed=online,
    )  # only an offline command's late answer is pushed
    with sim.world.lock:
        sim.commands.append(cmd)
    _side_effects(sim, dev, content, now)
    return Reply(result=code_id, message=MSG_SENT)


def _side_effects(sim: Simulator, dev: Device, content: str, now: float) -> None:
    """Capture commands sent as text make media too, as the device would."""
    from .api_media import schedule_capture

    head, _, rest = content.rstrip("#").partition(",")
    args = rest.split(",") if rest else []
    camera = int(args[0]) if args and args[0].isdigit() else 1
    camera = min(max(camera, 1), max(dev.cameras, 1))
    if head == "PICTURE" and dev.cameras:
        schedule_capture(sim, dev, camera, "photo", 0, now)
    elif head == "VIDEO" and dev.cameras:
        secs = min(60, int(args[1])) if len(args) > 1 and args[1].isdigit() else 10
        schedule_capture(sim, dev, camera, "video", secs, now)


@method("jimi.open.instruction.result")
def instruction_result(sim: Simulator, call: Call) -> Reply:
    dev = visible_device(sim, call, need(call, "imei"))
    now = sim.clock.sim()
    rows = []
    with sim.world.lock:
        mine = [c for c in sim.commands if c.imei == dev.imei and not c.raw]
        for cmd in reversed(mine):
            settle(sim, cmd, now)
            rows.append(
                {
                    "codeId": cmd.code_id,
                    "code": cmd.content,
                    "content": cmd.reply or None,
                    "isExecute": cmd.outcome == "executed",
                    "sendTime": fmt(cmd.sent),
                    "sender": cmd.sender,
                    "receiveDevice": dev.imei,
                    "status": cmd.outcome,
                }
            )
    return Reply(result=rows)


@method("jimi.open.instruction.raw.send")
def instruction_raw(sim: Simulator, call: Call) -> Reply:
    dev = visible_device(sim, call, need(call, "imei"))
    raw = need(call, "raw_cmd").replace(" ", "")
    if len(raw) % 2 or not re.fullmatch(r"[0-9A-Fa-f]+", raw):
        raise ApiError(1001, f"{MSG_PARAM}: raw_cmd must be hexadecimal")
    now = sim.clock.sim()
    if not sim.world.is_reporting(dev, now):
        raise ApiError(41003, MSG_OFFLINE)
    code_id = sim.new_id()
    # The device echoes a protocol answer: 7878 header, length, the command, serial, 0D0A.
    reply = "7878" + f"{len(raw) // 2 + 5:02X}" + "81" + raw.upper() + "0001" + "0D0A"
    cmd = Command(
        code_id,
        dev.imei,
        reply,
        now,
        now + sim.config.command_delay,
        "sent",
        "",
        call.account,
        raw=True,
    )
    with sim.world.lock:
        sim.commands.append(cmd)
    return Reply(result=code_id, message=MSG_SENT)


# --- fences ---------------------------------------------------------------------------------------


def _float(call: Call, name: str, lo: float, hi: float) -> float:
    try:
        value = float(need(call, name))
    except ValueError as exc:
        raise ApiError(1001, f"{MSG_PARAM}: {name}") from exc
    if not lo <= value <= hi:
        raise ApiError(1001, f"{MSG_PARAM}: {name} out of range")
    return value


@method("jimi.open.device.fence.create")
def device_fence_create(sim: Simulator, call: Call) -> Reply:
    dev = visible_device(sim, call, need(call, "imei"))
    name = need(call, "fence_name")
    alarm_type = need(call, "alarm_type").replace(" ", "")
    if alarm_type not in ("in", "out", "in,out", "out,in"):
        raise ApiError(1001, f"{MSG_PARAM}: alarm_type")
    need(call, "report_mode")
    switch = need(call, "alarm_switch").upper()
    if switch not in ("ON", "OFF"):
        raise ApiError(1001, f"{MSG_PARAM}: alarm_switch")
    lat = _float(call, "lat", -90, 90)
    lng = _float(call, "lng", -180, 180)
    # Device fence radius is in units of 100 m (field notes).
    radius = opt_int(call, "radius", 0, 1, 9999)
    need(call, "zoom_level")
    need(call, "map_type")
    now = sim.clock.sim()
    if not sim.world.is_reporting(dev, now):
        raise ApiError(41003, MSG_OFFLINE)
    with sim.world.lock:
        used = {f.geoid.split(":")[-1] for f in sim.fences.values() if f.device == dev.imei}
        free = [str(n) for n in range(1, 5) if str(n) not in used]
        if not free:
            raise ApiError(41001, "The number of device fences has reached the limit")
        number = free[0]
        sim.fences[f"dev:{dev.imei}:{number}"] = Fence(
            geoid=f"dev:{dev.imei}:{number}",
            name=name,
            account=dev.account,
            shape="circle",
            points=[(lat, lng)],
            radius_m=radius * 100.0,
            created=now,
            device=dev.imei,
            alarm_type=alarm_type,
            alarm_switch=switch,
        )
    return Reply(result=number)


@method("jimi.open.device.fence.delete")
def device_fence_delete(sim: Simulator, call: Call) -> Reply:
    dev = visible_device(sim, call, need(call, "imei"))
    number = need(call, "instruct_no")
    if not sim.world.is_reporting(dev, sim.clock.sim()):
        raise ApiError(41003, MSG_OFFLINE)
    with sim.world.lock:
        if sim.fences.pop(f"dev:{dev.imei}:{number}", None) is None:
            raise ApiError(41002, "The fence does not exist")
    return Reply()


def _parse_geom(geom: str) -> list[tuple[float, float]]:
    """Create-time geometry: "lat,lng" points joined with ``#`` (field notes)."""
    if ";" in geom:
        raise ApiError(1001, f"{MSG_PARAM}: geom points are joined with #")
    points = []
    for part in geom.split("#"):
        try:
            lat_s, lng_s = part.split(",")
            lat, lng = float(lat_s), float(lng_s)
        except ValueError as exc:
            raise ApiError(1001, f"{MSG_PARAM}: geom") from exc
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise ApiError(1001, f"{MSG_PARAM}: geom point out of range")
        points.append((lat, lng))
    return points


@method("jimi.open.platform.fence.create")
def platform_fence_create(sim: Simulator, call: Call) -> Reply:
    account = visible_account(sim, call, "account")
    name = need(call, "fence_name")
    shape = need(call, "fence_type").lower()
    points = _parse_geom(need(call, "geom"))
    radius = 0.0
    if shape == "circle":
        radius = float(opt_int(call, "radius", 0, 200, 5000))
        if len(points) != 1 or radius == 0:
            raise ApiError(1001, f"{MSG_PARAM}: a circle needs one centre and a radius")
    elif shape == "polygon":
        if len(points) < 3:
            raise ApiError(1001, f"{MSG_PARAM}: a polygon needs at least 3 points")
    else:
        raise ApiError(1001, f"{MSG_PARAM}: fence_type")
    with sim.world.lock:
        if any(
            f.name == name and f.account == account and not f.device for f in sim.fences.values()
        ):
            raise ApiError(1114, MSG_EXISTS)
        fid = sim.new_id()
        sim.fences[fid] = Fence(
            fid,
            name,
            account,
            shape,
            points,
            radius,
            sim.clock.sim(),
            call.params.get("fence_color", ""),
            call.params.get("description", ""),
        )
    # The new id comes back in ``data``, not ``result`` (field notes).
    return Reply(data=fid)


def _platform_fence(sim: Simulator, call: Call) -> Fence:
    fence = sim.fences.get(need(call, "fence_id"))
    if fence is None or fence.device or fence.account not in sim.world.descendants(call.account):
        raise ApiError(41002, "The fence does not exist")
    return fence


@method("jimi.open.platform.fence.delete")
def platform_fence_delete(sim: Simulator, call: Call) -> Reply:
    visible_account(sim, call, "account")
    fence = _platform_fence(sim, call)
    with sim.world.lock:
        sim.fences.pop(fence.geoid, None)
    return Reply()


_ALERTS = {
    "in": {"in"},
    "enter": {"in"},
    "out": {"out"},
    "exit": {"out"},
    "in,out": {"in", "out"},
    "out,in": {"in", "out"},
    "both": {"in", "out"},
}


@method("jimi.open.platform.fence.bind")
def platform_fence_bind(sim: Simulator, call: Call) -> Reply:
    fence = _platform_fence(sim, call)
    alert = call.params.get("alert_type", "in,out").replace(" ", "").lower() or "in,out"
    if alert not in _ALERTS:
        raise ApiError(1001, f"{MSG_PARAM}: alert_type")
    imeis = imei_list(call, "imeis", 50) if call.params.get("imeis") else []
    for imei in imeis:
        visible_device(sim, call, imei)
    with sim.world.lock:
        for imei in imeis:
            fence.bindings[imei] = set(_ALERTS[alert])
        return Reply(data=len(fence.bindings))


@method("jimi.open.platform.fence.list")
def platform_fence_list(sim: Simulator, call: Call) -> Reply:
    """Not in the spec's table; lists use ``;`` between points where create used ``#``."""
    account = visible_account(sim, call, "account")
    with sim.world.lock:
        fences = [f for f in sim.fences.values() if not f.device and f.account == account]
        bound = {f.geoid: ",".join(sorted(f.bindings)) for f in fences}
    rows = [
        {
            "fenceId": f.geoid,
            "fenceName": f.name,
            "fenceType": f.shape,
            "geom": ";".join(f"{lat},{lng}" for lat, lng in f.points),
            "radius": str(int(f.radius_m)) if f.shape == "circle" else None,
            "fenceColor": f.color or None,
            "description": f.description or None,
            "imeis": bound[f.geoid] or None,
        }
        for f in fences
    ]
    return Reply(result=rows)
