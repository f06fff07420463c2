"""The one ingest path (DESIGN.md rule 1): every position, alarm, heartbeat and reading is stored
here, whether it was pushed, polled or back-filled.

Callers translate vendor shapes into normalised records (``tracksolid.push_records`` types, and the
client's ``Trip`` and ``ParkingRecord``) and call :func:`ingest_records`, which:

1. resolves IMEIs to devices in one query, creating unknown ones under the account's organisation
   (a device sync fills them in later) and refusing IMEIs another organisation owns;
2. writes each kind in bulk, skipping rows whose natural key exists (so replays are no-ops);
3. moves each device's latest state forward.

The number of queries depends on the kinds in the batch, never on the number of devices or rows.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import TracksolidAccount
from fleet.models import Device
from telemetry import writers
from telemetry.models import (
    Alarm,
    DeviceEvent,
    DeviceMessage,
    DeviceState,
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


@dataclass
class IngestResult:
    received: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    created_devices: list[str] = field(default_factory=list)
    # (imei, reason) of records refused, e.g. an IMEI owned by another organisation.
    refused: list[tuple[str, str]] = field(default_factory=list)


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


# --- writers, one per record kind -------------------------------------------------------------


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
    files.InstructResponse,
    files.FileContent,
    files.ExtendedKks,
    files.MediaUpload,
)
for _type in MESSAGE_TYPES:
    WRITERS[_type] = ("messages", write_messages)


# IMEI -> (device id, organisation id). Device ids never change, so this process-local map only
# saves a query per push; it is dropped when an ingest fails (a device may have been deleted).
_devices: dict[str, tuple[int, int]] = {}
_DEVICE_CACHE_LIMIT = 200_000


def forget_devices() -> None:
    _devices.clear()


def resolve_devices(
    *, account: TracksolidAccount, imeis: Iterable[str], result: IngestResult
) -> dict[str, int]:
    """Map IMEIs to device ids, creating unknown devices; IMEIs of other organisations are
    left out (and reported in ``result.refused``)."""
    wanted = set(imeis)
    known = {imei: _devices[imei] for imei in wanted if imei in _devices}
    unseen = wanted - known.keys()
    if unseen:
        found = dict(_lookup(unseen))
        missing = unseen - found.keys()
        if missing:
            Device.objects.bulk_create(
                [
                    Device(imei=imei, organisation_id=account.organisation_id, account=account)
                    for imei in sorted(missing)
                ],
                ignore_conflicts=True,
            )
            result.created_devices.extend(sorted(missing))
            found.update(_lookup(missing))
        if len(_devices) + len(found) > _DEVICE_CACHE_LIMIT:
            _devices.clear()
        _devices.update(found)
        known.update(found)
    device_ids = {}
    for imei, (device_id, organisation_id) in known.items():
        if organisation_id == account.organisation_id:
            device_ids[imei] = device_id
        else:
            result.refused.append((imei, "the device belongs to another organisation"))
    return device_ids


def _lookup(imeis: set[str]) -> Iterable[tuple[str, tuple[int, int]]]:
    rows = Device.objects.filter(imei__in=imeis).values_list("imei", "id", "organisation_id")
    return [(imei, (device_id, organisation_id)) for imei, device_id, organisation_id in rows]


def ingest_records(
    *,
    account: TracksolidAccount,
    records: Sequence[Record],
    source: str,
    now: datetime | None = None,
) -> IngestResult:
    """Store ``records`` (see the module docstring); idempotent and atomic."""
    result = IngestResult(received=len(records))
    if not records:
        return result
    by_writer: dict[Writer, list[Record]] = defaultdict(list)
    names: dict[Writer, str] = {}
    for record in records:
        try:
            name, writer = WRITERS[type(record)]
        except KeyError:
            raise TypeError(f"no writer for {type(record).__name__}") from None
        by_writer[writer].append(record)
        names[writer] = name
    # No savepoint of our own: a caller that needs one (the push view) makes it.
    with transaction.atomic(savepoint=False):
        device_ids = resolve_devices(
            account=account, imeis={r.imei for r in records}, result=result
        )
        batch = Batch(device_ids=device_ids, source=source, now=now or timezone.now())
        for writer, group in by_writer.items():
            kept = [r for r in group if r.imei in device_ids]
            if kept:
                writer(kept, batch)
                result.by_kind[names[writer]] = result.by_kind.get(names[writer], 0) + len(kept)
    return result


def record_vendor_online(*, account: TracksolidAccount, online_by_imei: Mapping[str, bool]) -> int:
    """Store the vendor's online flag from a location poll; returns the rows changed."""
    changed = 0
    now = timezone.now()
    devices = Device.objects.filter(
        organisation_id=account.organisation_id, imei__in=list(online_by_imei)
    ).values_list("imei", "id")
    by_flag: dict[bool, list[int]] = defaultdict(list)
    for imei, device_id in devices:
        by_flag[online_by_imei[imei]].append(device_id)
    with transaction.atomic():
        for flag, ids in by_flag.items():
            existing = set(
                DeviceState.objects.filter(device_id__in=ids).values_list("device_id", flat=True)
            )
            DeviceState.objects.bulk_create(
                [
                    DeviceState(device_id=i, vendor_online=flag, updated_at=now)
                    for i in ids
                    if i not in existing
                ],
                ignore_conflicts=True,
            )
            changed += (
                DeviceState.objects.filter(device_id__in=ids)
                .exclude(vendor_online=flag)
                .update(vendor_online=flag, updated_at=now)
            )
    return changed
