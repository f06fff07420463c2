import json
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.urls import reverse

from accounts.models import User
from telemetry.models import RawPush


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.com", "pw-root-123")


def _push(client, account, endpoint, items):
    body = urlencode({"token": account.push_token, "data_list": json.dumps(items)})
    client.post(
        f"/push/{account.push_key}/{endpoint}",
        body,
        content_type="application/x-www-form-urlencoded",
    )


@pytest.mark.parametrize(
    "model", list(apps.get_app_config("telemetry").get_models()), ids=lambda model: model.__name__
)
def test_every_telemetry_admin_list_renders_with_data(client, world, superuser, model):
    imei = world.devices[0].imei
    _push(
        client,
        world.account,
        "pushgps",
        [{"deviceImei": imei, "gpsTime": "2026-11-26 08:00:00", "lat": 1.0, "lng": 2.0}],
    )
    _push(
        client,
        world.account,
        "pushlbs",
        [
            {
                "deviceImei": imei,
                "gateTime": "2026-11-26 08:00:00",
                "postType": "LBS",
                "lbsJson": "{}",
            }
        ],
    )
    client.force_login(superuser)
    opts = model._meta
    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert response.status_code == 200


def test_a_raw_push_shows_its_body_as_text(client, world, superuser):
    raw = RawPush.objects.create(
        account=world.account,
        endpoint="pushgps",
        received_at="2026-11-26T08:00:00Z",
        body=b"<script>x</script>",
        status=RawPush.Status.FAILED,
    )
    client.force_login(superuser)
    page = client.get(reverse("admin:telemetry_rawpush_change", args=[raw.pk])).content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in page


def test_the_replay_action_reprocesses_selected_pushes(client, world, superuser):
    item = {
        "deviceImei": world.devices[0].imei,
        "gpsTime": "2026-11-26 08:00:00",
        "lat": 1.0,
        "lng": 2.0,
    }
    body = urlencode({"token": world.account.push_token, "data_list": json.dumps([item])})
    raw = RawPush.objects.create(
        account=world.account,
        endpoint="pushgps",
        received_at="2026-11-26T08:00:00Z",
        body=body.encode(),
        content_type="application/x-www-form-urlencoded",
        status=RawPush.Status.FAILED,
    )
    client.force_login(superuser)
    client.post(
        reverse("admin:telemetry_rawpush_changelist"),
        {"action": "replay", "_selected_action": [raw.pk]},
    )
    raw.refresh_from_db()
    assert raw.status == RawPush.Status.PROCESSED
