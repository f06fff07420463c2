"""Admin for raw pushes and every kind of stored telemetry (read-only: data comes from devices)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from telemetry import models
from telemetry.pushes import replay_push


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Telemetry is written by the ingest path only; admins look, filter and search."""

    # Rows print their device (its name or IMEI): fetched with the list, not once a row.
    list_select_related = ["device"]
    raw_id_fields = ["device"]
    search_fields = ["device__imei", "device__device_name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.RawPush)
class RawPushAdmin(admin.ModelAdmin[models.RawPush]):
    list_display = [
        "id",
        "endpoint",
        "account",
        "received_at",
        "status",
        "record_count",
        "rejected_count",
    ]
    list_filter = ["status", "endpoint", "account"]
    # The account column prints "name (organisation)": both in the list's one query.
    list_select_related = ["account__organisation"]
    date_hierarchy = "received_at"
    readonly_fields = [
        "account",
        "endpoint",
        "received_at",
        "content_type",
        "query",
        "body_text",
        "remote_addr",
        "status",
        "processed_at",
        "record_count",
        "rejected_count",
        "rejected",
        "error",
    ]
    exclude = ["body"]
    actions = ["replay"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Body")
    def body_text(self, obj: models.RawPush) -> str:
        # Device data is untrusted: format_html escapes it.
        return format_html(
            "<pre style='white-space:pre-wrap;overflow-wrap:anywhere;max-height:40em;"
            "overflow:auto'>{}</pre>",
            obj.readable_body(),
        )

    @admin.action(description="Replay the selected pushes through the ingest path")
    def replay(self, request: HttpRequest, queryset: QuerySet[models.RawPush]) -> None:
        outcomes: dict[str, int] = {}
        for raw in queryset.select_related("account"):
            status = replay_push(raw=raw).status
            outcomes[status] = outcomes.get(status, 0) + 1
        summary = ", ".join(f"{count} {status}" for status, count in sorted(outcomes.items()))
        self.message_user(request, f"Replayed: {summary}.", messages.SUCCESS)


@admin.register(models.Position)
class PositionAdmin(ReadOnlyAdmin):
    list_display = [
        "device",
        "gps_time",
        "lat",
        "lng",
        "speed",
        "direction",
        "acc",
        "pos_type",
        "source",
    ]
    list_filter = ["source", "pos_type"]
    date_hierarchy = "gps_time"
    show_full_result_count = False  # counting 86 M rows a day is not worth a page load


@admin.register(models.DeviceState)
class DeviceStateAdmin(ReadOnlyAdmin):
    list_display = [
        "device",
        "gps_time",
        "lat",
        "lng",
        "speed",
        "acc",
        "battery",
        "last_heartbeat_at",
        "vendor_online",
        "updated_at",
    ]
    list_filter = ["vendor_online", "acc"]


@admin.register(models.Alarm)
class AlarmAdmin(ReadOnlyAdmin):
    list_display = ["device", "alarm_time", "type_id", "type_name", "source", "acknowledged_at"]
    list_filter = ["source", "type_name"]
    date_hierarchy = "alarm_time"


@admin.register(models.Heartbeat)
class HeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["device", "gate_time", "power_level", "gsm_signal", "acc", "charging"]
    date_hierarchy = "gate_time"


@admin.register(models.DeviceEvent)
class DeviceEventAdmin(ReadOnlyAdmin):
    list_display = ["device", "event_time", "event_type", "device_timezone"]
    list_filter = ["event_type"]


@admin.register(models.SensorReading)
class SensorReadingAdmin(ReadOnlyAdmin):
    list_display = ["device", "reading_time", "kind", "sensor", "value", "unit"]
    list_filter = ["kind", "unit"]
    date_hierarchy = "reading_time"


@admin.register(models.ObdReading)
class ObdReadingAdmin(ReadOnlyAdmin):
    list_display = ["device", "event_time", "car_type", "acc", "values"]


@admin.register(models.FaultCodeReport)
class FaultCodeReportAdmin(ReadOnlyAdmin):
    list_display = ["device", "event_time", "codes", "count"]


@admin.register(models.VendorTripReport)
class VendorTripReportAdmin(ReadOnlyAdmin):
    list_display = ["device", "trip_time", "seq", "is_end", "distance_km", "fuel_l", "idle_seconds"]


@admin.register(models.DeviceMessage)
class DeviceMessageAdmin(ReadOnlyAdmin):
    list_display = ["device", "kind", "event_time", "received_at"]
    list_filter = ["kind"]


@admin.register(models.Trip)
class TripAdmin(ReadOnlyAdmin):
    list_display = ["device", "start_time", "end_time", "distance_km", "avg_speed", "duration_s"]
    date_hierarchy = "start_time"


@admin.register(models.Stop)
class StopAdmin(ReadOnlyAdmin):
    list_display = ["device", "kind", "start_time", "end_time", "duration_s", "address"]
    list_filter = ["kind"]
    date_hierarchy = "start_time"


@admin.register(models.PollCursor)
class PollCursorAdmin(admin.ModelAdmin[models.PollCursor]):
    list_display = ["poller", "account", "scope", "position", "last_run_at", "last_error"]
    list_filter = ["poller", "account"]
    list_select_related = ["account__organisation"]
    search_fields = ["scope"]
