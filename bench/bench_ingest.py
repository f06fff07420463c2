"""Durable push ingest: 50-point GPS batches POSTed to gunicorn over loopback for 60 s.

Targets (issue 5): at least 10,000 points/s sustained, p99 push latency under 250 ms; printed
beside the raw PostgreSQL ``COPY`` rate into the same positions table, measured in the same run.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_ingest.py [--seconds 60]``). Needs
PostgreSQL: it uses ``DATABASE_URL``'s server (default ``postgres://postgres:postgres@127.0.0.1:5432``)
and creates and drops its own database ``fleet_bench``; the developer's database is not touched.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
TARGET_POINTS_PER_S = 10_000
TARGET_P99_MS = 250
BATCH = 50
DEVICES = 2_000


def bench_database_url() -> str:
    base = os.environ.get("DATABASE_URL") or "postgres://postgres:postgres@127.0.0.1:5432/fleet"
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        sys.exit("bench_ingest needs PostgreSQL: set DATABASE_URL=postgres://…")
    return urlunsplit(parts._replace(path="/fleet_bench"))


def admin_sql(url: str, statement: str) -> None:
    import psycopg

    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(statement)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def setup(env: dict[str, str]) -> dict[str, str]:
    """Migrate the bench database and create an account with DEVICES devices."""
    script = f"""
import django, json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fleet.settings")
django.setup()
from accounts.models import Organisation, TracksolidAccount
from fleet.models import Device
org = Organisation.objects.create(name="Bench", slug="bench")
account = TracksolidAccount.objects.create(organisation=org, name="Bench", app_key="k",
    app_secret="s", user_id="u", password_md5="0" * 32)
Device.objects.bulk_create([Device(imei=f"86{{i:013d}}", organisation=org, account=account)
                            for i in range({DEVICES})])
print(json.dumps({{"key": account.push_key, "token": account.push_token}}))
"""
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def make_body(token: str, clock: list[datetime], rng: random.Random) -> bytes:
    """A vendor-shaped pushgps batch: 50 points of 50 devices, numbers as strings."""
    items = []
    moment = clock[0]
    clock[0] = moment + timedelta(seconds=1)
    first = rng.randrange(DEVICES)
    for n in range(BATCH):
        items.append(
            {
                "deviceImei": f"86{(first + n) % DEVICES:013d}",
                "gpsTime": moment.strftime("%Y-%m-%d %H:%M:%S"),
                "gateTime": moment.strftime("%Y-%m-%d %H:%M:%S"),
                "lat": round(-1.28 + rng.random() * 0.1, 6),
                "lng": round(36.8 + rng.random() * 0.1, 6),
                "satelliteNum": "11",
                "gpsSpeed": str(rng.randrange(0, 90)),
                "direction": str(rng.randrange(0, 360)),
                "acc": "1",
                "postType": "1",
                "postMethod": "0",
                "status": "1",
                "altitude": "1650",
                "distance": "12000",
            }
        )
    return urlencode({"token": token, "data_list": json.dumps(items)}).encode()


Prepared = list[tuple[random.Random, list[datetime], list[bytes]]]


def prepare(token: str, seconds: float, connections: int, base: datetime) -> Prepared:
    """Build the bodies before the clock starts: the generator's JSON work is not the system
    under test. Each connection gets its own slice of time, so no two batches share a
    (device, gps_time); one that runs out builds more on the fly."""
    prepared = []
    for n in range(connections):
        rng, clock = random.Random(n), [base + timedelta(days=n)]
        bodies = [make_body(token, clock, rng) for _ in range(int(seconds * 60))]
        bodies.reverse()  # popped from the end, so in time order
        prepared.append((rng, clock, bodies))
    return prepared


def load(port: int, path: str, token: str, seconds: float, prepared: Prepared) -> list[float]:
    """Push for ``seconds`` over one keep-alive connection per prepared slice; return latencies."""
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(n: int) -> None:
        rng, clock, bodies = prepared[n]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        while time.monotonic() < deadline:
            body = bodies.pop() if bodies else make_body(token, clock, rng)
            started = time.perf_counter()
            conn.request("POST", path, body, headers)
            response = conn.getresponse()
            answer = response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200 or b'"msg": "success"' not in answer:
                raise SystemExit(f"push failed: {response.status} {answer[:200]!r}")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(len(prepared))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def cpu_seconds(pids: list[int]) -> float:
    """User+system CPU seconds used so far by these processes (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def process_ids(name: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def gunicorn_ids(master: int) -> list[int]:
    pids = [master]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == master:
                pids.append(int(entry.name))
    return pids


def copy_rate(url: str, rows: int = 200_000) -> float:
    """Rows/s of psycopg COPY into a copy of the indexed positions table."""
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute("CREATE TEMP TABLE copy_bench (LIKE telemetry_position INCLUDING ALL)")
        device_ids = [r[0] for r in conn.execute("SELECT id FROM fleet_device LIMIT 1000")]
        start = datetime(2025, 1, 1, tzinfo=UTC)
        data = [
            (
                device_ids[i % len(device_ids)],
                start + timedelta(seconds=i // len(device_ids)),
                1.0,
                2.0,
                40.0,
                90,
                100.0,
                9,
                True,
                "GPS",
                False,
                10.0,
                "push",
                start,
            )
            for i in range(rows)
        ]
        columns = (
            "device_id, gps_time, lat, lng, speed, direction, altitude, satellites, acc,"
            " pos_type, reuploaded, mileage, source, received_at"
        )
        started = time.perf_counter()
        with conn.cursor().copy(f"COPY copy_bench ({columns}) FROM STDIN") as copy:
            for row in data:
                copy.write_row(row)
        conn.commit()
        return rows / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--connections", type=int, default=8, help="concurrent pushers")
    args = parser.parse_args()

    url = bench_database_url()
    admin_sql(url, "DROP DATABASE IF EXISTS fleet_bench")
    admin_sql(url, "CREATE DATABASE fleet_bench")
    var_dir = tempfile.mkdtemp(prefix="fleet-bench-")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "FLEET_VAR_DIR": var_dir,
        "LOG_LEVEL": "WARNING",
        # Keep each worker's connection (and its server process) for the whole run, so the
        # server's CPU can be read off the same processes before and after.
        "DATABASE_CONN_MAX_AGE": "600",
    }
    env.pop("REDIS_URL", None)
    web = None
    try:
        account = setup(env)
        port = free_port()
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "fleet.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        path, token = f"/push/{account['key']}/pushgps", account["token"]
        warm_up = datetime(2025, 1, 1, tzinfo=UTC)
        load(port, path, token, 3, prepare(token, 3, args.connections, warm_up))
        prepared = prepare(token, args.seconds, args.connections, datetime(2026, 1, 1, tzinfo=UTC))
        web_pids = gunicorn_ids(web.pid)
        pg_before = {pid: cpu_seconds([pid]) for pid in process_ids("postgres")}
        cpu_before = (cpu_seconds(web_pids), time.process_time())
        started = time.monotonic()
        latencies = load(port, path, token, args.seconds, prepared)
        elapsed = time.monotonic() - started
        web_cpu = cpu_seconds(web_pids) - cpu_before[0]
        # Server processes that started during the run count from zero.
        pg_cpu = sum(
            cpu_seconds([pid]) - pg_before.get(pid, 0.0) for pid in process_ids("postgres")
        )
        gen_cpu = time.process_time() - cpu_before[1]
        points = len(latencies) * BATCH / elapsed
        latencies.sort()
        p50 = statistics.median(latencies) * 1000
        p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(10)
        web = None
        copy = copy_rate(url)
        print(
            f"push ingest: {points:,.0f} points/s sustained over {elapsed:.0f} s"
            f" ({len(latencies):,} pushes of {BATCH}; {args.workers} gunicorn workers,"
            f" {args.connections} pushers)  target >= {TARGET_POINTS_PER_S:,}"
            f"  {'OK' if points >= TARGET_POINTS_PER_S else 'BELOW TARGET'}"
        )
        print(
            f"push latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms  target p99 < {TARGET_P99_MS} ms"
            f"  {'OK' if p99 < TARGET_P99_MS else 'ABOVE TARGET'}"
        )
        pushes = len(latencies)
        print(
            f"CPU per push: web {web_cpu / pushes * 1000:.1f} ms, PostgreSQL"
            f" {pg_cpu / pushes * 1000:.1f} ms, load generator {gen_cpu / pushes * 1000:.1f} ms"
            f" (2 cores = {2000 / ((web_cpu + pg_cpu) / pushes * 1000) * BATCH:,.0f} points/s"
            " if web and PostgreSQL had them to themselves)"
        )
        print(
            f"raw COPY into positions: {copy:,.0f} rows/s; push ingest is {points / copy:.0%} of it"
        )
    finally:
        if web is not None and web.poll() is None:
            os.killpg(web.pid, signal.SIGKILL)
        admin_sql(url, "DROP DATABASE IF EXISTS fleet_bench")
    return 0


if __name__ == "__main__":
    sys.exit(main())
