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

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import TracksolidAccount
from fleet.models import Device
from telemetry.models import DeviceState
from telemetry.record_writers import WRITERS, Batch, Writer

Record = Any  # a tracksolid push record, Trip or ParkingRecord


@dataclass
class IngestResult:
    received: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    created_devices: list[str] = field(default_factory=list)
    # (imei, reason) of records refused, e.g. an IMEI owned by another organisation.
    refused: list[tuple[str, str]] = field(default_factory=list)


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
