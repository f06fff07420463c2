"""Fleet writes that call the vendor: mirroring an account's devices and groups."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import TracksolidAccount
from accounts.services import vendor_client
from fleet.models import Device, DeviceGroup
from tracksolid.client import TracksolidClient
from tracksolid.errors import IllegalUserOrDevice
from tracksolid.records import DeviceInfo

# jimi.track.device.detail is one call per device: a first sync of a big fleet spreads its
# detail calls over several runs (about a minute of calls each) instead of one long burst.
DETAIL_BUDGET = 500
# Pause between detail calls (seconds): about 10 calls a second, well under the vendor's limit.
DETAIL_PAUSE = 0.1
# Group ids the vendor uses for "no group".
NO_GROUP = {"", "0", "-1"}

# Device columns filled from DeviceInfo, by DeviceInfo attribute.
_TEXT_FIELDS = {
    "device_name": "device_name",
    "mc_type": "mc_type",
    "sim": "sim",
    "vehicle_name": "vehicle_name",
    "vehicle_number": "vehicle_number",
    "vehicle_icon": "vehicle_icon",
    "driver_name": "driver_name",
    "driver_phone": "driver_phone",
    "account": "vendor_account",
    "group_name": "vendor_group_name",
}
_OTHER_FIELDS = {
    "expiration": "expiration",
    "activation_time": "activation_time",
    "current_mileage": "current_mileage",
    "enabled": "enabled",
}
# Vendor fields without a name in DeviceInfo that have a column of their own.
_EXTRA_COLUMNS = {"iccid": "iccid", "reMark": "remarks", "remarks": "remarks"}
_UPDATE_FIELDS = [
    *_TEXT_FIELDS.values(),
    *_OTHER_FIELDS.values(),
    "iccid",
    "remarks",
    "extra",
    "group",
    "account",
    "organisation",
    "vendor_deleted_at",
    "last_synced_at",
]


@dataclass
class SyncResult:
    listed: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)  # no longer listed: vendor_deleted_at set
    restored: list[str] = field(default_factory=list)  # listed again after a deletion
    # Listed, but another of our accounts still lists it (it moves once that one stops).
    owned_elsewhere: list[str] = field(default_factory=list)
    details_fetched: int = 0
    details_deferred: int = 0
    groups_created: int = 0
    groups_updated: int = 0
    groups_deleted: int = 0


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _values(info: DeviceInfo) -> dict[str, Any]:
    """Device column values from one vendor record; fields the vendor left out are absent."""
    values: dict[str, Any] = {}
    for attr, column in _TEXT_FIELDS.items():
        value = getattr(info, attr)
        if value is not None:
            values[column] = value
    for attr, column in _OTHER_FIELDS.items():
        value = getattr(info, attr)
        if value is not None:
            values[column] = value
    extra = dict(info.extra)
    for key, column in _EXTRA_COLUMNS.items():
        value = extra.pop(key, None)
        if value not in (None, ""):
            values[column] = str(value)
    values["extra"] = _jsonable(extra)
    return values


def _merge(listed: DeviceInfo, detail: DeviceInfo | None) -> dict[str, Any]:
    values = _values(listed)
    if detail is not None:
        more = _values(detail)
        extra = {**values["extra"], **more.pop("extra")}
        values.update(more)
        values["extra"] = extra
    return values


def _changed(device: Device, values: Mapping[str, Any]) -> bool:
    for column, value in values.items():
        if column == "extra":
            if any(device.extra.get(k) != v for k, v in value.items()):
                return True
        elif getattr(device, column) != value:
            return True
    return False


def _sync_groups(
    *, account: TracksolidAccount, client: TracksolidClient, infos: list[DeviceInfo]
) -> tuple[dict[str, DeviceGroup], dict[str, int]]:
    """Our vendor groups for the account, by vendor id, after mirroring the vendor's list.

    The account's own groups come from ``jimi.device.group.list``; groups of sub-accounts are
    known only from the device records that name them (id and name).
    """
    wanted: dict[str, tuple[str, str]] = {}  # vendor id: (name, owning vendor account)
    for listed in client.device_group_list():
        if listed.group_id and listed.group_id not in NO_GROUP:
            wanted[listed.group_id] = (listed.group_name or listed.group_id, account.target)
    for info in infos:
        if info.group_id and info.group_id not in NO_GROUP and info.group_id not in wanted:
            wanted[info.group_id] = (info.group_name or info.group_id, info.account or "")
    existing = {
        g.vendor_group_id: g
        for g in DeviceGroup.objects.filter(account=account).exclude(vendor_group_id="")
    }
    counts = {"created": 0, "updated": 0, "deleted": 0}
    new = [
        DeviceGroup(
            organisation_id=account.organisation_id,
            account=account,
            vendor_group_id=gid,
            name=name,
            vendor_account=owner,
        )
        for gid, (name, owner) in wanted.items()
        if gid not in existing
    ]
    DeviceGroup.objects.bulk_create(new)
    counts["created"] = len(new)
    renamed = []
    for gid, group in existing.items():
        if gid in wanted and (group.name, group.vendor_account) != wanted[gid]:
            group.name, group.vendor_account = wanted[gid]
            renamed.append(group)
    DeviceGroup.objects.bulk_update(renamed, ["name", "vendor_account"])
    counts["updated"] = len(renamed)
    gone = [g.pk for gid, g in existing.items() if gid not in wanted]
    if gone:
        # Deleting the group files its devices under no group (SET_NULL); history stays.
        counts["deleted"] = DeviceGroup.objects.filter(pk__in=gone).delete()[0]
    groups = {
        g.vendor_group_id: g
        for g in DeviceGroup.objects.filter(account=account).exclude(vendor_group_id="")
    }
    return groups, counts


def sync_devices(
    *,
    account: TracksolidAccount,
    client: TracksolidClient | None = None,
    detail_budget: int = DETAIL_BUDGET,
    detail_pause: float = DETAIL_PAUSE,
) -> SyncResult:
    """Mirror the vendor's devices and groups of ``account`` into ``Device``/``DeviceGroup``.

    1. ``jimi.user.device.list`` for the account's target (one call, no paging) and
       ``jimi.device.group.list`` (one call).
    2. ``jimi.track.device.detail`` only for devices that are new or whose listed fields
       changed, at most ``detail_budget`` a run (the rest on the next run); unchanged devices
       cost no call.
    3. Devices no longer listed get ``vendor_deleted_at`` (cleared when listed again); a device
       listed by this account moves here (account and organisation) once the account that had it
       stops listing it.
    """
    result = SyncResult()
    with vendor_client(account, client) as client:
        infos = [i for i in client.user_device_list() if i.imei]
        result.listed = len(infos)
        groups, counts = _sync_groups(account=account, client=client, infos=infos)
        result.groups_created = counts["created"]
        result.groups_updated = counts["updated"]
        result.groups_deleted = counts["deleted"]
        devices = {
            d.imei: d
            for d in Device.objects.select_related("group").filter(imei__in=[i.imei for i in infos])
        }
        details: dict[str, DeviceInfo] = {}
        deferred: set[str] = set()
        for info in infos:
            device = devices.get(info.imei)
            # Devices whose detail was put off by the budget have no last_synced_at yet.
            needs_detail = (
                device is None
                or device.last_synced_at is None
                or _changed(device, _values(info))
                or _regrouped(device, info)
            )
            if not needs_detail:
                continue
            if len(details) >= detail_budget:
                deferred.add(info.imei)
                continue
            if details and detail_pause:
                time.sleep(detail_pause)
            try:
                details[info.imei] = client.track_device_detail(info.imei)
            except IllegalUserOrDevice:
                # Listed but not (yet) readable, e.g. moved a moment ago: try next run.
                deferred.add(info.imei)
        result.details_fetched = len(details)
        result.details_deferred = len(deferred)
    _apply(
        account=account,
        infos=infos,
        details=details,
        deferred=deferred,
        groups=groups,
        result=result,
    )
    return result


@transaction.atomic
def _apply(
    *,
    account: TracksolidAccount,
    infos: list[DeviceInfo],
    details: Mapping[str, DeviceInfo],
    deferred: set[str],
    groups: Mapping[str, DeviceGroup],
    result: SyncResult,
) -> None:
    now = timezone.now()
    devices = {
        d.imei: d
        for d in Device.objects.select_related("account")
        .select_for_update(of=("self",))
        .filter(imei__in=[i.imei for i in infos])
    }
    groups_by_name = {g.name: g for g in groups.values()}
    to_create: list[Device] = []
    to_update: list[Device] = []
    unchanged: list[int] = []
    for info in infos:
        values = _merge(info, details.get(info.imei))
        group_id = (details[info.imei].group_id if info.imei in details else None) or info.group_id
        group = groups.get(group_id or "") or groups_by_name.get(
            values.get("vendor_group_name", "")
        )
        device = devices.get(info.imei)
        if device is None:
            device = Device(
                imei=info.imei, organisation_id=account.organisation_id, account=account
            )
            _assign(device, values, group, None if info.imei in deferred else now)
            to_create.append(device)
            result.created.append(info.imei)
            continue
        if device.account_id not in (None, account.pk) and _held_elsewhere(device):
            result.owned_elsewhere.append(info.imei)
            continue
        before = (device.account_id, device.organisation_id, device.group_id)
        was_deleted = device.vendor_deleted_at is not None
        changed = _changed(device, values) or was_deleted
        device.account = account
        device.organisation_id = account.organisation_id
        _assign(device, values, group, None if info.imei in deferred else now)
        if was_deleted:
            result.restored.append(info.imei)
        if changed or before != (device.account_id, device.organisation_id, device.group_id):
            result.updated.append(info.imei)
            device.updated_at = now
            to_update.append(device)
        elif info.imei in deferred:
            to_update.append(device)
        else:
            unchanged.append(device.pk)
    Device.objects.bulk_create(to_create, ignore_conflicts=True)
    # Only changed rows are rewritten; the rest just record that they were seen.
    Device.objects.bulk_update(to_update, [*_UPDATE_FIELDS, "updated_at"], batch_size=500)
    Device.objects.filter(pk__in=unchanged).update(last_synced_at=now)
    listed = [i.imei for i in infos]
    gone = Device.objects.filter(account=account, vendor_deleted_at=None).exclude(imei__in=listed)
    result.deleted = sorted(gone.values_list("imei", flat=True))
    gone.update(vendor_deleted_at=now, updated_at=now)


def _regrouped(device: Device, info: DeviceInfo) -> bool:
    if info.group_id is None or info.group_id in NO_GROUP:
        return False
    return device.group is None or device.group.vendor_group_id != info.group_id


def _held_elsewhere(device: Device) -> bool:
    """True while another active account of ours still lists the device."""
    other = device.account
    return other is not None and other.is_active and device.vendor_deleted_at is None


def _assign(
    device: Device, values: Mapping[str, Any], group: DeviceGroup | None, now: datetime | None
) -> None:
    for column, value in values.items():
        if column == "extra":
            device.extra = {**(device.extra or {}), **value}
        else:
            setattr(device, column, value)
    device.group = group
    device.vendor_deleted_at = None
    device.last_synced_at = now
