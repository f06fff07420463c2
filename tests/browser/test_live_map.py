"""The live map's followed-device panel and alarm links in headless Chromium (more in
``test_pages.py``, whose ``fleet`` fixture these share)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.utils import timezone

from telemetry.ingest import ingest_records
from tests.browser.test_pages import HOSTILE, fleet, wait_for_map  # noqa: F401 - a fixture
from tracksolid.push_records import GpsPoint

pytestmark = pytest.mark.browser

PANEL_VALUE = """(label) => {
  const term = [...document.querySelectorAll('#device-panel dt')]
    .find((dt) => dt.textContent === label);
  return term ? term.nextElementSibling.textContent : null;
}"""


def test_a_live_position_keeps_the_ignition_the_panel_showed(fleet, logged_in_page):  # noqa: F811
    page = logged_in_page.page
    wait_for_map(logged_in_page)
    page.locator("#device-list li", has_text="Van 0").click()
    page.wait_for_function(f"({PANEL_VALUE})('Ignition') === 'on'")

    # Position rows carry no ignition column; the panel must not blank what it knew.
    point = GpsPoint(
        imei=fleet.van.imei, gps_time=timezone.now(), lat=48.9, lng=2.4, speed=77.0, direction=45
    )
    ingest_records(account=fleet.world.account, records=[point], source="push")
    page.wait_for_function(f"({PANEL_VALUE})('Speed') === '77 km/h'", timeout=8000)

    assert page.evaluate(PANEL_VALUE, "Ignition") == "on"


def test_an_alarm_link_holds_the_map_on_the_alarm_rather_than_following(fleet, logged_in_page):  # noqa: F811
    page = logged_in_page.page
    label = quote(f"SOS {HOSTILE}")
    wait_for_map(
        logged_in_page, f"/map/?device={fleet.hostile.pk}&lat=48.87&lng=2.36&label={label}"
    )
    page.locator("#device-panel").wait_for(state="visible")

    # Following would pan to the vehicle on its next position and lose the alarm's place.
    assert page.locator("#follow-toggle").is_checked() is False
