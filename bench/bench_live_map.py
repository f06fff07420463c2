"""Time the live map in headless Chromium with 10,000 devices: navigation to all markers drawn
(target under 2 s), and a new position's way from the push reaching the server to its marker
moving (p95 under 3 s): each position is POSTed as a vendor-shaped ``/pushgps`` form push
(token + ``data_list``) to the push URL of the account, on the same gunicorn the browser is
looking at, and timed from just before the POST to the page applying it to the marker.

Run: ``.venv/bin/python bench/bench_live_map.py``. It builds a throwaway embedded installation
(SQLite under a temporary ``FLEET_VAR_DIR``), bulk-creates 10,000 devices with latest states,
starts gunicorn on a free loopback port, drives /usr/bin/chromium with Playwright, prints the
medians beside the targets, and removes everything. Takes about a minute.
"""

from __future__ import annotations

import http.client
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEVICES = 10_000
LOAD_ROUNDS = 5
LATENCY_ROUNDS = int(os.environ.get("BENCH_LATENCY_ROUNDS", "25"))
TARGET_DRAW_S = 2.0
TARGET_P95_S = 3.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FORM = "application/x-www-form-urlencoded"
USERNAME, PASSWORD = "bench", "bench-password-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_fleet() -> Any:
    """Migrate the throwaway database and fill it; returns the Tracksolid account."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)

    from accounts.models import Membership, Organisation, Role, TracksolidAccount, User
    from fleet.models import Device, DeviceGroup
    from telemetry.models import DeviceState

    organisation = Organisation.objects.create(name="Bench", slug="bench")
    user = User.objects.create_user(USERNAME, password=PASSWORD)
    Membership.objects.create(user=user, organisation=organisation, role=Role.DISPATCHER)
    account = TracksolidAccount.objects.create(
        organisation=organisation,
        name="Bench",
        app_key="k",
        app_secret="s",  # noqa: S106 - a throwaway database's
        user_id="u",
        password_md5="0" * 32,
    )
    groups = DeviceGroup.objects.bulk_create(
        [DeviceGroup(organisation=organisation, name=f"Depot {g}") for g in range(20)]
    )
    Device.objects.bulk_create(
        [
            Device(
                imei=f"86{n:013d}",
                organisation=organisation,
                account=account,
                group=groups[n % len(groups)],
                device_name=f"Truck {n:05d}",
                vehicle_number=f"B-{n:05d}",
            )
            for n in range(DEVICES)
        ],
        batch_size=2000,
    )
    now = datetime.now(UTC)
    rng = random.Random(6)
    states = []
    for device_id in Device.objects.values_list("id", flat=True):
        moving = rng.random() < 0.4
        states.append(
            DeviceState(
                device_id=device_id,
                gps_time=now - timedelta(seconds=rng.randint(5, 900)),
                lat=rng.uniform(36.0, 60.0),
                lng=rng.uniform(-8.0, 30.0),
                speed=rng.uniform(10, 110) if moving else 0.0,
                direction=rng.randint(0, 359),
                acc=moving or rng.random() < 0.3,
                updated_at=now,
            )
        )
    DeviceState.objects.bulk_create(states, batch_size=2000)
    return account


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "fleet.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def measure(base: str, account: Any) -> tuple[list[float], list[float], int]:
    from playwright.sync_api import sync_playwright

    from fleet.models import Device
    from tracksolid.simulator.pusher import list_form_body

    draw_times: list[float] = []
    latencies: list[float] = []
    timings: list[dict[str, float]] = []
    list_times: list[float] = []
    acked: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        context.route(
            "**/*",
            lambda route: (
                route.abort() if "127.0.0.1" not in route.request.url else route.continue_()
            ),
        )
        page = context.new_page()
        page.goto(base + "/login/")
        page.fill("#id_username", USERNAME)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/map/")
        page.wait_for_function(
            "window.fleetLiveMap && window.fleetLiveMap.listReady", timeout=60_000
        )
        for _ in range(LOAD_ROUNDS):
            page.goto(base + "/map/")
            page.wait_for_function(
                "window.fleetLiveMap && window.fleetLiveMap.ready", timeout=60_000
            )
            draw_times.append(page.evaluate("window.fleetLiveMap.readyAt") / 1000)
            # Let the page finish loading the device list before the next navigation, so the
            # next load does not queue behind this one's requests.
            page.wait_for_function("window.fleetLiveMap.listReady", timeout=60_000)
            list_times.append(page.evaluate("window.fleetLiveMap.listReadyAt") / 1000)
            timings.append(page.evaluate("window.fleetLiveMap.timings"))
        drawn = page.evaluate("window.fleetLiveMap.markerCount")
        redraw_ms = page.evaluate("window.fleetLiveMap.layer.ms")
        last = timings[-1]
        print(
            f"  (last load: script started {last['start'] / 1000:.2f} s, positions fetched "
            f"{last['fetched'] / 1000:.2f} s, devices drawn {last['drawn'] / 1000:.2f} s)"
        )
        page.wait_for_function("window.fleetLiveMap.listReady", timeout=60_000)

        # A push's way: POST /push/<key>/pushgps (kept durably, ingested, acknowledged), then
        # the page's next delta poll carries it to the marker.
        address = urlsplit(base)
        host, port = address.hostname or "127.0.0.1", address.port or 80
        push_path = f"/push/{account.push_key}/pushgps"
        token = account.push_token
        imeis = list(Device.objects.values_list("imei", "id")[:LATENCY_ROUNDS])
        rng = random.Random(7)
        for imei, device_id in imeis:
            time.sleep(rng.uniform(0.1, 1.9))  # land anywhere in the 2 s poll cycle
            moment = datetime.now(UTC).replace(microsecond=0)
            stamp = moment.strftime("%Y-%m-%d %H:%M:%S")
            body = list_form_body(
                token,
                [
                    {
                        "deviceImei": imei,
                        "gpsTime": stamp,
                        "gateTime": stamp,
                        "lat": 50.0,
                        "lng": 10.0,
                        "satelliteNum": 11,
                        "gpsSpeed": 50,
                        "direction": 90,
                        "acc": 1,
                        "postType": 1,
                        "postMethod": 0,
                        "status": 1,
                    }
                ],
            )
            pushed_at = time.time()
            conn = http.client.HTTPConnection(host, port, timeout=10)
            conn.request("POST", push_path, body, {"Content-Type": FORM})
            answer = conn.getresponse().read()
            conn.close()
            acked.append(time.time() - pushed_at)
            if b"success" not in answer:
                raise SystemExit(f"push refused: {answer[:200]!r}")
            epoch = int(moment.timestamp())
            handle = page.wait_for_function(
                """([id, epoch]) => {
                    const hit = window.fleetLiveMap.applied.find(
                        (a) => a.id === id && Number(a.gps_time) === epoch);
                    return hit ? hit.at : false;
                }""",
                arg=[device_id, epoch],
                timeout=15_000,
            )
            latencies.append(handle.json_value() / 1000 - pushed_at)
        browser.close()
    print(f"  (one redraw of the device canvas: {redraw_ms:.1f} ms)")
    print(
        f"  (push answered, raw push kept and ingested: median "
        f"{statistics.median(acked) * 1000:.0f} ms, max {max(acked) * 1000:.0f} ms)"
    )
    print(
        f"  (device list with names and groups, from devices/directory/: median "
        f"{statistics.median(list_times):.2f} s from navigation; no target)"
    )
    return draw_times, latencies, drawn


def main() -> int:
    if not Path(CHROMIUM).exists():
        print(f"live map: skipped ({CHROMIUM} is not installed)")
        return 0
    workdir = Path(tempfile.mkdtemp(prefix="fleet-bench-map-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        FLEET_VAR_DIR=str(workdir),
        DJANGO_SETTINGS_MODULE="fleet.settings",
        DJANGO_ALLOW_ASYNC_UNSAFE="true",
        STATIC_ROOT=str(workdir / "static"),
    )
    os.environ.clear()
    os.environ.update(env)
    server = None
    try:
        started = time.monotonic()
        account = build_fleet()
        print(f"built {DEVICES} devices with states in {time.monotonic() - started:.1f} s")
        port = free_port()
        server = start_server(port, env)
        draw_times, latencies, drawn = measure(f"http://127.0.0.1:{port}", account)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)
    draw = statistics.median(draw_times)
    latencies.sort()
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    print(
        f"live map, {drawn} devices drawn from navigation: median {draw:.2f} s, "
        f"max {max(draw_times):.2f} s (target: < {TARGET_DRAW_S:.0f} s)"
    )
    print(
        f"HTTP push to marker moved ({len(latencies)} /pushgps pushes, 2 s delta polling): "
        f"median {statistics.median(latencies):.2f} s, p95 {p95:.2f} s "
        f"(target: p95 < {TARGET_P95_S:.0f} s)"
    )
    return 0 if drawn == DEVICES else 1


if __name__ == "__main__":
    sys.exit(main())
