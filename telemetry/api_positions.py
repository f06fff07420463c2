"""API v1 for the live map and the trail replay: the latest position of every visible device
(and deltas since a cursor), and one device's track for a time range.

These answer with tens of thousands of rows, so they read ``values_list`` rows (times as epoch
seconds computed by the database) and write the JSON themselves with ``json.dumps`` instead of
going through DRF serializers; the shapes are documented by the doc-only serializers in
``telemetry/serializers.py``. Row times are ISO 8601 in UTC, or with ``time_format=epoch`` whole
epoch seconds, the compact form our own pages ask for.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request

from fleet.api import FleetApiView
from fleet.models import Device
from fleet.serializers import ApiErrorSerializer
from telemetry.models import Alarm, DeviceState, Position, Stop
from telemetry.selectors import (
    LATEST_FIELDS,
    EpochSeconds,
    InvalidCursor,
    fetch_rows,
    latest_rows,
    make_cursor,
    parse_cursor,
    with_iso_times,
)
from telemetry.serializers import LatestPositionsSerializer, TrackSerializer, iso, parse_range
from telemetry.simplify import simplify_track

DEFAULT_MAX_POINTS = 5000
MAX_MAX_POINTS = 50_000
DEFAULT_TRACK_RANGE = timedelta(hours=24)


def json_response(payload: dict[str, Any]) -> HttpResponse:
    return HttpResponse(json.dumps(payload, separators=(",", ":")), content_type="application/json")


def _invalid(name: str, message: str, code: str) -> serializers.ValidationError:
    return serializers.ValidationError({name: [serializers.ErrorDetail(message, code=code)]})


def _int_param(request: Request, name: str) -> int | None:
    value = request.query_params.get(name) or ""
    if not value:
        return None
    if not value.isdigit():
        raise _invalid(name, "must be a whole number.", "invalid")
    return int(value)


TIME_FORMAT = OpenApiParameter(
    "time_format",
    OpenApiTypes.STR,
    enum=["iso", "epoch"],
    description="How row times are written: `iso` (default, ISO 8601 in UTC) or `epoch`"
    " (whole seconds since 1970, smaller and faster for large answers).",
)


def _epoch_times(request: Request) -> bool:
    value = request.query_params.get("time_format") or "iso"
    if value not in ("iso", "epoch"):
        raise _invalid("time_format", 'must be "iso" or "epoch".', "invalid_choice")
    return value == "epoch"


def _epoch(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


class LatestPositionsView(FleetApiView):
    """Every visible device's latest position, or the devices that changed since a cursor."""

    @extend_schema(
        summary="Latest positions of all visible devices (the live map), or a delta.",
        description=(
            "Not paginated. Each device is an array in the order of `fields`. Devices with no "
            "position yet are left out. With `since` (the `cursor` of a previous answer) only "
            "devices whose state changed, or whose status turned offline, since then are "
            "listed; a delta may repeat a device from the previous answer (the cursor overlaps "
            "by two seconds so no update is lost). Poll with the new `cursor` each time."
        ),
        parameters=[
            OpenApiParameter("since", OpenApiTypes.STR, description="A previous `cursor`."),
            OpenApiParameter("organisation", OpenApiTypes.INT, description="One organisation."),
            TIME_FORMAT,
        ],
        responses={200: LatestPositionsSerializer, 400: ApiErrorSerializer},
    )
    def get(self, request: Request) -> HttpResponse:
        now = timezone.now()
        epoch = _epoch_times(request)
        since = None
        if cursor := request.query_params.get("since"):
            try:
                since = parse_cursor(cursor)
            except InvalidCursor:
                raise _invalid(
                    "since", "is not a cursor from this endpoint.", "invalid_cursor"
                ) from None
        states = DeviceState.objects.for_user(request.user)
        if (organisation := _int_param(request, "organisation")) is not None:
            states = states.filter(device__organisation_id=organisation)
        rows = latest_rows(states, now=now, since=since, epoch_times=epoch)
        return json_response(
            {
                "cursor": make_cursor(now),
                "server_time": iso(now),
                "fields": LATEST_FIELDS,
                "devices": rows,
            }
        )


class DeviceTrackView(FleetApiView):
    """One device's positions in a range, thinned to a point budget, with its stops and alarms."""

    @extend_schema(
        summary="A device's track in a time range (the trail replay).",
        description=(
            "Raw points when the range holds at most `max_points`, otherwise simplified "
            "(Douglas-Peucker, first and last point kept) to at most `max_points`. The range is "
            "at most 31 days; without `from`/`to` it is the last 24 hours."
        ),
        parameters=[
            OpenApiParameter("from", OpenApiTypes.STR, description="ISO 8601 time or a date."),
            OpenApiParameter("to", OpenApiTypes.STR, description="ISO 8601 time or a date."),
            OpenApiParameter(
                "max_points",
                OpenApiTypes.INT,
                description=f"Point budget, 2 to {MAX_MAX_POINTS}; default {DEFAULT_MAX_POINTS}.",
            ),
            TIME_FORMAT,
        ],
        responses={200: TrackSerializer, 400: ApiErrorSerializer, 404: ApiErrorSerializer},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        device = get_object_or_404(Device.objects.for_user(request.user), pk=pk)
        epoch = _epoch_times(request)
        start, end = parse_range(request.query_params, default=DEFAULT_TRACK_RANGE)
        assert start is not None and end is not None
        max_points = _int_param(request, "max_points")
        if max_points is None:
            max_points = DEFAULT_MAX_POINTS
        if not 2 <= max_points <= MAX_MAX_POINTS:
            raise _invalid("max_points", f"must be between 2 and {MAX_MAX_POINTS}.", "invalid")
        points = fetch_rows(
            Position.objects.for_user(request.user)
            .filter(device_id=device.pk, gps_time__gte=start, gps_time__lt=end)
            # Epoch seconds from the database: no datetime objects per row.
            .annotate(_t=EpochSeconds("gps_time"))
            .order_by("gps_time")
            .values_list("_t", "lat", "lng", "speed", "direction", "acc")
        )
        total = len(points)
        if total > max_points:
            points = simplify_track(points, max_points)
        if connection.vendor == "sqlite":  # booleans come back as 1/0; only the kept rows
            points = [(*p[:5], None if p[5] is None else bool(p[5])) for p in points]
        if not epoch:
            points = with_iso_times(points, 0)
        return json_response(
            {
                "device": device.pk,
                "from": iso(start),
                "to": iso(end),
                "simplified": total > len(points),
                "total_points": total,
                "points": points,
                "stops": track_stops(request, device, start, end),
                "alarms": track_alarms(request, device, start, end),
            }
        )


def track_stops(request: Request, device: Device, start: datetime, end: datetime) -> list[Any]:
    stops = (
        Stop.objects.for_user(request.user)
        .filter(device_id=device.pk, start_time__lt=end)
        .filter(Q(end_time__gt=start) | Q(end_time__isnull=True, start_time__gte=start))
        .order_by("start_time")
        .values_list("id", "kind", "start_time", "end_time", "duration_s", "lat", "lng", "address")
    )
    return [
        {
            "id": stop_id,
            "kind": kind,
            "start_time": iso(started),
            "end_time": iso(ended),
            "start": _epoch(started),
            "end": _epoch(ended),
            "duration_s": duration,
            "lat": lat,
            "lng": lng,
            "address": address,
        }
        for stop_id, kind, started, ended, duration, lat, lng, address in stops
    ]


def track_alarms(request: Request, device: Device, start: datetime, end: datetime) -> list[Any]:
    alarms = (
        Alarm.objects.for_user(request.user)
        .filter(device_id=device.pk, alarm_time__gte=start, alarm_time__lt=end)
        .order_by("alarm_time")
        .values_list(
            "id", "type_id", "type_name", "alarm_time", "lat", "lng", "speed", "acknowledged_at"
        )
    )
    return [
        {
            "id": alarm_id,
            "type_id": type_id,
            "type_name": type_name,
            "alarm_time": iso(moment),
            "time": _epoch(moment),
            "lat": lat,
            "lng": lng,
            "speed": speed,
            "acknowledged": acknowledged is not None,
        }
        for alarm_id, type_id, type_name, moment, lat, lng, speed, acknowledged in alarms
    ]
