"""The simulation clock: real UTC by default, faster with a speed-up, movable by hand."""

from __future__ import annotations

import threading
import time


class SimClock:
    """Three notions of "now", because the real service and the simulated fleet disagree on speed.

    - ``wall()``: real UTC, used for the ±10 min ``timestamp`` check (a client signs real time).
    - ``service()``: real UTC plus every ``advance()``; tokens and the token.get minute use it, so
      a test can expire a token without waiting, while a speed-up does not shorten token lives.
    - ``sim()``: the fleet's time; it runs ``speedup`` times faster than real time and also moves
      with ``advance()``. Track history, alarms and pushes are generated on this time line.
    """

    def __init__(self, speedup: float = 1.0) -> None:
        self._lock = threading.Lock()
        self._anchor_real = time.time()
        self._anchor_sim = self._anchor_real
        self._speedup = speedup
        self._advanced = 0.0

    def wall(self) -> float:
        return time.time()

    def service(self) -> float:
        return time.time() + self._advanced

    def sim(self) -> float:
        now = time.time()
        return self._anchor_sim + (now - self._anchor_real) * self._speedup

    @property
    def speedup(self) -> float:
        return self._speedup

    def set_speedup(self, speedup: float) -> None:
        if speedup <= 0:
            raise ValueError("speedup must be positive")
        with self._lock:
            now = time.time()
            self._anchor_sim = self._anchor_sim + (now - self._anchor_real) * self._speedup
            self._anchor_real = now
            self._speedup = speedup

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time only moves forward")
        with self._lock:
            self._anchor_sim += seconds
            self._advanced += seconds
