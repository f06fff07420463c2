"""Time the live map and trail replay endpoints of API v1 against their targets (issue 6):
latest positions of 10,000 devices < 100 ms, a delta of 1,000 changed devices < 20 ms, one
device-day of 10-second points (8,640) from the track endpoint < 100 ms, and 7 days (60,480
points) simplified to <= 5,000 < 300 ms.

Run: ``.venv/bin/python bench/bench_api.py`` (SQLite), or with ``DATABASE_URL=postgres://…`` for
PostgreSQL. It creates its own throwaway test database (a temporary SQLite file, or PostgreSQL
database ``test_fleet_bench_api``) and a temporary ``FLEET_VAR_DIR``, fills them, times each
request through the whole Django stack (test client, token authentication) and prints medians of
several runs beside the targets, then drops everything. The developer's database is not touched.
Takes well under two minutes.
"""

from __future__ import annotations

import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEVICES = 10_000
CHANGED = 1_000
STEP_S = 10
WEEK_POINTS = 7 * 86_400 // STEP_S  # 60,480
RUNS = 9
TARGETS_MS = {"latest": 100, "delta": 20, "day": 100, "week": 300}


def main() -> None:
    var_dir = tempfile.mkdtemp(prefix="fleet-bench-api-")
    os.environ["FLEET_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fleet.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    test_settings = connection.settings_dict.setdefault("TEST", {})
    if connection.vendor == "sqlite":
        test_settings["NAME"] = str(Path(var_dir) / "bench.sqlite3")
    else:
        test_settings["NAME"] = "test_fleet_bench_api"  # never pytest's test_fleet
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        run(connection.vendor)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        teardown_test_environment()
        shutil.rmtree(var_dir, ignore_errors=True)


CPU_MS: list[float] = []


def median_ms(call: Any, runs: int = RUNS, before: Any = None) -> tuple[float, Any]:
    """Median wall time of ``call``; the median CPU time of this process goes to ``CPU_MS``
    (on a busy machine it shows what the request itself costs, the database excepted on
    PostgreSQL)."""
    call()  # warm up
    timings, cpu = [], []
    result = None
    for _ in range(runs):
        if before is not None:
            before()
        began, began_cpu = time.perf_counter(), time.process_time()
        result = call()
        timings.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    CPU_MS.append(statistics.median(cpu))
    return statistics.median(timings), result


def report(label: str, figure: float, target: int, note: str = "") -> None:
    verdict = "ok" if figure < target else "SLOWER than target"
    print(
        f"  {label:<44} {figure:7.1f} ms   (target < {target} ms)   {verdict}"
        f"   [cpu {CPU_MS[-1]:.1f} ms]{note}"
    )


def run(vendor: str) -> None:
    from django.db import connection
    from django.utils import timezone
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from accounts.models import Membership, Organisation, Role, User
    from fleet.models import Device
    from telemetry import writers
    from telemetry.models import Alarm, DeviceState, Source, Stop

    rng = random.Random(6)
    now = timezone.now()
    started = time.monotonic()
    org = Organisation.objects.create(name="Bench", slug="bench")
    user = User.objects.create_user("bench", password="bench-pw-123")  # noqa: S106
    Membership.objects.create(user=user, organisation=org, role=Role.DISPATCHER)
    Device.objects.bulk_create(
        [
            Device(imei=f"86{i:013d}", organisation=org, device_name=f"Vehicle {i:05d}")
            for i in range(DEVICES)
        ],
        batch_size=2000,
    )
    device_ids = list(Device.objects.order_by("id").values_list("id", flat=True))
    DeviceState.objects.bulk_create(
        [
            DeviceState(
                device_id=device_id,
                gps_time=now - timedelta(seconds=rng.randint(5, 120)),
                lat=48.0 + rng.random() * 3,
                lng=1.0 + rng.random() * 4,
                speed=rng.choice([0.0, 0.0, 12.5, 48.0, 93.0]),
                direction=rng.randint(0, 359),
                acc=rng.random() < 0.7,
                battery=rng.randint(10, 100),
                updated_at=now - timedelta(minutes=5),
            )
            for device_id in device_ids
        ],
        batch_size=2000,
    )

    # One device with a week of 10-second points: a random walk with stops.
    tracked = device_ids[0]
    week_start = (now - timedelta(days=8)).replace(hour=0, minute=0, second=0, microsecond=0)
    lat, lng, heading = 48.85, 2.35, 0.0
    rows = []
    for i in range(WEEK_POINTS):
        moment = week_start + timedelta(seconds=STEP_S * i)
        moving = (i // 180) % 4 != 3  # 30 min driving, 10 min standing
        speed = 30 + 40 * abs(math.sin(i / 300)) if moving else 0.0
        if moving:
            heading = (heading + rng.uniform(-15, 15)) % 360
            distance_deg = speed / 3.6 * STEP_S / 111_000
            lat += distance_deg * math.cos(math.radians(heading))
            lng += distance_deg * math.sin(math.radians(heading)) / math.cos(math.radians(lat))
        rows.append(
            (tracked, moment, lat, lng, speed, int(heading), 35.0, 11, moving, "GPS", False,
             None, Source.PUSH, moment)
        )  # fmt: skip
    for chunk in range(0, len(rows), 10_000):
        writers.insert_positions(rows[chunk : chunk + 10_000])
    Stop.objects.bulk_create(
        Stop(device_id=tracked, kind=Stop.Kind.PARKING, duration_s=600, lat=lat, lng=lng,
             start_time=week_start + timedelta(minutes=40 * k + 30),
             end_time=week_start + timedelta(minutes=40 * k + 40))
        for k in range(7 * 36)
    )  # fmt: skip
    Alarm.objects.bulk_create(
        Alarm(device_id=tracked, type_id="1", alarm_time=week_start + timedelta(hours=k),
              source=Source.PUSH, received_at=now)
        for k in range(7 * 24)
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as autovacuum keeps them in production
    print(f"fixtures: {DEVICES:,} devices, {WEEK_POINTS:,} positions "
          f"({time.monotonic() - started:.1f} s)")  # fmt: skip

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    def get(url: str, **params: Any) -> Any:
        response = client.get(url, params)
        assert response.status_code == 200, response.content[:300]
        return response

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"API v1 on {vendor}, median of {RUNS} runs, whole Django stack with token auth "
        f"(load average {load:.1f} on {os.cpu_count()} CPUs):"
    )

    latest_ms, response = median_ms(lambda: get("/api/v1/positions/latest/"))
    body = response.json()
    assert len(body["devices"]) == DEVICES, len(body["devices"])
    report(f"latest positions, {DEVICES:,} devices", latest_ms, TARGETS_MS["latest"],
           f"   ({len(response.content) / 1024:,.0f} KiB)")  # fmt: skip

    cursor = {"value": ""}

    def change_some() -> None:
        DeviceState.objects.update(updated_at=timezone.now() - timedelta(minutes=5))
        cursor["value"] = get("/api/v1/positions/latest/").json()["cursor"]
        changed = rng.sample(device_ids, CHANGED)
        DeviceState.objects.filter(device_id__in=changed).update(
            updated_at=timezone.now(), speed=55.0
        )

    delta_ms, response = median_ms(
        lambda: get("/api/v1/positions/latest/", since=cursor["value"]), before=change_some
    )
    count = len(response.json()["devices"])
    assert count == CHANGED, count
    report(f"delta, {CHANGED:,} changed devices", delta_ms, TARGETS_MS["delta"])

    track = f"/api/v1/devices/{tracked}/track/"
    day_start = week_start + timedelta(days=3)
    day = {"from": day_start.isoformat(), "to": (day_start + timedelta(days=1)).isoformat()}
    day_ms, response = median_ms(lambda: get(track, **day, max_points=8640))
    body = response.json()
    assert len(body["points"]) == 8640 and not body["simplified"], len(body["points"])
    report("track, one day raw (8,640 points)", day_ms, TARGETS_MS["day"])
    default_ms, response = median_ms(lambda: get(track, **day))
    report(f"track, one day simplified to {len(response.json()['points']):,}", default_ms,
           TARGETS_MS["day"], "   (default max_points=5000)")  # fmt: skip

    week = {"from": week_start.isoformat(), "to": (week_start + timedelta(days=7)).isoformat()}
    week_ms, response = median_ms(lambda: get(track, **week, max_points=5000))
    body = response.json()
    assert body["simplified"] and body["total_points"] == WEEK_POINTS
    assert len(body["points"]) <= 5000
    report(f"track, 7 days ({WEEK_POINTS:,}) simplified to {len(body['points']):,}", week_ms,
           TARGETS_MS["week"])  # fmt: skip

    # No target in the issue; shows what a week's top speed from raw positions costs.
    summary_ms, response = median_ms(
        lambda: get("/api/v1/summaries/daily/", device=tracked, **week), runs=3
    )
    assert len(response.json()["results"]) == 7
    print(f"  {'daily summary, 1 device x 7 days (no target)':<44} {summary_ms:7.1f} ms"
          f"   [cpu {CPU_MS[-1]:.1f} ms]")  # fmt: skip


if __name__ == "__main__":
    main()
