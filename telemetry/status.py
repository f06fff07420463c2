"""Device status (online, offline, unknown) from the vendor's flag and the age of what we heard.

The rule, for the live map, the device list and the API alike:

1. Nothing known (no state, no position or heartbeat, no vendor flag): ``unknown``.
2. No position or heartbeat yet: the vendor's flag decides.
3. The last position or heartbeat is older than ``settings.DEVICE_OFFLINE_AFTER``: ``offline``
   (a stale "online" flag from a poller that stopped does not count).
4. Otherwise ``online``, unless the vendor says the device is off its gateway (its flag notices a
   dropped connection before the timeout runs out).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from django.conf import settings

from fleet.models import Device
from telemetry.models import DeviceState

Status = Literal["online", "offline", "unknown"]
ONLINE: Status = "online"
OFFLINE: Status = "offline"
UNKNOWN: Status = "unknown"


def last_seen(state: DeviceState) -> datetime | None:
    """The newest of the last position and the last heartbeat."""
    times = [t for t in (state.gps_time, state.last_heartbeat_at) if t is not None]
    return max(times) if times else None


def device_status(
    state: DeviceState | None, now: datetime, *, offline_after: timedelta | None = None
) -> Status:
    """The status of the device whose latest state is ``state`` (see the module docstring)."""
    if state is None:
        return UNKNOWN
    seen = last_seen(state)
    if seen is None:
        if state.vendor_online is None:
            return UNKNOWN
        return ONLINE if state.vendor_online else OFFLINE
    timeout = offline_after or timedelta(seconds=settings.DEVICE_OFFLINE_AFTER)
    if now - seen > timeout:
        return OFFLINE
    return OFFLINE if state.vendor_online is False else ONLINE


def status_of(device: Device, now: datetime) -> Status:
    """``device_status`` for a device (its ``state`` is one query unless selected with it)."""
    try:
        state = device.state
    except DeviceState.DoesNotExist:
        state = None
    return device_status(state, now)
