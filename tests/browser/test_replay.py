"""The trail replay page (``static/js/replay.js``) in headless Chromium: event markers."""

from __future__ import annotations

import os
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from telemetry.ingest import ingest_records
from telemetry.models import Stop
from tracksolid.push_records import AlarmEvent, GpsPoint

pytestmark = pytest.mark.browser


@pytest.fixture
def parked_with_an_alarm(world):
    """Yesterday 08:00-08:30 a van drives, parks at the 10th point and raises an alarm there."""
    van = world.devices[0]
    start = datetime.combine(timezone.now().date() - timedelta(days=1), time(8), tzinfo=UTC)
    points = [
        GpsPoint(imei=van.imei, gps_time=start + timedelta(seconds=30 * k),
                 lat=48.80 + k * 0.0004, lng=2.30 + k * 0.0008, speed=30.0, acc=True)
        for k in range(61)
    ]  # fmt: skip
    where = points[10]
    alarm = AlarmEvent(
        imei=van.imei, type_id="1", type_name="SOS", source="push", alarm_time=where.gps_time,
        lat=where.lat, lng=where.lng, speed=0.0,
    )  # fmt: skip
    ingest_records(account=world.account, records=[*points, alarm], source="push")
    Stop.objects.create(
        device=van, kind=Stop.Kind.PARKING, start_time=where.gps_time,
        end_time=where.gps_time + timedelta(minutes=5), duration_s=300, lat=where.lat,
        lng=where.lng,
    )  # fmt: skip
    return van


def centre_is_topmost(page, selector: str) -> bool:
    return page.evaluate(
        """(selector) => { const node = document.querySelector(selector);
        const r = node.getBoundingClientRect();
        const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return node === top || node.contains(top); }""",
        selector,
    )


def test_a_stop_and_an_alarm_at_one_place_both_show_and_take_clicks(
    parked_with_an_alarm, logged_in_page
):
    page = logged_in_page.page
    logged_in_page.goto(f"/replay/?device={parked_with_an_alarm.pk}")
    page.wait_for_function("window.fleetReplay.devices > 0")
    page.click("[data-range=yesterday]")
    page.wait_for_function("window.fleetReplay.loaded && window.fleetReplay.points > 0")
    stop, alarm = page.locator(".stop-icon"), page.locator(".alarm-icon")
    assert stop.count() == 1 and alarm.count() == 1
    stop_box, alarm_box = stop.bounding_box(), alarm.bounding_box()
    overlap_x = min(stop_box["x"] + stop_box["width"], alarm_box["x"] + alarm_box["width"]) - max(
        stop_box["x"], alarm_box["x"]
    )
    overlap_y = min(stop_box["y"] + stop_box["height"], alarm_box["y"] + alarm_box["height"]) - max(
        stop_box["y"], alarm_box["y"]
    )
    assert overlap_x <= 0 or overlap_y <= 0, (stop_box, alarm_box)
    assert centre_is_topmost(page, ".stop-icon")
    assert centre_is_topmost(page, ".alarm-icon")
    if shots := os.environ.get("FLEET_SCREENSHOT_DIR"):
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(Path(shots) / "replay-stop-and-alarm.png"),
            clip={"x": stop_box["x"] - 60, "y": stop_box["y"] - 60, "width": 160, "height": 140},
        )
    # Clicking either marker seeks the player to its time (both at the 10th point).
    page.click("#replay-forward")
    assert page.evaluate("window.fleetReplay.index") == 1
    stop.click()
    page.wait_for_function("window.fleetReplay.index === 10")
    page.click("#replay-forward")
    alarm.click()
    page.wait_for_function("window.fleetReplay.index === 10")
    assert logged_in_page.errors == []
