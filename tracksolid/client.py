"""``TracksolidClient``: one method per vendor method, and the table that maps them.

``METHODS`` is the one table of vendor method → client function → product use; the CLI and
``tracksolid/README.md`` are generated from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .client_commands import CommandMethods
from .client_core import ClientCore
from .client_devices import DeviceMethods
from .client_media import MediaMethods
from .client_tracking import TrackingMethods

__all__ = ["METHODS", "TracksolidClient", "VendorMethod", "method_by_vendor_name"]


class TracksolidClient(DeviceMethods, TrackingMethods, MediaMethods, CommandMethods, ClientCore):
    """A typed client for one Tracksolid account (see ``ClientCore`` for the options)."""

    def __enter__(self) -> TracksolidClient:
        return self


@dataclass(frozen=True)
class VendorMethod:
    vendor: str
    function: str
    section: str
    used_by: str


METHODS: tuple[VendorMethod, ...] = (
    VendorMethod(
        "jimi.oauth.token.get",
        "oauth_token_get",
        "3.1",
        "every call, and the credentials check (`accounts/services.py` `connect_account`)",
    ),
    VendorMethod(
        "jimi.oauth.token.refresh",
        "oauth_token_refresh",
        "3.2",
        "every call (client token refresh before expiry)",
    ),
    VendorMethod(
        "jimi.user.device.list",
        "user_device_list",
        "4.1",
        "device sync (`fleet/services.py` `sync_devices`)",
    ),
    VendorMethod(
        "jimi.track.device.detail",
        "track_device_detail",
        "4.2",
        "device sync, per-device detail (`fleet/services.py` `sync_devices`)",
    ),
    VendorMethod(
        "jimi.user.device.expiration.update",
        "user_device_expiration_update",
        "4.3",
        "admin action (planned)",
    ),
    VendorMethod(
        "jimi.open.device.update", "open_device_update", "4.4", "device edit in admin (planned)"
    ),
    VendorMethod("jimi.open.device.move", "open_device_move", "4.5", "admin action (planned)"),
    VendorMethod("jimi.open.device.bind", "open_device_bind", "4.6", "admin action (planned)"),
    VendorMethod("jimi.open.device.unbind", "open_device_unbind", "4.7", "admin action (planned)"),
    VendorMethod("jimi.device.group.create", "device_group_create", "4.8", "group sync (planned)"),
    VendorMethod("jimi.device.group.update", "device_group_update", "4.9", "group sync (planned)"),
    VendorMethod("jimi.device.group.delete", "device_group_delete", "4.10", "group sync (planned)"),
    VendorMethod(
        "jimi.device.group.list",
        "device_group_list",
        "4.11",
        "group sync (`fleet/services.py` `_sync_groups`)",
    ),
    VendorMethod(
        "jimi.user.device.location.list",
        "user_device_location_list",
        "5.1",
        "location poller (`telemetry/pollers.py` `poll_locations`)",
    ),
    VendorMethod(
        "jimi.device.location.get", "device_location_get", "5.2", "live map refresh (planned)"
    ),
    VendorMethod(
        "jimi.device.location.URL.share", "device_location_url_share", "5.3", "share link (planned)"
    ),
    VendorMethod(
        "jimi.device.track.mileage",
        "device_track_mileage",
        "5.4",
        "trips poller (`telemetry/pollers.py` `poll_trips`)",
    ),
    VendorMethod(
        "jimi.device.track.list",
        "device_track_list",
        "5.5",
        "gap back-fill and history import (`telemetry/backfill.py`)",
    ),
    VendorMethod("jimi.lbs.address.get", "lbs_address_get", "5.6", "LBS fallback (planned)"),
    VendorMethod(
        "jimi.open.platform.report.parking",
        "open_platform_report_parking",
        "5.7",
        "stops/idling poller (`telemetry/pollers.py` `poll_stops`)",
    ),
    VendorMethod(
        "jimi.device.location.getTagMsg",
        "device_location_get_tag_msg",
        "5.8",
        "TAG poller (planned)",
    ),
    VendorMethod(
        "jimi.device.alarm.list",
        "device_alarm_list",
        "6.1",
        "alarm poller (`telemetry/pollers.py` `poll_alarms`)",
    ),
    VendorMethod("jimi.device.live.page.url", "device_live_page_url", "7.1", "media (planned)"),
    VendorMethod("jimi.device.meida.cmd.send", "device_meida_cmd_send", "7.2", "media (planned)"),
    VendorMethod(
        "jimi.device.history.cmd.send", "device_history_cmd_send", "7.3", "media (planned)"
    ),
    VendorMethod("jimi.device.jimi.media.URL", "device_jimi_media_url", "7.4", "media (planned)"),
    VendorMethod(
        "jimi.device.media.event.URL", "device_media_event_url", "7.5", "alarm media (planned)"
    ),
    VendorMethod(
        "jimi.device.media.live.stream", "device_media_live_stream", "7.6", "live video (planned)"
    ),
    VendorMethod(
        "jimi.device.media.history.list.cmd",
        "device_media_history_list_cmd",
        "7.7",
        "video playback (planned)",
    ),
    VendorMethod(
        "jimi.device.media.history.list.get",
        "device_media_history_list_get",
        "7.8",
        "video playback (planned)",
    ),
    VendorMethod(
        "jimi.device.media.history.stream",
        "device_media_history_stream",
        "7.9",
        "video playback (planned)",
    ),
    VendorMethod(
        "jimi.device.media.close.stream",
        "device_media_close_stream",
        "7.10",
        "live video (planned)",
    ),
    VendorMethod(
        "jimi.open.instruction.list",
        "open_instruction_list",
        "8.1",
        "command console templates (`fleet/commands.py` `command_templates`)",
    ),
    VendorMethod(
        "jimi.open.instruction.send",
        "open_instruction_send",
        "8.2",
        "template commands (`fleet/commands.py` `send_command`)",
    ),
    VendorMethod(
        "jimi.open.instruction.result",
        "open_instruction_result",
        "8.3",
        "command results (`fleet/commands.py` `poll_command_results`)",
    ),
    VendorMethod(
        "jimi.open.instruction.raw.send",
        "open_instruction_raw_send",
        "8.4",
        "raw commands (`fleet/commands.py` `send_command`)",
    ),
    VendorMethod(
        "jimi.open.device.fence.create",
        "open_device_fence_create",
        "9.1",
        "geofence editor (planned)",
    ),
    VendorMethod(
        "jimi.open.device.fence.delete",
        "open_device_fence_delete",
        "9.2",
        "geofence editor (planned)",
    ),
    VendorMethod(
        "jimi.open.platform.fence.create",
        "open_platform_fence_create",
        "9.3",
        "geofence sync (planned)",
    ),
    VendorMethod(
        "jimi.open.platform.fence.delete",
        "open_platform_fence_delete",
        "9.4",
        "geofence sync (planned)",
    ),
    VendorMethod(
        "jimi.open.platform.fence.bind",
        "open_platform_fence_bind",
        "9.5",
        "geofence sync (planned)",
    ),
    VendorMethod("sendInstruct", "send_instruct", "A", "live video, alarm ack (planned)"),
    # Seen on the real service but not in the spec's tables.
    VendorMethod("jimi.user.child.list", "user_child_list", "extra", "account tree (planned)"),
    VendorMethod(
        "jimi.open.platform.fence.list",
        "open_platform_fence_list",
        "extra",
        "geofence sync (planned)",
    ),
)

_BY_VENDOR = {entry.vendor: entry for entry in METHODS}


def method_by_vendor_name(name: str) -> VendorMethod:
    """The table entry for a vendor method name (``KeyError`` if unknown)."""
    return _BY_VENDOR[name]
