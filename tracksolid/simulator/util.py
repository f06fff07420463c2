"""Small helpers shared by the simulator modules: deterministic noise and vendor time formats."""

from __future__ import annotations

import calendar
import math
import time
import zlib

TIME_FMT = "%Y-%m-%d %H:%M:%S"


def noise(*parts: object) -> float:
    """Return a deterministic float in [0, 1) for ``parts``; cheaper than seeding a Random."""
    # repr() of the tuple is one C-level call: this runs for every generated point.
    return (zlib.crc32(repr(parts).encode()) * 2654435761 % 4294967296) / 4294967296.0


def seed_of(*parts: object) -> int:
    return zlib.crc32("|".join(str(p) for p in parts).encode()) ^ (
        zlib.adler32("|".join(str(p) for p in reversed(parts)).encode()) << 32
    )


def fmt(t: float) -> str:
    """Vendor time: UTC ``yyyy-MM-dd HH:mm:ss``."""
    return time.strftime(TIME_FMT, time.gmtime(t))


def fmt_iso(t: float) -> str:
    """Parking report time: ISO-8601 with milliseconds and ``Z`` (field notes)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}Z"


def fmt_bcd(t: float) -> str:
    """Trip report begin/end: the spec calls it BCD, which arrives as ``yyMMddHHmmss`` digits."""
    return time.strftime("%y%m%d%H%M%S", time.gmtime(t))


def parse_time(value: str) -> float | None:
    """Parse ``yyyy-MM-dd HH:mm:ss`` (or a bare date) as UTC; None when malformed."""
    value = value.strip()
    for pattern in (TIME_FMT, "%Y-%m-%d"):
        try:
            return float(calendar.timegm(time.strptime(value, pattern)))
        except ValueError:
            continue
    return None


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Equirectangular distance; exact enough within a city."""
    x = math.radians(lng2 - lng1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371000.0 * math.hypot(x, y)


def bearing(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    x = math.radians(lng2 - lng1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return (math.degrees(math.atan2(x, y)) + 360.0) % 360.0


def luhn_digit(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)
