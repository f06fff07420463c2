"""Pollers: the vendor's latest locations, trips, stops and alarms, stored through the ingest path.

Each poller translates the client's records into the ingest path's records (DESIGN.md rule 1),
keeps a ``PollCursor`` per account, claims it so two runs never overlap (``telemetry.cursors``),
and leaves the vendor's limits to the client (50 IMEIs a call, month windows, paging, 1006
back-off). Vendor calls per cycle for ``n`` devices of an account:

- locations: 1 (``jimi.user.device.location.list`` covers the whole account);
- trips: ``ceil(n / 50)`` x pages (one page of 500 rows per batch in practice);
- stops: ``2 x ceil(n / 50)`` x pages (parking with ``acc_type=0``, idling with ``acc_type=1``);
- alarms: ``ceil(n / 50)`` x pages (one page of up to 1000 rows);
- plus a token call at most once a minute per account (usually none: the token is shared).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from accounts.models import TracksolidAccount
from accounts.services import vendor_client
from fleet.models import Device
from fleet.services import sync_devices
from telemetry.cursors import advance, claimed
from telemetry.ingest import IngestResult, ingest_records, record_vendor_online
from telemetry.models import PollCursor, Source
from tracksolid.client import TracksolidClient
from tracksolid.errors import IllegalUserOrDevice, ParameterError
from tracksolid.push_records import AlarmEvent, GpsPoint, Heartbeat
from tracksolid.records import AlarmRecord, DeviceLocation, ParkingRecord

log = logging.getLogger(__name__)

BATCH = 50
# Rows per page of the report methods; a 50-device batch rarely has more in a day.
REPORT_PAGE_SIZE = 500
# How far back a poller with no cursor starts.
INITIAL_LOOKBACK = timedelta(days=1)
# The vendor keeps about 90 days; never ask for more.
HORIZON = timedelta(days=89)
# Trips come back once they have ended, and only if they started inside the window: each run
# looks this far behind its cursor, so trips up to this long are caught.
TRIP_OVERLAP = timedelta(days=1)
# Stops likewise; a longer stop is kept once, with the window start as its start (flagged).
STOP_OVERLAP = timedelta(days=1)
# Alarms can reach the vendor's list late (devices buffer them while out of coverage).
ALARM_OVERLAP = timedelta(minutes=30)
# Claims outlast a slow run; a run releases its claim as soon as it ends.
LEASES = {
    "locations": timedelta(minutes=2),
    "trips": timedelta(minutes=15),
    "stops": timedelta(minutes=15),
    "alarms": timedelta(minutes=10),
    "device_sync": timedelta(minutes=30),
}


@dataclass
class PollResult:
    poller: str
    ran: bool = True  # False: another run held the claim, nothing was done
    begin: datetime | None = None
    end: datetime | None = None
    fetched: int = 0  # records the vendor answered
    # Records handed to the ingest path, by kind (it skips those it already has).
    stored: dict[str, int] = field(default_factory=dict)
    created_devices: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, ingested: IngestResult) -> None:
        for kind, count in ingested.by_kind.items():
            self.stored[kind] = self.stored.get(kind, 0) + count
        self.created_devices.extend(ingested.created_devices)


def _second(value: datetime) -> datetime:
    """The vendor's times have whole seconds; windows do too, so their bounds compare equal."""
    return value.replace(microsecond=0)


def _window(
    cursor: PollCursor,
    overlap: timedelta,
    vendor: TracksolidClient,
    now: datetime | None,
    lookback: timedelta | None = None,
) -> tuple[datetime, datetime]:
    """[cursor - overlap, now), never before the vendor's horizon nor after its now.

    ``lookback`` (the account catch-up) reaches at least that far back from now, so the
    reports cover the same days as the imported track history.
    """
    end = _second(vendor.before_now(now or timezone.now()))
    begin = cursor.position - overlap if cursor.position else end - INITIAL_LOOKBACK
    if lookback is not None:
        begin = min(begin, end - lookback)
    return _second(max(begin, end - HORIZON)), end


def account_imeis(account: TracksolidAccount) -> list[str]:
    """The account's devices the vendor still lists (those are the ones it answers for)."""
    return list(
        Device.objects.filter(account=account, vendor_deleted_at=None)
        .order_by("imei")
        .values_list("imei", flat=True)
    )


def _batches(imeis: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(imeis), BATCH):
        yield list(imeis[start : start + BATCH])


# --- latest locations ---------------------------------------------------------------------------


def location_records(
    locations: Sequence[DeviceLocation],
) -> tuple[list[GpsPoint | Heartbeat], dict[str, bool]]:
    """Positions and heartbeats for the ingest path, and the vendor's online flags by IMEI."""
    records: list[GpsPoint | Heartbeat] = []
    online: dict[str, bool] = {}
    for loc in locations:
        if not loc.imei:
            continue
        if loc.online is not None:
            online[loc.imei] = loc.online
        if loc.gps_time is not None and loc.lat is not None and loc.lng is not None:
            records.append(
                GpsPoint(
                    imei=loc.imei,
                    gps_time=loc.gps_time,
                    lat=loc.lat,
                    lng=loc.lng,
                    speed=loc.speed,
                    direction=loc.direction,
                    satellites=loc.gps_num,
                    acc=loc.acc,
                    pos_type=loc.pos_type,
                    # The odometer (km) as the push's mileage field has it (metres).
                    distance=None if loc.current_mileage is None else loc.current_mileage * 1000,
                    extra={**loc.extra, **_named_extras(loc)},
                )
            )
        if loc.hb_time is not None:
            records.append(
                Heartbeat(
                    imei=loc.imei,
                    gate_time=loc.hb_time,
                    power_level=loc.elect_quantity,
                    gsm_signal=loc.gps_signal,
                )
            )
    return records, online


def _named_extras(loc: DeviceLocation) -> dict[str, Any]:
    """Fields the location record names but positions have no column for, under the vendor's
    names (battery and supply voltages, model, LBS confidence)."""
    named = {
        "batteryPowerVal": loc.battery_voltage,
        "powerValue": loc.power_value,
        "mcType": loc.mc_type,
        "confidence": loc.confidence,
    }
    return {name: value for name, value in named.items() if value is not None}


def poll_locations(
    *, account: TracksolidAccount, client: TracksolidClient | None = None
) -> PollResult:
    """One ``jimi.user.device.location.list`` call for the whole account, stored as positions,
    heartbeats and the vendor's online flags."""
    result = PollResult("locations")
    with claimed(account, "locations", lease=LEASES["locations"]) as cursor:
        if cursor is None:
            return dataclasses.replace(result, ran=False)
        with vendor_client(account, client) as vendor:
            locations = vendor.user_device_location_list()
        records, online = location_records(locations)
        result.fetched = len(locations)
        result.add(ingest_records(account=account, records=records, source=Source.POLL))
        record_vendor_online(account=account, online_by_imei=online)
        _name_new_devices(locations, result.created_devices)
        times = [r.gps_time for r in records if isinstance(r, GpsPoint)]
        result.end = max(times) if times else None
        if result.end is not None:
            advance(cursor, result.end)
    return result


def _name_new_devices(locations: Sequence[DeviceLocation], created: Sequence[str]) -> None:
    """Devices first seen here get the vendor's name now rather than at the next sync."""
    names = {loc.imei: loc.device_name for loc in locations if loc.device_name}
    unnamed = list(
        Device.objects.filter(imei__in=[i for i in created if i in names], device_name="")
    )
    for device in unnamed:
        device.device_name = names[device.imei]
    Device.objects.bulk_update(unnamed, ["device_name"], batch_size=500)


# --- trips ----------------------------------------------------------------------------------


def poll_trips(
    *,
    account: TracksolidAccount,
    client: TracksolidClient | None = None,
    now: datetime | None = None,
    lookback: timedelta | None = None,
) -> PollResult:
    """``jimi.device.track.mileage`` for the account's devices, 50 a call, from the cursor."""
    result = PollResult("trips")
    with claimed(account, "trips", lease=LEASES["trips"]) as cursor:
        if cursor is None:
            return dataclasses.replace(result, ran=False)
        previous = cursor.position
        with vendor_client(account, client) as vendor:
            begin, end = _window(cursor, TRIP_OVERLAP, vendor, now, lookback)
            result.begin, result.end = begin, end
            for imeis in _batches(account_imeis(account)):
                try:
                    trips = vendor.device_track_mileage(
                        imeis, begin, end, page_size=REPORT_PAGE_SIZE
                    )
                except IllegalUserOrDevice as exc:
                    # A device the vendor no longer gives us; the next device sync marks it.
                    result.errors.append(str(exc))
                    continue
                result.fetched += len(trips)
                # Trips that ended before the previous run's end were stored by that run.
                new = [t for t in trips if not _seen(t.end_time, previous)]
                result.add(ingest_records(account=account, records=new, source=Source.POLL))
        _finish(cursor, result)
    return result


def _seen(end_time: datetime | None, previous: datetime | None) -> bool:
    return previous is not None and end_time is not None and end_time <= previous


def _finish(cursor: PollCursor, result: PollResult) -> None:
    """Advance the cursor only when every batch succeeded, so a failed batch is asked again."""
    if result.errors:
        cursor.last_error = "; ".join(result.errors)[:2000]
    elif result.end is not None:
        advance(cursor, result.end)


# --- stops (parking and idling) ---------------------------------------------------------------

# acc_type → (ACC flag given to the ingest path, which makes the stop kind).
STOP_KINDS = {"0": False, "1": True}


def stop_records(
    records: Sequence[ParkingRecord],
    *,
    acc: bool,
    begin: datetime,
    end: datetime,
    previous: datetime | None,
) -> list[ParkingRecord]:
    """The finished stops to store from one report window.

    The report clips stops to the window. A stop still going on at ``end`` is left for a later
    run (its end is not known yet); a stop that ended by ``previous`` (the last run's end) was
    stored by that run. So each stop is kept in the one run in which it ended; one clipped at
    ``begin`` (longer than the overlap) gets the window start as its start and
    ``start_clipped`` in ``extra``.
    """
    kept = []
    for rec in records:
        if rec.start_time is None or rec.end_time is None or rec.end_time >= end:
            continue
        if _seen(rec.end_time, previous):
            continue  # stored by an earlier run
        extra = dict(rec.extra)
        if rec.start_time <= begin:
            extra["start_clipped"] = True
        kept.append(dataclasses.replace(rec, acc=acc, extra=extra))
    return kept


def poll_stops(
    *,
    account: TracksolidAccount,
    client: TracksolidClient | None = None,
    now: datetime | None = None,
    lookback: timedelta | None = None,
) -> PollResult:
    """``jimi.open.platform.report.parking`` (parking, then idling) in 50-device batches."""
    result = PollResult("stops")
    with claimed(account, "stops", lease=LEASES["stops"]) as cursor:
        if cursor is None:
            return dataclasses.replace(result, ran=False)
        previous = cursor.position
        with vendor_client(account, client) as vendor:
            begin, end = _window(cursor, STOP_OVERLAP, vendor, now, lookback)
            result.begin, result.end = begin, end
            for imeis in _batches(account_imeis(account)):
                for acc_type, acc in STOP_KINDS.items():
                    try:
                        rows = vendor.open_platform_report_parking(
                            imeis, begin, end, acc_type=acc_type, page_size=REPORT_PAGE_SIZE
                        )
                    except IllegalUserOrDevice as exc:
                        result.errors.append(str(exc))
                        break
                    except ParameterError as exc:
                        if acc_type == "0":
                            raise
                        # Some accounts accept only acc_type=0 (field notes): no idling report.
                        log.warning("idling report refused for %s: %s", account, exc)
                        continue
                    result.fetched += len(rows)
                    stops = stop_records(rows, acc=acc, begin=begin, end=end, previous=previous)
                    result.add(ingest_records(account=account, records=stops, source=Source.POLL))
        _finish(cursor, result)
    return result


# --- alarms ---------------------------------------------------------------------------------


def alarm_event(record: AlarmRecord) -> AlarmEvent | None:
    """The polled alarm as the one alarm record pushes also become (``None`` if unusable)."""
    if not record.imei or not record.type_id or record.alarm_time is None:
        return None
    return AlarmEvent(
        imei=record.imei,
        type_id=record.type_id,
        alarm_time=record.alarm_time,
        source="poll",
        type_name=record.type_name,
        lat=record.lat,
        lng=record.lng,
        speed=record.speed,
        fence_id=record.fence_id,
        extra=dict(record.extra),
    )


def poll_alarms(
    *,
    account: TracksolidAccount,
    client: TracksolidClient | None = None,
    now: datetime | None = None,
    lookback: timedelta | None = None,
) -> PollResult:
    """``jimi.device.alarm.list`` from the cursor, 50 devices a call; the client cuts the range
    into windows of at most a month and pages each one."""
    result = PollResult("alarms")
    with claimed(account, "alarms", lease=LEASES["alarms"]) as cursor:
        if cursor is None:
            return dataclasses.replace(result, ran=False)
        with vendor_client(account, client) as vendor:
            begin, end = _window(cursor, ALARM_OVERLAP, vendor, now, lookback)
            result.begin, result.end = begin, end
            for imeis in _batches(account_imeis(account)):
                try:
                    alarms = vendor.device_alarm_list(imeis, begin, end)
                except IllegalUserOrDevice as exc:
                    result.errors.append(str(exc))
                    continue
                result.fetched += len(alarms)
                events = [e for e in map(alarm_event, alarms) if e is not None]
                result.add(ingest_records(account=account, records=events, source=Source.POLL))
        _finish(cursor, result)
    return result


# --- device sync --------------------------------------------------------------------------------


def sync_account_devices(
    *, account: TracksolidAccount, client: TracksolidClient | None = None
) -> PollResult:
    """``fleet.services.sync_devices`` under a claim, with its run recorded on a cursor."""
    result = PollResult("device_sync")
    with claimed(account, "device_sync", lease=LEASES["device_sync"]) as cursor:
        if cursor is None:
            return dataclasses.replace(result, ran=False)
        with vendor_client(account, client) as vendor:
            synced = sync_devices(account=account, client=vendor)
        result.fetched = synced.listed
        result.stored = {
            "created": len(synced.created),
            "updated": len(synced.updated),
            "deleted": len(synced.deleted),
        }
        result.end = timezone.now()
        advance(cursor, result.end)
    return result
