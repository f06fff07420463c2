"""Simulator benchmark: vendor API calls per second and pushed GPS points per second.

Targets (issue 4): at least 500 API calls/s and 5,000 pushed points/s on a 2-core machine.
Loopback only, bounded in time (about 20 s). Run: ``.venv/bin/python bench/bench_simulator.py``.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tracksolid.signing import md5_hex, sign
from tracksolid.simulator import Simulator, SimulatorConfig

API_TARGET = 500.0
PUSH_TARGET = 5000.0
API_SECONDS = 6.0
PUSH_SECONDS = 6.0
KEY, SECRET = "bench-key", "bench-secret"


def _params(method: str, **extra: str) -> dict[str, str]:
    p = {
        "method": method,
        "app_key": KEY,
        "sign_method": "md5",
        "v": "1.0",
        "format": "json",
        "timestamp": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        **extra,
    }
    p["sign"] = sign(p, SECRET)
    return p


def _post(conn: http.client.HTTPConnection, path: str, params: dict[str, str]) -> Any:
    body = urlencode(params)
    conn.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})
    answer: Any = json.loads(conn.getresponse().read())
    return answer


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux), to report capacity on a busy machine."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return float("nan")


def _api_worker(
    host: str, port: int, token: str, imeis: list[str], until: float, counts: Any
) -> None:
    conn = http.client.HTTPConnection(host, port, timeout=10)
    done = errors = 0
    k = 0
    while time.time() < until:
        imei = imeis[k % len(imeis)]
        k += 1
        # The calls a poller makes most: latest locations and device details.
        if k % 2:
            params = _params("jimi.device.location.get", access_token=token, imeis=imei)
        else:
            params = _params("jimi.track.device.detail", access_token=token, imei=imei)
        answer = _post(conn, "/route/rest", params)
        done += 1
        errors += answer.get("code") != 0
    counts.put((done, errors))


def bench_api() -> float:
    """Run the CLI simulator in its own process and drive it from two client processes."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tracksolid.simulator",
            "--port",
            "0",
            "--devices",
            "200",
            "--app-key",
            KEY,
            "--app-secret",
            SECRET,
            "--rate-limit",
            "0",
            "--push-interval",
            "0",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        base = ""
        while not base:
            line = proc.stdout.readline()
            if line.startswith("base_url: "):
                base = line.split(": ", 1)[1].strip()
        url = urlsplit(base)
        host, port = url.hostname or "127.0.0.1", url.port or 80
        conn = http.client.HTTPConnection(host, port, timeout=10)
        token = _post(
            conn,
            "/route/rest",
            _params(
                "jimi.oauth.token.get",
                user_id="demo",
                user_pwd_md5=md5_hex("demo"),
                expires_in="7200",
            ),
        )["result"]["accessToken"]
        devices = _post(
            conn, "/route/rest", _params("jimi.user.device.list", access_token=token, target="demo")
        )["result"]
        imeis = [d["imei"] for d in devices]
        counts: Any = multiprocessing.Queue()
        until = time.time() + API_SECONDS
        workers = [
            multiprocessing.Process(
                target=_api_worker, args=(host, port, token, imeis, until, counts)
            )
            for _ in range(4)
        ]
        cpu0 = _cpu_seconds(proc.pid)
        start = time.time()
        for w in workers:
            w.start()
        results = [counts.get(timeout=API_SECONDS + 30) for _ in workers]
        for w in workers:
            w.join()
        elapsed = time.time() - start
        cpu = _cpu_seconds(proc.pid) - cpu0
        calls = sum(r[0] for r in results)
        errors = sum(r[1] for r in results)
        rate = float(calls) / elapsed
        print(
            f"API: {calls} calls in {elapsed:.1f} s, {errors} errors -> {rate:,.0f} calls/s "
            f"(target {API_TARGET:,.0f}); {calls / max(cpu, 1e-9):,.0f} per CPU-second of the "
            "simulator"
        )
        return rate
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class _Ack(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        # Headers and body are two writes; without this, delayed ACKs add 40 ms per push.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        tag = self.path.split("?")[0].endswith("/pushtag")
        body = b'{"code":200,"msg":"success"}' if tag else b'{"code":0,"msg":"success"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _receiver(port_out: Any) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ack)
    server.daemon_threads = True
    port_out.put(server.server_address[1])
    server.serve_forever()


BENCH_TOKEN = "bench-token"  # noqa: S105 - the bench receiver accepts anything
ONLY_GPS = {
    "pushhb",
    "pushoil",
    "pushtem",
    "pushobd",
    "pushlbs",
    "pushplugin",
    "pushPassThroughData",
    "pushTerminalTransInfo",
    "pushFileContent",
    "pushextendedkks",
    "openapi",
    "pushalarm",
    "pushevent",
    "pushfaultinfo",
    "pushtripreport",
    "pushrfid",
    "uploadCallback",
}


def bench_push(port: int, disabled: set[str], label: str) -> float:
    """Push from a 2,000-device fleet at mid-morning to a receiver in another process."""
    from tracksolid.simulator.pusher import Pusher

    sim = Simulator(
        SimulatorConfig(
            devices=2000,
            seed=1,
            push_url=f"http://127.0.0.1:{port}/p",
            push_token=BENCH_TOKEN,
            push_interval=0,
            push_disabled=disabled,
        )
    )
    pusher = Pusher(sim)
    try:
        # Move to the next weekday 10:00 local, when the fleet is on the road.
        now = sim.clock.sim()
        day = sim.world.day_of(now) + 1
        while (day + 3) % 7 >= 5:
            day += 1
        sim.advance(sim.world.day_start(day) + 10 * 3600 - now)
        # Warm-up: the first round plans every vehicle's day (once per simulated day).
        pusher.last = sim.clock.sim() - 60
        pusher.push_round()
        sim.stats.reset()
        points = 0
        cpu0 = time.process_time()
        start = time.time()
        while time.time() - start < PUSH_SECONDS:
            sim.advance(60)
            sent = pusher.push_round()
            points += sent.get("pushgps", 0) + sent.get("tag", 0)
        elapsed = time.time() - start
        cpu = time.process_time() - cpu0
        counters = sim.counters()
        acked = sum(counters["pushes_acked"].values())
        total = sum(counters["pushes_sent"].values())
        rate = points / elapsed
        print(
            f"Push ({label}): {points} GPS points in {elapsed:.1f} s, {acked}/{total} requests "
            f"acked -> {rate:,.0f} points/s (target {PUSH_TARGET:,.0f}); "
            f"{points / max(cpu, 1e-9):,.0f} per CPU-second of the simulator"
        )
        return rate
    finally:
        pusher.stop()


def main() -> int:
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    api = bench_api()
    q: Any = multiprocessing.Queue()
    recv = multiprocessing.Process(target=_receiver, args=(q,), daemon=True)
    recv.start()
    port = q.get(timeout=10)
    try:
        push = bench_push(port, ONLY_GPS, "GPS only")
        bench_push(port, set(), "every push type, for information")
    finally:
        recv.terminate()
    ok = api >= API_TARGET and push >= PUSH_TARGET
    print("PASS" if ok else "BELOW TARGET")
    return 0


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    sys.exit(main())
