"""Tests for tracksolid.client_commands (spec sections 8, 9 and Appendix A) on the simulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tracksolid.client import TracksolidClient
from tracksolid.errors import (
    CommandError,
    DeviceOffline,
    FenceError,
    IllegalUserOrDevice,
    NameExists,
    ParameterError,
)
from tracksolid.records_media import CommandResult, CommandSent, CommandTemplate
from tracksolid.signing import md5_hex
from tracksolid.simulator.testing import run_simulator

WHERE = {"inst_id": "1", "inst_template": "WHERE#", "params": [], "is_cover": "true"}
MADRID = (40.4168, -3.7038)


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    with run_simulator(
        devices=10, seed=4, app_key="k", app_secret="s", user_id="demo", password="demo"
    ) as simulator:
        yield simulator


@pytest.fixture
def vehicle(sim: Any) -> str:
    imei = next(
        imei
        for imei, dev in sim.world.devices.items()
        if dev.kind == "vehicle" and not getattr(dev, "never_reported", False)
    )
    # Offline spells follow the wall clock; hold it online whatever the time of day.
    sim.set_offline(imei, False)
    return str(imei)


@pytest.fixture
def offline_vehicle(sim: Any, vehicle: str) -> Iterator[str]:
    sim.set_offline(vehicle, True)
    yield vehicle
    sim.set_offline(vehicle, False)


def send_until_accepted(client: TracksolidClient, imei: str) -> CommandSent:
    # The simulated device rejects ~10% of commands with 12005, as real devices do.
    for _ in range(10):
        try:
            return client.open_instruction_send(imei, WHERE)
        except CommandError as error:
            assert error.code == 12005
    raise AssertionError("ten rejections in a row")


def test_open_instruction_list_returns_the_model_templates(
    client: TracksolidClient, vehicle: str
) -> None:
    templates = client.open_instruction_list(vehicle)
    assert all(isinstance(t, CommandTemplate) for t in templates)
    relay = next(t for t in templates if t.id == "163")
    assert relay.template == "RELAY,{0}#" and relay.offline is True


def test_open_instruction_list_of_an_unknown_imei_is_an_illegal_device(
    client: TracksolidClient,
) -> None:
    with pytest.raises(IllegalUserOrDevice):
        client.open_instruction_list("860000000000000")


def test_open_instruction_send_returns_the_command_id_and_its_result_follows(
    client: TracksolidClient, sim: Any, vehicle: str
) -> None:
    sent = send_until_accepted(client, vehicle)
    assert sent.code_id and sent.message == "command is successfully sent."
    sim.advance(10)
    results = client.open_instruction_result(vehicle)
    mine = next(r for r in results if r.code_id == sent.code_id)
    assert isinstance(mine, CommandResult)
    assert mine.executed is True and mine.content and mine.content.startswith("Lat:")
    assert mine.send_time is not None


def test_open_instruction_send_of_an_unsupported_command_is_a_command_error(
    client: TracksolidClient, vehicle: str
) -> None:
    with pytest.raises(CommandError) as caught:
        client.open_instruction_send(vehicle, {"inst_id": "999", "params": []})
    assert caught.value.code == 12001


def test_open_instruction_send_accepts_a_json_string(
    client: TracksolidClient, vehicle: str
) -> None:
    with pytest.raises(ParameterError):
        client.open_instruction_send(vehicle, "{not json")


def test_open_instruction_result_of_an_unknown_imei_is_an_illegal_device(
    client: TracksolidClient,
) -> None:
    with pytest.raises(IllegalUserOrDevice):
        client.open_instruction_result("860000000000000")


def test_open_instruction_raw_send_accepts_hex_and_refuses_anything_else(
    client: TracksolidClient, vehicle: str
) -> None:
    assert client.open_instruction_raw_send(vehicle, "7878 0113").code_id
    with pytest.raises(ParameterError):
        client.open_instruction_raw_send(vehicle, "not hex")


def test_a_device_fence_is_created_on_an_online_device_and_deleted(
    client: TracksolidClient, vehicle: str
) -> None:
    number = client.open_device_fence_create(vehicle, "Depot", *MADRID, radius=5)
    assert number
    client.open_device_fence_delete(vehicle, number)
    with pytest.raises(FenceError):
        client.open_device_fence_delete(vehicle, number)


def test_a_device_fence_on_an_offline_device_is_device_offline(
    client: TracksolidClient, offline_vehicle: str
) -> None:
    with pytest.raises(DeviceOffline):
        client.open_device_fence_create(offline_vehicle, "Depot", *MADRID, radius=5)


def test_a_device_fence_radius_outside_the_vendor_units_is_refused_before_sending(
    client: TracksolidClient, vehicle: str
) -> None:
    with pytest.raises(ValueError, match="units of 100 m"):
        client.open_device_fence_create(vehicle, "Huge", *MADRID, radius=10_000)


def test_platform_fences_are_created_bound_and_deleted(client: TracksolidClient, sim: Any) -> None:
    circle = client.open_platform_fence_create("Yard", "circle", [MADRID], radius=500)
    polygon = client.open_platform_fence_create(
        "Zone", "polygon", [(40.40, -3.71), (40.43, -3.71), (40.43, -3.68)]
    )
    assert circle and polygon and circle != polygon
    assert client.open_platform_fence_bind(circle, sim.imeis()[:3], alert_type="in,out") == 3
    client.open_platform_fence_delete(circle)
    with pytest.raises(FenceError):
        client.open_platform_fence_delete(circle)


def test_platform_fences_are_listed_with_latitude_first_points(client: TracksolidClient) -> None:
    created = client.open_platform_fence_create(
        "Listed", "polygon", [(40.40, -3.71), (40.43, -3.71), (40.43, -3.68)]
    )
    fence = next(f for f in client.open_platform_fence_list() if f.fence_id == created)
    assert fence.fence_type == "polygon"
    assert fence.points == ((40.40, -3.71), (40.43, -3.71), (40.43, -3.68))


def test_listing_the_fences_of_an_unknown_account_is_an_illegal_user(
    client: TracksolidClient,
) -> None:
    with pytest.raises(IllegalUserOrDevice):
        client.open_platform_fence_list(account="stranger")


def test_a_platform_fence_whose_name_exists_is_name_exists(client: TracksolidClient) -> None:
    client.open_platform_fence_create("Twice", "circle", [MADRID], radius=300)
    with pytest.raises(NameExists):
        client.open_platform_fence_create("Twice", "circle", [MADRID], radius=300)


def test_a_polygon_with_two_points_is_a_parameter_error(client: TracksolidClient) -> None:
    with pytest.raises(ParameterError):
        client.open_platform_fence_create("Line", "polygon", [(40.0, -3.0), (40.1, -3.0)])


def test_binding_an_unknown_fence_is_a_fence_error(client: TracksolidClient, sim: Any) -> None:
    with pytest.raises(FenceError):
        client.open_platform_fence_bind("no-such-fence", sim.imeis()[:1])


def test_send_instruct_runs_a_text_command_on_an_online_device(
    client: TracksolidClient, vehicle: str
) -> None:
    for _ in range(10):  # the simulated device times out (600) now and then
        result = client.send_instruct(vehicle, 128, {"cmdContent": "WHERE#", "sync": True})
        if result.code != 600:
            break
    assert result.ok and result.content and result.content.startswith("Lat:")


def test_send_instruct_reports_an_offline_device_and_a_bad_parameter(
    client: TracksolidClient, offline_vehicle: str
) -> None:
    assert client.send_instruct(offline_vehicle, 128, {"cmdContent": "WHERE#"}).code == 300
    assert client.send_instruct(offline_vehicle, 1, {}).code == 200


def test_send_instruct_needs_an_address(sim: Any, vehicle: str) -> None:
    with (
        TracksolidClient("k", "s", "demo", md5_hex("demo"), base_url=sim.base_url) as c,
        pytest.raises(ValueError, match="ins_address"),
    ):
        c.send_instruct(vehicle, 128, {"cmdContent": "WHERE#"})
