"""Writers of the ingest path, one per record kind, and the table that picks them.

Each takes the records of one kind (already resolved to devices in ``Batch.device_ids``) and
writes them in bulk, skipping rows whose natural key exists. Positions and latest states use the
SQL in ``telemetry.writers``; the rest are ORM bulk inserts (far fewer rows).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telemetry import writers
from telemetry.models import (
    Alarm,
    DeviceEvent,
    DeviceMessage,
    FaultCodeReport,
    Heartbeat,
    ObdReading,
    SensorReading,
    Stop,
    Trip,
    VendorTripReport,
)
from tracksolid import push_file_records as files
from tracksolid import push_records as pushed
from tracksolid.push_records import digest
from tracksolid.records import ParkingRecord
from tracksolid.records import Trip as TripRecord

Record = Any  # a tracksolid push record, Trip or ParkingRecord


@dataclass(frozen=True)
class Batch:
    """What a writer needs besides its records."""

    device_ids: Mapping[str, int]
    source: str
    now: datetime


def _json(value: Any) -> Any:
    """Make a record's fields JSON-able (datetimes as ISO text, tuples as lists)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


def _extra(record: Record) -> dict[str, Any]:
    return _json(dict(record.extra)) if record.extra else {}


def write_positions(records: Sequence[pushed.GpsPoint], batch: Batch) -> None:
    writers.record_positions(records, dict(batch.device_ids), batch.source, batch.now)


def write_heartbeats(records: Sequence[pushed.Heartbeat], batch: Batch) -> None:
    Heartbeat.objects.bulk_create(
        [
            Heartbeat(
                device_id=batch.device_ids[r.imei],
                gate_time=r.gate_time,
                power_level=r.power_level,
                gsm_signal=r.gsm_signal,
                acc=r.acc,
                charging=r.charging,
                fortified=r.fortified,
                extra=_extra(r),
            )
            for r in records
        ],
        ignore_conflicts=True,
    )
    latest: dict[int, pushed.Heartbeat] = {}
    for r in records:
        device_id = batch.device_ids[r.imei]
        if device_id not in latest or r.gate_time > latest[device_id].gate_time:
            latest[device_id] = r
    writers.upsert_heartbeat_states(
        [
            (device_id, r.gate_time, r.power_level, r.gsm_signal, batch.now, "")
            for device_id, r in latest.items()
        ]
    )


def write_alarms(records: Sequence[pushed.AlarmEvent], batch: Batch) -> None:
    Alarm.objects.bulk_create(
        [
            Alarm(
                device_id=batch.device_ids[r.imei],
                type_id=r.type_id,
                type_name=r.type_name or "",
                alarm_time=r.alarm_time,
                lat=r.lat,
                lng=r.lng,
                speed=r.speed,
                fence_id=r.fence_id or "",
                source=batch.source,
                extra=_extra(r),
                received_at=batch.now,
            )
            for r in records
        ],
        ignore_conflicts=True,
    )


def write_login_events(records: Sequence[pushed.LoginEvent], batch: Batch) -> None:
    DeviceEvent.objects.bulk_create(
        [
            DeviceEvent(
                device_id=batch.device_ids[r.imei],
                event_type=r.event_type,
                event_time=r.event_time,
                device_timezone=r.timezone or "",
            )
            for r in records
        ],
        ignore_conflicts=True,
    )


def write_fuel(records: Sequence[pushed.FuelReading], batch: Batch) -> None:
    SensorReading.objects.bulk_create(
        [
            SensorReading(
                device_id=batch.device_ids[r.imei],
                kind=SensorReading.Kind.FUEL,
                sensor=r.sensor,
                reading_time=r.reading_time,
                value=r.value,
                unit=r.unit or (str(r.unit_code) if r.unit_code is not None else ""),
                lat=r.lat,
                lng=r.lng,
                extra=_extra(r),
            )
            for r in records
        ],
        ignore_conflicts=True,
    )


def write_temperatures(records: Sequence[pushed.TemperatureReading], batch: Batch) -> None:
    rows = []
    for r in records:
        device_id = batch.device_ids[r.imei]
        if r.temperature is not None:
            rows.append(
                SensorReading(
                    device_id=device_id,
                    kind=SensorReading.Kind.TEMPERATURE,
                    reading_time=r.reading_time,
                    value=r.temperature,
                    unit="°C",
                    extra=_extra(r),
                )
            )
        if r.humidity is not None:
            rows.append(
                SensorReading(
                    device_id=device_id,
                    kind=SensorReading.Kind.HUMIDITY,
                    reading_time=r.reading_time,
                    value=r.humidity,
                    unit="%",
                    extra=_extra(r),
                )
            )
    SensorReading.objects.bulk_create(rows, ignore_conflicts=True)


def write_obd(records: Sequence[pushed.ObdReading], batch: Batch) -> None:
    ObdReading.objects.bulk_create(
        [
            ObdReading(
                device_id=batch.device_ids[r.imei],
                event_time=r.event_time,
                car_type=r.car_type,
                acc=r.acc,
                status_flags=r.status_flags,
                lat=r.lat,
                lng=r.lng,
                values=_json(r.values),
                extra=_extra(r),
            )
            for r in records
        ],
        ignore_conflicts=True,
    )


def write_fault_codes(records: Sequence[pushed.FaultCodes], batch: Batch) -> None:
    FaultCodeReport.objects.bulk_create(
        [
            FaultCodeReport(
                device_id=batch.device_ids[r.imei],
                event_time=r.event_time,
                codes=list(r.codes),
                count=r.count,
                status_flags=r.status_flags,
                lat=r.lat,
                lng=r.lng,
                extra=_extra(r),
            )
            for r in records
        ],
        ignore_conflicts=True,
    )


def write_trip_reports(records: Sequence[pushed.TripReport], batch: Batch) -> None:
    VendorTripReport.objects.bulk_create(
        [
            VendorTripReport(
                device_id=batch.device_ids[r.imei],
                seq=r.seq or 0,
                trip_time=r.trip_time,
                is_end=r.is_end,
                begin_time=r.begin_time,
                end_time=r.end_time,
                distance_km=r.distance_km,
                fuel_l=r.fuel_l,
                idle_seconds=r.idle_seconds,
                begin_lat=r.begin_lat,
                begin_lng=r.begin_lng,
                end_lat=r.end_lat,
                end_lng=r.end_lng,
                extra=_extra(r),
            )
            for r in records
        ],
        ignore_conflicts=True,
    )


def write_trips(records: Sequence[TripRecord], batch: Batch) -> None:
    Trip.objects.bulk_create(
        [
            Trip(
                device_id=batch.device_ids[r.imei],
                start_time=r.start_time,
                end_time=r.end_time,
                distance_km=_km(r.distance, r.distance_unit),
                avg_speed=r.avg_speed,
                duration_s=r.duration_s,
                extra=_extra(r),
            )
            for r in records
            if r.start_time is not None
        ],
        ignore_conflicts=True,
    )


def _km(distance: float | None, unit: str) -> float | None:
    if distance is None:
        return None
    return distance / 1000 if unit == "m" else distance


def write_stops(records: Sequence[ParkingRecord], batch: Batch) -> None:
    Stop.objects.bulk_create(
        [
            Stop(
                device_id=batch.device_ids[r.imei],
                kind=Stop.Kind.IDLING if r.acc else Stop.Kind.PARKING,
                start_time=r.start_time,
                end_time=r.end_time,
                duration_s=r.duration_s,
                address=r.address or "",
                lat=r.lat,
                lng=r.lng,
                extra=_extra(r),
            )
            for r in records
            if r.start_time is not None
        ],
        ignore_conflicts=True,
    )


def _event_time(record: Record) -> datetime | None:
    for name in (
        "event_time",
        "reading_time",
        "scan_time",
        "upload_time",
        "finish_time",
        "alarm_time",
        "gate_time",
    ):
        value = getattr(record, name, None)
        if isinstance(value, datetime):
            return value
    return None


def write_messages(records: Sequence[pushed.PushRecord], batch: Batch) -> None:
    DeviceMessage.objects.bulk_create(
        [
            DeviceMessage(
                device_id=batch.device_ids[r.imei],
                kind=r.KIND,
                event_time=_event_time(r),
                key=digest(*r.key),
                received_at=batch.now,
                payload={
                    f.name: _json(getattr(r, f.name))
                    for f in dataclasses.fields(r)
                    if f.name != "imei"
                },
            )
            for r in records
        ],
        ignore_conflicts=True,
    )


def write_instruct_responses(records: Sequence[files.InstructResponse], batch: Batch) -> None:
    """Kept whole like other messages, and each answer settles the command it answers."""
    from fleet.commands import record_pushed_answers

    write_messages(records, batch)
    record_pushed_answers([(batch.device_ids[r.imei], r) for r in records], now=batch.now)


Writer = Callable[[Sequence[Any], Batch], None]

# Dispatch by record type (STYLE.md: a table, not an if-ladder).
WRITERS: dict[type, tuple[str, Writer]] = {
    pushed.GpsPoint: ("positions", write_positions),
    pushed.Heartbeat: ("heartbeats", write_heartbeats),
    pushed.AlarmEvent: ("alarms", write_alarms),
    pushed.LoginEvent: ("login_events", write_login_events),
    pushed.FuelReading: ("fuel", write_fuel),
    pushed.TemperatureReading: ("temperature", write_temperatures),
    pushed.ObdReading: ("obd", write_obd),
    pushed.FaultCodes: ("fault_codes", write_fault_codes),
    pushed.TripReport: ("trip_reports", write_trip_reports),
    TripRecord: ("trips", write_trips),
    ParkingRecord: ("stops", write_stops),
}
MESSAGE_TYPES = (
    pushed.LbsReading,
    pushed.RfidScan,
    files.PluginData,
    files.FileUpload,
    files.ResourceList,
    files.FtpUploadResult,
    files.IotHubEvent,
    files.PassThrough,
    files.ExtensionData,
    files.FileContent,
    files.ExtendedKks,
    files.MediaUpload,
)
for _type in MESSAGE_TYPES:
    WRITERS[_type] = ("messages", write_messages)
WRITERS[files.InstructResponse] = ("messages", write_instruct_responses)
