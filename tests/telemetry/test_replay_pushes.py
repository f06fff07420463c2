import json
from io import StringIO
from urllib.parse import urlencode

from django.core.management import call_command

from telemetry.models import Position, RawPush


def _keep_failed(world, body, content_type="application/x-www-form-urlencoded"):
    return RawPush.objects.create(
        account=world.account,
        endpoint="pushgps",
        received_at="2026-11-26T08:00:00Z",
        content_type=content_type,
        body=body,
        status=RawPush.Status.FAILED,
        error="boom",
    )


def test_it_replays_failed_pushes_into_the_ingest_path(world):
    item = {
        "deviceImei": world.devices[0].imei,
        "gpsTime": "2026-11-26 08:00:00",
        "lat": 1.5,
        "lng": 2.5,
    }
    body = urlencode({"token": world.account.push_token, "data_list": json.dumps([item])})
    raw = _keep_failed(world, body.encode())
    out = StringIO()
    call_command("replay_pushes", stdout=out)
    raw.refresh_from_db()
    assert raw.status == RawPush.Status.PROCESSED and raw.error == ""
    assert Position.objects.get().lat == 1.5
    assert "replayed 1 pushes: 1 processed" in out.getvalue()


def test_replaying_twice_stores_nothing_twice(world):
    item = {
        "deviceImei": world.devices[0].imei,
        "gpsTime": "2026-11-26 08:00:00",
        "lat": 1.5,
        "lng": 2.5,
    }
    body = urlencode({"token": world.account.push_token, "data_list": json.dumps([item])})
    _keep_failed(world, body.encode())
    call_command("replay_pushes", "--since", "2026-11-01", stdout=StringIO())
    call_command("replay_pushes", "--since", "2026-11-01", stdout=StringIO())
    assert Position.objects.count() == 1


def test_a_body_that_still_cannot_be_read_stays_failed_with_its_reason(world):
    raw = _keep_failed(world, b"{broken", content_type="application/json")
    call_command("replay_pushes", stdout=StringIO())
    raw.refresh_from_db()
    assert raw.status == RawPush.Status.FAILED and "PushFormatError" in raw.error


def test_a_dry_run_counts_and_changes_nothing(world):
    raw = _keep_failed(world, b"{broken", content_type="application/json")
    out = StringIO()
    call_command("replay_pushes", "--dry-run", stdout=out)
    assert "1 pushes would be replayed" in out.getvalue()
    raw.refresh_from_db()
    assert raw.error == "boom"
