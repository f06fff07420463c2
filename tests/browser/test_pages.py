"""The dispatcher pages in headless Chromium: live map, replay, reports and alarms."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone

from telemetry.ingest import ingest_records
from telemetry.models import Alarm, Stop, Trip
from tracksolid.push_records import AlarmEvent, GpsPoint, Heartbeat

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"


@dataclass
class Fleet:
    world: object
    van: object  # plain name, moving, with a trail yesterday
    hostile: object  # the device named HOSTILE
    alarm: Alarm
    yesterday: datetime


@pytest.fixture
def fleet(world) -> Fleet:
    now = timezone.now()
    van, hostile, parked = world.devices
    van.vehicle_number = "AB-123-CD"
    van.driver_name = "Jo Driver"
    van.save()
    hostile.device_name = HOSTILE
    hostile.save()
    # The dispatcher's zone is UTC, so "yesterday" on the page is yesterday in UTC.
    yesterday = datetime.combine(now.date() - timedelta(days=1), time(8, 0), tzinfo=UTC)
    records: list[object] = [
        GpsPoint(
            imei=van.imei,
            gps_time=now - timedelta(seconds=20),
            lat=48.86,
            lng=2.35,
            speed=54.0,
            direction=90,
            acc=True,
        ),
        GpsPoint(
            imei=hostile.imei,
            gps_time=now - timedelta(seconds=40),
            lat=48.87,
            lng=2.36,
            speed=0.0,
            direction=180,
            acc=True,
        ),
        GpsPoint(
            imei=parked.imei,
            gps_time=now - timedelta(seconds=60),
            lat=48.84,
            lng=2.33,
            speed=0.0,
            direction=0,
            acc=False,
        ),
        Heartbeat(
            imei=van.imei, gate_time=now - timedelta(seconds=10), power_level=87, gsm_signal=4
        ),
        AlarmEvent(
            imei=hostile.imei,
            type_id="1",
            type_name="SOS",
            source="push",
            alarm_time=now - timedelta(minutes=3),
            lat=48.87,
            lng=2.36,
            speed=0.0,
        ),
    ]
    # Yesterday 08:00-09:00: one point every 30 s heading east, faster in the middle.
    for k in range(121):
        records.append(
            GpsPoint(
                imei=van.imei,
                gps_time=yesterday + timedelta(seconds=30 * k),
                lat=48.80 + k * 0.0004,
                lng=2.30 + k * 0.0008,
                speed=float(20 + (k % 60)),
                direction=60,
                acc=True,
            )
        )
    ingest_records(account=world.account, records=records, source="push")
    Trip.objects.create(
        device=van,
        start_time=yesterday,
        end_time=yesterday + timedelta(hours=1),
        distance_km=42.5,
        avg_speed=42.5,
        duration_s=3600,
    )
    Trip.objects.create(
        device=hostile,
        start_time=yesterday + timedelta(hours=2),
        end_time=yesterday + timedelta(hours=2, minutes=30),
        distance_km=10.0,
        avg_speed=20.0,
        duration_s=1800,
    )
    Stop.objects.create(
        device=van,
        kind=Stop.Kind.PARKING,
        start_time=yesterday + timedelta(minutes=20),
        end_time=yesterday + timedelta(minutes=25),
        duration_s=300,
        lat=48.808,
        lng=2.316,
    )
    alarm = Alarm.objects.get(device=hostile)
    return Fleet(world, van, hostile, alarm, yesterday)


def wait_for_map(page, path: str = "/map/") -> None:
    if not page.page.url.endswith(path):
        page.goto(path)
    page.page.wait_for_function("window.fleetLiveMap && window.fleetLiveMap.listReady === true")


def test_the_login_form_leads_to_the_live_map_with_devices_on_it(anonymous_page, fleet):
    from tests.browser.conftest import log_in

    log_in(anonymous_page, "dave", "pw-dave-123")
    page = anonymous_page.page
    wait_for_map(anonymous_page)
    assert page.evaluate("window.fleetLiveMap.markerCount") == 3
    items = page.locator("#device-list li .name").all_text_contents()
    assert sorted(items) == sorted(["Van 0", HOSTILE, "Van 2"])
    # Arrows or clusters are painted on the map's device canvas.
    layer = page.evaluate("window.fleetLiveMap.layer")
    assert layer["arrows"] + layer["clusters"] >= 1
    assert page.locator("canvas.device-layer").count() == 1
    assert page.locator("#status-counts [data-status=''] .n").text_content() == "3"
    assert page.locator("#status-counts [data-status='moving'] .n").text_content() == "1"
    assert anonymous_page.dialogs == []
    assert anonymous_page.errors == []


def test_following_a_device_shows_its_panel(fleet, logged_in_page):
    page = logged_in_page.page
    wait_for_map(logged_in_page)
    page.locator("#device-list li", has_text="Van 0").click()
    panel = page.locator("#device-panel")
    panel.wait_for(state="visible")
    assert panel.locator(".panel-title").text_content() == "Van 0"
    page.wait_for_function("document.querySelector('#device-panel').textContent.includes('87 %')")
    text = panel.text_content()
    for expected in ("moving", "54 km/h", "AB-123-CD", "Jo Driver", "on", "87 %", "s ago"):
        assert expected in text
    # The popup on the map names the device too, as text.
    assert page.locator(".leaflet-popup-content strong").text_content() == "Van 0"


def test_a_new_position_moves_the_marker_without_a_reload(fleet, logged_in_page):
    page = logged_in_page.page
    wait_for_map(logged_in_page)
    page.locator("#device-list li", has_text="Van 0").click()
    ingest_records(
        account=fleet.world.account,
        records=[
            GpsPoint(
                imei=fleet.van.imei,
                gps_time=timezone.now(),
                lat=48.9,
                lng=2.4,
                speed=77.0,
                direction=45,
                acc=True,
            )
        ],
        source="push",
    )
    page.wait_for_function(
        "document.querySelector('#device-panel').textContent.includes('77 km/h')", timeout=8000
    )


def test_a_hostile_device_name_is_text_on_the_map_list_and_panel(fleet, logged_in_page):
    page = logged_in_page.page
    wait_for_map(logged_in_page)
    page.locator("#device-list li .name", has_text="<img").click()
    page.locator("#device-panel").wait_for(state="visible")
    assert page.locator("#device-panel .panel-title").text_content() == HOSTILE
    assert page.locator(".leaflet-popup-content strong").text_content() == HOSTILE
    assert page.locator("main img[src=x]").count() == 0
    assert logged_in_page.dialogs == []


def test_replaying_yesterday_moves_the_marker_and_draws_the_chart(fleet, logged_in_page):
    page = logged_in_page.page
    logged_in_page.goto(f"/replay/?device={fleet.van.pk}")
    page.wait_for_function("window.fleetReplay.devices > 0")
    # The picker shows the device from the link by name and plate.
    assert page.input_value("#replay-device") == "Van 0 · AB-123-CD"
    page.click("[data-range=yesterday]")
    page.wait_for_function("window.fleetReplay.loaded && window.fleetReplay.points > 0")
    assert page.evaluate("window.fleetReplay.points") == 121
    assert page.evaluate("window.fleetReplay.chartDrawn") is True
    assert "1 stops" in page.locator("#replay-summary").text_content()
    start = page.evaluate("[window.fleetReplay.cursor, window.fleetReplay.lat]")
    page.click("#replay-forward")
    assert page.evaluate("window.fleetReplay.index") == 1
    page.select_option("#replay-speed", "3600")
    page.click("#replay-play")
    page.wait_for_function(f"window.fleetReplay.cursor > {start[0] + 600_000}")
    after = page.evaluate("[window.fleetReplay.cursor, window.fleetReplay.lat]")
    assert after[1] > start[1]
    # The chart is drawn: some pixels of the canvas are not blank.
    painted = page.evaluate(
        """() => { const c = document.getElementById('speed-chart');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }"""
    )
    assert painted > 500


def test_a_trips_report_lists_totals_and_exports_csv(fleet, logged_in_page):
    page = logged_in_page.page
    logged_in_page.goto("/reports/")
    page.wait_for_function("window.fleetReports && window.fleetReports.loaded")
    rows = page.locator("#report-table tbody tr")
    assert rows.count() == 2
    assert HOSTILE in page.locator("#report-table tbody").text_content()
    totals = page.locator("#report-table tfoot").text_content()
    assert "52.5 km" in totals and "1 h 30 min" in totals
    assert "35 km/h" in totals  # 52.5 km in 1.5 h, not the mean of the two averages
    # Sorting by distance, descending on the second click.
    header = page.locator("#report-table th", has_text="Distance")
    header.click()
    header.click()
    assert (
        page.locator("#report-table tbody tr").first.locator("td").nth(4).text_content()
        == "42.5 km"
    )
    with page.expect_download() as info:
        page.click("#export-csv")
    download = info.value
    content = open(download.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    table = list(csv.reader(io.StringIO(content)))
    assert len(table) >= 3  # a header and both trips
    assert any(HOSTILE in cell for row in table for cell in row)
    with page.expect_download() as info:
        page.click("#export-xlsx")
    with open(info.value.path(), "rb") as workbook:
        assert workbook.read(2) == b"PK"  # an XLSX file is a zip archive
    assert logged_in_page.dialogs == []


def test_an_alarm_is_acknowledged_with_a_note(fleet, logged_in_page):
    page = logged_in_page.page
    logged_in_page.goto("/alarms/")
    page.wait_for_function("window.fleetAlarms && window.fleetAlarms.loaded")
    row = page.locator(f"#alarm-feed tr[data-id='{fleet.alarm.pk}']")
    assert HOSTILE in row.text_content()
    assert "SOS" in row.text_content()
    link = row.locator("a", has_text="Show on map").get_attribute("href")
    assert link.startswith(f"/map/?device={fleet.hostile.pk}&lat=48.87&lng=2.36")
    row.locator("button", has_text="Acknowledge").click()
    row.locator("input[name=note]").fill("Called the driver")
    row.locator("button", has_text="Confirm").click()
    page.wait_for_function(
        f"document.querySelector(\"#alarm-feed tr[data-id='{fleet.alarm.pk}']\")"
        ".textContent.includes('Called the driver')"
    )
    fleet.alarm.refresh_from_db()
    assert fleet.alarm.acknowledged_at is not None
    assert fleet.alarm.acknowledgement_note == "Called the driver"
    assert logged_in_page.dialogs == []


def test_the_alarm_link_opens_the_map_on_the_device(fleet, logged_in_page):
    page = logged_in_page.page
    label = quote(f"SOS {HOSTILE}")
    wait_for_map(
        logged_in_page, f"/map/?device={fleet.hostile.pk}&lat=48.87&lng=2.36&label={label}"
    )
    page.locator("#device-panel").wait_for(state="visible")
    assert page.locator("#device-panel .panel-title").text_content() == HOSTILE
    # The label from the link is shown as text beside the alarm's place.
    assert page.locator(".leaflet-tooltip").text_content() == f"SOS {HOSTILE}"
    assert logged_in_page.dialogs == []


def test_the_pages_load_nothing_from_outside_the_server(fleet, logged_in_page):
    for path in ("/map/", "/replay/", "/reports/", "/alarms/"):
        logged_in_page.goto(path)
        logged_in_page.page.wait_for_load_state("networkidle")
    assert logged_in_page.blocked == []
    assert logged_in_page.errors == []


def test_a_user_in_two_organisations_switches_the_map_between_them(fleet, logged_in_page):
    from accounts.models import Membership, Role
    from telemetry.models import DeviceState

    world = fleet.world
    Membership.objects.create(user=world.dispatcher, organisation=world.other, role=Role.VIEWER)
    DeviceState.objects.create(
        device=world.other_device,
        gps_time=timezone.now(),
        lat=51.5,
        lng=-0.1,
        speed=0.0,
        updated_at=timezone.now(),
    )
    page = logged_in_page.page
    wait_for_map(logged_in_page, "/map/?all")
    assert page.locator("#device-list li").count() == 4
    page.select_option("#org-select", label="Other Haulage")
    page.click(".org-switcher button")
    page.wait_for_url("**/map/?all")
    page.wait_for_function("window.fleetLiveMap && window.fleetLiveMap.listReady")
    assert page.locator("#device-list li .name").all_text_contents() == ["Other truck"]
    assert page.evaluate("window.fleetLiveMap.markerCount") == 1


def test_a_second_device_replays_on_the_same_timeline(fleet, logged_in_page):
    hostile = fleet.hostile
    ingest_records(
        account=fleet.world.account,
        records=[
            GpsPoint(
                imei=hostile.imei,
                gps_time=fleet.yesterday + timedelta(minutes=30 + k),
                lat=48.90 - k * 0.001,
                lng=2.40,
                speed=30.0,
                direction=180,
                acc=True,
            )
            for k in range(60)
        ],
        source="push",
    )
    page = logged_in_page.page
    logged_in_page.goto(f"/replay/?device={fleet.van.pk}&compare={hostile.pk}&range=yesterday")
    page.wait_for_function("window.fleetReplay.loaded && window.fleetReplay.points > 0")
    assert "comparing with 1 more" in page.locator("#replay-summary").text_content()
    chip = page.locator("#replay-compare-list .chip")
    assert HOSTILE in chip.text_content()
    # The timeline runs to the later track's end (09:30), past the main device's (09:00).
    page.locator("#replay-slider").fill("1000")
    cursor = page.evaluate("window.fleetReplay.cursor") / 1000
    assert cursor == (fleet.yesterday + timedelta(minutes=89)).timestamp()
    assert "30 km/h" in chip.text_content()
    assert logged_in_page.dialogs == []


def test_clicking_an_arrow_on_the_map_follows_that_device(fleet, logged_in_page):
    page = logged_in_page.page
    wait_for_map(logged_in_page)
    page.evaluate("window.fleetLiveMap.zoomTo(16)")
    page.wait_for_function("window.fleetLiveMap.layer.arrows >= 1")
    x, y = page.evaluate(f"window.fleetLiveMap.pagePointOf({fleet.van.pk})")
    page.mouse.click(x, y)
    page.locator("#device-panel").wait_for(state="visible")
    assert page.locator("#device-panel .panel-title").text_content() == "Van 0"
    assert page.locator(".leaflet-popup-content strong").text_content() == "Van 0"


def test_times_are_shown_in_the_users_time_zone(fleet, anonymous_page):
    from tests.browser.conftest import log_in

    log_in(anonymous_page, "alice", "pw-alice-123")  # Europe/Paris: UTC+1 in November
    anonymous_page.goto("/reports/")
    page = anonymous_page.page
    page.wait_for_function("window.fleetReports && window.fleetReports.loaded")
    first = page.locator("#report-table tbody tr", has_text="Van 0")
    assert "09:00:00" in first.locator("td").nth(1).text_content()  # 08:00 UTC


def test_a_new_alarm_beeps_when_the_sound_is_on(fleet, logged_in_page):
    page = logged_in_page.page
    logged_in_page.goto("/alarms/")
    page.wait_for_function("window.fleetAlarms && window.fleetAlarms.loaded")
    page.check("#alarm-sound")  # a user gesture: browsers allow audio from here on
    before = page.evaluate("window.fleetAlarms.beeps")
    ingest_records(
        account=fleet.world.account,
        records=[
            AlarmEvent(
                imei=fleet.van.imei,
                type_id="2",
                type_name="Power cut",
                source="push",
                alarm_time=timezone.now(),
            )
        ],
        source="push",
    )
    page.locator("#alarm-feed tr", has_text="Power cut").wait_for(timeout=8000)
    page.wait_for_function(f"window.fleetAlarms.beeps > {before}")


def test_the_report_device_picker_finds_a_device_by_plate(fleet, logged_in_page):
    page = logged_in_page.page
    logged_in_page.goto("/reports/")
    page.wait_for_function("window.fleetReports && window.fleetReports.loaded")
    options = page.locator("#report-device-list option")
    assert options.count() == 3
    # The hostile name is an option's value (an attribute), never markup.
    assert page.locator(f"#report-device-list option[value='{HOSTILE}']").count() == 1
    page.fill("#report-device", "ab-123")
    assert options.count() == 1  # the suggestions narrow as the dispatcher types
    page.press("#report-device", "Enter")  # the only match: the form submits for that device
    page.wait_for_function(
        "window.fleetReports.loaded && "
        "!document.querySelector('#report-table tbody').textContent.includes('<img')"
    )
    assert page.input_value("#report-device") == "Van 0 · AB-123-CD"
    assert page.locator("#report-table tbody tr").count() == 1
    assert f"device={fleet.van.pk}" in page.get_attribute("#export-csv", "href")
    assert logged_in_page.dialogs == []


def test_the_alarm_type_filter_lists_every_type_with_counts(fleet, logged_in_page):
    page = logged_in_page.page
    logged_in_page.goto("/alarms/")
    page.wait_for_function("window.fleetAlarms.loaded && window.fleetAlarms.types === 1")
    assert page.locator("#alarm-type option").all_text_contents() == ["All types", "SOS · 1"]
    ingest_records(
        account=fleet.world.account,
        records=[
            AlarmEvent(
                imei=fleet.van.imei,
                type_id="2",
                type_name="Power cut",
                source="push",
                alarm_time=timezone.now(),
            )
        ],
        source="push",
    )
    page.wait_for_function("window.fleetAlarms.types === 2", timeout=8000)
    page.select_option("#alarm-type", "2")
    page.locator("#alarm-feed tr", has_text="Power cut").wait_for()
    page.wait_for_function("window.fleetAlarms.rows === 1")
    assert logged_in_page.dialogs == []


def test_a_big_fleets_picker_suggests_a_hundred_devices_and_finds_any_by_imei(
    fleet, logged_in_page
):
    from fleet.models import Device

    world = fleet.world
    Device.objects.bulk_create(
        Device(
            imei=f"8610000000{k:05d}",
            organisation=world.acme,
            account=world.account,
            device_name=f"Truck {k:03d}",
        )
        for k in range(300)
    )
    page = logged_in_page.page
    logged_in_page.goto("/alarms/")
    page.wait_for_function("window.fleetAlarms.loaded")
    assert page.locator("#alarm-device-list option").count() == 100
    page.fill("#alarm-device", "861000000000299")
    page.press("#alarm-device", "Enter")
    assert page.input_value("#alarm-device") == "Truck 299"
    assert page.get_attribute("#alarm-device", "aria-invalid") is None
    page.wait_for_function("window.fleetAlarms.rows === 0")
    page.fill("#alarm-device", "Truck")  # 300 devices: not one
    page.press("#alarm-device", "Enter")
    assert page.get_attribute("#alarm-device", "aria-invalid") == ""
    assert logged_in_page.dialogs == []
