"""Tests for fleet/management/commands/runall.py: the simulator's command line, and Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from fleet import demo
from fleet.management.commands.runall import simulator_command
from tracksolid.simulator.__main__ import build_parser

ROOT = Path(__file__).parents[2]


def test_simulator_command_survives_a_push_token_that_starts_with_a_dash():
    # secrets.token_urlsafe starts with "-" one time in 64; argparse read it as a flag and the
    # simulator exited with code 2, failing `make run`.
    argv = simulator_command(
        "python", port=9, devices=10, push_url="http://x/push/k", push_token="-abc_def"
    )

    args = build_parser().parse_args(argv[3:])

    assert args.push_token == "-abc_def"
    assert args.push_url == "http://x/push/k"
    assert (args.port, args.devices) == (9, 10)
    assert args.app_secret == demo.SIM_APP_SECRET


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, process group) of a live process, None once it is gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else (fields[0], int(fields[1]), int(fields[2]))


def _processes() -> dict[int, tuple[str, int, int]]:
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) is not None:
            found[int(entry)] = stat
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def dead_broker() -> Iterator[str]:
    """A Redis URL on a loopback port bound but not listening: /healthz answers 503 for good."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"redis://127.0.0.1:{sock.getsockname()[1]}/0"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads children from /proc")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_the_health_wait_stops_every_child_without_a_traceback(
    tmp_path: Path, dead_broker: str, signum: int
) -> None:
    environment = {
        **os.environ,
        "FLEET_VAR_DIR": str(tmp_path),
        "REDIS_URL": dead_broker,  # keeps runall in its 90 s wait for a healthy /healthz
        "SECRET_KEY": "test",
        "WEB_CONCURRENCY": "1",
    }
    environment.pop("DATABASE_URL", None)  # embedded: a fresh SQLite file under tmp_path
    runall = subprocess.Popen(
        [sys.executable, "manage.py", "runall", "--no-simulator", f"--port={_free_port()}"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    groups: set[int] = set()
    try:
        deadline = time.monotonic() + 90
        while len(groups) < 3 and time.monotonic() < deadline and runall.poll() is None:
            groups = {pid for pid, (_, ppid, _) in _processes().items() if ppid == runall.pid}
            time.sleep(0.2)
        assert len(groups) == 3, "web, worker and scheduler did not start"
        time.sleep(1.0)  # inside the health wait: /healthz keeps answering 503
        members = {pid for pid, (_, _, pgid) in _processes().items() if pgid in groups}
        runall.send_signal(signum)
        out, err = runall.communicate(timeout=60)
    finally:
        if runall.poll() is None:
            runall.kill()
            runall.communicate()
        for group in groups:  # only if the test failed: leave nothing of ours running
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)

    assert runall.returncode == 0, err[-2000:]
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert "Stopping…" in out
    assert "Fleet is running" not in out
    assert not [pid for pid in members if _stat(pid) is not None]
