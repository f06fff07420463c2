"""Start the product as `make run` does, on a fresh SQLite database with no servers, and require
/healthz to answer 200, the login page to render and the demo login to be printed."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

TIMEOUT = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 - loopback
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def main() -> int:
    var_dir = tempfile.mkdtemp(prefix="fleet-smoke-")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(FLEET_VAR_DIR=var_dir, PORT=str(port), SIM_DEVICES="10")
    log_path = Path(var_dir) / "run.log"
    with log_path.open("w") as log:
        runner = subprocess.Popen(
            ["make", "run"], stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    ok, reason = False, "timed out"
    started = time.monotonic()
    try:
        while time.monotonic() - started < TIMEOUT:
            if runner.poll() is not None:
                reason = f"make run exited with {runner.returncode}"
                break
            text = log_path.read_text()
            if "  password: " in text:
                status, body = get(f"{base}/healthz")
                login_status, login = get(f"{base}/login/")
                if status == 200 and login_status == 200 and "Log in to Fleet" in login:
                    ok = True
                    break
                reason = f"/healthz answered {status}: {body}"
            time.sleep(1)
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGINT)
            try:
                runner.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(runner.pid, signal.SIGKILL)
    elapsed = time.monotonic() - started
    if not ok:
        print(f"embedded mode failed: {reason}\n--- make run log ---\n{log_path.read_text()}")
        # The simulator logs to its own file; its last lines say why it stopped.
        for other in sorted((Path(var_dir) / "log").glob("*.log")):
            print(f"--- {other.name} (last 40 lines) ---")
            print("\n".join(other.read_text(errors="replace").splitlines()[-40:]))
        return 1
    print(
        f"embedded mode: /healthz 200 and demo login printed after {elapsed:.0f} s; stopped"
        f" cleanly with code {runner.returncode}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
