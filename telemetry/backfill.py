"""Gap back-fill: find holes in stored positions and fill them from the vendor's track history.

A push that never came, downtime of ours, or a device out of coverage leaves a hole in
``Position``. The vendor keeps every point for about three months (``jimi.device.track.list``,
one device and at most 7 days a call), so holes are filled from there, through the one ingest
path with ``source=backfill``.

1. Periodically (``backfill_gaps(account=...)``), from the account's cursor: a gap is two
   consecutive positions more than ``GAP`` apart where the device was moving at the first one,
   or had moved more than ``MOVED_METRES`` by the second one (a parked tracker reports once and
   then only heartbeats, which is no gap); or no position since a moving one, up to now.
2. On demand (``backfill_gaps(device=..., since=...)``, ``manage.py backfill``): the same
   holes inside the range, plus the stretches before the first and after the last position in
   it, parked or not (a range with no data at all is one gap).
3. Gaps of a device that lie close together are fetched in one call; a range longer than 7
   days is cut into 7-day windows, never before the ~3-month horizon.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.models import TracksolidAccount
from accounts.services import vendor_client
from fleet.models import Device
from telemetry.cursors import advance, claimed
from telemetry.ingest import ingest_records
from telemetry.models import Position, Source
from telemetry.pollers import HORIZON
from tracksolid.client import TracksolidClient
from tracksolid.errors import IllegalUserOrDevice
from tracksolid.push_records import GpsPoint
from tracksolid.records import TrackPoint

GAP = timedelta(minutes=5)
MOVED_METRES = 200.0
# Positions younger than this may still be on their way (a push batch, the next poll).
SETTLE = timedelta(minutes=2)
# Each periodic run looks this far behind its cursor, so a gap that straddles it is seen.
OVERLAP = timedelta(hours=1)
# Where a periodic run with no cursor starts.
INITIAL_LOOKBACK = timedelta(days=1)
# Gaps of one device this close together are fetched in one call.
MERGE_WITHIN = timedelta(hours=1)
TRACK_SPAN = timedelta(days=7)
LEASE = timedelta(minutes=30)
DEVICE_CHUNK = 100

Window = tuple[datetime, datetime]
Progress = Callable[["WindowReport"], None]


@dataclass(frozen=True)
class Fix:
    gps_time: datetime
    lat: float
    lng: float
    speed: float | None
    acc: bool | None

    @property
    def moving(self) -> bool:
        return bool(self.speed and self.speed > 0) or self.acc is True


@dataclass(frozen=True)
class WindowReport:
    """One fetched window, for progress output."""

    imei: str
    begin: datetime
    end: datetime
    fetched: int
    stored: int
    index: int
    total: int


@dataclass
class BackfillResult:
    ran: bool = True
    begin: datetime | None = None
    end: datetime | None = None
    devices: int = 0
    gaps: int = 0
    windows: int = 0
    fetched: int = 0
    stored: int = 0
    errors: list[str] = field(default_factory=list)


def metres(a: Fix, b: Fix) -> float:
    """Great-circle distance (haversine), good enough to tell "moved" from GPS jitter."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat, dlng = lat2 - lat1, math.radians(b.lng - a.lng)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlng / 2) ** 2
    return 2 * 6_371_000 * math.asin(min(1.0, math.sqrt(h)))


def _fixes(device_ids: list[int], begin: datetime, end: datetime) -> dict[int, list[Fix]]:
    """Each device's last position before ``begin`` and its positions in [begin, end]."""
    by_device: dict[int, list[Fix]] = {pk: [] for pk in device_ids}
    before = Position.objects.filter(device=OuterRef("pk"), gps_time__lt=begin).order_by(
        "-gps_time"
    )
    previous = [
        pk
        for pk in Device.objects.filter(pk__in=device_ids)
        .annotate(previous=Subquery(before.values("id")[:1]))
        .values_list("previous", flat=True)
        if pk is not None
    ]
    columns = ("device_id", "gps_time", "lat", "lng", "speed", "acc")
    rows = Position.objects.filter(pk__in=previous).values_list(*columns)
    for device_id, *fix in rows:
        by_device[device_id].append(Fix(*fix))
    # Ordered by the unique (device, gps_time) index.
    in_range = (
        Position.objects.filter(device_id__in=device_ids, gps_time__gte=begin, gps_time__lte=end)
        .order_by("device_id", "gps_time")
        .values_list(*columns)
    )
    for device_id, *fix in in_range.iterator(chunk_size=5000):
        by_device[device_id].append(Fix(*fix))
    return by_device


def _silent(a: Fix, b: Fix) -> bool:
    """Two consecutive fixes with a hole between them: the device was moving, or moved."""
    return b.gps_time - a.gps_time > GAP and (a.moving or metres(a, b) > MOVED_METRES)


def find_gaps(
    fixes: list[Fix], begin: datetime, end: datetime, *, on_demand: bool = False
) -> list[Window]:
    """Gaps in one device's ``fixes`` (sorted; the first may precede ``begin``).

    Periodic: holes where the device was moving or moved, and the silence since a moving fix.
    ``on_demand``: holes inside [begin, end] where the device was moving or moved, and the
    stretches before its first and after its last fix there, parked or not (so a range with no
    data at all is one gap, and running it again asks for little).
    """
    if on_demand:
        inside = [f for f in fixes if begin <= f.gps_time <= end]
        if not inside:
            return [(begin, end)] if end - begin > GAP else []
        gaps = [(a.gps_time, b.gps_time) for a, b in itertools.pairwise(inside) if _silent(a, b)]
        if inside[0].gps_time - begin > GAP:
            gaps.insert(0, (begin, inside[0].gps_time))
        if end - inside[-1].gps_time > GAP:
            gaps.append((inside[-1].gps_time, end))
        return gaps
    gaps = [(a.gps_time, b.gps_time) for a, b in itertools.pairwise(fixes) if _silent(a, b)]
    if fixes and fixes[-1].moving:
        # Only this run's part of a silence: earlier runs asked for the rest, and a device that
        # died while driving must not cost a growing window every run.
        start = max(fixes[-1].gps_time, begin)
        if end - start > GAP:
            gaps.append((start, end))
    return gaps


def fetch_windows(gaps: Iterable[Window], *, horizon: datetime) -> list[Window]:
    """Merge close gaps, clamp to the horizon, cut into windows the vendor accepts."""
    merged: list[list[datetime]] = []
    for a, b in sorted(gaps):
        a = max(a, horizon)
        if b <= a:
            continue
        if merged and a - merged[-1][1] <= MERGE_WITHIN and b - merged[-1][0] <= TRACK_SPAN:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    windows: list[Window] = []
    for a, b in merged:
        start = a
        while start < b:
            stop = min(start + TRACK_SPAN, b)
            windows.append((start, stop))
            start = stop
    return windows


def track_records(points: Iterable[TrackPoint]) -> Iterator[GpsPoint]:
    for p in points:
        if p.gps_time is None or p.lat is None or p.lng is None:
            continue
        yield GpsPoint(
            imei=p.imei,
            gps_time=p.gps_time,
            lat=p.lat,
            lng=p.lng,
            speed=p.speed,
            direction=p.direction,
            acc=p.acc if p.acc is not None else p.ignition,
            pos_type=p.pos_type,
            reuploaded=p.reuploaded,
            extra=dict(p.extra),
        )


def _fill(
    *,
    account: TracksolidAccount,
    vendor: TracksolidClient,
    device: Device,
    windows: list[Window],
    result: BackfillResult,
    progress: Progress | None,
) -> None:
    for index, (a, b) in enumerate(windows, start=1):
        points = list(track_records(vendor.device_track_list(device.imei, a, b)))
        # New rows, not points handed over: the ingest path skips the ones we already have.
        in_window = Position.objects.filter(device=device, gps_time__gte=a, gps_time__lte=b)
        before = in_window.count()
        ingest_records(account=account, records=points, source=Source.BACKFILL)
        stored = in_window.count() - before
        result.windows += 1
        result.fetched += len(points)
        result.stored += stored
        if progress is not None:
            progress(WindowReport(device.imei, a, b, len(points), stored, index, len(windows)))


def _run(
    *,
    account: TracksolidAccount,
    devices: list[Device],
    begin: datetime,
    end: datetime,
    on_demand: bool,
    client: TracksolidClient | None,
    progress: Progress | None,
) -> BackfillResult:
    result = BackfillResult(begin=begin, end=end, devices=len(devices))
    if end <= begin:
        return result
    horizon = timezone.now() - HORIZON
    plans = []
    # A chunk of devices at a time keeps the positions held in memory bounded.
    for start in range(0, len(devices), DEVICE_CHUNK):
        chunk = devices[start : start + DEVICE_CHUNK]
        fixes = _fixes([d.pk for d in chunk], begin, end)
        for device in chunk:
            gaps = find_gaps(fixes[device.pk], begin, end, on_demand=on_demand)
            result.gaps += len(gaps)
            windows = fetch_windows(gaps, horizon=horizon)
            if windows:
                plans.append((device, windows))
        del fixes
    if not plans:
        return result
    with vendor_client(account, client) as vendor:
        for device, windows in plans:
            try:
                _fill(
                    account=account,
                    vendor=vendor,
                    device=device,
                    windows=windows,
                    result=result,
                    progress=progress,
                )
            except IllegalUserOrDevice as exc:
                result.errors.append(f"{device.imei}: {exc}")
    return result


def backfill_gaps(
    *,
    account: TracksolidAccount | None = None,
    device: Device | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    client: TracksolidClient | None = None,
    progress: Progress | None = None,
) -> BackfillResult:
    """Fill gaps of an account's devices (periodic) or of one device (on demand).

    With ``account``: from the account's ``backfill`` cursor (or ``since``) to now minus
    ``SETTLE``, gaps where the device was moving; the cursor advances when every device is done.
    With ``device``: every hole in [since, until or now] (``since`` required).
    """
    now = timezone.now()
    if device is not None:
        if since is None:
            raise ValueError("a device back-fill needs `since`")
        if device.account is None:
            raise ValueError(f"device {device.imei} has no Tracksolid account to ask")
        owner = device.account
        end = min(until or now, now - timedelta(seconds=1)).replace(microsecond=0)
        with claimed(owner, "backfill", lease=LEASE, scope=device.imei) as cursor:
            if cursor is None:
                return BackfillResult(ran=False)
            result = _run(
                account=owner,
                devices=[device],
                begin=max(since, now - HORIZON),
                end=end,
                on_demand=True,
                client=client,
                progress=progress,
            )
            if not result.errors:
                advance(cursor, end)
        return result
    if account is None:
        raise ValueError("give an account or a device")
    with claimed(account, "backfill", lease=LEASE) as cursor:
        if cursor is None:
            return BackfillResult(ran=False)
        end = (until or now - SETTLE).replace(microsecond=0)
        if since is not None:
            begin = since
        elif cursor.position is not None:
            begin = cursor.position - OVERLAP
        else:
            begin = end - INITIAL_LOOKBACK
        devices = list(Device.objects.filter(account=account, vendor_deleted_at=None))
        result = _run(
            account=account,
            devices=devices,
            begin=max(begin, now - HORIZON),
            end=end,
            on_demand=False,
            client=client,
            progress=progress,
        )
        if result.errors:
            cursor.last_error = "; ".join(result.errors)[:2000]
        else:
            advance(cursor, end)
    return result


def import_history(
    *,
    account: TracksolidAccount,
    days: int,
    client: TracksolidClient | None = None,
    progress: Progress | None = None,
) -> BackfillResult:
    """Fetch the track history the vendor still keeps for every device of a newly connected
    account (the last ``days``, at most its ~90-day horizon), through the one ingest path.

    Every device's range is an on-demand back-fill: no data at all is one gap, so a device costs
    one track call per 7 days; running it again asks only for what is still missing.
    """
    now = timezone.now()
    end = (now - timedelta(seconds=1)).replace(microsecond=0)
    with claimed(account, "import", lease=LEASE) as cursor:
        if cursor is None:
            return BackfillResult(ran=False)
        result = _run(
            account=account,
            devices=list(Device.objects.filter(account=account, vendor_deleted_at=None)),
            begin=max(now - timedelta(days=days), now - HORIZON),
            end=end,
            on_demand=True,
            client=client,
            progress=progress,
        )
        if result.errors:
            cursor.last_error = "; ".join(result.errors)[:2000]
        else:
            advance(cursor, end)
    return result
