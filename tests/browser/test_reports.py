"""The reports page (``static/js/reports.js``) in headless Chromium: the daily summary."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.utils import timezone

from telemetry.ingest import ingest_records
from telemetry.models import Trip
from tracksolid.push_records import GpsPoint

pytestmark = pytest.mark.browser


@pytest.fixture
def a_day_of_driving(world):
    van = world.devices[0]
    start = datetime.combine(timezone.now().date() - timedelta(days=1), time(8), tzinfo=UTC)
    ingest_records(
        account=world.account,
        records=[
            GpsPoint(imei=van.imei, gps_time=start + timedelta(minutes=k), lat=48.8 + k * 0.001,
                     lng=2.3, speed=float(40 + k), acc=True)
            for k in range(10)
        ],
        source="push",
    )  # fmt: skip
    Trip.objects.create(
        device=van, start_time=start, end_time=start + timedelta(minutes=30),
        distance_km=7.957409999999999, avg_speed=16.0, duration_s=1800,
    )  # fmt: skip
    return van


def test_the_daily_summary_names_the_units_of_distance_and_speed(a_day_of_driving, logged_in_page):
    page = logged_in_page.page
    logged_in_page.goto("/reports/")
    page.wait_for_function("window.fleetReports && window.fleetReports.loaded")
    page.select_option("#report-kind", "daily")
    page.click("[data-range=yesterday]")
    page.wait_for_function("window.fleetReports.loaded && window.fleetReports.rows === 1")
    headers = page.locator("#report-table thead th").all_text_contents()
    assert "Max speed (km/h)" in headers
    assert "Distance (km)" in headers
    cells = page.locator("#report-table tbody tr").first.locator("td").all_text_contents()
    assert cells[headers.index("Max speed (km/h)")] == "49 km/h"
    assert cells[headers.index("Distance (km)")] == "8.0 km"
    assert logged_in_page.errors == []
