"""The simulated fleet: accounts, groups, devices and what they report at any instant."""

from __future__ import annotations

import math
import random
import threading
from collections import OrderedDict
from typing import Any

from .config import SimulatorConfig
from .fleet import (
    FIRST_NAMES,
    HEARTBEAT,
    IDLE_REPORT,
    LAST_NAMES,
    MODELS,
    PATTERN,
    TAG_PARKED_REPORT,
    Account,
    Device,
    Group,
)
from .motion import DAY, City, DayPlan, Sample, Segment, make_day_plan, sample
from .util import fmt, luhn_digit, noise, seed_of

__all__ = ["Account", "Device", "Group", "World"]


class World:
    """The fleet model. All mutations hold ``lock``; reads of generated history are pure."""

    def __init__(self, config: SimulatorConfig, start: float) -> None:
        self.config = config
        self.seed = config.seed
        self.lock = threading.RLock()
        self.city = City(config.city_lat, config.city_lng, config.city_radius_km)
        self.tz = config.tz_offset_hours * 3600.0
        self.start = start
        self.start_day = self.day_of(start)
        self.accounts: dict[str, Account] = {}
        self.groups: dict[str, Group] = {}
        self.devices: dict[str, Device] = {}
        # Manual offline switches: imei -> list of [start, end or None] in sim time.
        self.offline_overrides: dict[str, list[list[float | None]]] = {}
        # Manual "online" switches beat the scheduled offline windows (tests need a device up).
        self.online_overrides: dict[str, list[list[float | None]]] = {}
        self._plans: OrderedDict[tuple[str, int], DayPlan] = OrderedDict()
        self._odo: dict[tuple[str, int], float] = {}
        self.alarm_cache: dict[tuple[str, int], list[Any]] = {}
        self._windows: dict[tuple[str, int], tuple[float, float] | None] = {}
        # (fence id, created, imei) -> (computed until, inside?, crossings): see alarms.py.
        self.fence_cache: dict[tuple[str, float, str], tuple[float, bool | None, list[Any]]] = {}
        self._next_group = 100
        self._build(random.Random(seed_of(config.seed, "world")))

    # --- construction -------------------------------------------------------------------------

    def _build(self, rng: random.Random) -> None:
        main = self.config.user_id
        self.accounts[main] = Account(main, None, f"{main} (main)")
        subs = [f"{main}_north", f"{main}_south"]
        for sub in subs:
            self.accounts[sub] = Account(sub, main, sub.replace("_", " ").title())
        for acc in (main, *subs):
            self.add_group(acc, "Default group")
        vans = self.add_group(main, "Vans")
        trucks = self.add_group(subs[0], "Trucks")
        n = self.config.devices
        for i in range(n):
            kind = PATTERN[i] if i < len(PATTERN) else PATTERN[rng.randrange(len(PATTERN))]
            if kind == "tag" and i >= len(PATTERN) and rng.random() < 0.8:
                kind = "vehicle"
            models, cameras, interval = MODELS[kind]
            model = rng.choice(models)
            if model == "JC450":
                cameras = 4
            body = f"86{rng.randrange(10**12):012d}"
            imei = body + luhn_digit(body)
            while imei in self.devices:
                body = f"86{rng.randrange(10**12):012d}"
                imei = body + luhn_digit(body)
            r = rng.random()
            account = main if r < 0.6 else subs[0] if r < 0.8 else subs[1]
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            letters = "".join(rng.choice("BCDFGHJKLMNPRSTVWXYZ") for _ in range(3))
            plate = f"{rng.randint(1000, 9999)} {letters}"
            fleet_style = rng.random()
            if kind == "tag":
                name, vname, vnum, driver = f"Pallet tag {i + 1}", "", "", ""
            elif fleet_style < 0.35:
                # Real fleets type plate and driver into the device name and leave the fields blank.
                name, vname, vnum, driver = f"{plate} - {first}", "", "", ""
            elif fleet_style < 0.7:
                name, vname, vnum, driver = (
                    f"Van {i + 1:02d}",
                    f"Van {i + 1:02d}",
                    plate,
                    f"{first} {last}",
                )
            else:
                name, vname, vnum, driver = f"{model}-{imei[-4:]}", "", "", ""
            rng.random()  # a draw kept so that existing seeds keep their fleets
            group = self.default_group(account)
            if account == main and kind in ("vehicle", "obd") and rng.random() < 0.5:
                group = vans
            elif account == subs[0] and rng.random() < 0.5:
                group = trucks
            if group not in self.groups:
                group = self.default_group(account)
            activation = self.start - rng.uniform(120, 900) * DAY
            expiration = self.start + rng.uniform(60, 700) * DAY
            dev = Device(
                index=i,
                imei=imei,
                kind=kind,
                model=model,
                cameras=cameras,
                account=account,
                device_name=name,
                vehicle_name=vname,
                vehicle_number=vnum,
                driver_name=driver,
                driver_phone=f"+34 6{rng.randrange(10**8):08d}" if driver else "",
                sim=f"34{rng.randrange(10**9):09d}",
                iccid=f"8934{rng.randrange(10**15):015d}",
                activation=activation,
                expiration=expiration,
                group_id=group,
                depot=self.city.random_node(rng),
                cruise=rng.uniform(28.0, 48.0),
                fast_roads=rng.random() < 0.4,
                interval=interval,
            )
            dev.has_fuel = kind == "obd" or (kind == "vehicle" and rng.random() < 0.3)
            dev.has_temp = kind == "vehicle" and rng.random() < 0.3
            dev.has_rfid = kind in ("vehicle", "dashcam") and rng.random() < 0.3
            self.devices[imei] = dev
        # One device that never reported and one whose service expired, as real accounts have.
        if n >= 8:
            ordered = list(self.devices.values())
            ordered[-1].never_reported = True
            ordered[-1].kind = "vehicle" if ordered[-1].kind == "tag" else ordered[-1].kind
            ordered[-2].expiration = self.start - 20 * DAY

    def default_group(self, account: str) -> str:
        for g in self.groups.values():
            if g.account == account and g.group_name == "Default group":
                return g.group_id
        return "0"

    # Older callers (tests elsewhere in the tree) use the private name.
    _default_group = default_group

    def move_device(self, imei: str, dest: str) -> None:
        """What jimi.open.device.move does to one device: new owner, the owner's default group."""
        with self.lock:
            dev = self.devices[imei]
            dev.account = dest
            dev.group_id = self.default_group(dest)

    def add_group(self, account: str, name: str) -> str:
        with self.lock:
            self._next_group += 1
            gid = str(self._next_group)
            self.groups[gid] = Group(gid, name, account)
            return gid

    # --- accounts -----------------------------------------------------------------------------

    def descendants(self, account: str) -> set[str]:
        out = {account}
        changed = True
        while changed:
            changed = False
            for acc in self.accounts.values():
                if acc.parent in out and acc.account not in out:
                    out.add(acc.account)
                    changed = True
        return out

    def devices_of(self, account: str) -> list[Device]:
        accounts = self.descendants(account)
        return [d for d in self.devices.values() if d.account in accounts]

    def group_name(self, gid: str) -> str:
        g = self.groups.get(gid)
        return g.group_name if g else "Default group"

    # --- time ---------------------------------------------------------------------------------

    def day_of(self, t: float) -> int:
        return math.floor((t + self.tz) / DAY)

    def day_start(self, day: int) -> float:
        return day * DAY - self.tz

    def plan(self, dev: Device, day: int) -> DayPlan:
        key = (dev.imei, day)
        with self.lock:
            cached = self._plans.get(key)
            if cached is not None:
                self._plans.move_to_end(key)
                return cached
        p = make_day_plan(
            self.city,
            self.seed,
            dev.imei,
            dev.kind,
            dev.depot,
            day,
            self.day_start(day),
            dev.cruise,
            dev.fast_roads,
        )
        with self.lock:
            self._plans[key] = p
            while len(self._plans) > 20000:
                self._plans.popitem(last=False)
        return p

    def segment_at(self, dev: Device, t: float) -> Segment:
        return self.plan(dev, self.day_of(t)).segment_at(t)

    # --- reporting ----------------------------------------------------------------------------

    def offline_window(self, dev: Device, day: int) -> tuple[float, float] | None:
        """Some devices drop off the network for a few hours on some days (coverage, power)."""
        key = (dev.imei, day)
        try:
            return self._windows[key]
        except KeyError:
            pass
        win: tuple[float, float] | None = None
        if noise(self.seed, dev.imei, day, "off") < 0.12 and dev.kind != "tag":
            ds = self.day_start(day)
            a = ds + noise(self.seed, dev.imei, day, "offa") * 20 * 3600
            win = (a, a + (0.5 + 4.5 * noise(self.seed, dev.imei, day, "offd")) * 3600)
        if len(self._windows) > 100000:
            self._windows.clear()
        self._windows[key] = win
        return win

    def offline_span(self, dev: Device, t: float) -> tuple[float, float | None] | None:
        """The span of silence containing ``t``: (start, end or None if it has not ended)."""
        if dev.never_reported:
            return (dev.activation, None)
        if t >= dev.expiration:
            return (dev.expiration, None)
        for span in self.offline_overrides.get(dev.imei, ()):
            a, b = span
            if a is not None and a <= t and (b is None or t < b):
                return (a, b)
        w = self.offline_window(dev, self.day_of(t))
        if w and w[0] <= t < w[1]:
            start = w[0]
            for a, b in self.online_overrides.get(dev.imei, ()):
                if a is not None and a <= t and (b is None or t < b):
                    return None
                if b is not None and w[0] < b <= t:
                    start = max(start, b)
            return (start, w[1])
        return None

    def is_reporting(self, dev: Device, t: float) -> bool:
        return self.offline_span(dev, t) is None

    def set_offline(self, imei: str, offline: bool, t: float) -> None:
        with self.lock:
            close, open_ = (
                (self.online_overrides, self.offline_overrides)
                if offline
                else (self.offline_overrides, self.online_overrides)
            )
            spans = close.setdefault(imei, [])
            if spans and spans[-1][1] is None:
                spans[-1][1] = t
            spans = open_.setdefault(imei, [])
            if not spans or spans[-1][1] is not None:
                spans.append([t, None])

    def _grid_points(self, dev: Device, seg: Segment, a: float, b: float) -> list[float]:
        """Report instants of ``seg`` inside (a, b]: its start plus a grid at the interval."""
        if seg.kind == "drive":
            step = dev.interval
        elif seg.kind == "idle":
            step = IDLE_REPORT
        elif dev.kind == "tag":
            step = TAG_PARKED_REPORT
        else:
            step = 0.0  # a parked tracker reports once when it stops, then only heartbeats
        lo, hi = max(a, seg.t0), min(b, seg.t1)
        out: list[float] = []
        # A park that began at midnight only continues yesterday's: nothing to report then.
        continued = seg.kind == "park" and seg.t0 == self.day_start(self.day_of(seg.t0 + 1.0))
        if a < seg.t0 <= b and not continued:
            out.append(seg.t0)
        if step and hi > lo:
            phase = (dev.index * 3.7) % step
            k = math.floor((lo - phase) / step) + 1
            t = k * step + phase
            while t <= hi:
                if t > seg.t0 and t < seg.t1:
                    out.append(t)
                t += step
        return out

    def buffered(self, dev: Device, t: float) -> bool:
        """Whether ``t`` falls in a coverage gap whose points the device kept and re-uploaded.

        Half the scheduled offline spells are lost coverage (the tracker buffers and re-uploads
        on reconnect, ``gpsMode`` 1); the other half are lost power (nothing is kept).
        """
        day = self.day_of(t)
        w = self.offline_window(dev, day)
        if not w or not (w[0] <= t < w[1]) or noise(self.seed, dev.imei, day, "buf") >= 0.5:
            return False
        return t < dev.expiration and self.offline_span(dev, t) == w

    def points_between(
        self, dev: Device, a: float, b: float, upto: float | None = None
    ) -> list[Sample]:
        """Every point the device reported in (a, b], reconnect points included.

        With ``upto``, points buffered in a coverage gap count too once the device reconnected
        by ``upto`` (what a history query sees); without it, only live reports (what is pushed).
        """
        if dev.never_reported or b <= a:
            return []
        out: list[Sample] = []
        for day in range(self.day_of(a + 1e-6), self.day_of(b) + 1):
            plan = self.plan(dev, day)
            for seg in plan.segments[plan.index_at(a) :]:
                if seg.t0 > b:
                    break
                if seg.t1 <= a:
                    continue
                for t in self._grid_points(dev, seg, a, b):
                    if self.is_reporting(dev, t) or (
                        upto is not None and self._reuploaded_by(dev, t, upto)
                    ):
                        out.append(sample(seg, t))
        # A device coming back online reports where it is at once.
        for end in self._reconnects(dev, a, b):
            out.append(sample(self.segment_at(dev, end), end))
        out.sort(key=lambda s: s.t)
        return out

    def _reuploaded_by(self, dev: Device, t: float, upto: float) -> bool:
        if not self.buffered(dev, t):
            return False
        w = self.offline_window(dev, self.day_of(t))
        return w is not None and w[1] <= upto and self.is_reporting(dev, w[1])

    def reuploads(self, dev: Device, a: float, b: float) -> list[tuple[float, list[Sample]]]:
        """Buffered points uploaded on reconnects in (a, b]: (reconnect time, points)."""
        out: list[tuple[float, list[Sample]]] = []
        if dev.never_reported:
            return out
        for day in range(self.day_of(a + 1e-6), self.day_of(b) + 1):
            w = self.offline_window(dev, day)
            if not w or not (a < w[1] <= b) or not self.is_reporting(dev, w[1]):
                continue
            pts = []
            for seg in self.plan(dev, day).segments:
                if seg.t1 <= w[0] or seg.t0 >= w[1]:
                    continue
                for t in self._grid_points(dev, seg, w[0], w[1] - 1e-6):
                    if self.buffered(dev, t):
                        pts.append(sample(seg, t))
            if pts:
                out.append((w[1], pts))
        return out

    def _reconnects(self, dev: Device, a: float, b: float) -> list[float]:
        ends: list[float] = []
        for day in range(self.day_of(a + 1e-6), self.day_of(b) + 1):
            w = self.offline_window(dev, day)
            if w and a < w[1] <= b and self.is_reporting(dev, w[1]):
                ends.append(w[1])
        for span in self.offline_overrides.get(dev.imei, ()):
            end = span[1]
            if end is not None and a < end <= b and self.is_reporting(dev, end):
                ends.append(end)
        for span in self.online_overrides.get(dev.imei, ()):
            start = span[0]
            if start is not None and a < start <= b and self.is_reporting(dev, start):
                w = self.offline_window(dev, self.day_of(start))
                if w and w[0] <= start < w[1]:
                    ends.append(start)
        return ends

    def last_point(self, dev: Device, t: float) -> Sample | None:
        """The latest point reported at or before ``t``, or None if the device never reported."""
        if dev.never_reported:
            return None
        for _ in range(20):
            span = self.offline_span(dev, t)
            if span is not None:
                t = span[0] - 1e-3
                if t < dev.activation:
                    return None
                continue
            seg = self.segment_at(dev, t)
            pts = self._grid_points(dev, seg, max(seg.t0, t - 2 * TAG_PARKED_REPORT) - 1e-6, t)
            if (
                not pts
                and seg.kind == "park"
                and seg.t0 == self.day_start(self.day_of(seg.t0 + 1.0))
            ):
                t = seg.t0 - 1e-3  # parked since yesterday: the report is in an earlier day
                continue
            cand = pts[-1] if pts else seg.t0
            off = self.offline_span(dev, cand)
            if off is not None and off[1] is not None and off[1] <= t:
                cand = off[1]
            elif off is not None:
                t = off[0] - 1e-3
                continue
            return sample(self.segment_at(dev, cand), cand)
        return None

    def last_heartbeat(self, dev: Device, t: float) -> float | None:
        if dev.never_reported:
            return None
        span = self.offline_span(dev, t)
        if span is not None:
            t = span[0]
        return math.floor(t / HEARTBEAT) * HEARTBEAT

    def is_online(self, dev: Device, t: float) -> bool:
        return self.is_reporting(dev, t)

    # --- odometer and sensors -----------------------------------------------------------------

    def odometer_km(self, dev: Device, t: float) -> float:
        """Odometer: a seeded base at the simulator's start day plus every metre driven since."""
        base = 3000.0 + noise(self.seed, dev.imei, "odo") * 90000.0 + dev.mileage_offset
        day = self.day_of(t)
        total = 0.0
        if day >= self.start_day:
            for d in range(self.start_day, day):
                total += self._day_distance(dev, d)
        else:
            for d in range(day, self.start_day):
                total -= self._day_distance(dev, d)
        total += self.plan(dev, day).distance_until(t)
        return base + total / 1000.0

    def _day_distance(self, dev: Device, day: int) -> float:
        key = (dev.imei, day)
        cached = self._odo.get(key)
        if cached is None:
            cached = self.plan(dev, day).distance
            self._odo[key] = cached
        return cached

    def battery(self, dev: Device, t: float) -> int:
        """Percentage: wired trackers sit near full; a TAG drains over weeks and is recharged."""
        if dev.kind == "tag":
            cycle = ((t - dev.activation) / DAY) % 40.0
            return max(3, int(100 - cycle * 2.5))
        return 100 if noise(dev.imei, "batt") < 0.8 else 80 + int(noise(dev.imei, t // 3600) * 20)

    def gps_num(self, dev: Device, t: float) -> int:
        return 5 + int(noise(self.seed, dev.imei, int(t // 60), "sat") * 10)

    def gsm_signal(self, dev: Device, t: float) -> int:
        return 1 + int(noise(self.seed, dev.imei, int(t // 300), "gsm") * 4)

    def describe(self, t: float) -> str:
        return f"{len(self.devices)} devices at {fmt(t)}"
