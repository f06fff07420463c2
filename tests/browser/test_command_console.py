"""The live map against the simulator in headless Chromium: its devices on the map and in the
list, and the followed device's command console (``static/js/command_console.js``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from accounts.models import Membership, Role
from accounts.services import client_for
from fleet.commands import poll_command_results
from fleet.models import Command, Device
from telemetry import pollers
from tests.browser.conftest import log_in
from tests.simulator_fixtures import FAST_CLIENT, account_on

pytestmark = pytest.mark.browser


@pytest.fixture
def sim_fleet(world, make_simulator):
    """A 4-device simulator whose devices belong to the dispatcher's organisation, synced and
    located once; commands never fail at the vendor."""
    sim = make_simulator(devices=4, command_failure_rate=0.0)
    account = account_on(sim, slug=world.acme.slug)
    with client_for(account, **FAST_CLIENT) as client:
        pollers.sync_account_devices(account=account, client=client)
        pollers.poll_locations(account=account, client=client)
    return sim, account


def vehicle(sim, account) -> Device:
    imei = next(d.imei for d in sim.world.devices.values() if d.kind == "vehicle")
    sim.set_offline(imei, False)  # online: the vendor accepts the command at once
    return Device.objects.get(account=account, imei=imei)


def open_console(page, device: Device) -> None:
    page.goto(f"{page.url.split('/map/')[0]}/map/?device={device.pk}")
    page.wait_for_function("window.fleetLiveMap && window.fleetLiveMap.listReady === true")
    page.locator("#device-panel").wait_for(state="visible")
    page.click("#command-console summary")
    page.wait_for_function("window.fleetCommands && window.fleetCommands.templates > 0")


def test_the_simulators_devices_are_on_the_map_and_in_the_list(sim_fleet, logged_in_page):
    sim, account = sim_fleet
    page = logged_in_page.page
    page.wait_for_function("window.fleetLiveMap && window.fleetLiveMap.listReady === true")
    synced = Device.objects.filter(account=account)
    located = synced.filter(state__lat__isnull=False)
    assert synced.count() == len(sim.imeis()) and located.exists()
    assert page.evaluate("window.fleetLiveMap.markerCount") == located.count()
    names = page.locator("#device-list li .name").all_text_contents()
    for device in synced:
        assert device.display_name in names
    assert logged_in_page.errors == []


def test_a_command_sent_from_the_console_shows_as_sent(sim_fleet, world, logged_in_page):
    sim, account = sim_fleet
    device = vehicle(sim, account)
    page = logged_in_page.page
    open_console(page, device)
    page.select_option("#command-console .cmd-template", label="Upload interval")
    params = page.locator("#command-console .cmd-params input")
    assert params.count() == 2
    params.nth(0).fill("10")
    params.nth(1).fill("300")
    page.click("#command-console .cmd-send")
    entry = page.locator("#command-console .cmd-log li").first
    entry.locator(".cmd-status").filter(has_text="Waiting for the device").wait_for()
    assert "TIMER,10,300#" in entry.text_content()
    assert "TIMER,10,300#" in page.locator("#command-console .cmd-message").text_content()
    command = Command.objects.get(device=device)
    assert command.status == Command.Status.SENT
    assert command.sent_by == world.dispatcher
    assert logged_in_page.dialogs == []
    assert logged_in_page.errors == []
    # FLEET_SCREENSHOT_DIR=/tmp/shots keeps a picture of the console to look at.
    if shots := os.environ.get("FLEET_SCREENSHOT_DIR"):
        entry.scroll_into_view_if_needed()
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots) / "live_map_command_console.png"))


def test_a_viewer_sees_why_the_command_was_not_sent(sim_fleet, world, anonymous_page):
    sim, account = sim_fleet
    Membership.objects.filter(user=world.dispatcher).update(role=Role.VIEWER)
    device = vehicle(sim, account)
    log_in(anonymous_page, "dave", "pw-dave-123")
    page = anonymous_page.page
    open_console(page, device)
    page.select_option("#command-console .cmd-template", label="Locate")
    page.click("#command-console .cmd-send")
    message = page.locator("#command-console .cmd-message")
    message.filter(has_text="Viewers may not send commands.").wait_for()
    assert not Command.objects.filter(device=device).exists()
    assert anonymous_page.dialogs == []


def test_the_line_under_send_turns_executed_when_the_device_answers(
    sim_fleet, world, logged_in_page
):
    sim, account = sim_fleet
    device = vehicle(sim, account)
    page = logged_in_page.page
    open_console(page, device)
    page.select_option("#command-console .cmd-template", label="Device status")
    page.click("#command-console .cmd-send")
    message = page.locator("#command-console .cmd-message")
    page.wait_for_function(
        "document.querySelector('#command-console .cmd-message').textContent.includes('Waiting')"
    )

    sim.advance(10)
    poll_command_results(account=account)

    page.wait_for_function(
        "document.querySelector('#command-console .cmd-message').textContent"
        ".startsWith('Executed: STATUS#')"
    )
    assert "error" not in (message.get_attribute("class") or "")
    assert logged_in_page.errors == []
