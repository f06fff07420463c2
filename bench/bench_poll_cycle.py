"""One full poll cycle of a 1,000-device Tracksolid account against the simulator (issue 5).

Target: the minimum number of vendor calls, with no 1006 (rate limit) answer. The vendor takes
at most 50 IMEIs a call, so for ``n`` devices the minimum cycle is
``1 + 4 x ceil(n / 50)`` calls: ``jimi.user.device.location.list`` once for the whole account,
then per batch of 50 one ``jimi.device.track.mileage``, two ``jimi.open.platform.report.parking``
(parking ``acc_type=0`` and idling ``acc_type=1``) and one ``jimi.device.alarm.list`` -- 81 for
1,000 devices. The simulator keeps its production rate limit (200 calls/s per app key) and the
client its production 1006 back-off, so a burst would show as 1006 answers and seconds of wall
time. Two cycles are run: the first with no cursors (a day's look-back), then a second one.

Run: ``.venv/bin/python bench/bench_poll_cycle.py`` (SQLite), or with ``DATABASE_URL=postgres://…``
for PostgreSQL. It creates its own throwaway test database (a temporary SQLite file, or the
PostgreSQL database ``test_fleet_bench_poll``) and drops it after. Takes well under a minute.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEVICES = 1_000
BATCH = 50
TARGET_1006 = 0


def main() -> int:
    var_dir = tempfile.mkdtemp(prefix="fleet-bench-poll-")
    os.environ["FLEET_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fleet.settings")
    import django

    django.setup()
    import logging

    logging.getLogger("tracksolid").setLevel(logging.WARNING)  # "fetching a new token"
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    test_settings = connection.settings_dict.setdefault("TEST", {})
    if connection.vendor == "sqlite":
        test_settings["NAME"] = str(Path(var_dir) / "bench.sqlite3")
    else:
        test_settings["NAME"] = "test_fleet_bench_poll"  # never pytest's test_fleet
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        return run(connection.vendor)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        teardown_test_environment()
        shutil.rmtree(var_dir, ignore_errors=True)


def run(vendor: str) -> int:
    from accounts.models import Organisation, Region, TracksolidAccount
    from accounts.services import client_for
    from fleet.models import Device
    from telemetry import pollers
    from tracksolid.signing import md5_hex
    from tracksolid.simulator.testing import run_simulator

    print(f"database: {vendor}; simulator: {DEVICES} devices, rate limit 200 calls/s per app key")
    with run_simulator(devices=DEVICES, seed=1, push_interval=0) as sim:
        organisation = Organisation.objects.create(name="Bench", slug="bench")
        account = TracksolidAccount.objects.create(
            organisation=organisation,
            name="Bench",
            region=Region.CUSTOM,
            base_url=sim.base_url,
            app_key=sim.config.app_key,
            app_secret=sim.config.app_secret,
            user_id=sim.config.user_id,
            password_md5=md5_hex(sim.config.password),
        )
        failed = False
        # Production back-off on 1006 (2, 5, 15 s): a storm would cost seconds, not hide.
        with client_for(account) as client:
            client.token()  # shared by every poller; at most one token call a minute
            print(
                f"  (before the cycles: {sim.counters()['calls_total']} jimi.oauth.token.get for"
                " the token every poller shares, so a cycle needs none)"
            )
            for label in ("first cycle (no cursors, 1 day back)", "next cycle (from cursors)"):
                sim.stats.reset()
                started = time.perf_counter()
                results = [
                    pollers.poll_locations(account=account, client=client),
                    pollers.poll_trips(account=account, client=client),
                    pollers.poll_stops(account=account, client=client),
                    pollers.poll_alarms(account=account, client=client),
                ]
                wall = time.perf_counter() - started
                counters = sim.counters()
                calls: dict[str, int] = dict(counters["calls"])
                errors: dict[str, int] = dict(counters["errors"])
                devices = Device.objects.filter(account=account, vendor_deleted_at=None).count()
                minimum = 1 + 4 * math.ceil(devices / BATCH)
                total = sum(calls.values())
                rate_limited = errors.get("1006", 0)
                stored = {}
                for result in results:
                    for kind, count in result.stored.items():
                        stored[kind] = stored.get(kind, 0) + count
                print(f"poll cycle, {label}: {devices} devices the vendor lists")
                for method, count in sorted(calls.items()):
                    print(f"  {method}: {count}")
                other = {k: v for k, v in errors.items() if k != "1006"}
                print(
                    f"  total {total} vendor calls in {wall:.2f} s, {rate_limited} x 1006"
                    + (f", other errors {other}" if other else "")
                    + f"  (target: minimum {minimum} = 1 + 4 x ceil({devices}/{BATCH}),"
                    f" {TARGET_1006} x 1006)"
                    + ("  OK" if total == minimum and rate_limited == 0 else "  MISSED")
                )
                print(f"  stored: {', '.join(f'{k} {v}' for k, v in sorted(stored.items()))}")
                failed = failed or total != minimum or rate_limited != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
