"""Simulator test fixtures: a shared fleet on loopback, a signed caller, a push receiver."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests  # noqa: TID251 - loopback calls to the simulator under test

from tracksolid.signing import md5_hex, sign
from tracksolid.simulator import Simulator
from tracksolid.simulator.testing import run_simulator

APP_KEY = "test-key"
APP_SECRET = "test-secret"


def now_str(offset: float = 0.0) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() + offset))


def sim_str(sim: Simulator, offset: float = 0.0) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(sim.clock.sim() + offset))


def common(method: str, **extra: Any) -> dict[str, str]:
    params = {
        "method": method,
        "app_key": APP_KEY,
        "timestamp": now_str(),
        "sign_method": "md5",
        "v": "1.0",
        "format": "json",
    }
    params.update({k: str(v) for k, v in extra.items() if v is not None})
    return params


def signed(method: str, secret: str = APP_SECRET, **extra: Any) -> dict[str, str]:
    params = common(method, **extra)
    params["sign"] = sign(params, secret)
    return params


@dataclass
class Api:
    """Calls the simulator the documented way: everything in a signed form body."""

    sim: Simulator
    session: requests.Session = field(default_factory=requests.Session)
    token: str = ""

    def raw(self, method: str, **params: Any) -> requests.Response:
        return self.session.post(self.sim.base_url, data=signed(method, **params), timeout=10)

    def __call__(self, method: str, **params: Any) -> dict[str, Any]:
        if self.token and "access_token" not in params:
            params["access_token"] = self.token
        answer: dict[str, Any] = self.raw(method, **params).json()
        return answer

    def login(
        self,
        user: str = "demo",
        password: str = "demo",  # noqa: S107 - the demo login
        expires_in: int = 7200,
    ) -> dict[str, Any]:
        answer = self(
            "jimi.oauth.token.get",
            user_id=user,
            user_pwd_md5=md5_hex(password),
            expires_in=expires_in,
        )
        if answer["code"] == 0:
            self.token = answer["result"]["accessToken"]
        return answer


def make_api(**kwargs: Any) -> Iterator[Api]:
    kwargs.setdefault("devices", 12)
    kwargs.setdefault("seed", 7)
    with run_simulator(app_key=APP_KEY, app_secret=APP_SECRET, **kwargs) as sim:
        api = Api(sim)
        yield api
        api.session.close()


@pytest.fixture(scope="module")
def api() -> Iterator[Api]:
    """A logged-in caller on a 12-device fleet shared by a test module."""
    for a in make_api(command_failure_rate=0.0):
        assert a.login()["code"] == 0
        yield a


@pytest.fixture
def fresh() -> Iterator[Api]:
    """A caller on its own simulator, not logged in, for tests that change service state."""
    yield from make_api(devices=10, seed=3)


def by_kind(sim: Simulator, kind: str) -> str:
    return next(
        d.imei for d in sim.world.devices.values() if d.kind == kind and not d.never_reported
    )


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    content_type: str
    body: bytes

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}

    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """A tiny push receiver on loopback that records every request and acks like our product."""

    def __init__(self, status: int = 200) -> None:
        self.requests: list[Received] = []
        self.lock = threading.Lock()
        self.status = status
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                # Headers and body go out as two writes: without this, delayed ACKs cost 40 ms.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                url = urlsplit(self.path)
                with outer.lock:
                    outer.requests.append(
                        Received(
                            url.path,
                            parse_qs(url.query),
                            self.headers.get("Content-Type", ""),
                            body,
                        )
                    )
                code = 200 if url.path.endswith("/pushtag") else 0
                reply = json.dumps({"code": code, "msg": "success"}).encode()
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/push/key123"

    def at(self, endpoint: str) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.path.endswith("/" + endpoint)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


Factory = Callable[..., Receiver]
