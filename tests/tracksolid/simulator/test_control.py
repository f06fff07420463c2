"""The /_sim/ control interface over HTTP, and the command line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import requests  # noqa: TID251 - loopback calls to the simulator under test

from .conftest import Api


def _ctl(
    api: Api, verb: str, path: str, body: dict[str, object] | None = None
) -> requests.Response:
    return requests.request(verb, f"{api.sim.root_url}/_sim/{path}", json=body, timeout=5)


def test_state_reports_the_clock_and_the_node(fresh: Api) -> None:
    state = _ctl(fresh, "GET", "state").json()
    assert state["node"] == "hk"
    assert state["devices"] == 10
    assert state["base_url"] == fresh.sim.base_url


def test_advance_moves_the_simulated_clock(fresh: Api) -> None:
    before = fresh.sim.clock.sim()
    _ctl(fresh, "POST", "advance", {"seconds": 3600})
    assert fresh.sim.clock.sim() - before >= 3600


def test_speedup_changes_the_pace(fresh: Api) -> None:
    assert _ctl(fresh, "POST", "speedup", {"speedup": 60}).json()["speedup"] == 60
    before = fresh.sim.clock.sim()
    time.sleep(0.1)
    assert fresh.sim.clock.sim() - before >= 5


def test_faults_are_injected_listed_and_cleared(fresh: Api) -> None:
    fresh.login()
    fid = _ctl(
        fresh,
        "POST",
        "faults",
        {
            "kind": "error",
            "code": 1006,
            "message": "Illegal access, request frequency is too high",
            "method": "jimi.user.device.list",
        },
    ).json()["id"]
    assert [f["fault_id"] for f in _ctl(fresh, "GET", "faults").json()] == [fid]
    assert fresh("jimi.user.device.list", target="demo")["code"] == 1006
    _ctl(fresh, "DELETE", "faults")
    assert fresh("jimi.user.device.list", target="demo")["code"] == 0


def test_an_alarm_can_be_triggered(fresh: Api) -> None:
    imei = fresh.sim.imeis()[0]
    answer = _ctl(fresh, "POST", "alarm", {"imei": imei, "type": "power_cut"}).json()
    assert answer["alertTypeId"] == "2"
    assert _ctl(fresh, "POST", "alarm", {"imei": imei, "type": "nonsense"}).status_code == 400


def test_a_device_can_be_taken_offline_and_back(fresh: Api) -> None:
    imei = fresh.sim.imeis()[0]
    _ctl(fresh, "POST", "offline", {"imei": imei, "offline": True})
    assert not fresh.sim.world.is_online(fresh.sim.world.devices[imei], fresh.sim.clock.sim())
    _ctl(fresh, "POST", "offline", {"imei": imei, "offline": False})
    assert fresh.sim.world.is_online(fresh.sim.world.devices[imei], fresh.sim.clock.sim())


def test_counters_count_calls_by_method_and_errors_by_code(fresh: Api) -> None:
    fresh.login()
    fresh("jimi.user.device.list", target="demo")
    fresh("jimi.track.device.detail", imei="1")
    counters = _ctl(fresh, "GET", "counters").json()
    assert counters["calls"]["jimi.user.device.list"] == 1
    assert counters["errors"]["1002"] == 1
    assert _ctl(fresh, "POST", "counters/reset").json()["calls_total"] == 0


def test_expire_tokens_makes_the_next_call_answer_1004(fresh: Api) -> None:
    fresh.login()
    _ctl(fresh, "POST", "expire_tokens")
    assert fresh("jimi.user.device.list", target="demo")["code"] == 1004


def test_an_unknown_route_lists_the_known_ones(fresh: Api) -> None:
    resp = _ctl(fresh, "GET", "nope")
    assert resp.status_code == 404
    assert "POST /_sim/advance" in resp.json()["routes"]


def test_the_command_line_prints_its_base_url_and_stops_on_sigterm() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tracksolid.simulator",
            "--port",
            "0",
            "--devices",
            "5",
            "--app-key",
            "KEY",
            "--app-secret",
            "SECRET",
            "--user-id",
            "demo",
            "--password",
            "demo",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        lines = {}
        while "password" not in lines:
            line = proc.stdout.readline()
            assert line, "the simulator exited early"
            key, _, value = line.strip().partition(": ")
            lines[key] = value
        assert lines["base_url"].startswith("http://127.0.0.1:")
        assert lines["base_url"].endswith("/route/rest")
        assert lines["app_key"] == "KEY" and lines["app_secret"] == "SECRET"
        root = lines["base_url"].removesuffix("/route/rest")
        assert requests.get(f"{root}/_sim/state", timeout=5).json()["devices"] == 5
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def _timed(api: Api, method: str, **params: object) -> tuple[float, dict[str, object]]:
    start = time.monotonic()
    answer = api(method, **params)
    return time.monotonic() - start, answer


def test_a_latency_fault_delays_the_answer_without_changing_it(fresh: Api) -> None:
    fresh.login()
    _ctl(
        fresh,
        "POST",
        "faults",
        {"kind": "latency", "latency": 0.4, "method": "jimi.user.device.list", "count": 1},
    )
    slow, answer = _timed(fresh, "jimi.user.device.list", target="demo")
    assert slow >= 0.4
    assert answer["code"] == 0 and answer["result"]
    fast, again = _timed(fresh, "jimi.user.device.list", target="demo")
    assert fast < 0.4  # count=1: only the first call was delayed
    assert again["result"] == answer["result"]


def test_a_latency_fault_spares_other_methods(fresh: Api) -> None:
    fresh.login()
    fresh.sim.inject_fault("latency", latency=1.0, method="jimi.device.track.list")
    elapsed, answer = _timed(fresh, "jimi.user.device.list", target="demo")
    assert answer["code"] == 0
    assert elapsed < 1.0


def test_the_compose_simulator_command_takes_every_setting_from_the_environment() -> None:
    """docker-compose.yml's simulator: SIM_* variables reach the flags, a token starting with
    "-" survives (values are joined with "="), and media links default to the service name."""
    import re
    from pathlib import Path

    import yaml

    from tracksolid.simulator.__main__ import build_parser, config_from

    compose = yaml.safe_load((Path(__file__).parents[3] / "docker-compose.yml").read_text())
    command = compose["services"]["simulator"]["command"]

    def expanded(env: dict[str, str]) -> list[str]:
        def value(m: re.Match[str]) -> str:
            return env.get(m.group(1)) or m.group(2)

        return [re.sub(r"\$\{(\w+):-([^}]*)\}", value, part) for part in command]

    default = config_from(build_parser().parse_args(expanded({})[3:]))
    assert default.public_url == "http://simulator:8765"
    assert not default.push_url
    env = {
        "SIM_APP_KEY": "k",
        "SIM_APP_SECRET": "s",
        "SIM_USER_ID": "u",
        "SIM_PASSWORD": "p",
        "SIM_PUSH_URL": "http://web:8000/push/abc",
        "SIM_PUSH_TOKEN": "-starts-with-a-dash",
        "SIM_PUBLIC_URL": "http://sim.example:8765",
    }
    config = config_from(build_parser().parse_args(expanded(env)[3:]))
    assert (config.app_key, config.app_secret, config.user_id, config.password) == (
        "k",
        "s",
        "u",
        "p",
    )
    assert (config.push_url, config.push_token) == (env["SIM_PUSH_URL"], env["SIM_PUSH_TOKEN"])
    assert config.public_url == env["SIM_PUBLIC_URL"]
