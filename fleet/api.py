"""API v1: the token login, devices (list, detail, status counts) and groups, plus the base
classes every API v1 view shares (authentication order, the user's time zone, pagination).

Every queryset starts from ``for_user`` (DESIGN.md rule 5): another organisation's device is a
404, never a 403, and never appears in a list.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.contrib.auth import authenticate
from django.db.models import Count, QuerySet
from django.utils import timezone
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from fleet.filters import DeviceFilter, DeviceGroupFilter, without
from fleet.models import Device, DeviceGroup
from fleet.serializers import (
    ApiErrorSerializer,
    DeviceCountsSerializer,
    DeviceDirectorySerializer,
    DeviceGroupSerializer,
    DeviceSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from telemetry.selectors import DISPLAY_STATUSES, status_case


class ApiPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class FleetApiView(APIView):
    """Base of every API v1 view.

    Token authentication comes first so an anonymous call gets 401 with
    ``WWW-Authenticate: Token`` (apps know to log in) rather than a bare 403. Once the caller is
    known, their time zone is activated: the middleware could not see a token user, and every
    time in a response is ISO 8601 in that zone, with its offset.
    """

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    pagination_class: type[BasePagination] | None = ApiPagination

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        zone = getattr(request.user, "time_zone", "") or "UTC"
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.activate(zoneinfo.ZoneInfo("UTC"))


# --- token login ------------------------------------------------------------------------------


class LoginRateThrottle(SimpleRateThrottle):
    """Slows password guessing at the token endpoint: 20 attempts a minute per client address."""

    scope = "auth-token"
    rate = "20/minute"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if request.method != "POST":
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AuthTokenView(FleetApiView):
    """``POST`` exchanges a username and password for a token; ``DELETE`` revokes it."""

    throttle_classes = [LoginRateThrottle]

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, 400: ApiErrorSerializer, 429: ApiErrorSerializer},
        auth=[],
        summary="Log in: exchange a username and password for an API token.",
    )
    def post(self, request: Request) -> Response:
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=form.validated_data["username"],
            password=form.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                "Unable to log in with the given username and password.",
                code="invalid_credentials",
            )
        token, _ = Token.objects.get_or_create(user_id=user.pk)
        return Response({"token": token.key})

    @extend_schema(
        operation_id="auth_token_destroy",
        request=None,
        responses={204: OpenApiResponse(description="The caller's token is revoked.")},
        summary="Log out: revoke the caller's API token.",
    )
    def delete(self, request: Request) -> Response:
        user_id: Any = request.user.pk
        Token.objects.filter(user_id=user_id).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- devices and groups -----------------------------------------------------------------------


DIRECTORY_FIELDS = (
    "id",
    "imei",
    "name",
    "device_name",
    "vehicle_number",
    "driver_name",
    "driver_phone",
    "mc_type",
    "group_id",
    "group_name",
    "organisation",
    "status",
)


def devices_filtered_but_by_status(request: Request) -> QuerySet[Device]:
    """The caller's devices narrowed by the list's filters except ``status`` (the directory and
    the counts compute the status themselves)."""
    filterset = DeviceFilter(
        without(request.query_params, "status"),
        queryset=Device.objects.for_user(request.user).active(),
        request=request,
    )
    if not filterset.is_valid():
        raise translate_validation(filterset.errors)
    queryset: QuerySet[Device] = filterset.qs
    return queryset


def directory(request: Request) -> Response:
    """Every visible device's names, group and status as compact rows: what a map's searchable
    list needs for 10,000 devices in one small, fast answer (live updates come from positions)."""
    # The status too: devices with no position yet are not in positions/latest/, and the list
    # must not call a device "unknown" that the server calls "offline".
    rows = (
        devices_filtered_but_by_status(request)
        .annotate(_status=status_case(timezone.now(), "state__"))
        .order_by("device_name", "imei", "id")
        .values_list(
            "id",
            "imei",
            "device_name",
            "vehicle_number",
            "driver_name",
            "driver_phone",
            "mc_type",
            "group_id",
            "group__name",
            "organisation_id",
            "_status",
        )
    )
    devices = [
        [pk, imei, name or plate or imei, name, plate, driver, phone, model, group, group_name, org,
         status]
        for pk, imei, name, plate, driver, phone, model, group, group_name, org, status in rows
    ]  # fmt: skip
    return Response({"fields": DIRECTORY_FIELDS, "devices": devices})


class DeviceViewSet(FleetApiView, viewsets.ReadOnlyModelViewSet[Device]):
    """The devices the caller may see, with their latest state and display status."""

    serializer_class = DeviceSerializer
    filterset_class = DeviceFilter

    def get_queryset(self) -> QuerySet[Device]:
        return (
            Device.objects.for_user(self.request.user)
            .active()
            .select_related("group", "state")
            .order_by("device_name", "imei", "id")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(summary="Devices, with filters by status, group, organisation and text.")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Every visible device's names, group and status as compact rows, unpaginated.",
        description="For searchable lists of large fleets; takes the list's filters except"
        " `status`. The status is as of the answer; live updates come from"
        " `positions/latest/`.",
        responses=DeviceDirectorySerializer,
        filters=True,
    )
    @action(detail=False, pagination_class=None)
    def directory(self, request: Request) -> Response:
        return directory(request)

    @extend_schema(
        summary="How many devices are in each status (for the list's filter badges).",
        description="Takes the same filters as the list, except `status`.",
        responses=DeviceCountsSerializer,
        filters=True,
    )
    @action(detail=False, pagination_class=None)
    def counts(self, request: Request) -> Response:
        rows = (
            devices_filtered_but_by_status(request)
            .annotate(_status=status_case(timezone.now(), "state__"))
            .values("_status")
            .annotate(n=Count("id"))
            .order_by()
        )
        counts = dict.fromkeys(DISPLAY_STATUSES, 0)
        for row in rows:
            counts[row["_status"]] = row["n"]
        return Response({"total": sum(counts.values()), **counts})


class DeviceGroupViewSet(FleetApiView, viewsets.ReadOnlyModelViewSet[DeviceGroup]):
    """The device groups the caller may see."""

    serializer_class = DeviceGroupSerializer
    filterset_class = DeviceGroupFilter

    def get_queryset(self) -> QuerySet[DeviceGroup]:
        return DeviceGroup.objects.for_user(self.request.user).order_by("name", "id")
