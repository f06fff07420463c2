"""Thin a long track to a point budget for the trail replay (``/api/v1/devices/{id}/track/``).

Douglas-Peucker through GEOS (shapely), which keeps both ends and the corners that shape the
route. GEOS keeps a point's Z value, so Z carries each point's index and the kept rows come back
whole (time, speed, heading, ignition). The tolerance that meets the budget is searched for on a
log scale:

1. project to a local plane (longitude scaled by cos(latitude)) so tolerance means the same
   distance east-west and north-south;
2. search the tolerance (secant steps on log(count) against log(tolerance), kept inside a
   bisection bracket) until the kept count falls within ``[SLACK * budget, budget]`` or
   ``MAX_ROUNDS`` run out;
3. take the points of the smallest tolerance that met the budget;
4. spend what is left of the budget on points evenly spaced in time, so a straight drive (a
   line to Douglas-Peucker) still gives the replay marker and the speed chart their pace.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeVar

import numpy as np
import shapely

Row = TypeVar("Row", bound=Sequence[Any])

MAX_ROUNDS = 12
SLACK = 0.85


def simplify_track(
    rows: Sequence[Row], max_points: int, *, lat_index: int = 1, lng_index: int = 2
) -> list[Row]:
    """At most ``max_points`` of ``rows`` (time-ordered), first and last always kept."""
    count = len(rows)
    budget = max(max_points, 2)
    if count <= budget:
        return list(rows)
    lat = np.fromiter((row[lat_index] for row in rows), dtype=float, count=count)
    lng = np.fromiter((row[lng_index] for row in rows), dtype=float, count=count)
    x = lng * math.cos(math.radians(float(lat.mean())))
    coords = np.column_stack([x, lat, np.arange(count, dtype=float)])
    line = shapely.linestrings(coords)
    extent = max(float(np.ptp(x)), float(np.ptp(lat)), 1e-9)

    def kept_at(tolerance: float) -> np.ndarray:
        simplified = shapely.simplify(line, tolerance, preserve_topology=False)
        kept: np.ndarray = shapely.get_coordinates(simplified, include_z=True)[:, 2]
        return kept.astype(np.int64)

    # Kept points fall roughly as a power of the tolerance: guess, then take secant steps in
    # log-log space inside a shrinking bracket (three or four GEOS runs instead of a dozen).
    target = (1 + SLACK) / 2 * budget
    low, high = math.log(extent * 1e-7), math.log(extent)  # too many points / few enough
    guess = math.log(extent * 1e-3)
    best = np.array([0, count - 1], dtype=np.int64)
    seen: list[tuple[float, int]] = []
    for _ in range(MAX_ROUNDS):
        kept = kept_at(math.exp(guess))
        seen.append((guess, max(len(kept), 1)))
        if len(kept) > budget:
            low = guess
        else:
            best, high = kept, guess
            if len(kept) >= SLACK * budget:
                break
        if len(seen) >= 2 and seen[-1][1] != seen[-2][1]:
            (t1, n1), (t2, n2) = seen[-2], seen[-1]
            slope = (math.log(n2) - math.log(n1)) / (t2 - t1) if t2 != t1 else -1.0
            step = (math.log(target) - math.log(n2)) / slope if slope < 0 else 0.0
            guess = t2 + step
        else:
            guess += math.log(len(kept) / target) if kept.size else -1.0
        if not low < guess < high:
            guess = (low + high) / 2
    indexes = np.union1d(best, [0, count - 1])
    spare = budget - len(indexes)
    if spare > 0:
        stride = math.ceil(count / spare)
        while len(merged := np.union1d(indexes, np.arange(0, count, stride))) > budget:
            stride += 1
        indexes = merged
    return [rows[i] for i in indexes.tolist()]
