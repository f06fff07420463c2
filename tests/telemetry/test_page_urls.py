"""The dispatcher pages' routes (``telemetry/page_urls.py``) and the top bar that links them."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def nav_links(html: str) -> dict[str, str]:
    nav = html[html.index("<nav>") : html.index("</nav>")]
    return {label: href for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)}


def test_the_top_bars_devices_item_opens_the_device_page_not_the_api(client, world):
    client.force_login(world.dispatcher)
    href = nav_links(client.get("/map/").content.decode())["Devices"]
    assert href == reverse("devices-page") == "/devices/"
    response = client.get(href)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    van = world.devices[0]
    assert van.device_name in html
    assert f'href="/map/?device={van.pk}"' in html
    assert f'href="/replay/?device={van.pk}"' in html
    assert world.other_device.imei not in html


def test_every_page_names_an_svg_icon_that_is_served(client, world):
    client.force_login(world.dispatcher)
    html = client.get("/map/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert icon is not None
    path = finders.find(icon.group(1).removeprefix("/static/"))
    assert path is not None
    with open(path, encoding="utf-8") as svg:
        assert svg.read().startswith("<svg")


def test_the_favicon_ico_that_browsers_ask_for_leads_to_the_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("img/favicon.svg")
