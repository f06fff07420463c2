from datetime import UTC, datetime, timedelta

from django.db import connection

from fleet.models import Device
from telemetry.ingest import ingest_records, record_vendor_online
from telemetry.models import (
    Alarm,
    DeviceEvent,
    DeviceMessage,
    DeviceState,
    FaultCodeReport,
    ObdReading,
    Position,
    SensorReading,
    Stop,
    Trip,
    VendorTripReport,
)
from telemetry.pollers import location_records
from tracksolid import push_file_records as files
from tracksolid import push_records as pushed
from tracksolid.push_items import parse_gps_point
from tracksolid.records import DeviceLocation, ParkingRecord
from tracksolid.records import Trip as TripRecord

T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def imei(world):
    return world.devices[0].imei


def test_a_polled_alarm_and_the_same_pushed_alarm_are_one_record(world):
    common = {"imei": imei(world), "type_id": "1", "alarm_time": T0, "lat": 1.0, "lng": 2.0}
    ingest_records(
        account=world.account, source="push", records=[pushed.AlarmEvent(source="push", **common)]
    )
    ingest_records(
        account=world.account,
        source="poll",
        records=[pushed.AlarmEvent(source="poll", type_name="SOS", **common)],
    )
    assert Alarm.objects.count() == 1
    assert Alarm.objects.get().source == "push"


def test_back_filled_points_are_stored_through_the_same_path_and_marked(world):
    points = [
        pushed.GpsPoint(
            imei=imei(world), gps_time=T0 + timedelta(seconds=10 * n), lat=1.0 + n / 1000, lng=2.0
        )
        for n in range(5)
    ]
    result = ingest_records(account=world.account, source="backfill", records=points)
    assert result.by_kind == {"positions": 5}
    assert set(Position.objects.values_list("source", flat=True)) == {"backfill"}
    assert DeviceState.objects.get(device=world.devices[0]).gps_time == T0 + timedelta(seconds=40)


def test_trips_are_stored_in_kilometres_once(world):
    trip = TripRecord(
        imei=imei(world),
        start_time=T0,
        end_time=T0 + timedelta(minutes=30),
        distance=12_500,
        distance_unit="m",
        avg_speed=25,
        duration_s=1800,
    )
    ingest_records(account=world.account, source="poll", records=[trip])
    ingest_records(account=world.account, source="poll", records=[trip])
    assert Trip.objects.get().distance_km == 12.5


def test_stops_with_ignition_on_are_idling_and_off_are_parking(world):
    stops = [
        ParkingRecord(
            imei=imei(world),
            start_time=T0,
            end_time=T0 + timedelta(minutes=5),
            duration_s=300,
            acc=True,
        ),
        ParkingRecord(
            imei=imei(world),
            start_time=T0 + timedelta(hours=1),
            end_time=None,
            duration_s=None,
            acc=False,
            address="Rue de Rivoli",
        ),
    ]
    ingest_records(account=world.account, source="poll", records=stops)
    assert sorted(Stop.objects.values_list("kind", flat=True)) == ["idling", "parking"]


def test_every_pushed_reading_kind_has_a_home(world):
    i = imei(world)
    records = [
        pushed.LoginEvent(imei=i, event_type="LOGIN", event_time=T0),
        pushed.TemperatureReading(imei=i, reading_time=T0, temperature=4.5, humidity=60.0),
        pushed.ObdReading(imei=i, event_time=T0, values={"dataID1": 2100}),
        pushed.FaultCodes(imei=i, event_time=T0, codes=("P0301", "P0420"), count=2),
        pushed.TripReport(imei=i, trip_time=T0, is_end=True, distance_km=3.2, seq=7),
        pushed.RfidScan(imei=i, scan_time=T0, value="04A1B2C3"),
        files.MediaUpload(imei=i, filename="cam1/x.jpg", camera=1, is_video=False),
    ]
    result = ingest_records(account=world.account, source="push", records=records)
    assert result.by_kind == {
        "login_events": 1,
        "temperature": 1,
        "obd": 1,
        "fault_codes": 1,
        "trip_reports": 1,
        "messages": 2,
    }
    assert DeviceEvent.objects.get().event_type == "LOGIN"
    assert set(SensorReading.objects.values_list("kind", "unit")) == {
        ("temperature", "°C"),
        ("humidity", "%"),
    }
    assert ObdReading.objects.get().values == {"dataID1": 2100}
    assert FaultCodeReport.objects.get().codes == ["P0301", "P0420"]
    assert VendorTripReport.objects.get().seq == 7
    assert set(DeviceMessage.objects.values_list("kind", flat=True)) == {"rfid", "media_upload"}


def test_the_vendor_online_flag_is_kept_on_the_latest_state(world):
    record_vendor_online(account=world.account, online_by_imei={imei(world): True})
    assert DeviceState.objects.get(device=world.devices[0]).vendor_online is True
    record_vendor_online(account=world.account, online_by_imei={imei(world): False})
    assert DeviceState.objects.get(device=world.devices[0]).vendor_online is False


def test_a_devices_imei_of_another_organisation_is_refused_not_stolen(world):
    point = pushed.GpsPoint(imei=world.other_device.imei, gps_time=T0, lat=1.0, lng=2.0)
    result = ingest_records(account=world.account, source="push", records=[point])
    assert result.refused and not Position.objects.exists()
    assert Device.objects.get(imei=world.other_device.imei).organisation == world.other


def test_a_pushed_point_keeps_its_gate_time_upload_mode_status_and_unknown_fields(world):
    item = {
        "deviceImei": imei(world),
        "gpsTime": "2026-11-25 08:00:00",
        "gateTime": "2026-11-25 08:00:03",
        "lat": "48.85",
        "lng": "2.35",
        "postMethod": "3",
        "status": "1",
        "fuelLevel": "41.5",
    }
    ingest_records(account=world.account, source="push", records=[parse_gps_point(item)])
    position = Position.objects.get()
    assert position.gate_time == T0 + timedelta(seconds=3)
    assert position.extra == {"postMethod": 3, "status": 1, "fuelLevel": "41.5"}
    assert DeviceState.objects.get(device=world.devices[0]).extra == position.extra


def test_a_polled_locations_extras_are_kept_on_the_position_and_the_state(world):
    location = DeviceLocation.parse(
        {
            "imei": imei(world),
            "lat": "48.85",
            "lng": "2.35",
            "gpsTime": "2026-11-25 08:00:00",
            "iccid": "8986001234567890123",
            "trackerOil": "1",
            "mystery": {"a": [1, 2]},
            # Named by the record, but with no column of their own: kept under the vendor's names.
            "batteryPowerVal": "4.15",
            "powerValue": "12.60",
            "mcType": "GT06N",
            "confidence": "80",
        }
    )
    records, _ = location_records([location])
    ingest_records(account=world.account, source="poll", records=records)
    expected = {
        "iccid": "8986001234567890123",
        "trackerOil": "1",
        "mystery": {"a": [1, 2]},
        "batteryPowerVal": 4.15,
        "powerValue": 12.6,
        "mcType": "GT06N",
        "confidence": 80,
    }
    assert Position.objects.get().extra == expected
    assert DeviceState.objects.get(device=world.devices[0]).extra == expected


def test_a_point_with_nothing_extra_stores_no_extras(world):
    point = pushed.GpsPoint(imei=imei(world), gps_time=T0, lat=1.0, lng=2.0)
    ingest_records(account=world.account, source="push", records=[point])
    assert Position.objects.filter(gate_time=None, extra__isnull=True).count() == 1
    assert DeviceState.objects.get(device=world.devices[0]).extra is None


def test_points_with_extras_take_the_same_queries_as_points_without(
    world, django_assert_num_queries
):
    def points(start, **fields):
        return [
            pushed.GpsPoint(
                imei=d.imei, gps_time=start + timedelta(seconds=n), lat=1.0, lng=2.0, **fields
            )
            for n in range(10)
            for d in world.devices
        ]

    ingest_records(account=world.account, source="push", records=points(T0))  # devices cached
    # Positions with latest states: one statement on PostgreSQL, two on SQLite.
    queries = 1 if connection.vendor == "postgresql" else 2
    with django_assert_num_queries(queries):
        ingest_records(account=world.account, source="push", records=points(T0 + HOUR))
    with django_assert_num_queries(queries):
        ingest_records(
            account=world.account,
            source="push",
            records=points(T0 + 2 * HOUR, gate_time=T0, post_method=0, status=1, extra={"x": 1}),
        )
    assert Position.objects.filter(extra__isnull=False).count() == 30
