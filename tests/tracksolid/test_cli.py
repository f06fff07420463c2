"""Tests for tracksolid.cli (``python -m tracksolid``)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tracksolid.cli import convert_args, main, methods_markdown
from tracksolid.client import METHODS, TracksolidClient
from tracksolid.simulator.testing import run_simulator
from tracksolid.tokens import FileTokenStore

SPEC_SECTIONS = {"3": 2, "4": 11, "5": 8, "6": 1, "7": 10, "8": 4, "9": 5}


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    with run_simulator(
        devices=10, seed=7, app_key="k", app_secret="s", user_id="demo", password="demo"
    ) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # One cache for the module's simulator, as one integrator's machine has one.
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, cache: Path) -> Path:
    monkeypatch.setenv("TRACKSOLID_APP_KEY", "k")
    monkeypatch.setenv("TRACKSOLID_APP_SECRET", "s")
    monkeypatch.setenv("TRACKSOLID_USER_ID", "demo")
    monkeypatch.setenv("TRACKSOLID_PASSWORD", "demo")
    monkeypatch.delenv("TRACKSOLID_PASSWORD_MD5", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_sign_prints_the_string_to_sign_and_the_sign(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys,
        "sign",
        "--secret",
        "SECRET",
        "app_key=ABC123",
        "method=jimi.oauth.token.get",
        "timestamp=2025-01-01 00:00:00",
        "empty=",
    )
    lines = out.splitlines()
    assert status == 0
    assert lines[0] == (
        "SECRETapp_keyABC123methodjimi.oauth.token.gettimestamp2025-01-01 00:00:00SECRET"
    )
    assert re.fullmatch(r"[0-9A-F]{32}", lines[1])


def test_python_dash_m_tracksolid_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tracksolid", "sign", "--secret", "s", "a=1"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert result.stdout.splitlines()[0] == "sa1s"


def test_the_table_covers_all_41_spec_methods_and_the_instruction_api() -> None:
    counts: dict[str, int] = {}
    for entry in METHODS:
        counts[entry.section.split(".")[0]] = counts.get(entry.section.split(".")[0], 0) + 1
        assert callable(getattr(TracksolidClient, entry.function))
    assert {k: v for k, v in counts.items() if k not in ("A", "extra")} == SPEC_SECTIONS
    assert sum(SPEC_SECTIONS.values()) == 41
    assert [e.vendor for e in METHODS if e.section == "A"] == ["sendInstruct"]
    assert len({e.vendor for e in METHODS}) == len(METHODS)


def test_the_readme_table_is_the_generated_one() -> None:
    readme = Path(__file__).parents[2] / "tracksolid" / "README.md"
    assert methods_markdown() in readme.read_text(encoding="utf-8")


def test_vendor_keys_are_converted_to_typed_arguments(sim: Any) -> None:
    client = TracksolidClient("k", "s", "demo", "x", base_url=sim.base_url)
    kwargs = convert_args(
        client.device_meida_cmd_send, {"imei": "A", "camera": "1", "mediaType": "photo"}
    )
    assert kwargs == {"imei": "A", "camera": 1, "media_type": "photo"}
    track = convert_args(
        client.device_track_list,
        {"imei": "A", "begin_time": "2024-05-01 00:00:00", "end_time": "2024-05-02T00:00:00Z"},
    )
    assert track["begin_time"].isoformat() == "2024-05-01T00:00:00+00:00"
    assert track["end_time"].isoformat() == "2024-05-02T00:00:00+00:00"


def test_call_prints_the_normalised_result_as_json(
    capsys: pytest.CaptureFixture[str], sim: Any, env: Path
) -> None:
    imeis = ",".join(sim.imeis()[:3])
    status, out, err = run(
        capsys, "call", "jimi.device.location.get", f"imeis={imeis}", "--base-url", sim.base_url
    )
    assert status == 0, err
    rows = json.loads(out)
    assert {row["imei"] for row in rows} == set(sim.imeis()[:3])
    assert rows[0]["gps_time"].endswith("+00:00")
    assert isinstance(rows[0]["online"], bool)
    assert "extra" in rows[0]


def test_repeated_calls_reuse_the_token_from_the_cache_file(
    capsys: pytest.CaptureFixture[str], sim: Any, env: Path
) -> None:
    before = sim.counters()["calls"].get("jimi.oauth.token.get", 0)
    for _ in range(3):
        status, _, err = run(capsys, "call", "jimi.user.device.list", "--base-url", sim.base_url)
        assert status == 0, err
    assert sim.counters()["calls"].get("jimi.oauth.token.get", 0) - before <= 1
    assert list(env.glob("tracksolid/token-*.json"))


def test_call_raw_prints_the_envelope_as_received(
    capsys: pytest.CaptureFixture[str], sim: Any, env: Path
) -> None:
    status, out, _ = run(
        capsys,
        "call",
        "jimi.track.device.detail",
        "imei=860000000000000",
        "--raw",
        "--base-url",
        sim.base_url,
    )
    assert status == 0
    envelope = json.loads(out)
    assert envelope["code"] == 1002 and "result" in envelope


def test_a_vendor_error_exits_1_with_the_named_error(
    capsys: pytest.CaptureFixture[str], sim: Any, env: Path
) -> None:
    status, _, err = run(
        capsys,
        "call",
        "jimi.track.device.detail",
        "imei=860000000000000",
        "--base-url",
        sim.base_url,
    )
    assert status == 1
    assert "IllegalUserOrDevice" in err and "1002" in err


def test_an_unknown_parameter_exits_2_naming_the_accepted_ones(
    capsys: pytest.CaptureFixture[str], sim: Any, env: Path
) -> None:
    status, _, err = run(
        capsys,
        "call",
        "jimi.device.alarm.list",
        "imeis=A",
        "page_no=2",
        "--base-url",
        sim.base_url,
    )
    assert status == 2
    assert "page_no is not a parameter" in err and "begin_time" in err


def test_missing_credentials_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRACKSOLID_APP_KEY", raising=False)
    status, _, err = run(capsys, "call", "jimi.user.device.list", "--region", "eu")
    assert status == 2 and "TRACKSOLID_APP_KEY" in err


def test_an_unknown_method_exits_2_unless_raw(
    capsys: pytest.CaptureFixture[str], sim: Any, env: Path
) -> None:
    status, _, err = run(capsys, "call", "jimi.no.such", "--base-url", sim.base_url)
    assert status == 2 and "unknown method" in err
    status, out, _ = run(capsys, "call", "jimi.no.such", "--raw", "--base-url", sim.base_url)
    assert status == 0 and json.loads(out)["code"] == 1001


def test_send_instruct_is_callable_from_the_cli(
    capsys: pytest.CaptureFixture[str], sim: Any, env: Path
) -> None:
    status, out, err = run(
        capsys,
        "call",
        "sendInstruct",
        f"deviceImei={sim.imeis()[0]}",
        "proNo=1",
        "cmdContent={}",
        "--base-url",
        sim.base_url,
        "--instruct-url",
        sim.instruct_url,
    )
    assert status == 0, err
    assert json.loads(out)["code"] == 200


def test_call_raw_token_get_goes_through_the_token_store(
    capsys: pytest.CaptureFixture[str], sim: Any, env: Path
) -> None:
    status, _, _ = run(capsys, "call", "jimi.user.device.list", "--base-url", sim.base_url)
    assert status == 0
    before = sim.counters()["calls"].get("jimi.oauth.token.get", 0)
    status, _, err = run(
        capsys, "call", "jimi.oauth.token.get", "--raw", "--base-url", sim.base_url
    )
    # Within a minute of the last fetch the store refuses instead of earning a 1006.
    assert status == 1 and "TokenFetchThrottled" in err
    assert sim.counters()["calls"].get("jimi.oauth.token.get", 0) == before
    # A minute passes, for the simulator and for the cached fetch time.
    sim.advance(61)
    for path in env.glob("tracksolid/token-*.json"):
        store = FileTokenStore(path)
        state = store.load()
        assert state.last_fetch_at is not None
        store.save(replace(state, last_fetch_at=state.last_fetch_at - timedelta(seconds=61)))
    status, out, err = run(
        capsys, "call", "jimi.oauth.token.get", "--raw", "--base-url", sim.base_url
    )
    assert status == 0, err
    assert json.loads(out)["result"]["accessToken"]
    status, _, err = run(capsys, "call", "jimi.user.device.list", "--base-url", sim.base_url)
    assert status == 0, err


def test_call_raw_send_instruct_posts_to_the_instruction_api(
    capsys: pytest.CaptureFixture[str], sim: Any, env: Path
) -> None:
    status, out, err = run(
        capsys,
        "call",
        "sendInstruct",
        f"deviceImei={sim.imeis()[0]}",
        "proNo=1",
        "cmdContent={}",
        "--raw",
        "--base-url",
        sim.base_url,
        "--instruct-url",
        sim.instruct_url,
    )
    assert status == 0, err
    assert json.loads(out)["data"]["_code"] == "200"
