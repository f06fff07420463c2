"""Acknowledged pushes survive a hard kill of the web process (DESIGN.md rule 4, issue 5).

End to end, with no mocks: the product's web tier runs as its own gunicorn process group on its
own database (an embedded SQLite file under a temporary ``FLEET_VAR_DIR``, or a throwaway
PostgreSQL database when the suite runs on PostgreSQL); the simulator pushes to it over loopback;
the test SIGKILLs the whole group mid-stream, starts it again on the same port, and then reads
that database directly. Every push the simulator saw acknowledged must be kept as a raw push
(byte for byte), and every GPS point in an acknowledged push must be stored as a position.
Pushes that were in flight when the process died were not acknowledged, so the vendor does not
count on them (they are the gaps the back-fill closes).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tracksolid.simulator.testing import run_simulator
from tracksolid.simulator.transport import PushTransport

BASE_DIR = Path(__file__).resolve().parents[2]
KILLS = 2  # SIGKILLs of the whole web process group, each followed by a restart
WAIT = 60.0  # generous timeouts for a loaded 2-core machine; nothing asserts on timing

CREATE_ACCOUNT = """
import json
from accounts.models import Organisation, TracksolidAccount
organisation = Organisation.objects.create(name="Durability", slug="durability")
account = TracksolidAccount.objects.create(
    organisation=organisation, name="Pushed", region="hk", app_key="durability-key",
    app_secret="durability-secret", user_id="durability", password_md5="0" * 32,
)
print(json.dumps({"id": account.pk, "path": account.push_path, "token": account.push_token}))
"""


# --- the product's own database and processes -------------------------------------------------


@dataclass
class Product:
    env: dict[str, str]
    var_dir: Path
    database_url: str | None  # None: the embedded SQLite file under var_dir

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def rows(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        if self.database_url is None:
            db = sqlite3.connect(self.var_dir / "fleet.sqlite3")
            try:
                return db.execute(query.replace("%s", "?"), params).fetchall()
            finally:
                db.close()
        import psycopg

        with psycopg.connect(self.database_url) as pg:
            return pg.execute(query, params).fetchall()


def _with_database(url: str, name: str) -> str:
    return urlsplit(url)._replace(path="/" + name).geturl()


@pytest.fixture
def product(tmp_path: Path) -> Iterator[Product]:
    """A fresh, migrated product installation that is not the test run's database."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    var_dir = tmp_path / "var"
    env["FLEET_VAR_DIR"] = str(var_dir)
    env["PYTHONUNBUFFERED"] = "1"
    suite_url = os.environ.get("DATABASE_URL", "")
    if not suite_url.startswith(("postgres://", "postgresql://")):
        installation = Product(env, var_dir, None)
        installation.manage("migrate", "--noinput", "-v0")
        yield installation
        return

    import psycopg
    from psycopg import sql

    name = f"fleet_durability_{os.getpid()}_{secrets.token_hex(4)}"
    server = _with_database(suite_url, "postgres")
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        env["DATABASE_URL"] = _with_database(suite_url, name)
        if os.environ.get("REDIS_URL"):
            env["REDIS_URL"] = os.environ["REDIS_URL"]  # production pairs PostgreSQL with Redis
        installation = Product(env, var_dir, env["DATABASE_URL"])
        installation.manage("migrate", "--noinput", "-v0")
        yield installation
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


class Web:
    """``gunicorn fleet.wsgi`` as production runs it, in a process group of its own."""

    def __init__(self, product: Product, port: int, log: Path) -> None:
        self.product = product
        self.port = port
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "fleet.wsgi",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    "2",
                    "--threads",
                    "4",
                ],
                cwd=BASE_DIR,
                env=self.product.env,
                start_new_session=True,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def answers(self, path: str) -> bool:
        assert self.process is not None
        assert self.process.poll() is None, f"gunicorn exited:\n{self.log.read_text()}"
        try:
            url = f"http://127.0.0.1:{self.port}{path}"
            with urllib.request.urlopen(url, timeout=5) as answer:
                return bool(json.loads(answer.read()).get("code") == 0)
        except (OSError, ValueError):
            return False

    def refuses_connections(self) -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", self.port)) != 0

    def kill(self) -> None:
        """SIGKILL the master and its workers at once: no graceful shutdown, no atexit."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=WAIT)
        wait_for(self.refuses_connections, "the killed web process to release its port")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


# --- what the simulator saw acknowledged ------------------------------------------------------


@dataclass
class Acks:
    """Each push the simulator sent, with its body, the answer and whether it counted as acked.

    The simulator's pusher posts through ``PushTransport.post`` and then reports the outcome to
    ``sim.stats.push`` on the same thread; pairing the two gives the exact acknowledged bodies.
    """

    lock: threading.Lock = field(default_factory=threading.Lock)
    local: threading.local = field(default_factory=threading.local)
    sent: list[tuple[str, bytes, Any, bool]] = field(default_factory=list)
    in_flight: int = 0

    def acked(self) -> list[tuple[str, bytes, Any]]:
        with self.lock:
            return [(path, body, answer) for path, body, answer, ok in self.sent if ok]

    def acked_gps(self) -> int:
        return sum(1 for path, *_ in self.acked() if path.startswith("/pushgps"))

    def more_gps(self, count: int) -> Callable[[], bool]:
        """A condition: ``count`` more GPS pushes acknowledged than now."""
        target = self.acked_gps() + count
        return lambda: self.acked_gps() >= target


@pytest.fixture
def acks(monkeypatch: pytest.MonkeyPatch) -> Acks:
    record = Acks()
    post = PushTransport.post

    def recording_post(
        transport: PushTransport, path: str, body: bytes, content_type: str
    ) -> tuple[int, bytes] | None:
        with record.lock:
            record.in_flight += 1
        try:
            answer = post(transport, path, body, content_type)
        finally:
            with record.lock:
                record.in_flight -= 1
        record.local.last = (path, body, answer)
        return answer

    monkeypatch.setattr(PushTransport, "post", recording_post)
    return record


def watch_outcomes(sim: Any, record: Acks) -> None:
    counted = sim.stats.push

    def push(kind: str, items: int, acked: bool) -> None:
        path, body, answer = record.local.last
        with record.lock:
            record.sent.append((path, body, answer, acked))
        counted(kind, items, acked)

    sim.stats.push = push


def gps_points(path: str, body: bytes) -> set[tuple[str, int]]:
    """(imei, gps time in epoch milliseconds) of the points in one pushgps or TAG push body."""
    if path.startswith("/pushgps"):
        items = json.loads(parse_qs(body.decode())["data_list"][0])
        return {
            (
                item["deviceImei"],
                int(
                    datetime.strptime(item["gpsTime"], "%Y-%m-%d %H:%M:%S")
                    .replace(tzinfo=UTC)
                    .timestamp()
                )
                * 1000,
            )
            for item in items
        }
    if path.startswith("/pushtag"):
        return {(item["imei"], int(item["gpsTime"])) for item in json.loads(body)}
    return set()


def stored_positions(product: Product) -> set[tuple[str, int]]:
    rows = product.rows(
        "SELECT d.imei, p.gps_time FROM telemetry_position p"
        " JOIN fleet_device d ON d.id = p.device_id"
    )
    out = set()
    for imei, gps_time in rows:
        if isinstance(gps_time, str):  # SQLite: naive UTC text
            gps_time = datetime.fromisoformat(gps_time).replace(tzinfo=UTC)
        out.add((imei, round(gps_time.timestamp() * 1000)))
    return out


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def late_morning_offset(now: float) -> float:
    """The simulated city's UTC offset that makes it 11:00 there now, so its fleet drives and
    pushes GPS whatever the hour this test runs at (at night the vans are parked)."""
    hour = (now % 86400) / 3600
    return (11 - hour + 12) % 24 - 12


# --- the test ---------------------------------------------------------------------------------


def test_every_acknowledged_push_survives_a_hard_kill_of_the_web_process(
    product: Product, acks: Acks, tmp_path: Path
) -> None:
    account = json.loads(product.manage("shell", "-c", CREATE_ACCOUNT).strip().splitlines()[-1])
    web = Web(product, free_port(), tmp_path / "gunicorn.log")
    web.start()
    try:
        wait_for(lambda: web.answers(account["path"]), "the web process to answer")
        with run_simulator(
            devices=200,
            seed=7,
            tz_offset_hours=late_morning_offset(time.time()),
            speedup=60.0,
            push_interval=0.2,
            push_concurrency=4,
            push_timeout=10.0,
            push_url=f"http://127.0.0.1:{web.port}{account['path']}",
            push_token=account["token"],
        ) as sim:
            watch_outcomes(sim, acks)
            for _kill in range(KILLS):
                wait_for(acks.more_gps(15), "acknowledged GPS pushes before a kill")
                wait_for(lambda: acks.in_flight > 0, "a push in flight")  # mid-stream
                web.kill()
                web.start()
                wait_for(lambda: web.answers(account["path"]), "the restarted web process")
            wait_for(acks.more_gps(15), "acknowledged GPS pushes after the last restart")
        web.stop()
    finally:
        web.stop()

    acked = acks.acked()
    # Pushes in flight at a kill usually get no answer: the vendor does not count on those.
    print(f"pushes sent {len(acks.sent)}, acknowledged {len(acked)}")  # shown on failure
    assert not any(b"rejected" in (answer or (0, b""))[1] for _path, _body, answer in acked)

    kept = Counter(
        digest(bytes(body))
        for (body,) in product.rows(
            "SELECT body FROM telemetry_rawpush WHERE account_id = %s", account["id"]
        )
    )
    wanted = Counter(digest(body) for _path, body, _answer in acked)
    missing_raw = [
        (path, answer) for path, body, answer in acked if kept[digest(body)] < wanted[digest(body)]
    ]
    assert not missing_raw, (
        f"{len(missing_raw)} acknowledged pushes were not kept: {missing_raw[:5]}"
    )

    points = set().union(*(gps_points(path, body) for path, body, _answer in acked))
    assert len(points) > 100
    missing = points - stored_positions(product)
    assert not missing, f"{len(missing)} acknowledged GPS points not stored: {sorted(missing)[:10]}"
