"""API v1 shapes of devices, groups and the token login (see ``fleet/api.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from fleet.models import Command, Device, DeviceGroup
from telemetry.models import DeviceState
from telemetry.selectors import DISPLAY_STATUSES, display_status


class ApiErrorSerializer(serializers.Serializer[Any]):
    """The body of every API v1 error (``fleet/api_errors.py``)."""

    detail = serializers.CharField(help_text="A sentence for people.")
    code = serializers.CharField(help_text="A stable code for programs, e.g. invalid_range.")

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        # "errors" is taken on a Serializer; the field is added under that name here.
        return {
            **super().get_fields(),
            "errors": serializers.DictField(
                child=serializers.ListField(child=serializers.CharField()),
                required=False,
                help_text="On validation errors (400): the messages per parameter or field.",
            ),
        }


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(help_text="Send as the header `Authorization: Token <token>`.")


class GroupRefSerializer(serializers.ModelSerializer[DeviceGroup]):
    class Meta:
        model = DeviceGroup
        fields = ["id", "name"]


class DeviceGroupSerializer(serializers.ModelSerializer[DeviceGroup]):
    class Meta:
        model = DeviceGroup
        fields = ["id", "name", "vendor_account", "organisation"]
        extra_kwargs = {
            "vendor_account": {
                "help_text": "The Tracksolid (sub-)account the group belongs to; tells apart the"
                " same name in several sub-accounts."
            }
        }


class DeviceStateSerializer(serializers.ModelSerializer[DeviceState]):
    class Meta:
        model = DeviceState
        fields = [
            "gps_time",
            "lat",
            "lng",
            "speed",
            "direction",
            "acc",
            "battery",
            "gsm_signal",
            "mileage",
            "last_heartbeat_at",
            "updated_at",
            "extra",
        ]
        extra_kwargs = {
            "extra": {
                "help_text": "The newest value of each vendor field without a field of its own,"
                " under the vendor's name (e.g. batteryPowerVal in volts, iccid)."
            }
        }


def state_of(device: Device) -> DeviceState | None:
    try:
        return device.state
    except DeviceState.DoesNotExist:
        return None


class DeviceSerializer(serializers.ModelSerializer[Device]):
    name = serializers.CharField(
        source="display_name", read_only=True, help_text="Device name, else plate, else IMEI."
    )
    group = GroupRefSerializer(read_only=True, allow_null=True)
    state = serializers.SerializerMethodField(help_text="The latest fix and heartbeat, if any.")
    status = serializers.SerializerMethodField(
        help_text="moving (speed >= 3 km/h), idle (ignition on), parked, offline or unknown."
    )

    class Meta:
        model = Device
        fields = [
            "id",
            "imei",
            "name",
            "device_name",
            "vehicle_number",
            "driver_name",
            "driver_phone",
            "mc_type",
            "group",
            "organisation",
            "expiration",
            "state",
            "status",
        ]

    def _now(self) -> datetime:
        now = self.context.get("now")
        return now if isinstance(now, datetime) else timezone.now()

    @extend_schema_field(DeviceStateSerializer(allow_null=True))
    def get_state(self, device: Device) -> dict[str, Any] | None:
        state = state_of(device)
        return None if state is None else DeviceStateSerializer(state).data

    @extend_schema_field(serializers.ChoiceField(choices=DISPLAY_STATUSES))
    def get_status(self, device: Device) -> str:
        return display_status(state_of(device), self._now())


class DeviceCountsSerializer(serializers.Serializer[Any]):
    total = serializers.IntegerField()
    moving = serializers.IntegerField()
    idle = serializers.IntegerField()
    parked = serializers.IntegerField()
    offline = serializers.IntegerField()
    unknown = serializers.IntegerField()


class DeviceDirectorySerializer(serializers.Serializer[Any]):
    fields_ = serializers.ListField(
        child=serializers.CharField(), source="fields", help_text="The columns of each row."
    )
    devices = serializers.ListField(
        child=serializers.ListField(), help_text="One array per device, in `fields` order."
    )


# --- commands ---------------------------------------------------------------------------------


class CommandSerializer(serializers.ModelSerializer[Command]):
    device_name = serializers.CharField(source="device.display_name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    sent_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Command
        fields = [
            "id",
            "device",
            "device_name",
            "kind",
            "template_id",
            "name",
            "template",
            "params",
            "content",
            "status",
            "status_display",
            "vendor_message",
            "error_code",
            "error_message",
            "response",
            "sent_by",
            "created_at",
            "answered_at",
        ]
        read_only_fields = fields


class CommandRequestSerializer(serializers.Serializer[Any]):
    device = serializers.IntegerField(help_text="The device's id.")
    template_id = serializers.CharField(
        required=False, help_text="A template id from devices/{id}/command-templates/."
    )
    params = serializers.ListField(
        child=serializers.CharField(max_length=100, trim_whitespace=True),
        required=False,
        default=list,
        max_length=10,
        help_text="The template's parameters, in order ({0}, {1}, …).",
    )
    raw_hex = serializers.CharField(
        required=False, max_length=2048, help_text="Raw command bytes in hexadecimal instead."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("template_id" in attrs) == ("raw_hex" in attrs):
            raise serializers.ValidationError(
                "Give either template_id (with params) or raw_hex.", code="invalid_command"
            )
        return attrs


class CommandTemplateSerializer(serializers.Serializer[Any]):
    id = serializers.CharField(help_text="Send it as template_id.")
    name = serializers.CharField()
    template = serializers.CharField(help_text='The text sent, e.g. "RELAY,{0}#".')
    explain = serializers.CharField(help_text="What the parameters mean, from the vendor.")
    offline = serializers.BooleanField(help_text="Delivered when an offline device returns.")
    params = serializers.IntegerField(help_text="How many parameters it takes.")
