"""Admin for devices, groups and the command log."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from fleet.models import Command, Device, DeviceGroup


@admin.register(DeviceGroup)
class DeviceGroupAdmin(admin.ModelAdmin[DeviceGroup]):
    list_display = ["name", "vendor_account", "organisation", "account", "vendor_group_id"]
    list_filter = ["organisation"]
    search_fields = ["name", "vendor_group_id"]


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin[Device]):
    list_display = [
        "imei",
        "device_name",
        "vehicle_number",
        "driver_name",
        "mc_type",
        "group",
        "organisation",
        "expiration",
        "enabled",
    ]
    list_filter = ["organisation", "account", "mc_type", "enabled", "group"]
    search_fields = ["imei", "device_name", "vehicle_number", "driver_name", "sim"]
    list_select_related = ["organisation", "group"]
    readonly_fields = ["created_at", "updated_at", "last_synced_at", "vendor_deleted_at"]
    autocomplete_fields = ["group"]
    fieldsets = [
        (None, {"fields": ["imei", "device_name", "organisation", "account", "group", "enabled"]}),
        (
            "Vehicle and driver",
            {
                "fields": [
                    "vehicle_name",
                    "vehicle_number",
                    "vehicle_icon",
                    "driver_name",
                    "driver_phone",
                ]
            },
        ),
        (
            "Hardware and service",
            {
                "fields": [
                    "mc_type",
                    "sim",
                    "iccid",
                    "activation_time",
                    "expiration",
                    "current_mileage",
                    "device_status",
                    "vendor_account",
                    "vendor_group_name",
                    "remarks",
                ]
            },
        ),
        ("Vendor data", {"classes": ["collapse"], "fields": ["extra"]}),
        ("Sync", {"fields": ["last_synced_at", "vendor_deleted_at", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).select_related("organisation", "group")


@admin.register(Command)
class CommandAdmin(admin.ModelAdmin[Command]):
    """The command log: read-only here, since a command is sent once, from the console or API."""

    list_display = ["created_at", "device", "name", "content", "status", "sent_by", "answered_at"]
    list_filter = ["status", "kind", "account"]
    search_fields = ["device__imei", "device__device_name", "content", "vendor_code_id"]
    list_select_related = ["device", "sent_by"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
