"""Tests for telemetry.pollers against the simulator: vendor calls per cycle, cursors, no dupes."""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from accounts.models import TracksolidAccount
from accounts.services import client_for
from fleet.models import Device
from fleet.services import sync_devices
from telemetry import pollers
from telemetry.cursors import claim_key
from telemetry.models import Alarm, DeviceState, Heartbeat, PollCursor, Position, Source, Stop, Trip
from tests.simulator_fixtures import FAST_CLIENT, account_on, vendor_calls, vendor_errors
from tracksolid.client import TracksolidClient
from tracksolid.simulator import Simulator

pytestmark = pytest.mark.django_db


def freeze(sim: Simulator) -> None:
    """Stop the simulated fleet's clock, so two runs see the same data."""
    sim.set_speedup(1e-9)


def synced(account: TracksolidAccount, client: TracksolidClient) -> None:
    sync_devices(account=account, client=client, detail_budget=1000, detail_pause=0)


def test_locations_take_one_vendor_call_for_the_whole_account(
    make_simulator: Callable[..., Simulator],
) -> None:
    sim = make_simulator(devices=120)
    account = account_on(sim)
    with client_for(account, **FAST_CLIENT) as client:
        result = pollers.poll_locations(account=account, client=client)
    calls = vendor_calls(sim)
    assert calls == {"jimi.oauth.token.get": 1, "jimi.user.device.location.list": 1}
    assert "1006" not in vendor_errors(sim)
    # One device never reported (left out by the vendor), one expired (no coordinates).
    assert result.fetched == 119
    assert Position.objects.filter(source=Source.POLL).count() == 118
    assert DeviceState.objects.filter(vendor_online__isnull=False).count() == 119
    assert Device.objects.filter(account=account).count() == 119
    # Devices first seen in the poll carry the vendor's name until the device sync fills them.
    assert not Device.objects.filter(device_name="").exists()


def test_a_second_location_poll_stores_nothing_twice(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    freeze(simulator)
    pollers.poll_locations(account=sim_account, client=sim_client)
    positions, heartbeats = Position.objects.count(), Heartbeat.objects.count()
    assert positions and heartbeats

    pollers.poll_locations(account=sim_account, client=sim_client)

    assert (Position.objects.count(), Heartbeat.objects.count()) == (positions, heartbeats)
    assert vendor_calls(simulator)["jimi.user.device.location.list"] == 2


def test_locations_keep_the_vendor_online_flag_and_heartbeat(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    imei = next(d.imei for d in simulator.world.devices.values() if d.kind == "vehicle")
    simulator.set_offline(imei)
    pollers.poll_locations(account=sim_account, client=sim_client)
    state = DeviceState.objects.get(device__imei=imei)
    assert state.vendor_online is False
    assert state.last_heartbeat_at is not None
    assert DeviceState.objects.filter(vendor_online=True).exists()


def test_the_location_cursor_moves_to_the_newest_fix(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    result = pollers.poll_locations(account=sim_account, client=sim_client)
    cursor = PollCursor.objects.get(account=sim_account, poller="locations", scope="")
    newest = Position.objects.order_by("-gps_time").values_list("gps_time", flat=True).first()
    assert cursor.position == newest == result.end
    assert cursor.last_run_at is not None and cursor.last_error == ""


def test_a_poll_that_finds_its_cursor_claimed_does_nothing(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    cache.add(claim_key(sim_account.pk, "locations"), "another-run", timeout=60)
    result = pollers.poll_locations(account=sim_account, client=sim_client)
    assert result.ran is False
    assert vendor_calls(simulator) == {}
    assert not Position.objects.exists()


def test_the_claim_is_released_when_a_run_ends(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    assert pollers.poll_locations(account=sim_account, client=sim_client).ran
    assert cache.get(claim_key(sim_account.pk, "locations")) is None
    assert pollers.poll_locations(account=sim_account, client=sim_client).ran


def test_a_failed_run_keeps_its_error_on_the_cursor_and_releases_the_claim(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    simulator.inject_fault("error", method="jimi.user.device.location.list", code=1100)
    with pytest.raises(Exception, match="1100"):
        pollers.poll_locations(account=sim_account, client=sim_client)
    cursor = PollCursor.objects.get(account=sim_account, poller="locations")
    assert "1100" in cursor.last_error
    assert cache.get(claim_key(sim_account.pk, "locations")) is None


def test_a_full_poll_cycle_of_120_devices_takes_the_minimum_vendor_calls(
    make_simulator: Callable[..., Simulator],
) -> None:
    sim = make_simulator(devices=120)
    account = account_on(sim)
    n_batches = math.ceil(120 / 50)
    with client_for(account, **FAST_CLIENT) as client:
        synced(account, client)
        sim.stats.reset()
        pollers.poll_locations(account=account, client=client)
        pollers.poll_trips(account=account, client=client)
        pollers.poll_stops(account=account, client=client)
        pollers.poll_alarms(account=account, client=client)
    assert vendor_calls(sim) == {
        "jimi.user.device.location.list": 1,
        "jimi.device.track.mileage": n_batches,
        "jimi.open.platform.report.parking": 2 * n_batches,
        "jimi.device.alarm.list": n_batches,
    }
    assert vendor_errors(sim) == {}
    assert Trip.objects.exists() and Stop.objects.exists() and Alarm.objects.exists()


def test_a_poll_cycle_of_1000_devices_takes_81_vendor_calls_and_no_1006(
    make_simulator: Callable[..., Simulator],
) -> None:
    sim = make_simulator(devices=1000)
    account = account_on(sim)
    with client_for(account, **FAST_CLIENT) as client:
        client.token()
        sim.stats.reset()
        # The location poll alone brings the devices in (the vendor leaves out the one that
        # never reported); the other pollers ask for those.
        pollers.poll_locations(account=account, client=client)
        pollers.poll_trips(account=account, client=client)
        pollers.poll_stops(account=account, client=client)
        pollers.poll_alarms(account=account, client=client)
    batches = math.ceil(999 / 50)
    calls = vendor_calls(sim)
    assert calls == {
        "jimi.user.device.location.list": 1,
        "jimi.device.track.mileage": batches,
        "jimi.open.platform.report.parking": 2 * batches,
        "jimi.device.alarm.list": batches,
    }
    assert sum(calls.values()) == 81
    assert vendor_errors(sim) == {}


def test_trips_are_stored_once_and_the_cursor_advances(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    synced(sim_account, sim_client)
    now = timezone.now()
    first = pollers.poll_trips(
        account=sim_account, client=sim_client, now=now - timedelta(minutes=15)
    )
    trips = Trip.objects.count()
    assert trips and first.fetched == trips
    cursor = PollCursor.objects.get(account=sim_account, poller="trips")
    assert cursor.position == first.end

    second = pollers.poll_trips(account=sim_account, client=sim_client, now=now)

    assert second.begin == first.end - pollers.TRIP_OVERLAP
    # The overlap brings the first run's trips again; only trips that ended since are new.
    assert second.fetched >= trips
    assert Trip.objects.count() == trips + Trip.objects.filter(end_time__gt=first.end).count()
    assert PollCursor.objects.get(pk=cursor.pk).position == second.end
    assert all(t.distance_km and t.distance_km < 500 for t in Trip.objects.all())


@pytest.mark.parametrize("unit", ["m", "km"])
def test_trip_distances_are_read_in_the_unit_the_account_is_set_to(
    make_simulator: Callable[..., Simulator], db: None, unit: str
) -> None:
    sim = make_simulator(mileage_unit=unit)
    account = account_on(sim)
    account.mileage_unit = unit
    account.save(update_fields=["mileage_unit"])
    with client_for(account, **FAST_CLIENT) as client:
        synced(account, client)
        pollers.poll_trips(account=account, client=client)

    distances = [t.distance_km for t in Trip.objects.all()]
    assert distances
    # Mis-read metres as km would make a city trip thousands of km long, km as metres ~0.
    assert all(d is not None and 0.05 < d < 500 for d in distances)


def test_stops_are_split_into_parking_and_idling_and_stored_once(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    synced(sim_account, sim_client)
    now = timezone.now()
    pollers.poll_stops(account=sim_account, client=sim_client, now=now - timedelta(minutes=15))
    kinds = dict(Stop.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds.get(Stop.Kind.PARKING) and kinds.get(Stop.Kind.IDLING)
    assert not Stop.objects.filter(end_time=None).exists()

    pollers.poll_stops(account=sim_account, client=sim_client, now=now)

    # Only stops that ended in the 15 minutes between the runs are new.
    new = Stop.objects.filter(end_time__gt=now - timedelta(minutes=15, seconds=1))
    assert Stop.objects.count() == sum(kinds.values()) + new.count()
    keys = Stop.objects.values_list("device_id", "kind", "end_time")
    assert len(set(keys)) == len(keys)


def test_each_stop_is_kept_in_the_one_run_in_which_it_ended() -> None:
    from datetime import UTC, datetime

    from tracksolid.records import ParkingRecord

    begin = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
    end = begin + timedelta(days=1)
    previous = end - timedelta(minutes=15)
    ongoing = ParkingRecord("1", begin + timedelta(hours=20), end)
    ended_before = ParkingRecord("1", begin + timedelta(hours=2), begin + timedelta(hours=3))
    clipped_before = ParkingRecord("1", begin, begin + timedelta(hours=1))
    clipped_now = ParkingRecord("1", begin, end - timedelta(minutes=10))
    ended_now = ParkingRecord("1", begin + timedelta(hours=23), end - timedelta(minutes=5))
    kept = pollers.stop_records(
        [ongoing, ended_before, clipped_before, clipped_now, ended_now],
        acc=True,
        begin=begin,
        end=end,
        previous=previous,
    )
    assert kept == [
        dataclasses.replace(clipped_now, acc=True, extra={"start_clipped": True}),
        dataclasses.replace(ended_now, acc=True),
    ]
    assert kept[0].extra == {"start_clipped": True} and kept[1].extra == {}
    first_run = pollers.stop_records(
        [ongoing, ended_before], acc=False, begin=begin, end=end, previous=None
    )
    assert [r.start_time for r in first_run] == [ended_before.start_time]


def test_polled_alarms_are_stored_once_with_source_poll(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    synced(sim_account, sim_client)
    imei = next(d.imei for d in simulator.world.devices.values() if d.kind == "vehicle")
    sos = simulator.trigger_alarm(imei, "sos")
    simulator.injected_alarms[-1] = dataclasses.replace(sos, t=sos.t - 60)
    now = timezone.now()
    pollers.poll_alarms(account=sim_account, client=sim_client, now=now - timedelta(minutes=2))
    assert not Alarm.objects.filter(device__imei=imei, type_id="1").exists()

    pollers.poll_alarms(account=sim_account, client=sim_client, now=now)
    alarms = Alarm.objects.count()
    assert Alarm.objects.filter(device__imei=imei, type_id="1", type_name="SOS alarm").exists()
    assert not Alarm.objects.exclude(source=Source.POLL).exists()

    pollers.poll_alarms(account=sim_account, client=sim_client, now=now)

    assert Alarm.objects.count() == alarms
    assert vendor_calls(simulator)["jimi.device.alarm.list"] == 3


def test_pollers_ask_only_for_devices_the_vendor_still_lists(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    synced(sim_account, sim_client)
    gone = Device.objects.filter(account=sim_account).first()
    assert gone is not None
    Device.objects.filter(pk=gone.pk).update(vendor_deleted_at=timezone.now())
    assert gone.imei not in pollers.account_imeis(sim_account)
    assert len(pollers.account_imeis(sim_account)) == len(simulator.imeis()) - 1


def test_device_sync_under_a_claim_records_its_run(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    result = pollers.sync_account_devices(account=sim_account, client=sim_client)
    assert result.ran and result.stored["created"] == len(simulator.imeis())
    cursor = PollCursor.objects.get(account=sim_account, poller="device_sync")
    assert cursor.last_run_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_make_one_vendor_call(
    simulator: Simulator, sim_account: TracksolidAccount, settings: Any
) -> None:
    # A cache of this process only: the shared file cache of a dev machine is cleared by every
    # other test run. (Production uses Redis, whose add is atomic across processes.)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with client_for(sim_account, **FAST_CLIENT) as client:
        client.token()  # both workers find the shared token
    # The first run is still waiting for the vendor when the second one starts.
    simulator.inject_fault("latency", method="jimi.user.device.location.list", latency=1.0)
    results: list[pollers.PollResult] = []

    def worker() -> None:
        try:
            results.append(pollers.poll_locations(account=sim_account))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
        time.sleep(0.3)
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(r.ran for r in results) == [False, True]
    assert vendor_calls(simulator)["jimi.user.device.location.list"] == 1
    assert Position.objects.exists()
