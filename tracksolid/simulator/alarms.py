"""Alarms: generated from each day's driving, injected by hand, and computed from fences."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .motion import DAY, sample
from .util import distance_m, noise

if TYPE_CHECKING:
    from .fleet import Device
    from .state import Fence
    from .world import World

# key -> (alertTypeId as the poll API names it, display name). Ids are strings that may be numbers
# or words, as in real captures (field notes).
ALARM_TYPES: dict[str, tuple[str, str]] = {
    "sos": ("1", "SOS alarm"),
    "power_cut": ("2", "Power cut alarm"),
    "vibration": ("3", "Vibration alarm"),
    "fence_in": ("in", "Enter fence"),
    "fence_out": ("out", "Exit fence"),
    "overspeed": ("overSpeed", "Overspeed alarm"),
    "low_battery": ("14", "Low battery alarm"),
    "harsh_acceleration": ("40", "Harsh acceleration"),
    "harsh_braking": ("41", "Harsh braking"),
    "sharp_turn": ("42", "Sharp turn"),
    "collision": ("48", "Collision alarm"),
    "acc_on": ("1002", "ACC ON"),
    "acc_off": ("1003", "ACC OFF"),
}
# Alarms that make a dashcam save an event clip and photo (jimi.device.media.event.URL).
MEDIA_ALARMS = {"harsh_braking", "harsh_acceleration", "collision", "sos"}
OVERSPEED_KMH = 100.0


@dataclass(frozen=True)
class Alarm:
    imei: str
    kind: str
    t: float
    lat: float
    lng: float
    speed: float
    geoid: str = ""
    fence_name: str = ""

    @property
    def type_id(self) -> str:
        return ALARM_TYPES[self.kind][0]

    @property
    def name(self) -> str:
        return ALARM_TYPES[self.kind][1]


def generated_alarms(world: World, dev: Device, a: float, b: float) -> list[Alarm]:
    """Alarms the device raised in (a, b], derived deterministically from its day plans."""
    if dev.never_reported or b <= a:
        return []
    out: list[Alarm] = []
    for day in range(world.day_of(a + 1e-6), world.day_of(b) + 1):
        out.extend(
            al
            for al in day_alarms(world, dev, day)
            if a < al.t <= b and world.is_reporting(dev, al.t)
        )
    return out


def day_alarms(world: World, dev: Device, day: int) -> list[Alarm]:
    """Every alarm the day plan implies, before offline spans are taken out (cached)."""
    key = (dev.imei, day)
    cached = world.alarm_cache.get(key)
    if cached is not None:
        return cached
    seed = world.seed
    plan = world.plan(dev, day)
    cands: list[tuple[str, float]] = []
    for seg in plan.segments:
        if seg.kind == "drive":
            if dev.kind != "tag":
                cands.append(("acc_on", seg.t0))
                cands.append(("acc_off", seg.t1))
            for p in seg.pieces:
                if p.speed > OVERSPEED_KMH:
                    cands.append(("overspeed", p.t0 + min(3.0, (p.t1 - p.t0) / 2)))
            dur = seg.t1 - seg.t0
            for kind, chance in (
                ("harsh_braking", 0.15),
                ("harsh_acceleration", 0.12),
                ("sharp_turn", 0.05),
                ("collision", 0.02),
            ):
                if dev.kind == "tag" or (kind == "collision" and dev.kind != "dashcam"):
                    continue
                if noise(seed, dev.imei, seg.t0, kind) < chance:
                    cands.append((kind, seg.t0 + dur * noise(seed, dev.imei, seg.t0, kind, "t")))
        elif (
            seg.kind == "park"
            and seg.t1 - seg.t0 > 3600
            and noise(seed, dev.imei, seg.t0, "vib") < 0.04
        ):
            cands.append(("vibration", seg.t0 + 1800))
    ds = world.day_start(day)
    if dev.kind != "tag" and noise(seed, dev.imei, day, "pcut") < 0.01:
        cands.append(("power_cut", ds + 3600 * (1 + 20 * noise(seed, dev.imei, day, "pct"))))
    if noise(seed, dev.imei, day, "sos") < 0.006:
        cands.append(("sos", ds + 3600 * (7 + 12 * noise(seed, dev.imei, day, "sost"))))
    if dev.kind == "tag" and world.battery(dev, ds + DAY / 2) < 20:
        cands.append(("low_battery", ds + DAY / 2))
    out = []
    for kind, t in sorted(cands, key=lambda c: c[1]):
        s = sample(plan.segment_at(t), t)
        out.append(Alarm(dev.imei, kind, t, s.lat, s.lng, s.speed))
    with world.lock:
        world.alarm_cache[key] = out
        if len(world.alarm_cache) > 20000:
            world.alarm_cache.pop(next(iter(world.alarm_cache)))
    return out


def inside(fence: Fence, lat: float, lng: float) -> bool:
    if fence.shape == "circle":
        return distance_m(lat, lng, fence.points[0][0], fence.points[0][1]) <= fence.radius_m
    # Ray casting on (lng, lat); fences are small enough for a plane.
    pts = fence.points
    hit = False
    j = len(pts) - 1
    for i in range(len(pts)):
        yi, xi = pts[i]
        yj, xj = pts[j]
        if (yi > lat) != (yj > lat):
            x = (xj - xi) * (lat - yi) / (yj - yi + 1e-15) + xi
            if lng < x:
                hit = not hit
        j = i
    return hit


def fence_alarms(world: World, dev: Device, fences: list[Fence], a: float, b: float) -> list[Alarm]:
    """Enter/exit alarms from the device's reported points crossing fences it is bound to.

    Crossings are computed once, forward from the fence's creation, and kept per fence and
    device: the pusher asks every second, and replaying days of points each time would not do.
    """
    out: list[Alarm] = []
    for fence in fences:
        wants = fence.alarm_types_for(dev.imei)
        if not wants or b <= fence.created:
            continue
        for al in _crossings(world, dev, fence, b):
            if a < al.t <= b and ("in" if al.kind == "fence_in" else "out") in wants:
                out.append(al)
    return out


def _crossings(world: World, dev: Device, fence: Fence, b: float) -> list[Alarm]:
    key = (fence.geoid, fence.created, dev.imei)
    with world.lock:
        entry = world.fence_cache.get(key)
        if entry is None:
            prev = world.last_point(dev, fence.created)
            entry = (fence.created, inside(fence, prev.lat, prev.lng) if prev else None, [])
        until, state, found = entry
        if b > until:
            for s in world.points_between(dev, until, b):
                now_in = inside(fence, s.lat, s.lng)
                if state is not None and now_in != state:
                    kind = "fence_in" if now_in else "fence_out"
                    found.append(
                        Alarm(dev.imei, kind, s.t, s.lat, s.lng, s.speed, fence.geoid, fence.name)
                    )
                state = now_in
            until = b
        world.fence_cache[key] = (until, state, found)
        return list(found)


def ceil_minute(t: float) -> float:
    return math.ceil(t / 60.0) * 60.0
