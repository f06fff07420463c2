"""Durable push ingest: the simulator's 50-point GPS batches POSTed to gunicorn over loopback
for 60 s.

Targets (issue 5): at least 10,000 points/s sustained, p99 push latency under 250 ms; printed
beside the raw PostgreSQL ``COPY`` rate into the same positions table, measured in the same run.

The bodies are the simulator's own: a 10,000-device simulated fleet (trackers, OBD units and
dashcams driving around its city; the same ``SimulatorConfig`` the demo uses) renders the
``/pushgps`` form bodies of a weekday morning, one pusher round per simulated minute, with
``tracksolid.simulator.pusher.pushgps_bodies`` -- exactly what its pusher sends, 50 points a
body. They are rendered before the clock starts (the simulator's CPU is not the system under
test) and replayed by this load generator over keep-alive connections, faster than real time;
each (device, gps_time) is sent once.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_ingest.py [--seconds 60]``). Needs
PostgreSQL: it uses ``DATABASE_URL``'s server (default ``postgres://postgres:postgres@127.0.0.1:5432``)
and creates and drops its own database, ``DATABASE_URL``'s name + ``_ingest_bench``; the
developer's database is not touched.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import secrets
import shutil
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
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_POINTS_PER_S = 10_000
TARGET_P99_MS = 250
DEVICES = 10_000  # the simulated fleet; DESIGN.md's scale figure
SEED = 1
ROUND_S = 60.0  # simulated seconds per pusher round
# Bodies rendered before the clock starts, in points per second of the run (more are rendered
# on the fly if the server outruns this, and the report says so).
PREPARED_POINTS_PER_S = 20_000


def bench_database_url() -> str:
    base = os.environ.get("DATABASE_URL") or "postgres://postgres:postgres@127.0.0.1:5432/fleet"
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        sys.exit("bench_ingest needs PostgreSQL: set DATABASE_URL=postgres://…")
    name = parts.path.lstrip("/") or "fleet"
    return urlunsplit(parts._replace(path=f"/{name}_ingest_bench"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def admin_sql(url: str, statement: str) -> None:
    import psycopg

    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(statement)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_setup(env: dict[str, str], token: str) -> subprocess.Popen[str]:
    """Migrate the bench database and create an account with the simulated fleet's devices (as
    the device sync would), in another process while this one renders the bodies."""
    script = f"""
import django, json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fleet.settings")
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from accounts.models import Organisation, TracksolidAccount
from fleet.models import Device
from tracksolid.simulator import Simulator, SimulatorConfig
sim = Simulator(SimulatorConfig(devices={DEVICES}, seed={SEED}, push_interval=0))
org = Organisation.objects.create(name="Bench", slug="bench")
account = TracksolidAccount.objects.create(organisation=org, name="Bench", app_key="k",
    app_secret="s", user_id="u", password_md5="0" * 32, push_token={token!r})
Device.objects.bulk_create([Device(imei=d.imei, organisation=org, account=account,
                                   device_name=d.device_name, vehicle_number=d.vehicle_number)
                            for d in sim.world.devices.values()], batch_size=2000)
print(json.dumps({{"key": account.push_key}}))
"""
    return subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )


class SimulatorBodies:
    """The simulator's ``/pushgps`` bodies, round after round of simulated time from a weekday
    10:00 local a day or more ago (so every fix is in the past, as a live push's is)."""

    def __init__(self, token: str) -> None:
        from tracksolid.simulator import Simulator, SimulatorConfig

        self.sim = Simulator(
            SimulatorConfig(devices=DEVICES, seed=SEED, push_interval=0, push_token=token)
        )
        world = self.sim.world
        day = world.day_of(self.sim.clock.sim()) - 1
        while (day + 3) % 7 >= 5:  # the simulator's weekend test
            day -= 1
        self.start = self.next = world.day_start(day) + 10 * 3600
        self.queue: collections.deque[tuple[bytes, int]] = collections.deque()
        self.lock = threading.Lock()
        self.points = 0
        self.on_the_fly = 0  # points rendered during the measured run

    def render_round(self) -> int:
        from tracksolid.simulator.pusher import pushgps_bodies

        bodies = pushgps_bodies(self.sim, self.next, self.next + ROUND_S)
        self.next += ROUND_S
        points = 0
        for body in bodies:
            n = body.count(b"deviceImei")  # one per point; the last body of a round has < 50
            self.queue.append((body, n))
            points += n
        self.points += points
        return points

    def render(self, points: int) -> None:
        target = self.points + points
        while self.points < target:
            self.render_round()

    def take(self) -> tuple[bytes, int]:
        while True:
            try:
                return self.queue.popleft()
            except IndexError:
                with self.lock:
                    if not self.queue:
                        self.on_the_fly += self.render_round()


def load(
    port: int, path: str, seconds: float, connections: int, bodies: SimulatorBodies
) -> tuple[list[float], int, int]:
    """Push for ``seconds`` over ``connections`` keep-alive connections, each taking the next
    body of the simulator's stream; return the latencies and the points pushed."""
    latencies: list[float] = []
    pushed = [0, 0]  # points pushed, items the server said it rejected
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        points = rejected = 0
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        while time.monotonic() < deadline:
            body, n = bodies.take()
            started = time.perf_counter()
            conn.request("POST", path, body, headers)
            response = conn.getresponse()
            answer = response.read()
            mine.append(time.perf_counter() - started)
            points += n
            if response.status != 200 or b'"msg": "success"' not in answer:
                raise SystemExit(f"push failed: {response.status} {answer[:200]!r}")
            if b'"rejected"' in answer:
                rejected += int(json.loads(answer)["rejected"])
        with lock:
            latencies.extend(mine)
            pushed[0] += points
            pushed[1] += rejected

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, pushed[0], pushed[1]


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


def count_positions(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM telemetry_position").fetchone()
        return int(row[0]) if row else 0


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
    name = database_name(url)
    admin_sql(url, f'DROP DATABASE IF EXISTS "{name}"')
    admin_sql(url, f'CREATE DATABASE "{name}"')
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
    web = setup = None
    try:
        token = secrets.token_urlsafe(24)
        setup = start_setup(env, token)
        # Render the bodies while the other process migrates.
        rendering = time.monotonic()
        bodies = SimulatorBodies(token)
        bodies.render(int((args.seconds + 3) * PREPARED_POINTS_PER_S))
        prepared = len(bodies.queue)
        print(
            f"  (simulator: {DEVICES:,} devices, {bodies.points:,} GPS points in {prepared:,}"
            f" /pushgps bodies over {(bodies.next - bodies.start) / 3600:.1f} simulated hours"
            f" from a weekday 10:00, rendered in {time.monotonic() - rendering:.0f} s)",
            flush=True,
        )
        out, _ = setup.communicate()
        if setup.returncode != 0:
            raise SystemExit("bench setup failed")
        account = json.loads(out.strip().splitlines()[-1])
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
        path = f"/push/{account['key']}/pushgps"
        # Warm-up on the first bodies of the stream; the run continues where it stops.
        _, warm_points, warm_rejected = load(port, path, 3, args.connections, bodies)
        bodies.on_the_fly = 0
        print(
            f"  (cores: {os.cpu_count()}, load average before the run: {os.getloadavg()[0]:.1f})",
            flush=True,
        )
        web_pids = gunicorn_ids(web.pid)
        pg_before = {pid: cpu_seconds([pid]) for pid in process_ids("postgres")}
        cpu_before = (cpu_seconds(web_pids), time.process_time())
        started = time.monotonic()
        latencies, pushed, rejected = load(port, path, args.seconds, args.connections, bodies)
        elapsed = time.monotonic() - started
        web_cpu = cpu_seconds(web_pids) - cpu_before[0]
        # Server processes that started during the run count from zero.
        pg_cpu = sum(
            cpu_seconds([pid]) - pg_before.get(pid, 0.0) for pid in process_ids("postgres")
        )
        gen_cpu = time.process_time() - cpu_before[1]
        points = pushed / elapsed
        latencies.sort()
        p50 = statistics.median(latencies) * 1000
        p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(10)
        web = None
        stored = count_positions(url)
        copy = copy_rate(url)
        pushes = len(latencies)
        print(
            f"push ingest: {points:,.0f} points/s sustained over {elapsed:.0f} s"
            f" ({pushes:,} simulator pushes, {pushed / pushes:.1f} points each;"
            f" {args.workers} gunicorn workers, {args.connections} pushers)"
            f"  target >= {TARGET_POINTS_PER_S:,}"
            f"  {'OK' if points >= TARGET_POINTS_PER_S else 'BELOW TARGET'}"
        )
        print(
            f"push latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms  target p99 < {TARGET_P99_MS} ms"
            f"  {'OK' if p99 < TARGET_P99_MS else 'ABOVE TARGET'}"
        )
        print(
            f"CPU per push: web {web_cpu / pushes * 1000:.1f} ms, PostgreSQL"
            f" {pg_cpu / pushes * 1000:.1f} ms, load generator {gen_cpu / pushes * 1000:.1f} ms"
            f" (2 cores = {2 * pushed / (web_cpu + pg_cpu):,.0f} points/s"
            " if web and PostgreSQL had them to themselves)"
        )
        if bodies.on_the_fly:
            print(
                f"  (the prepared bodies ran out: {bodies.on_the_fly:,} points were rendered"
                " during the run, on the load generator's CPU)"
            )
        print(
            f"  (positions stored: {stored:,} of {warm_points + pushed:,} points pushed with the"
            f" warm-up; {warm_rejected + rejected:,} items rejected by the server)"
        )
        print(
            f"raw COPY into positions: {copy:,.0f} rows/s; push ingest is {points / copy:.0%} of it"
        )
    finally:
        if web is not None and web.poll() is None:
            os.killpg(web.pid, signal.SIGKILL)
        if setup is not None and setup.poll() is None:
            setup.kill()
            setup.wait(10)
        admin_sql(url, f'DROP DATABASE IF EXISTS "{name}"')
        shutil.rmtree(var_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
