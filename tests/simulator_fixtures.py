"""Fixtures shared by tests that talk to the vendor: a simulator on loopback and an account on it.

A pytest plugin (``pytest_plugins = ["tests.simulator_fixtures"]`` in ``tests/conftest.py``):

- ``simulator``: a 10-device simulated Tracksolid node, fresh for each test;
- ``make_simulator(**config)``: the same with another fleet size or quirks;
- ``sim_account``: a ``TracksolidAccount`` (region custom) pointing at ``simulator``;
- ``sim_client``: ``accounts.services.client_for(sim_account)`` with short 1006 back-offs;
- ``vendor_calls(sim)``: calls by vendor method since the simulator started.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from accounts.models import Organisation, Region, TracksolidAccount
from accounts.services import client_for
from tracksolid.client import TracksolidClient
from tracksolid.signing import md5_hex
from tracksolid.simulator import Simulator
from tracksolid.simulator.testing import run_simulator

SIM_APP_KEY = "sim-key"
SIM_APP_SECRET = "sim-secret"
SIM_USER = "demo"
SIM_PASSWORD = "demo-pass"
# Tests must not sleep seconds on a 1006; the production delays are 2, 5 and 15 s.
FAST_CLIENT = {"rate_limit_delays": (0.05, 0.1, 0.2), "backoff": 0.01}


def vendor_calls(sim: Simulator) -> dict[str, int]:
    return dict(sim.counters()["calls"])


def vendor_errors(sim: Simulator) -> dict[str, int]:
    return dict(sim.counters()["errors"])


@pytest.fixture
def make_simulator() -> Iterator[Callable[..., Simulator]]:
    with ExitStack() as stack:

        def make(**config: Any) -> Simulator:
            config.setdefault("devices", 10)
            config.setdefault("seed", 1)
            config.setdefault("app_key", SIM_APP_KEY)
            config.setdefault("app_secret", SIM_APP_SECRET)
            config.setdefault("user_id", SIM_USER)
            config.setdefault("password", SIM_PASSWORD)
            config.setdefault("push_interval", 0)
            return stack.enter_context(run_simulator(**config))

        yield make


@pytest.fixture
def simulator(make_simulator: Callable[..., Simulator]) -> Simulator:
    return make_simulator()


def account_on(
    sim: Simulator, *, slug: str = "simco", name: str = "Simulator"
) -> TracksolidAccount:
    organisation, _ = Organisation.objects.get_or_create(slug=slug, defaults={"name": slug.title()})
    return TracksolidAccount.objects.create(
        organisation=organisation,
        name=name,
        region=Region.CUSTOM,
        base_url=sim.base_url,
        app_key=sim.config.app_key,
        app_secret=sim.config.app_secret,
        user_id=sim.config.user_id,
        password_md5=md5_hex(sim.config.password),
    )


@pytest.fixture
def sim_account(db: None, simulator: Simulator) -> TracksolidAccount:
    return account_on(simulator)


@pytest.fixture
def sim_client(sim_account: TracksolidAccount) -> Iterator[TracksolidClient]:
    with client_for(sim_account, **FAST_CLIENT) as client:
        yield client
