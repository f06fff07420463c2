def test_the_home_page_needs_a_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_home_page_lists_only_the_users_devices(client, world):
    client.force_login(world.dispatcher)
    page = client.get("/").content.decode()
    assert "Van 0" in page and "Van 2" in page
    assert "Other truck" not in page


def test_a_hostile_device_name_is_shown_as_text(client, world):
    world.devices[0].device_name = "<img src=x onerror=alert(1)>"
    world.devices[0].save()
    client.force_login(world.admin)
    page = client.get("/").content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
