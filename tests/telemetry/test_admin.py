import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from telemetry.models import Alarm, DeviceState, PollCursor, RawPush, Source


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


def test_raw_pushes_are_named_raw_pushes(client, superuser):
    client.force_login(superuser)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Raw pushes" in index and "Raw pushs" not in index


def test_telemetry_records_are_titled_by_their_devices_name_not_its_number(world):
    van = world.devices[0]
    alarm = Alarm.objects.create(
        device=van, type_id="3", type_name="Overspeed alarm", source=Source.PUSH,
        alarm_time=datetime(2026, 11, 26, 8, tzinfo=UTC),
        received_at=datetime(2026, 11, 26, tzinfo=UTC),
    )  # fmt: skip
    state = DeviceState.objects.create(device=van, updated_at=datetime(2026, 11, 26, tzinfo=UTC))
    assert str(alarm).startswith(f"Overspeed alarm on {van.device_name} at ")
    assert str(state) == f"state of {van.device_name}"
    van.device_name = ""
    van.save()
    alarm.refresh_from_db()
    assert f"on {van.imei} at" in str(alarm)


def _alarms(world, count):
    moment = datetime(2026, 11, 26, 8, tzinfo=UTC) + timedelta(days=Alarm.objects.count())
    Alarm.objects.bulk_create(
        Alarm(device=world.devices[i % len(world.devices)], type_id="1", source=Source.PUSH,
              alarm_time=moment + timedelta(minutes=i), received_at=moment)
        for i in range(count)
    )  # fmt: skip


def _raw_pushes(world, count):
    RawPush.objects.bulk_create(
        RawPush(account=world.account, endpoint="pushgps", body=b"token=x",
                received_at=datetime(2026, 11, 26, 8, tzinfo=UTC), status=RawPush.Status.PROCESSED)
        for _ in range(count)
    )  # fmt: skip


def _cursors(world, count):
    PollCursor.objects.bulk_create(
        PollCursor(account=world.account, poller="trips", scope=f"{count}-{i}")
        for i in range(count)
    )


def _queries_for_list(client, model) -> int:
    opts = model._meta
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("model", "make"),
    [(Alarm, _alarms), (RawPush, _raw_pushes), (PollCursor, _cursors)],
    ids=["Alarm", "RawPush", "PollCursor"],
)
def test_a_list_page_costs_the_same_queries_for_one_row_or_many(
    client, world, superuser, model, make
):
    client.force_login(superuser)
    make(world, 1)
    one = _queries_for_list(client, model)
    make(world, 6)
    assert _queries_for_list(client, model) == one


def test_a_raw_push_shows_its_form_decoded_with_data_list_as_indented_json(
    client, world, superuser
):
    items = [{"deviceImei": world.devices[0].imei, "gpsTime": "2026-11-26 08:00:00",
              "deviceName": "<b>van</b>"}]  # fmt: skip
    body = urlencode({"token": world.account.push_token, "data_list": json.dumps(items)})
    raw = RawPush.objects.create(
        account=world.account, endpoint="pushgps", received_at="2026-11-26T08:00:00Z",
        body=body.encode(), content_type="application/x-www-form-urlencoded",
        status=RawPush.Status.PROCESSED,
    )  # fmt: skip
    client.force_login(superuser)
    page = client.get(reverse("admin:telemetry_rawpush_change", args=[raw.pk])).content.decode()
    assert "&quot;gpsTime&quot;: &quot;2026-11-26 08:00:00&quot;,\n" in page  # one per line
    assert "&lt;b&gt;van&lt;/b&gt;" in page and "<b>van</b>" not in page
    assert "%22" not in page
    assert world.account.push_token not in page
