"""Time parsing and validating a 50-point ``pushgps`` form body; target about 1 ms per batch.

Run: ``.venv/bin/python bench/bench_push_parse.py``. Prints the median (and p90) per batch beside
the target from issue 5; takes a few seconds.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracksolid.pushes import parse_push

TARGET_MS = 1.0
BATCH = 50
ROUNDS = 2000


def gps_body(batch: int = BATCH) -> bytes:
    """A realistic pushgps form body: 50 points from 10 devices, strings as the vendor sends."""
    start = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    items = []
    for n in range(batch):
        moment = start + timedelta(seconds=10 * n)
        items.append(
            {
                "deviceImei": f"86012345678{n % 10:04d}",
                "gpsTime": moment.strftime("%Y-%m-%d %H:%M:%S"),
                "gateTime": (moment + timedelta(seconds=2)).strftime("%Y-%m-%d %H:%M:%S"),
                "lat": round(22.54 + n * 0.0003, 6),
                "lng": round(114.05 + n * 0.0004, 6),
                "satelliteNum": "11",
                "gpsSpeed": str(30 + n % 40),
                "direction": str(n * 7 % 360),
                "acc": "1",
                "postType": "1",
                "postMethod": "0",
                "status": "1",
                "altitude": "35",
                "distance": str(100_000 + n * 120),
            }
        )
    return urlencode({"token": "push-token", "data_list": json.dumps(items)}).encode()


def main() -> None:
    body = gps_body()
    content_type = "application/x-www-form-urlencoded"
    batch = parse_push("pushgps", content_type=content_type, body=body, query={})
    assert len(batch.records) == BATCH and not batch.rejected, batch.rejected
    for _ in range(200):  # warm up
        parse_push("pushgps", content_type=content_type, body=body, query={})
    timings = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        parse_push("pushgps", content_type=content_type, body=body, query={})
        timings.append((time.perf_counter() - began) * 1000)
    timings.sort()
    median = statistics.median(timings)
    p90 = timings[int(len(timings) * 0.9)]
    verdict = "ok" if median <= TARGET_MS else "SLOWER than target"
    print(f"push parse, {BATCH}-point pushgps form body ({len(body)} bytes), {ROUNDS} rounds")
    print(f"  median {median:.3f} ms per batch   (target <= {TARGET_MS:.1f} ms)   {verdict}")
    print(f"  p90    {p90:.3f} ms per batch")
    print(f"  {BATCH / median * 1000:,.0f} points/s on one core")


if __name__ == "__main__":
    main()
