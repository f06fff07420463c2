"""Test helpers: a started simulator as a context manager, and a signed-call helper."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests  # noqa: TID251 - tracksolid/ is the package allowed to talk HTTP

from tracksolid.signing import md5_hex, sign

from .config import SimulatorConfig
from .core import Simulator


@contextmanager
def run_simulator(**config_kwargs: Any) -> Iterator[Simulator]:
    """Start a simulator on a free loopback port (unless told otherwise) and stop it after."""
    config_kwargs.setdefault("port", 0)
    config_kwargs.setdefault("host", "127.0.0.1")
    sim = Simulator(SimulatorConfig(**config_kwargs))
    sim.start()
    try:
        yield sim
    finally:
        sim.stop()


def signed_params(sim: Simulator, method: str, **params: Any) -> dict[str, str]:
    """Common parameters plus ``params``, signed with the simulator's app secret (v=1.0)."""
    out = {
        "method": method,
        "app_key": sim.config.app_key,
        "timestamp": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        "sign_method": "md5",
        "v": "1.0",
        "format": "json",
        **{k: str(v) for k, v in params.items() if v is not None},
    }
    out["sign"] = sign(out, sim.config.app_secret)
    return out


def call(sim: Simulator, method: str, session: Any = None, **params: Any) -> dict[str, Any]:
    """POST one signed form call and return the decoded JSON answer."""
    http = session or requests
    resp = http.post(sim.base_url, data=signed_params(sim, method, **params), timeout=10)
    result: dict[str, Any] = resp.json()
    return result


def login(sim: Simulator, session: Any = None, expires_in: int = 7200) -> str:
    """Get an access token for the main account."""
    answer = call(
        sim,
        "jimi.oauth.token.get",
        session,
        user_id=sim.config.user_id,
        user_pwd_md5=md5_hex(sim.config.password),
        expires_in=expires_in,
    )
    if answer["code"] != 0:
        raise RuntimeError(f"token.get failed: {answer}")
    token: str = answer["result"]["accessToken"]
    return token
