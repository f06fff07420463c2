"""Tests for tracksolid.client_devices (spec sections 3 and 4) against the simulator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tracksolid.client import TracksolidClient
from tracksolid.errors import (
    BusinessError,
    DeviceMoveError,
    IllegalUserOrDevice,
    NameExists,
    ParameterError,
    RepeatedOperation,
    TokenFetchThrottled,
)
from tracksolid.records import DeviceGroup, DeviceInfo
from tracksolid.signing import md5_hex
from tracksolid.simulator.testing import run_simulator
from tracksolid.tokens import MemoryTokenStore


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    with run_simulator(
        devices=10, seed=1, app_key="k", app_secret="s", user_id="demo", password="demo"
    ) as simulator:
        yield simulator


def kinds(sim: Any, kind: str) -> list[str]:
    return [
        imei
        for imei, dev in sim.world.devices.items()
        if dev.kind == kind and not getattr(dev, "never_reported", False)
    ]


def test_oauth_token_get_returns_a_grant_and_stores_the_token(sim: Any) -> None:
    store = MemoryTokenStore()
    sim.advance(61)  # past the one-a-minute limit of earlier tests
    with TracksolidClient(
        "k", "s", "demo", md5_hex("demo"), base_url=sim.base_url, token_store=store
    ) as c:
        grant = c.oauth_token_get()
        assert grant.access_token == store.load().token.access_token  # type: ignore[union-attr]
        assert grant.expires_in == 7200
        with pytest.raises(TokenFetchThrottled):
            c.oauth_token_get()


def test_oauth_token_get_with_a_wrong_password_is_an_illegal_user(sim: Any) -> None:
    sim.advance(61)
    with (
        TracksolidClient("k", "s", "demo", md5_hex("wrong"), base_url=sim.base_url) as c,
        pytest.raises(IllegalUserOrDevice),
    ):
        c.oauth_token_get()


def test_oauth_token_refresh_replaces_the_stored_token(client: TracksolidClient) -> None:
    before = client.token()
    grant = client.oauth_token_refresh()
    assert grant.access_token != before.access_token
    assert client.token().access_token == grant.access_token
    assert client.user_device_list()


def test_user_device_list_returns_typed_devices_with_extras(
    client: TracksolidClient, sim: Any
) -> None:
    devices = client.user_device_list()
    assert {d.imei for d in devices} == set(sim.imeis())
    device = devices[0]
    assert isinstance(device, DeviceInfo)
    assert isinstance(device.expiration, datetime) and device.expiration.tzinfo is UTC
    assert device.enabled in (True, False)
    assert "mcTypeUseScope" in device.extra


def test_user_device_list_of_a_sub_account_lists_only_its_devices(
    client: TracksolidClient, sim: Any
) -> None:
    north = client.user_device_list(target="demo_north")
    assert {d.account for d in north} <= {"demo_north"}


def test_user_device_list_of_an_unknown_account_is_an_illegal_user(
    client: TracksolidClient,
) -> None:
    with pytest.raises(IllegalUserOrDevice):
        client.user_device_list(target="somebody_else")


def test_track_device_detail_reads_the_odometer_as_a_number(
    client: TracksolidClient, sim: Any
) -> None:
    detail = client.track_device_detail(sim.imeis()[0])
    assert detail.imei == sim.imeis()[0]
    assert isinstance(detail.current_mileage, float)
    assert detail.group_name


def test_track_device_detail_of_an_unknown_imei_is_an_illegal_device(
    client: TracksolidClient,
) -> None:
    with pytest.raises(IllegalUserOrDevice):
        client.track_device_detail("860000000000000")


def test_user_device_expiration_update_reports_each_imei(
    client: TracksolidClient, sim: Any
) -> None:
    imei = sim.imeis()[0]
    results = client.user_device_expiration_update([imei, "860000000000000"], "2031-01-01")
    assert [(r.imei, r.ok) for r in results] == [(imei, True), ("860000000000000", False)]
    assert client.track_device_detail(imei).expiration == datetime(
        2031, 1, 1, 23, 59, 59, tzinfo=UTC
    )


def test_user_device_expiration_update_with_a_bad_date_is_a_parameter_error(
    client: TracksolidClient, sim: Any
) -> None:
    with pytest.raises(ParameterError):
        client.user_device_expiration_update(sim.imeis()[:1], "next year")


def test_open_device_update_changes_only_the_given_fields(
    client: TracksolidClient, sim: Any
) -> None:
    imei = sim.imeis()[1]
    before = client.track_device_detail(imei)
    client.open_device_update(imei, vehicle_number="1234 BCD", driver_name="Ana Lopez")
    after = client.track_device_detail(imei)
    assert (after.vehicle_number, after.driver_name) == ("1234 BCD", "Ana Lopez")
    assert after.device_name == before.device_name


def test_open_device_update_of_an_unknown_imei_is_an_illegal_device(
    client: TracksolidClient,
) -> None:
    with pytest.raises(IllegalUserOrDevice):
        client.open_device_update("860000000000000", driver_name="x")


def test_open_device_move_moves_devices_between_sub_accounts(
    client: TracksolidClient,
) -> None:
    north = [d.imei for d in client.user_device_list(target="demo_north")]
    south = [d.imei for d in client.user_device_list(target="demo_south")]
    source, dest, imeis = (
        ("demo_north", "demo_south", north) if north else ("demo_south", "demo_north", south)
    )
    moved = client.open_device_move(source, dest, imeis[:1], clean_bind_flag=True)
    assert moved == imeis[:1]
    assert client.track_device_detail(imeis[0]).account == dest
    with pytest.raises(DeviceMoveError):
        client.open_device_move(source, dest, imeis[:1])


def test_open_device_bind_and_unbind_an_app_user(client: TracksolidClient, sim: Any) -> None:
    imei = sim.imeis()[2]
    client.open_device_bind(imei, "app-user-1")
    with pytest.raises(RepeatedOperation):
        client.open_device_bind(imei, "app-user-1")
    client.open_device_unbind(imei, "app-user-1")
    with pytest.raises(BusinessError):
        client.open_device_unbind(imei, "app-user-1")


def test_device_groups_can_be_created_listed_renamed_and_deleted(
    client: TracksolidClient,
) -> None:
    group = client.device_group_create("Night shift")
    assert isinstance(group, DeviceGroup) and group.group_id
    assert "Night shift" in {g.group_name for g in client.device_group_list()}
    client.device_group_update(group.group_id, "Late shift")
    assert "Late shift" in {g.group_name for g in client.device_group_list()}
    client.device_group_delete(group.group_id)
    assert group.group_id not in {g.group_id for g in client.device_group_list()}


def test_creating_a_group_whose_name_exists_is_name_exists(client: TracksolidClient) -> None:
    client.device_group_create("Duplicates")
    with pytest.raises(NameExists):
        client.device_group_create("Duplicates")


def test_renaming_or_deleting_an_unknown_group_is_a_parameter_error(
    client: TracksolidClient,
) -> None:
    with pytest.raises(ParameterError):
        client.device_group_update("no-such-group", "x")
    with pytest.raises(ParameterError):
        client.device_group_delete("no-such-group")


def test_listing_the_groups_of_an_unknown_account_is_an_illegal_user(
    client: TracksolidClient,
) -> None:
    with pytest.raises(IllegalUserOrDevice):
        client.device_group_list(account="stranger")


def test_user_child_list_returns_the_sub_accounts(client: TracksolidClient) -> None:
    children = client.user_child_list()
    assert {c.account for c in children} == {"demo_north", "demo_south"}
    assert {c.parent for c in children} == {"demo"}
    with pytest.raises(IllegalUserOrDevice):
        client.user_child_list(target="stranger")
