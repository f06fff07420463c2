"""API v1: device commands — what a device supports, sending one, and the command log.

Sending answers ``201`` with the command as recorded: ``sent`` (Tracksolid accepted it; poll
``commands/{id}/`` until the device's answer makes it ``executed``) or ``failed`` with the
vendor's code and message. Only admins and dispatchers may send; viewers read the log.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from fleet.api import FleetApiView
from fleet.commands import CommandInvalid, command_templates, send_command
from fleet.models import Command, Device
from fleet.serializers import (
    ApiErrorSerializer,
    CommandRequestSerializer,
    CommandSerializer,
    CommandTemplateSerializer,
)
from fleet.tenancy import can_operate
from tracksolid.errors import TracksolidError


class VendorError(exceptions.APIException):
    status_code = status.HTTP_502_BAD_GATEWAY
    default_detail = "Tracksolid did not answer; try again shortly."
    default_code = "vendor_error"


class CommandRateThrottle(UserRateThrottle):
    """A runaway script must not flood devices (and the vendor's rate limit) with commands."""

    scope = "commands"
    rate = "60/minute"

    def allow_request(self, request: Request, view: Any) -> bool:
        return request.method != "POST" or super().allow_request(request, view)


class CommandFilter(django_filters.FilterSet):  # type: ignore[misc]
    device = django_filters.NumberFilter(field_name="device_id", help_text="A device id.")
    status = django_filters.ChoiceFilter(choices=Command.Status.choices)

    class Meta:
        model = Command
        fields: list[str] = []


def _device(request: Request, pk: Any) -> Device:
    device = Device.objects.for_user(request.user).active().select_related("account")
    found = device.filter(pk=pk).first()
    if found is None:
        raise exceptions.NotFound("No such device.")
    return found


class CommandViewSet(
    FleetApiView,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Command],
):
    """The command log of the devices the caller may see, newest first; ``POST`` sends one."""

    serializer_class = CommandSerializer
    filterset_class = CommandFilter
    throttle_classes = [CommandRateThrottle]

    def get_queryset(self) -> QuerySet[Command]:
        return Command.objects.for_user(self.request.user).select_related("device", "sent_by")

    @extend_schema(
        request=CommandRequestSerializer,
        responses={
            201: CommandSerializer,
            400: ApiErrorSerializer,
            403: ApiErrorSerializer,
            404: ApiErrorSerializer,
            502: ApiErrorSerializer,
        },
        summary="Send a command to a device (admins and dispatchers).",
        description="A template from `devices/{id}/command-templates/` with its parameters, or"
        " `raw_hex`. The answer is the recorded command: `sent` while the device has not"
        " answered, `failed` with the vendor's `error_code` and `error_message`; poll"
        " `commands/{id}/` for the device's `response`.",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = CommandRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        device = _device(request, data["device"])
        if not can_operate(request.user, device.organisation_id):
            raise exceptions.PermissionDenied("Viewers may not send commands.")
        try:
            command = send_command(
                device=device,
                user=request.user,
                template_id=data.get("template_id"),
                params=data["params"],
                raw_hex=data.get("raw_hex"),
            )
        except CommandInvalid as error:
            raise serializers.ValidationError(str(error), code="invalid_command") from error
        except TracksolidError as error:  # the template list could not be fetched
            raise VendorError(f"Tracksolid did not answer; try again shortly ({error}).") from error
        body = CommandSerializer(command, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


class DeviceCommandTemplatesView(FleetApiView):
    """The commands a device's model supports, from Tracksolid (cached for an hour)."""

    pagination_class = None

    @extend_schema(
        responses={
            200: CommandTemplateSerializer(many=True),
            404: ApiErrorSerializer,
            502: ApiErrorSerializer,
        },
        summary="The commands this device's model supports.",
    )
    def get(self, request: Request, pk: int) -> Response:
        device = _device(request, pk)
        try:
            templates = command_templates(device=device)
        except CommandInvalid as error:
            raise serializers.ValidationError(str(error), code="invalid_command") from error
        except TracksolidError as error:
            raise VendorError(f"Tracksolid did not answer; try again shortly ({error}).") from error
        return Response(CommandTemplateSerializer(templates, many=True).data)
