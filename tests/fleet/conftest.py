"""Fixtures of the command tests (``test_commands.py``, ``test_api_commands.py``): a simulator
whose commands never fail at random and are answered a second after they are sent, an account
on it, and one of its vans, online."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import TracksolidAccount
from fleet.models import Device
from tests.simulator_fixtures import account_on
from tracksolid.simulator import Simulator


def device_of_kind(sim: Simulator, account: TracksolidAccount, kind: str, **fields: Any) -> Device:
    """Our device for the simulator's first device of ``kind``, forced online."""
    imei = next(d.imei for d in sim.world.devices.values() if d.kind == kind)
    sim.set_offline(imei, False)
    return Device.objects.create(
        imei=imei, organisation=account.organisation, account=account, mc_type=kind, **fields
    )


@pytest.fixture
def sim(make_simulator: Any) -> Simulator:
    return make_simulator(command_failure_rate=0.0, command_delay=1.0)


@pytest.fixture
def account(db: None, sim: Simulator) -> TracksolidAccount:
    return account_on(sim)


@pytest.fixture
def van(sim: Simulator, account: TracksolidAccount) -> Device:
    return device_of_kind(sim, account, "vehicle", device_name="Van 1")
