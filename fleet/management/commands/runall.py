"""Run the whole product in one foreground command: web, worker, scheduler and the simulator.

What ``make run`` calls. It prepares the database and the demo login, starts each process, waits
for /healthz, prints the URL and login, and stops everything on Ctrl-C (or when one process dies).
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from fleet import demo


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def simulator_command(
    python: str, *, port: int, devices: int, push_url: str, push_token: str
) -> list[str]:
    """The simulator's command line. Values are joined to their flags with ``=``: a generated
    push token may start with ``-``, which argparse would otherwise read as the next flag."""
    options = {
        "host": "127.0.0.1",
        "port": port,
        "devices": devices,
        "seed": 1,
        "app-key": demo.SIM_APP_KEY,
        "app-secret": demo.SIM_APP_SECRET,
        "user-id": demo.SIM_USER_ID,
        "password": demo.SIM_PASSWORD,
        "push-url": push_url,
        "push-token": push_token,
    }
    return [python, "-m", "tracksolid.simulator", *(f"--{k}={v}" for k, v in options.items())]


class _Interrupted(BaseException):
    """Raised by the SIGINT/SIGTERM handler: unwinds to the clean stop, with no traceback.

    A ``BaseException``, like ``KeyboardInterrupt``, so no ``except Exception`` swallows it.
    """


class Command(BaseCommand):
    help = "Set up and run web, worker, scheduler and the Tracksolid simulator (make run)."
    _signalled: int = 0  # the first SIGINT/SIGTERM received, 0 before any
    _interruptible: bool = True  # whether that signal may raise _Interrupted now

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--no-simulator", action="store_true", help="Do not start the demo fleet simulator."
        )
        parser.add_argument(
            "--devices",
            type=int,
            default=int(os.environ.get("SIM_DEVICES", "50")),
            help="Size of the simulated demo fleet.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Steps, with Ctrl-C (SIGINT) and SIGTERM honoured at every one of them:

        1. set up (migrate, static files, demo login): a signal interrupts it, nothing to stop;
        2. start the processes: a signal is only noted, so every started child is known;
        3. wait for /healthz and supervise: a signal interrupts the wait;
        4. stop every child (always), then return quietly: no traceback, exit status 0.
        """
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        self._signalled = 0
        self._interruptible = True
        for sig in previous:
            signal.signal(sig, self._on_signal)
        try:
            self._run(options)
        except _Interrupted:
            pass
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _on_signal(self, signum: int, _frame: object) -> None:
        first = not self._signalled
        self._signalled = self._signalled or signum
        if first and self._interruptible:
            raise _Interrupted

    def _run(self, options: dict[str, Any]) -> None:
        host, port = options["host"], options["port"]
        self._check_port_free(host, port)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        login = demo.ensure_demo_login()

        python = sys.executable
        commands: dict[str, list[str]] = {
            "web": [
                python,
                "-m",
                "gunicorn",
                "fleet.wsgi",
                "--bind",
                f"{host}:{port}",
                "--workers",
                os.environ.get("WEB_CONCURRENCY", "2"),
                "--threads",
                "4",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "5",
            ],
            "worker": [
                python,
                "-m",
                "celery",
                "-A",
                "fleet",
                "worker",
                "--loglevel",
                "INFO",
                "--pool",
                "threads",
                "--concurrency",
                "4",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            "scheduler": [python, "-m", "celery", "-A", "fleet", "beat", "--loglevel", "INFO"],
        }
        simulator_available = importlib.util.find_spec("tracksolid.simulator") is not None
        demo_account_id: int | None = None
        if simulator_available and not options["no_simulator"]:
            sim_port = int(os.environ.get("SIM_PORT") or free_port())
            base_url = f"http://127.0.0.1:{sim_port}/route/rest"
            account = demo.ensure_simulator_account(base_url=base_url)
            demo_account_id = account.pk
            commands["simulator"] = simulator_command(
                python,
                port=sim_port,
                devices=options["devices"],
                push_url=account.push_url(f"http://{host}:{port}"),
                push_token=account.push_token,
            )

        self._interruptible = False  # a signal while starting is noted, not raised
        processes: dict[str, subprocess.Popen[bytes]] = {}
        try:
            self._start(commands, processes)
            self._interruptible = True
            if self._signalled:
                raise _Interrupted
            url = f"http://{host}:{port}/"
            self._wait_healthy(url, processes)
            if demo_account_id is not None:
                # Beat's first runs are an interval away; the demo wants names, yesterday's
                # trails, trips and alarms now.
                from telemetry.tasks import catch_up_account

                catch_up_account.delay(demo_account_id, days=2)
            self.stdout.write(
                "\nFleet is running.\n"
                f"  url: {url}\n"
                f"  username: {login.username}\n"
                f"  password: {login.password}\n"
                f"  admin: {url}admin/\n"
                f"  logs of the simulated Tracksolid cloud: {settings.VAR_DIR / 'log'}\n"
                "Press Ctrl-C to stop.\n"
            )
            self.stdout.flush()
            self._supervise(processes)
        except _Interrupted:
            self.stdout.write("\nStopping…")
            self.stdout.flush()
            raise
        finally:
            self._interruptible = False  # a second Ctrl-C must not cut the stopping short
            self._stop(processes)

    def _check_port_free(self, host: str, port: int) -> None:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
            except OSError:
                raise CommandError(
                    f"{host}:{port} is already in use; stop what runs there or run"
                    " `PORT=8001 make run`."
                ) from None

    def _start(
        self, commands: dict[str, list[str]], processes: dict[str, subprocess.Popen[bytes]]
    ) -> None:
        """Start each command into ``processes`` (filled as they start, so a failure part-way
        still leaves every started child for ``_stop``)."""
        environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
        log_dir = settings.VAR_DIR / "log"
        log_dir.mkdir(parents=True, exist_ok=True)
        for name, command in commands.items():
            if self._signalled:
                return
            # The simulator's banner (its own credentials) would be mistaken for the demo login.
            output = (log_dir / f"{name}.log").open("ab") if name == "simulator" else None
            # Own process group, so Ctrl-C reaches us once and we stop children in order.
            processes[name] = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=environment,
                start_new_session=True,
                stdout=output,
                stderr=subprocess.STDOUT if output else None,
            )

    def _wait_healthy(self, url: str, processes: dict[str, subprocess.Popen[bytes]]) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            for name, process in processes.items():
                if process.poll() is not None:
                    raise CommandError(f"{name} exited with code {process.returncode}")
            try:
                with urllib.request.urlopen(url + "healthz", timeout=2):  # noqa: S310 - loopback
                    return
            except OSError:
                time.sleep(0.5)
        raise CommandError("the web process did not answer /healthz within 90 s")

    def _supervise(self, processes: dict[str, subprocess.Popen[bytes]]) -> None:
        """Until a signal (which raises ``_Interrupted``) or a child's death."""
        while True:
            for name, process in processes.items():
                if process.poll() is not None:
                    raise CommandError(f"{name} exited with code {process.returncode}; stopping")
            time.sleep(0.5)

    def _stop(self, processes: dict[str, subprocess.Popen[bytes]]) -> None:
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
