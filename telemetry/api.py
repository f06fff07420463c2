"""API v1 reports: trips, stops (parking and idling) and alarms, with filters, CSV/XLSX export
and alarm acknowledgement. The live map and track endpoints are in ``telemetry/api_positions.py``,
the daily summaries in ``telemetry/api_reports.py``.

Every queryset starts from ``for_user`` (DESIGN.md rule 5).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import django_filters
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django_filters.utils import translate_validation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from fleet.api import FleetApiView
from fleet.filters import without
from fleet.serializers import ApiErrorSerializer
from fleet.tenancy import can_operate
from telemetry import exports
from telemetry.exports import Column
from telemetry.models import Alarm, Stop, Trip
from telemetry.serializers import (
    AcknowledgeSerializer,
    AlarmSerializer,
    StopSerializer,
    TripSerializer,
    parse_range,
)
from telemetry.services import acknowledge_alarm

RANGE_PARAMETERS = [
    OpenApiParameter(
        "from",
        OpenApiTypes.STR,
        description="ISO 8601 time (naive: the caller's time zone) or a date (its start).",
    ),
    OpenApiParameter(
        "to",
        OpenApiTypes.STR,
        description="ISO 8601 time, or a date (the range then includes that whole day).",
    ),
]
FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv", "xlsx"],
    description="csv or xlsx downloads the whole filtered list (not one page), with a total row.",
)

LIST_SCHEMA = extend_schema_view(
    list=extend_schema(parameters=[*RANGE_PARAMETERS, FORMAT_PARAMETER])
)


class DeviceScopedFilter(django_filters.FilterSet):  # type: ignore[misc]
    device = django_filters.NumberFilter(field_name="device_id", help_text="A device id.")
    group = django_filters.NumberFilter(field_name="device__group_id", help_text="A group id.")
    organisation = django_filters.NumberFilter(field_name="device__organisation_id")


class TripFilter(DeviceScopedFilter):
    class Meta:
        model = Trip
        fields: list[str] = []


class StopFilter(DeviceScopedFilter):
    kind = django_filters.ChoiceFilter(choices=Stop.Kind.choices)

    class Meta:
        model = Stop
        fields: list[str] = []


class AlarmFilter(DeviceScopedFilter):
    type = django_filters.CharFilter(field_name="type_id", help_text="An alarm type id.")
    acknowledged = django_filters.BooleanFilter(
        field_name="acknowledged_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Alarm
        fields: list[str] = []


class AlarmTypeCountSerializer(serializers.Serializer[Any]):
    type_id = serializers.CharField(help_text="Filter the list with `type=<type_id>`.")
    type_name = serializers.CharField(help_text="The vendor's name for it; may be empty.")
    count = serializers.IntegerField(help_text="How many alarms of this type match.")


def local_header(text: str) -> str:
    return f"{text} ({timezone.get_current_timezone_name()})"


class ExportableApiView(FleetApiView):
    """A view that answers ``?format=csv`` and ``?format=xlsx`` with a download."""

    renderer_classes = [
        JSONRenderer,
        BrowsableAPIRenderer,
        exports.CSVRenderer,
        exports.XLSXRenderer,
    ]

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        # Errors (and detail views) asked for as csv/xlsx still answer in JSON.
        if isinstance(response, Response) and getattr(
            request, "accepted_renderer", None
        ).__class__ in (exports.CSVRenderer, exports.XLSXRenderer):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class ReportViewSet(ExportableApiView, viewsets.ReadOnlyModelViewSet[Any]):
    """A read-only list in a time range (``time_field``), newest first, exportable as CSV/XLSX."""

    time_field = "start_time"
    export_name = ""
    # The list's from/to, parsed by get_queryset; the export's file name shows them.
    time_range: tuple[datetime | None, datetime | None] = (None, None)

    def scoped(self) -> QuerySet[Any]:
        raise NotImplementedError

    def export_columns(self) -> Sequence[Column]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        queryset = self.scoped().select_related("device")
        if self.action == "list":
            self.time_range = start, end = parse_range(self.request.query_params, max_range=None)
            if start is not None:
                queryset = queryset.filter(**{f"{self.time_field}__gte": start})
            if end is not None:
                queryset = queryset.filter(**{f"{self.time_field}__lt": end})
        return queryset.order_by(f"-{self.time_field}", "-id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        fmt = getattr(request.accepted_renderer, "format", "json")
        if fmt not in exports.EXPORT_FORMATS:
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        if fmt == "xlsx" and queryset.count() > exports.XLSX_MAX_ROWS:
            raise exceptions.ValidationError(
                {
                    "format": [
                        exceptions.ErrorDetail(
                            f"more than {exports.XLSX_MAX_ROWS} rows: narrow the range or use csv.",
                            code="export_too_large",
                        )
                    ]
                }
            )
        return exports.export_response(
            fmt,
            columns=self.export_columns(),
            rows=queryset.iterator(chunk_size=2000),
            name=exports.filename(self.export_name, *self.time_range, fmt),
        )


def _device_name(row: Any) -> str:
    return str(row.device.display_name)


@LIST_SCHEMA
class TripViewSet(ReportViewSet):
    """Trips (from the vendor's mileage report), newest first; ``from``/``to`` bound the start."""

    serializer_class = TripSerializer
    filterset_class = TripFilter
    export_name = "trips"

    def scoped(self) -> QuerySet[Any]:
        return Trip.objects.for_user(self.request.user)

    def export_columns(self) -> Sequence[Column]:
        return [
            Column("Device", _device_name),
            Column("IMEI", lambda t: t.device.imei),
            Column(local_header("Start"), lambda t: t.start_time),
            Column(local_header("End"), lambda t: t.end_time),
            Column("Distance (km)", lambda t: t.distance_km, total=True, digits=1),
            Column("Duration (min)", lambda t: _minutes(t.duration_s), total=True, digits=1),
            Column("Average speed (km/h)", lambda t: t.avg_speed, digits=0),
        ]


@LIST_SCHEMA
class StopViewSet(ReportViewSet):
    """Stops: ``kind=parking`` (ignition off) or ``kind=idling`` (ignition on), newest first."""

    serializer_class = StopSerializer
    filterset_class = StopFilter
    export_name = "stops"

    def scoped(self) -> QuerySet[Any]:
        return Stop.objects.for_user(self.request.user)

    def export_columns(self) -> Sequence[Column]:
        return [
            Column("Device", _device_name),
            Column("IMEI", lambda s: s.device.imei),
            Column("Kind", lambda s: s.get_kind_display()),
            Column(local_header("Start"), lambda s: s.start_time),
            Column(local_header("End"), lambda s: s.end_time),
            Column("Duration (min)", lambda s: _minutes(s.duration_s), total=True, digits=1),
            Column("Address", lambda s: s.address),
            Column("Latitude", lambda s: s.lat),
            Column("Longitude", lambda s: s.lng),
        ]


def _minutes(seconds: int | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def can_acknowledge(user: Any, alarm: Alarm) -> bool:
    """Admins and dispatchers of the alarm's organisation may acknowledge; viewers may not."""
    return can_operate(user, alarm.device.organisation_id)


@LIST_SCHEMA
class AlarmViewSet(ReportViewSet):
    """Alarms, newest first; ``from``/``to`` bound the alarm time."""

    serializer_class = AlarmSerializer
    filterset_class = AlarmFilter
    time_field = "alarm_time"
    export_name = "alarms"

    def scoped(self) -> QuerySet[Any]:
        return Alarm.objects.for_user(self.request.user)

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("acknowledged_by")

    def export_columns(self) -> Sequence[Column]:
        return [
            Column("Device", _device_name),
            Column("IMEI", lambda a: a.device.imei),
            Column(local_header("Time"), lambda a: a.alarm_time),
            Column("Type", lambda a: a.type_name or a.type_id),
            Column("Type id", lambda a: a.type_id),
            Column("Speed (km/h)", lambda a: a.speed, digits=0),
            Column("Latitude", lambda a: a.lat),
            Column("Longitude", lambda a: a.lng),
            Column(local_header("Acknowledged"), lambda a: a.acknowledged_at),
            Column(
                "Acknowledged by", lambda a: a.acknowledged_by.username if a.acknowledged_by else ""
            ),
            Column("Note", lambda a: a.acknowledgement_note),
            Column("Count", lambda a: 1, total=True),
        ]

    @extend_schema(
        request=AcknowledgeSerializer,
        responses={200: AlarmSerializer, 403: ApiErrorSerializer, 404: ApiErrorSerializer},
        summary="Acknowledge an alarm with an optional note (admins and dispatchers).",
        description="Idempotent: acknowledging again returns the first acknowledgement.",
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        alarm = self.get_object()
        if not can_acknowledge(request.user, alarm):
            raise exceptions.PermissionDenied("Viewers may not acknowledge alarms.")
        form = AcknowledgeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        alarm = acknowledge_alarm(alarm=alarm, user=request.user, note=form.validated_data["note"])
        return Response(AlarmSerializer(alarm, context=self.get_serializer_context()).data)

    @extend_schema(
        parameters=[*RANGE_PARAMETERS, OpenApiParameter("type", exclude=True)],
        responses={200: AlarmTypeCountSerializer(many=True), 400: ApiErrorSerializer},
        summary="The alarm types among the caller's alarms, with counts, most frequent first.",
        description="Takes the list's filters (`from`, `to`, `device`, `group`, `organisation`,"
        " `acknowledged`) except `type`, so a type picker keeps every choice. Unpaginated.",
        filters=True,
    )
    @action(
        detail=False, pagination_class=None, renderer_classes=[JSONRenderer, BrowsableAPIRenderer]
    )
    def types(self, request: Request) -> Response:
        # The alarms page's type filter: every type, not only those of the newest page.
        queryset = self.scoped()
        start, end = parse_range(request.query_params, max_range=None)
        if start is not None:
            queryset = queryset.filter(alarm_time__gte=start)
        if end is not None:
            queryset = queryset.filter(alarm_time__lt=end)
        filterset = AlarmFilter(
            without(request.query_params, "type"), queryset=queryset, request=request
        )
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        rows = (
            filterset.qs.order_by()
            .values("type_id")
            # The vendor may name one type differently over time: any non-empty name will do.
            .annotate(type_name=Max("type_name"), count=Count("id"))
            .order_by("-count", "type_id")
        )
        return Response(
            [
                {"type_id": r["type_id"], "type_name": r["type_name"] or "", "count": r["count"]}
                for r in rows
            ]
        )
