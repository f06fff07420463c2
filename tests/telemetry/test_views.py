import json

import pytest
from django.test import override_settings

from accounts.models import Membership, Role
from fleet.views import ACTIVE_ORGANISATION

PAGES = ["/map/", "/replay/", "/reports/", "/alarms/"]


def page_config(response):
    html = response.content.decode()
    start = html.index('<script id="page-config" type="application/json">')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


@pytest.mark.parametrize("path", PAGES)
def test_each_page_needs_a_login(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("path", PAGES)
def test_each_page_renders_with_its_own_script(client, world, path):
    client.force_login(world.dispatcher)
    response = client.get(path)
    assert response.status_code == 200
    script = {
        "/map/": "live_map",
        "/replay/": "replay",
        "/reports/": "reports",
        "/alarms/": "alarms",
    }
    assert f"js/{script[path]}.js" in response.content.decode()


@override_settings(MAP_TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png")
def test_the_page_config_carries_the_tile_url_time_zone_and_api(client, world):
    client.force_login(world.admin)
    config = page_config(client.get("/map/"))
    assert config["tileUrl"] == "https://tiles.example.org/{z}/{x}/{y}.png"
    assert config["timeZone"] == "Europe/Paris"
    assert config["api"] == "/api/v1/"
    assert config["organisation"] is None
    assert config["pages"]["replay"] == "/replay/"


def test_the_page_config_carries_the_active_organisation(client, world):
    Membership.objects.create(user=world.dispatcher, organisation=world.other, role=Role.VIEWER)
    client.force_login(world.dispatcher)
    session = client.session
    session[ACTIVE_ORGANISATION] = world.other.pk
    session.save()
    assert page_config(client.get("/alarms/"))["organisation"] == world.other.pk


def test_a_stale_active_organisation_is_ignored(client, world):
    client.force_login(world.dispatcher)
    session = client.session
    session[ACTIVE_ORGANISATION] = world.other.pk  # not one of the dispatcher's
    session.save()
    assert page_config(client.get("/map/"))["organisation"] is None


def test_the_pages_run_no_device_queries(client, world, django_assert_max_num_queries):
    client.force_login(world.dispatcher)
    # Session, user, the organisations for the switcher: no device or telemetry reads.
    with django_assert_max_num_queries(4):
        client.get("/map/")


@pytest.mark.parametrize(
    ("path", "picker"),
    [("/replay/", "replay-device"), ("/reports/", "report-device"), ("/alarms/", "alarm-device")],
)
def test_each_device_picker_is_a_searchable_input_with_its_list(client, world, path, picker):
    client.force_login(world.dispatcher)
    html = client.get(path).content.decode()
    # device_picker.js fills the <datalist> from devices/directory/; the page holds no devices.
    assert f'id="{picker}" class="device-picker" list="{picker}-list"' in html
    assert f'<datalist id="{picker}-list"></datalist>' in html
    assert "Van 0" not in html


def test_the_live_map_has_a_closed_command_console_in_the_device_panel(client, world):
    client.force_login(world.dispatcher)
    html = client.get("/map/").content.decode()
    panel = html[html.index('id="device-panel"') :]
    assert '<details class="command-console" id="command-console">' in panel
    assert "<summary>Commands</summary>" in panel
