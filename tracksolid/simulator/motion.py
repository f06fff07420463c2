"""Deterministic vehicle movement: one day plan per device and day, sampled at any instant.

History is never stored: a day's plan is regenerated from (seed, imei, day) when asked, so the
simulator can answer track history for past months without holding millions of points.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from .util import bearing, distance_m, seed_of

DAY = 86400.0
# Street grid spacing: about 450 m between intersections.
GRID_LAT = 0.004


@dataclass(frozen=True)
class Piece:
    """A straight stretch at constant speed (speed 0 = waiting at a light)."""

    t0: float
    t1: float
    lat0: float
    lng0: float
    lat1: float
    lng1: float
    speed: float
    heading: float


@dataclass
class Segment:
    """A span of the day: ``park`` (ignition off), ``idle`` (on, standing) or ``drive``."""

    kind: str
    t0: float
    t1: float
    lat: float
    lng: float
    pieces: list[Piece] = field(default_factory=list)
    distance: float = 0.0
    trip_seq: int = 0
    max_speed: float = 0.0
    end_lat: float = 0.0
    end_lng: float = 0.0


@dataclass(frozen=True)
class Sample:
    t: float
    lat: float
    lng: float
    speed: float
    heading: float
    acc: bool
    moving: bool


@dataclass
class DayPlan:
    day: int
    t0: float
    segments: list[Segment]
    distance: float

    def segment_at(self, t: float) -> Segment:
        return self.segments[self.index_at(t)]

    def index_at(self, t: float) -> int:
        lo, hi = 0, len(self.segments) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.segments[mid].t0 <= t:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def distance_until(self, t: float) -> float:
        """Metres driven in this day up to ``t`` (odometer within the day)."""
        total = 0.0
        for seg in self.segments:
            if seg.t0 >= t:
                break
            if seg.kind != "drive":
                continue
            if seg.t1 <= t:
                total += seg.distance
                continue
            for p in seg.pieces:
                if p.t0 >= t:
                    break
                frac = 1.0 if p.t1 <= t else (t - p.t0) / max(p.t1 - p.t0, 1e-9)
                total += frac * distance_m(p.lat0, p.lng0, p.lat1, p.lng1)
        return total


class City:
    """A street grid around a city centre."""

    def __init__(self, lat: float, lng: float, radius_km: float) -> None:
        self.lat = lat
        self.lng = lng
        self.grid_lng = GRID_LAT / math.cos(math.radians(lat))
        self.cells = max(2, int(radius_km * 1000 / 450))

    def node(self, i: int, j: int) -> tuple[float, float]:
        return (round(self.lat + i * GRID_LAT, 6), round(self.lng + j * self.grid_lng, 6))

    def random_node(self, rng: random.Random) -> tuple[int, int]:
        while True:
            i = rng.randint(-self.cells, self.cells)
            j = rng.randint(-self.cells, self.cells)
            if i * i + j * j <= self.cells * self.cells:
                return (i, j)

    def route(
        self, rng: random.Random, a: tuple[int, int], b: tuple[int, int]
    ) -> list[tuple[int, int]]:
        """A staircase of grid nodes from a to b, in one to three runs per axis."""
        di, dj = b[0] - a[0], b[1] - a[1]
        runs = rng.randint(1, 3)
        i_parts = _split(abs(di), runs, rng)
        j_parts = _split(abs(dj), runs, rng)
        si, sj = (1 if di >= 0 else -1), (1 if dj >= 0 else -1)
        nodes = [a]
        i, j = a
        first_i = rng.random() < 0.5
        for k in range(runs):
            order = (("i", i_parts[k]), ("j", j_parts[k]))
            for axis, count in order if first_i else order[::-1]:
                for _ in range(count):
                    if axis == "i":
                        i += si
                    else:
                        j += sj
                    nodes.append((i, j))
        return nodes


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    bounds = [0, *cuts, total]
    return [bounds[k + 1] - bounds[k] for k in range(parts)]


def build_drive(
    city: City,
    rng: random.Random,
    nodes: list[tuple[int, int]],
    t0: float,
    cruise: float,
    fast_roads: bool,
) -> Segment:
    """Turn grid nodes into timed pieces: cruise speeds per edge, lights, cut corners."""
    pts = [city.node(*n) for n in nodes]
    lat0, lng0 = pts[0]
    seg = Segment("drive", t0, t0, lat0, lng0)
    t = t0
    pieces: list[Piece] = []
    pos = pts[0]
    heading = bearing(*pts[0], *pts[1]) if len(pts) > 1 else 0.0
    for k in range(1, len(pts)):
        target = pts[k]
        # Edge speed: a few edges are arterial roads where the fast drivers overspeed.
        v = cruise * rng.uniform(0.75, 1.2)
        if fast_roads and rng.random() < 0.12:
            v = rng.uniform(85.0, 118.0)
        v = max(12.0, v)
        turning = k + 1 < len(pts) and _turns(pts[k - 1], target, pts[k + 1])
        stop = k + 1 < len(pts) and rng.random() < 0.18
        last = k == len(pts) - 1
        end = target
        if turning and not stop:
            # Cut the corner 20 m before and after it, so the heading passes through 45°.
            end = _toward(target, pts[k - 1], 20.0)
        pieces.append(_piece(t, pos, end, v if not last else v * 0.7))
        t = pieces[-1].t1
        pos = end
        if turning and not stop:
            after = _toward(target, pts[k + 1], 20.0)
            pieces.append(_piece(t, pos, after, max(10.0, v * 0.5)))
            t = pieces[-1].t1
            pos = after
        if stop:
            wait = rng.uniform(8.0, 50.0)
            heading = pieces[-1].heading
            pieces.append(Piece(t, t + wait, pos[0], pos[1], pos[0], pos[1], 0.0, heading))
            t += wait
    seg.pieces = pieces
    seg.t1 = t
    seg.distance = sum(distance_m(p.lat0, p.lng0, p.lat1, p.lng1) for p in pieces)
    seg.max_speed = max((p.speed for p in pieces), default=0.0)
    seg.end_lat, seg.end_lng = pos
    return seg


def _turns(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> bool:
    return (abs(b[0] - a[0]) > 1e-9) != (abs(c[0] - b[0]) > 1e-9)


def _toward(
    frm: tuple[float, float], to: tuple[float, float], metres: float
) -> tuple[float, float]:
    d = distance_m(*frm, *to)
    if d <= 0:
        return frm
    f = min(1.0, metres / d)
    return (frm[0] + (to[0] - frm[0]) * f, frm[1] + (to[1] - frm[1]) * f)


def _piece(t: float, a: tuple[float, float], b: tuple[float, float], speed: float) -> Piece:
    d = distance_m(*a, *b)
    dur = max(1.0, d / (speed / 3.6))
    return Piece(t, t + dur, a[0], a[1], b[0], b[1], speed, bearing(*a, *b))


def make_day_plan(
    city: City,
    seed: int,
    imei: str,
    kind: str,
    depot: tuple[int, int],
    day: int,
    day_start: float,
    cruise: float,
    fast_roads: bool,
) -> DayPlan:
    """Plan one local day: park at the depot, a chain of trips with stops, back home by night."""
    rng = random.Random(seed_of(seed, imei, day, "plan"))
    day_end = day_start + DAY
    dlat, dlng = city.node(*depot)
    segments: list[Segment] = []
    weekday = int((day + 3) % 7)  # day 0 = 1970-01-01, a Thursday; 5, 6 = weekend
    trips = rng.randint(0, 2) if kind == "tag" else rng.randint(2, 6)
    if weekday >= 5 and rng.random() < 0.45:
        trips = 0
    t = day_start + rng.uniform(6.0, 9.5) * 3600.0
    # The working day ends in the late afternoon; stops are sized to spread trips across it.
    work_end = day_start + rng.uniform(16.0, 19.5) * 3600.0
    if trips == 0:
        return DayPlan(day, day_start, [Segment("park", day_start, day_end, dlat, dlng)], 0.0)
    segments.append(Segment("park", day_start, t, dlat, dlng))
    here = depot
    seq = 0
    for k in range(trips):
        last = k == trips - 1 or t > day_end - 4 * 3600
        dest = depot if last else city.random_node(rng)
        if dest == here:
            if last:
                break  # already home
            dest = (here[0] + 1, here[1]) if here[0] < city.cells else (here[0] - 1, here[1])
        lat, lng = city.node(*here)
        warm = rng.choice((0.0, 0.0, rng.uniform(40.0, 420.0)))
        if warm and kind != "tag":
            segments.append(Segment("idle", t, t + warm, lat, lng))
            t += warm
        seq = k + 1
        drive = build_drive(city, rng, city.route(rng, here, dest), t, cruise, fast_roads)
        drive.trip_seq = seq
        segments.append(drive)
        t = drive.t1
        here = dest
        lat, lng = drive.end_lat, drive.end_lng
        cool = rng.choice((0.0, rng.uniform(20.0, 200.0)))
        if cool and kind != "tag":
            segments.append(Segment("idle", t, t + cool, lat, lng))
            t += cool
        if last:
            break
        left = max(0.0, work_end - t) / max(1, trips - k - 1)
        park = min(3 * 3600.0, max(600.0, left * rng.uniform(0.45, 0.95)))
        segments.append(Segment("park", t, t + park, lat, lng))
        t += park
    segments.append(Segment("park", t, max(day_end, t + 1.0), *city.node(*here)))
    total = sum(s.distance for s in segments)
    return DayPlan(day, day_start, segments, total)


def sample(seg: Segment, t: float) -> Sample:
    """Where the vehicle is at ``t`` inside ``seg``."""
    if seg.kind != "drive":
        return Sample(t, seg.lat, seg.lng, 0.0, -1.0, seg.kind == "idle", False)
    if t <= seg.t0:
        p0 = seg.pieces[0]
        return Sample(t, p0.lat0, p0.lng0, 0.0, p0.heading, True, False)
    pieces = seg.pieces
    lo, hi = 0, len(pieces) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if pieces[mid].t0 <= t:
            lo = mid
        else:
            hi = mid - 1
    p = pieces[lo]
    f = min(1.0, max(0.0, (t - p.t0) / max(p.t1 - p.t0, 1e-9)))
    lat = p.lat0 + (p.lat1 - p.lat0) * f
    lng = p.lng0 + (p.lng1 - p.lng0) * f
    return Sample(t, round(lat, 6), round(lng, 6), p.speed, p.heading, True, p.speed > 0)
