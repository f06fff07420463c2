"""The simulated fleet: deterministic from the seed, and plausible on the road."""

from __future__ import annotations

import itertools

from tracksolid.simulator import Simulator, SimulatorConfig
from tracksolid.simulator.motion import DAY
from tracksolid.simulator.util import distance_m


def _world(seed: int, devices: int = 15) -> Simulator:
    return Simulator(SimulatorConfig(devices=devices, seed=seed))


def test_the_same_seed_builds_the_same_fleet_and_history() -> None:
    a, b = _world(11), _world(11)
    assert a.imeis() == b.imeis()
    t = a.clock.sim() - 2 * DAY
    for imei in a.imeis():
        da, db = a.world.devices[imei], b.world.devices[imei]
        assert da.device_name == db.device_name and da.model == db.model
        assert a.world.points_between(da, t, t + DAY) == b.world.points_between(db, t, t + DAY)


def test_another_seed_builds_another_fleet() -> None:
    assert _world(1).imeis() != _world(2).imeis()


def test_imeis_are_15_digits_with_a_luhn_check() -> None:
    for imei in _world(3).imeis():
        assert len(imei) == 15 and imei.isdigit()
        total = 0
        for i, ch in enumerate(reversed(imei)):
            d = int(ch) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        assert total % 10 == 0


def test_vehicles_move_plausibly_between_points() -> None:
    sim = _world(4)
    t = sim.clock.sim() - 3 * DAY
    for dev in sim.world.devices.values():
        if dev.kind == "tag":
            continue
        pts = sim.world.points_between(dev, t, t + DAY)
        for p, q in itertools.pairwise(pts):
            dt = q.t - p.t
            if dt <= 0:
                continue
            kmh = distance_m(p.lat, p.lng, q.lat, q.lng) / dt * 3.6
            assert kmh < 130, (dev.imei, p, q)
            assert q.speed < 130


def test_a_working_day_starts_and_ends_at_the_depot() -> None:
    sim = _world(5)
    day = sim.world.day_of(sim.clock.sim()) - 1
    for dev in sim.world.devices.values():
        plan = sim.world.plan(dev, day)
        depot = sim.world.city.node(*dev.depot)
        first, last = plan.segments[0], plan.segments[-1]
        assert (first.lat, first.lng) == depot
        assert (last.lat, last.lng) == depot


def test_trips_are_separated_by_ignition_off_or_idling() -> None:
    sim = _world(6)
    day = sim.world.day_of(sim.clock.sim()) - 1
    dev = next(d for d in sim.world.devices.values() if d.kind == "vehicle")
    kinds = [s.kind for s in sim.world.plan(dev, day).segments]
    for a, b in itertools.pairwise(kinds):
        assert not (a == "drive" and b == "drive")


def test_the_odometer_only_grows() -> None:
    sim = _world(7)
    dev = next(iter(sim.world.devices.values()))
    t = sim.clock.sim()
    readings = [sim.world.odometer_km(dev, t + k * 3600) for k in range(0, 48, 4)]
    assert readings == sorted(readings)
