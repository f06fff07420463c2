"""API v1 daily summaries: per device and day (in the caller's time zone) the distance, driving,
idle and parking time, trips, alarms and top speed, from aggregate queries over Trip, Stop, Alarm
and Position rows.

A page covers up to ``page_size`` devices (the pagination ``count`` is the number of devices), so
each page costs the same five queries however long the range; exports walk all devices in pages.
Trips and stops count on the day they start.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

import django_filters
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request

from fleet.models import Device
from fleet.serializers import ApiErrorSerializer
from telemetry import exports
from telemetry.api import FORMAT_PARAMETER, RANGE_PARAMETERS, ExportableApiView
from telemetry.exports import Column
from telemetry.models import Alarm, Position, Stop, Trip
from telemetry.serializers import DailySummarySerializer, parse_range

DEFAULT_SUMMARY_RANGE = timedelta(days=7)
EXPORT_PAGE = 200


class SummaryDeviceFilter(django_filters.FilterSet):  # type: ignore[misc]
    device = django_filters.NumberFilter(field_name="id", help_text="A device id.")
    group = django_filters.NumberFilter(field_name="group_id", help_text="A group id.")
    organisation = django_filters.NumberFilter(field_name="organisation_id")

    class Meta:
        model = Device
        fields: list[str] = []


def _zero() -> dict[str, Any]:
    return {
        "distance_km": 0.0,
        "driving_s": 0,
        "idle_s": 0,
        "parking_s": 0,
        "trips": 0,
        "alarms": 0,
        "max_speed": None,
    }


def local_days(
    start: datetime, end: datetime, zone: tzinfo
) -> list[tuple[date, datetime, datetime]]:
    """Each local day ``[start, end)`` touches, with its part of the range (DST-safe)."""
    days: list[tuple[date, datetime, datetime]] = []
    day = start.astimezone(zone).date()
    while True:
        low = max(start, datetime.combine(day, time(), tzinfo=zone))
        high = min(end, datetime.combine(day + timedelta(days=1), time(), tzinfo=zone))
        if low >= end:
            return days
        days.append((day, low, high))
        day += timedelta(days=1)


def daily_summaries(
    user: Any, devices: list[Device], start: datetime, end: datetime, zone: tzinfo
) -> list[dict[str, Any]]:
    """Rows of ``DailySummarySerializer`` for ``devices`` in ``[start, end)``, days in ``zone``,
    by device name then day; days with nothing recorded are left out. Four aggregate queries."""
    ids = [d.pk for d in devices]
    rows: dict[tuple[int, date], dict[str, Any]] = {}

    def grouped(queryset: QuerySet[Any], field: str, **aggregates: Any) -> None:
        for values in (
            queryset.filter(device_id__in=ids, **{f"{field}__gte": start, f"{field}__lt": end})
            .annotate(_day=TruncDate(field, tzinfo=zone))
            .values("device_id", "_day")
            .annotate(**aggregates)
            .order_by()
        ):
            row = rows.setdefault((values.pop("device_id"), values.pop("_day")), _zero())
            row.update({k: v for k, v in values.items() if v is not None})

    grouped(
        Trip.objects.for_user(user),
        "start_time",
        distance_km=Sum("distance_km"),
        driving_s=Sum("duration_s"),
        trips=Count("id"),
    )
    grouped(
        Stop.objects.for_user(user),
        "start_time",
        idle_s=Sum("duration_s", filter=Q(kind=Stop.Kind.IDLING)),
        parking_s=Sum("duration_s", filter=Q(kind=Stop.Kind.PARKING)),
    )
    grouped(Alarm.objects.for_user(user), "alarm_time", alarms=Count("id"))
    # Positions are the big table: one conditional Max per day over plain time comparisons,
    # rather than converting every row's time to a local date (a Python function on SQLite).
    days = local_days(start, end, zone)
    maxima = (
        Position.objects.for_user(user)
        .filter(device_id__in=ids, gps_time__gte=start, gps_time__lt=end)
        .values("device_id")
        .annotate(
            **{
                f"d{i}": Max("speed", filter=Q(gps_time__gte=low, gps_time__lt=high))
                for i, (_, low, high) in enumerate(days)
            }
        )
        .order_by()
    )
    for values in maxima:
        for i, (day, _, _) in enumerate(days):
            if values[f"d{i}"] is not None:
                row = rows.setdefault((values["device_id"], day), _zero())
                row["max_speed"] = values[f"d{i}"]
    names = {d.pk: d.display_name for d in devices}
    order = {d.pk: i for i, d in enumerate(devices)}
    return [
        {"device": device_id, "device_name": names[device_id], "date": day, **values}
        for (device_id, day), values in sorted(
            rows.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])
        )
    ]


SUMMARY_COLUMNS = [
    Column("Device", lambda r: r["device_name"]),
    Column("Date", lambda r: r["date"]),
    Column("Distance (km)", lambda r: r["distance_km"], total=True, digits=1),
    Column("Driving (h)", lambda r: r["driving_s"] / 3600, total=True, digits=2),
    Column("Idling (h)", lambda r: r["idle_s"] / 3600, total=True, digits=2),
    Column("Parking (h)", lambda r: r["parking_s"] / 3600, total=True, digits=2),
    Column("Trips", lambda r: r["trips"], total=True),
    Column("Alarms", lambda r: r["alarms"], total=True),
    Column("Max speed (km/h)", lambda r: r["max_speed"], digits=0),
]


class DailySummaryView(ExportableApiView, generics.GenericAPIView[Device]):
    """Per device and day: distance, driving/idle/parking time, trips, alarms, top speed."""

    filterset_class = SummaryDeviceFilter
    serializer_class = DailySummarySerializer

    def get_queryset(self) -> QuerySet[Device]:
        return Device.objects.for_user(self.request.user).order_by("device_name", "imei", "id")

    @extend_schema(
        summary="Daily summaries per device (in the caller's time zone).",
        description=(
            "Paginated by device: `count` is the number of devices, and `results` holds the "
            "rows (one per device and day with anything recorded) of the devices on the page. "
            "Default range: the last 7 days; at most 31 days."
        ),
        parameters=[*RANGE_PARAMETERS, FORMAT_PARAMETER],
        responses={200: DailySummarySerializer(many=True), 400: ApiErrorSerializer},
    )
    def get(self, request: Request) -> Any:
        start, end = parse_range(request.query_params, default=DEFAULT_SUMMARY_RANGE)
        assert start is not None and end is not None
        devices = self.filter_queryset(self.get_queryset())
        fmt = getattr(request.accepted_renderer, "format", "json")
        if fmt in exports.EXPORT_FORMATS:
            return exports.export_response(
                fmt,
                columns=SUMMARY_COLUMNS,
                rows=self._all_rows(devices, start, end),
                name=exports.filename("daily-summary", start, end - timedelta(seconds=1), fmt),
            )
        page = self.paginate_queryset(devices)
        assert page is not None
        rows = daily_summaries(
            request.user, list(page), start, end, timezone.get_current_timezone()
        )
        return self.get_paginated_response(DailySummarySerializer(rows, many=True).data)

    def _all_rows(
        self, devices: QuerySet[Device], start: datetime, end: datetime
    ) -> Iterator[dict[str, Any]]:
        zone = timezone.get_current_timezone()  # the rows are read after the view returns
        batch: list[Device] = []
        for device in devices.iterator(chunk_size=EXPORT_PAGE):
            batch.append(device)
            if len(batch) == EXPORT_PAGE:
                yield from daily_summaries(self.request.user, batch, start, end, zone)
                batch = []
        if batch:
            yield from daily_summaries(self.request.user, batch, start, end, zone)
