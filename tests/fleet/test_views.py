from datetime import timedelta

from django.utils import timezone

from accounts.models import Membership, Organisation, Role
from fleet.views import ACTIVE_ORGANISATION
from telemetry.models import DeviceState


def test_the_home_page_needs_a_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_home_page_is_the_live_map(client, world):
    client.force_login(world.dispatcher)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/map/"


def test_the_device_list_shows_only_the_users_devices(client, world):
    client.force_login(world.dispatcher)
    page = client.get("/devices/").content.decode()
    assert "Van 0" in page and "Van 2" in page
    assert "Other truck" not in page


def test_the_device_list_shows_each_devices_status_and_last_update_in_a_fixed_query_count(
    client, world, django_assert_max_num_queries
):
    seen = timezone.now() - timedelta(minutes=1)
    DeviceState.objects.create(
        device=world.devices[0], gps_time=seen, lat=48.85, lng=2.35, speed=50, updated_at=seen
    )
    client.force_login(world.dispatcher)

    with django_assert_max_num_queries(8):
        page = client.get("/devices/").content.decode()

    row = page.split("Van 0", 1)[1].split("</tr>", 1)[0]
    assert "<td>moving</td>" in row
    assert timezone.localtime(seen).strftime("%Y-%m-%d %H:%M") in row
    assert "<td>unknown</td>" in page.split("Van 1", 1)[1].split("</tr>", 1)[0]
    assert "never" in page.split("Van 1", 1)[1].split("</tr>", 1)[0]


def test_a_hostile_device_name_is_shown_as_text(client, world):
    world.devices[0].device_name = "<img src=x onerror=alert(1)>"
    world.devices[0].save()
    client.force_login(world.admin)
    page = client.get("/devices/").content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_a_user_in_one_organisation_sees_no_switcher(client, world):
    client.force_login(world.dispatcher)
    page = client.get("/devices/").content.decode()
    assert 'name="organisation"' not in page


def test_a_user_in_two_organisations_can_switch_between_them(client, world):
    Membership.objects.create(user=world.dispatcher, organisation=world.other, role=Role.VIEWER)
    client.force_login(world.dispatcher)
    page = client.get("/devices/").content.decode()
    assert 'name="organisation"' in page
    assert "Other truck" in page and "Van 0" in page

    response = client.post("/organisation/", {"organisation": world.other.pk, "next": "/devices/"})
    assert response.status_code == 302 and response["Location"] == "/devices/"
    assert client.session[ACTIVE_ORGANISATION] == world.other.pk
    page = client.get("/devices/").content.decode()
    assert "Other truck" in page and "Van 0" not in page

    client.post("/organisation/", {"organisation": ""})
    assert ACTIVE_ORGANISATION not in client.session


def test_switching_to_an_organisation_the_user_is_not_in_is_ignored(client, world):
    stranger = Organisation.objects.create(name="Stranger", slug="stranger")
    client.force_login(world.dispatcher)
    client.post("/organisation/", {"organisation": stranger.pk})
    assert ACTIVE_ORGANISATION not in client.session


def test_the_switcher_does_not_redirect_off_site(client, world):
    client.force_login(world.dispatcher)
    response = client.post("/organisation/", {"organisation": "", "next": "https://evil.example/"})
    assert response["Location"] == "/map/"


def test_a_hostile_organisation_name_is_escaped_in_the_switcher(client, world):
    world.other.name = "<script>alert(1)</script>"
    world.other.save()
    Membership.objects.create(user=world.dispatcher, organisation=world.other, role=Role.VIEWER)
    client.force_login(world.dispatcher)
    page = client.get("/map/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
