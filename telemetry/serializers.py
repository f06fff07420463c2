"""API v1 shapes of trips, stops, alarms and summaries, the query parameters they parse, and
documentation-only shapes of the hand-built JSON of the live map and track endpoints."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from telemetry.models import Alarm, Stop, Trip

MAX_RANGE = timedelta(days=31)


def iso(value: datetime | None) -> str | None:
    """A time as DRF writes it: ISO 8601 in the active time zone, UTC as ``Z``."""
    if value is None:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# --- query parameters -------------------------------------------------------------------------


def parse_moment(value: str, *, name: str, end: bool = False) -> datetime:
    """An ISO 8601 time (with an offset, or naive in the caller's zone) or a date: its start,
    or, as the end of a range (``end``), the start of the next day, so ``to=<date>`` includes it.
    """
    text = value.strip()
    if "T" in text and " " in text:
        text = text.replace(" ", "+")  # an offset's "+" that reached us unencoded, as a space
    parsed: datetime | date | None
    try:
        parsed = datetime.fromisoformat(text)
        if len(text) == 10:  # a bare date parses as midnight
            parsed = parsed.date()
    except ValueError:
        parsed = None
    if parsed is None:
        raise serializers.ValidationError(
            {
                name: [
                    serializers.ErrorDetail(
                        "Enter an ISO 8601 time (2026-11-26T08:00:00+01:00) "
                        "or a date (2026-11-26).",
                        code="invalid_time",
                    )
                ]
            }
        )
    if not isinstance(parsed, datetime):
        parsed = datetime.combine(parsed + timedelta(days=1) if end else parsed, time())
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_current_timezone())
    return parsed


def parse_range(
    params: Any,
    *,
    default: timedelta | None = None,
    max_range: timedelta | None = MAX_RANGE,
) -> tuple[datetime | None, datetime | None]:
    """``from`` and ``to`` of a request; with ``default``, a missing ``to`` is now and a missing
    ``from`` is ``default`` before ``to``. Raises a 400 when from is not before to, or the range
    is longer than ``max_range``."""
    start = parse_moment(params["from"], name="from") if params.get("from") else None
    end = parse_moment(params["to"], name="to", end=True) if params.get("to") else None
    if default is not None:
        end = end or timezone.now()
        start = start or end - default
    if start is not None and end is not None:
        if start >= end:
            raise serializers.ValidationError(
                {"from": [serializers.ErrorDetail("must be before to.", code="invalid_range")]}
            )
        if max_range is not None and end - start > max_range:
            raise serializers.ValidationError(
                {
                    "to": [
                        serializers.ErrorDetail(
                            f"the range may be at most {max_range.days} days.",
                            code="range_too_long",
                        )
                    ]
                }
            )
    return start, end


# --- resources ----------------------------------------------------------------------------------


class DeviceNameMixin(serializers.Serializer[Any]):
    device_name = serializers.CharField(source="device.display_name", read_only=True)


class TripSerializer(DeviceNameMixin, serializers.ModelSerializer[Trip]):
    class Meta:
        model = Trip
        fields = [
            "id",
            "device",
            "device_name",
            "start_time",
            "end_time",
            "distance_km",
            "avg_speed",
            "duration_s",
        ]


class StopSerializer(DeviceNameMixin, serializers.ModelSerializer[Stop]):
    class Meta:
        model = Stop
        fields = [
            "id",
            "device",
            "device_name",
            "kind",
            "start_time",
            "end_time",
            "duration_s",
            "address",
            "lat",
            "lng",
        ]


class AlarmSerializer(DeviceNameMixin, serializers.ModelSerializer[Alarm]):
    acknowledged_by = serializers.CharField(
        source="acknowledged_by.username", read_only=True, allow_null=True
    )

    class Meta:
        model = Alarm
        fields = [
            "id",
            "device",
            "device_name",
            "type_id",
            "type_name",
            "alarm_time",
            "lat",
            "lng",
            "speed",
            "fence_id",
            "source",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledgement_note",
        ]


class AcknowledgeSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class DailySummarySerializer(serializers.Serializer[Any]):
    device = serializers.IntegerField()
    device_name = serializers.CharField()
    date = serializers.DateField(help_text="The day in the caller's time zone.")
    distance_km = serializers.FloatField()
    driving_s = serializers.IntegerField(help_text="Seconds in trips.")
    idle_s = serializers.IntegerField(help_text="Seconds idling (ignition on, standing).")
    parking_s = serializers.IntegerField(help_text="Seconds parked (ignition off).")
    trips = serializers.IntegerField()
    alarms = serializers.IntegerField()
    max_speed = serializers.FloatField(allow_null=True, help_text="km/h, from positions.")


# --- documentation of hand-built JSON -----------------------------------------------------------


class LatestPositionsSerializer(serializers.Serializer[Any]):
    cursor = serializers.CharField(help_text="Opaque; pass back as `since` for a delta.")
    server_time = serializers.DateTimeField()
    # "fields" (the column names) is added in get_fields: the name is taken on a Serializer.
    devices = serializers.ListField(
        child=serializers.ListField(child=serializers.JSONField()),
        help_text="One array per device: [id, lat, lng, speed km/h|null, direction deg|null, "
        "status (moving|idle|parked|offline|unknown), gps_time|null, name]; gps_time is ISO 8601"
        " in UTC, or epoch seconds with time_format=epoch.",
    )

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        devices = fields.pop("devices")
        column_names = serializers.ListField(
            child=serializers.CharField(),
            help_text='Names of the row columns: ["id", "lat", "lng", "speed", "direction", '
            '"status", "gps_time", "name"].',
        )
        return {**fields, "fields": column_names, "devices": devices}


class TrackStopSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Stop.Kind.choices)
    start_time = serializers.DateTimeField()
    end_time = serializers.DateTimeField(allow_null=True)
    start = serializers.IntegerField(help_text="start_time in epoch seconds")
    end = serializers.IntegerField(allow_null=True, help_text="end_time in epoch seconds")
    duration_s = serializers.IntegerField(allow_null=True)
    lat = serializers.FloatField(allow_null=True)
    lng = serializers.FloatField(allow_null=True)
    address = serializers.CharField()


class TrackAlarmSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    type_id = serializers.CharField()
    type_name = serializers.CharField()
    alarm_time = serializers.DateTimeField()
    time = serializers.IntegerField(help_text="alarm_time in epoch seconds")
    lat = serializers.FloatField(allow_null=True)
    lng = serializers.FloatField(allow_null=True)
    speed = serializers.FloatField(allow_null=True)
    acknowledged = serializers.BooleanField()


class TrackSerializer(serializers.Serializer[Any]):
    device = serializers.IntegerField()
    # "from" is a keyword; the field is added under that name below.
    to = serializers.DateTimeField()
    simplified = serializers.BooleanField(help_text="True when points were thinned to max_points.")
    total_points = serializers.IntegerField(help_text="Points in the range before thinning.")
    points = serializers.ListField(
        child=serializers.ListField(child=serializers.JSONField()),
        help_text="[time, lat, lng, speed km/h|null, direction deg|null, "
        "acc (ignition) true|false|null], oldest first; time is ISO 8601 in UTC, or epoch"
        " seconds with time_format=epoch.",
    )
    stops = TrackStopSerializer(many=True)
    alarms = TrackAlarmSerializer(many=True)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        return {"device": fields.pop("device"), "from": serializers.DateTimeField(), **fields}
