"""Tests for fleet.services.sync_devices against the simulator."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from accounts.models import TracksolidAccount
from accounts.services import client_for
from fleet.models import Device, DeviceGroup
from fleet.services import sync_devices
from tests.simulator_fixtures import FAST_CLIENT, account_on, vendor_calls
from tracksolid.client import TracksolidClient
from tracksolid.simulator import Simulator

pytestmark = pytest.mark.django_db


def sync(account: TracksolidAccount, client: TracksolidClient, **kwargs: object):  # type: ignore[no-untyped-def]
    kwargs.setdefault("detail_pause", 0)
    return sync_devices(account=account, client=client, **kwargs)  # type: ignore[arg-type]


def test_a_first_sync_creates_every_device_and_group_with_details(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    result = sync(sim_account, sim_client)

    n = len(simulator.imeis())
    assert sorted(result.created) == sorted(simulator.imeis())
    assert vendor_calls(simulator) == {
        "jimi.oauth.token.get": 1,
        "jimi.user.device.list": 1,
        "jimi.device.group.list": 1,
        "jimi.track.device.detail": n,
    }
    dev = simulator.world.devices[simulator.imeis()[0]]
    device = Device.objects.get(imei=dev.imei)
    assert device.organisation == sim_account.organisation
    assert device.account == sim_account
    assert device.device_name == dev.device_name
    assert device.mc_type == dev.model
    assert device.iccid == dev.iccid
    assert device.vendor_account == dev.account
    assert device.current_mileage is not None
    assert device.expiration is not None and device.expiration.tzinfo is not None
    assert device.group is not None and device.group.vendor_group_id == dev.group_id
    assert device.last_synced_at is not None
    # Fields without a column of their own are kept.
    assert "mcTypeUseScope" in device.extra
    vendor_groups = {g.group_id for g in simulator.world.groups.values()}
    assert set(DeviceGroup.objects.values_list("vendor_group_id", flat=True)) <= vendor_groups
    assert DeviceGroup.objects.filter(account=sim_account).count() >= 2


def test_each_group_knows_the_vendor_account_it_belongs_to(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    sync(sim_account, sim_client)

    owners = {g.group_id: g.account for g in simulator.world.groups.values()}
    groups = DeviceGroup.objects.filter(account=sim_account)
    assert groups.exists()
    for group in groups:
        assert group.vendor_account == owners[group.vendor_group_id]
    # Sub-accounts each have a group of the same name; the owner tells them apart.
    assert len({(g.name, g.vendor_account) for g in groups}) == groups.count()


def test_a_second_sync_of_an_unchanged_fleet_asks_for_no_details(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    sync(sim_account, sim_client)
    simulator.stats.reset()

    result = sync(sim_account, sim_client)

    assert vendor_calls(simulator) == {"jimi.user.device.list": 1, "jimi.device.group.list": 1}
    assert result.created == [] and result.updated == [] and result.deleted == []


def test_a_device_renamed_on_the_vendor_is_renamed_here_with_one_detail_call(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    sync(sim_account, sim_client)
    imei = simulator.imeis()[3]
    sim_client.open_device_update(imei, device_name="1234 BCD - Ana", driver_name="Ana Ruiz")
    simulator.stats.reset()

    result = sync(sim_account, sim_client)

    assert result.updated == [imei]
    assert vendor_calls(simulator)["jimi.track.device.detail"] == 1
    device = Device.objects.get(imei=imei)
    assert (device.device_name, device.driver_name) == ("1234 BCD - Ana", "Ana Ruiz")


def test_a_device_the_vendor_no_longer_lists_is_marked_deleted_and_restored_when_back(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    sync(sim_account, sim_client)
    imei = simulator.imeis()[2]
    removed = simulator.world.devices.pop(imei)

    result = sync(sim_account, sim_client)

    assert result.deleted == [imei]
    assert Device.objects.get(imei=imei).vendor_deleted_at is not None
    assert Device.objects.active().filter(account=sim_account).count() == len(simulator.imeis())

    simulator.world.devices[imei] = removed
    result = sync(sim_account, sim_client)

    assert result.restored == [imei]
    assert Device.objects.get(imei=imei).vendor_deleted_at is None


def test_a_device_moved_to_another_group_follows_it(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    sync(sim_account, sim_client)
    group = sim_client.device_group_create("Night shift")
    dev = next(d for d in simulator.world.devices.values() if d.account == "demo")
    dev.group_id = str(group.group_id)

    sync(sim_account, sim_client)

    device = Device.objects.get(imei=dev.imei)
    assert device.group is not None
    assert (device.group.vendor_group_id, device.group.name) == (group.group_id, "Night shift")
    assert device.vendor_group_name == "Night shift"


def test_a_group_deleted_on_the_vendor_is_deleted_here(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    group = sim_client.device_group_create("Temporary")
    sync(sim_account, sim_client)
    assert DeviceGroup.objects.filter(vendor_group_id=group.group_id).exists()
    sim_client.device_group_delete(str(group.group_id))

    result = sync(sim_account, sim_client)

    assert result.groups_deleted == 1
    assert not DeviceGroup.objects.filter(vendor_group_id=group.group_id).exists()


def test_a_device_moved_between_our_accounts_moves_once_the_old_one_stops_listing_it(
    simulator: Simulator,
) -> None:
    # Two vendor logins (sub-accounts), each with its own token.
    south = account_on(simulator, slug="south-co", name="South")
    south.user_id = "demo_south"
    south.save()
    north = account_on(simulator, slug="north-co", name="North")
    north.user_id = "demo_north"
    north.save()
    with client_for(south, **FAST_CLIENT) as s_client, client_for(north, **FAST_CLIENT) as n_client:
        sync(south, s_client)
        sync(north, n_client)
        dev = next(d for d in simulator.world.devices.values() if d.account == "demo_south")
        # What jimi.open.device.move by the parent account does.
        dev.account = "demo_north"
        dev.group_id = simulator.world._default_group("demo_north")

        # North lists it first: South still has it, so it stays there for now.
        assert sync(north, n_client).owned_elsewhere == [dev.imei]
        assert Device.objects.get(imei=dev.imei).account == south

        assert sync(south, s_client).deleted == [dev.imei]
        sync(north, n_client)

    device = Device.objects.get(imei=dev.imei)
    assert device.account == north
    assert device.organisation == north.organisation
    assert device.vendor_deleted_at is None
    assert device.vendor_account == "demo_north"


def test_a_detail_budget_puts_off_the_rest_to_the_next_run(
    make_simulator: Callable[..., Simulator],
) -> None:
    sim = make_simulator(devices=12)
    account = account_on(sim)
    with client_for(account, **FAST_CLIENT) as client:
        first = sync(account, client, detail_budget=5)
        assert (first.details_fetched, first.details_deferred) == (5, 7)
        assert Device.objects.filter(account=account).count() == 12
        assert Device.objects.filter(last_synced_at=None).count() == 7

        second = sync(account, client, detail_budget=5)
        third = sync(account, client, detail_budget=5)

    assert (second.details_fetched, third.details_fetched) == (5, 2)
    assert not Device.objects.filter(last_synced_at=None).exists()
    assert vendor_calls(sim)["jimi.track.device.detail"] == 12


def test_a_device_first_seen_in_a_push_is_filled_in_by_the_next_sync(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    imei = simulator.imeis()[0]
    Device.objects.create(imei=imei, organisation=sim_account.organisation, account=sim_account)

    sync(sim_account, sim_client)

    device = Device.objects.get(imei=imei)
    assert device.device_name == simulator.world.devices[imei].device_name
    assert device.iccid


def test_detail_calls_are_paced_under_the_vendors_rate_limit(
    make_simulator: Callable[..., Simulator],
) -> None:
    # 20 calls a second allowed; details at most ~16 a second.
    sim = make_simulator(devices=30, rate_limit=20)
    account = account_on(sim)
    with client_for(account, **FAST_CLIENT) as client:
        result = sync(account, client, detail_pause=0.06)
    assert result.details_fetched == 30
    assert "1006" not in sim.counters()["errors"]


def test_a_device_whose_detail_is_refused_is_created_and_detailed_next_run(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    simulator.inject_fault("error", method="jimi.track.device.detail", code=1002, count=1)
    first = sync(sim_account, sim_client)
    assert first.details_deferred == 1
    assert len(first.created) == len(simulator.imeis())
    second = sync(sim_account, sim_client)
    assert second.details_fetched == 1
    assert not Device.objects.filter(last_synced_at=None).exists()
