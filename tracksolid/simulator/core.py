"""The Simulator: one world, one clock, one HTTP server and one pusher, started and stopped."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from . import api_commands as _api_commands  # noqa: F401 - registers methods
from . import api_devices as _api_devices  # noqa: F401 - registers methods
from . import api_media as _api_media  # noqa: F401 - registers methods
from . import api_tracking as _api_tracking  # noqa: F401 - registers methods
from .alarms import Alarm
from .clock import SimClock
from .config import SimulatorConfig
from .protocol import Faults, RateLimiter
from .state import Command, Counters, Fence, HistoryList, MediaFile, Token
from .world import World

if TYPE_CHECKING:
    from .pusher import Pusher


class Simulator:
    """A Tracksolid Pro peer on loopback: ``start()``, use ``base_url``, ``stop()``."""

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config or SimulatorConfig()
        self.seed = self.config.seed
        self.clock = SimClock(self.config.speedup)
        self.world = World(self.config, self.clock.sim())
        self.stats = Counters()
        self.faults: Faults = Faults(self.config.seed)
        self.limiter = RateLimiter(self.config.rate_limit)
        self.app_keys: dict[str, tuple[str, str]] = {
            self.config.app_key: (self.config.app_secret, self.config.node)
        }
        for key, secret, node in self.config.extra_app_keys:
            self.app_keys[key] = (secret, node)
        self.tokens: dict[str, Token] = {}
        self.refresh_tokens: dict[str, str] = {}
        self.last_token_get: dict[tuple[str, str], float] = {}
        self.lbs_used: dict[tuple[str, int], int] = {}
        self.shares: dict[str, str] = {}
        self.fences: dict[str, Fence] = {}
        self.commands: list[Command] = []
        self.media: list[MediaFile] = []
        self.history_lists: dict[str, HistoryList] = {}
        self.injected_alarms: list[Alarm] = []
        self.raw_replies: list[tuple[float, str, str]] = []
        self.next_id = 1000
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.pusher: Pusher | None = None
        self.host = self.config.host
        self.port = self.config.port

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> Simulator:
        from .pusher import Pusher
        from .server import SimHTTPServer

        self._server = SimHTTPServer((self.config.host, self.config.port), self)
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.2},
            name="tracksolid-sim-http",
            daemon=True,
        )
        self._thread.start()
        self.pusher = Pusher(self)
        if self.config.push_url and self.config.push_interval > 0:
            self.pusher.start()
        return self

    def stop(self) -> None:
        if self.pusher is not None:
            self.pusher.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def root_url(self) -> str:
        """Where clients reach us; the base of the media, stream and share links we hand out."""
        if self.config.public_url:
            return self.config.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host  # noqa: S104
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/route/rest"

    @property
    def instruct_url(self) -> str:
        return self.root_url

    def new_id(self) -> str:
        with self.world.lock:
            self.next_id += 1
            return str(self.next_id)

    # --- control (mirrors /_sim/) -------------------------------------------------------------

    def imeis(self) -> list[str]:
        return list(self.world.devices)

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def set_speedup(self, speedup: float) -> None:
        self.clock.set_speedup(speedup)

    def inject_fault(
        self,
        kind: str = "error",
        *,
        rate: float = 1.0,
        method: str | None = None,
        code: int = -1,
        message: str = "system busy",
        latency: float = 0.0,
        body: str = "java.lang.NullPointerException",
        status: int = 502,
        count: int | None = None,
    ) -> int:
        if kind not in ("error", "latency", "timeout", "malformed", "http"):
            raise ValueError(f"unknown fault kind {kind!r}")
        fault = self.faults.add(
            kind=kind,
            rate=rate,
            method=method,
            code=code,
            message=message,
            latency=latency,
            body=body,
            status=status,
            remaining=count,
        )
        return fault.fault_id

    def clear_faults(self) -> None:
        self.faults.clear()

    def trigger_alarm(self, imei: str, kind: str) -> Alarm:
        from .alarms import ALARM_TYPES

        if kind not in ALARM_TYPES:
            raise ValueError(f"unknown alarm type {kind!r}; known: {sorted(ALARM_TYPES)}")
        dev = self.world.devices[imei]
        now = self.clock.sim()
        s = self.world.last_point(dev, now)
        lat, lng, speed = (s.lat, s.lng, s.speed) if s else (0.0, 0.0, 0.0)
        alarm = Alarm(imei, kind, now, lat, lng, speed)
        with self.world.lock:
            self.injected_alarms.append(alarm)
        return alarm

    def set_offline(self, imei: str, offline: bool = True) -> None:
        if imei not in self.world.devices:
            raise KeyError(imei)
        self.world.set_offline(imei, offline, self.clock.sim())

    def expire_tokens(self) -> None:
        with self.world.lock:
            for token in self.tokens.values():
                token.expires_at = 0.0

    def counters(self) -> dict[str, Any]:
        return self.stats.snapshot()

    def push_now(self) -> dict[str, int]:
        """Send one round of every push type synchronously; returns items sent per type."""
        from .pusher import Pusher

        if not self.config.push_url:
            return {}
        if self.pusher is None:
            self.pusher = Pusher(self)
        return self.pusher.push_round(force_all=True)

    def push_verify(self, endpoint: str = "pushgps") -> None:
        """POST an empty body, as the vendor's "verify" does when a push URL is registered."""
        from .pusher import Pusher

        if not self.config.push_url:
            return
        if self.pusher is None:
            self.pusher = Pusher(self)
        self.pusher.verify(endpoint)

    def state(self) -> dict[str, Any]:
        from .util import fmt

        now = self.clock.sim()
        return {
            "sim_time": fmt(now),
            "wall_time": fmt(self.clock.wall()),
            "speedup": self.clock.speedup,
            "node": self.config.node,
            "devices": len(self.world.devices),
            "base_url": self.base_url,
        }
