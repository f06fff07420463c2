from datetime import UTC, datetime, timedelta

from telemetry import writers
from telemetry.models import DeviceState, Position
from tracksolid.push_records import GpsPoint

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def point(device, seconds=0, **fields):
    return GpsPoint(
        imei=device.imei, gps_time=T0 + timedelta(seconds=seconds), lat=1.0, lng=2.0, **fields
    )


def record(world, *points):
    ids = {d.imei: d.pk for d in world.devices}
    writers.record_positions(points, ids, "push", NOW)


def state(world):
    return DeviceState.objects.get(device=world.devices[0])


def test_the_upload_mode_and_status_are_kept_under_the_vendors_names(world):
    record(world, point(world.devices[0], gate_time=T0, post_method=0, status=1, extra={"x": 1}))
    position = Position.objects.get()
    assert position.gate_time == T0
    assert position.extra == {"postMethod": 0, "status": 1, "x": 1}


def test_only_the_extra_fields_a_point_has_are_kept(world):
    record(world, point(world.devices[0], status=0), point(world.devices[0], 1))
    assert list(Position.objects.order_by("gps_time").values_list("extra", flat=True)) == [
        {"status": 0},
        None,
    ]


def test_a_replayed_point_keeps_what_was_stored_first(world):
    record(world, point(world.devices[0], extra={"iccid": "1"}))
    record(world, point(world.devices[0], gate_time=T0, extra={"iccid": "2"}))
    position = Position.objects.get()
    assert position.extra == {"iccid": "1"} and position.gate_time is None


def test_the_state_keeps_the_newest_value_of_every_extra_field(world):
    device = world.devices[0]
    record(world, point(device, 0, extra={"iccid": "1", "trackerOil": "1"}))
    record(world, point(device, 10, post_method=0, extra={"trackerOil": "0"}))
    record(world, point(device, 20))
    assert state(world).extra == {"iccid": "1", "trackerOil": "0", "postMethod": 0}


def test_an_older_point_does_not_change_the_states_extras(world):
    device = world.devices[0]
    record(world, point(device, 10, extra={"trackerOil": "0"}))
    record(world, point(device, 0, extra={"trackerOil": "1", "iccid": "1"}))
    assert state(world).extra == {"trackerOil": "0"}


def test_the_newest_point_of_a_batch_gives_the_states_extras(world):
    device = world.devices[0]
    record(world, point(device, 10, extra={"n": 10}), point(device, 0, extra={"n": 0}))
    assert state(world).extra == {"n": 10}


def test_position_rows_may_leave_out_the_gate_time_and_extras(world):
    row = (world.devices[0].pk, T0, 1.0, 2.0, None, None, None, None, None, "", None, None)
    writers.insert_positions([(*row, "backfill", NOW)])
    later = (world.devices[0].pk, T0 + timedelta(seconds=1), *row[2:], "backfill", NOW)
    writers.insert_positions([(*later, T0, {"iccid": "1"})])
    first, second = Position.objects.order_by("gps_time")
    assert first.source == "backfill" and first.extra is None and first.gate_time is None
    assert second.extra == {"iccid": "1"} and second.gate_time == T0
