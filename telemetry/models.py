"""Telemetry: raw pushes, positions and latest state, alarms, trips, stops and pushed readings.

High-volume tables use ``BigAutoField`` and a natural unique key, so writing the same data twice
(a push delivered twice, a poll overlapping a push, a replay) stores it once.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.db import models

from accounts.models import TracksolidAccount
from fleet.models import Device
from fleet.tenancy import OrganisationQuerySet


class Source(models.TextChoices):
    PUSH = "push", "Push"
    POLL = "poll", "Poll"
    BACKFILL = "backfill", "Back-fill"


class DeviceScopedQuerySet(OrganisationQuerySet[models.Model]):
    organisation_path = "device__organisation"


class DeviceSeries(models.Model):
    """A high-volume row of one device: a big id, the device (its natural unique key starts
    with it, so no index of its own), and the tenancy scoping through the device."""

    id = models.BigAutoField(primary_key=True)
    device = models.ForeignKey(Device, on_delete=models.CASCADE, db_index=False)

    objects = DeviceScopedQuerySet.as_manager()

    class Meta:
        abstract = True


# --- raw pushes ---------------------------------------------------------------------------------


class RawPush(models.Model):
    """A push request exactly as received, kept before it is acknowledged (DESIGN.md rule 4)."""

    # Processed in the request that brought it, so a kept push is never left waiting.
    class Status(models.TextChoices):
        PROCESSED = "processed", "Processed"
        PARTIAL = "partial", "Processed, some items rejected"
        FAILED = "failed", "Failed"

    id = models.BigAutoField(primary_key=True)
    account = models.ForeignKey(TracksolidAccount, on_delete=models.CASCADE, related_name="pushes")
    endpoint = models.CharField(max_length=64)
    received_at = models.DateTimeField(db_index=True)
    content_type = models.CharField(max_length=200, blank=True)
    query = models.TextField(blank=True)
    body = models.BinaryField()
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    processed_at = models.DateTimeField(null=True, blank=True)
    record_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    # Why items (or the whole body) could not be read: [{"index", "reason", "item"}].
    rejected = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "raw pushes"
        indexes = [
            # replay_pushes --failed selects failed and partial rows.
            models.Index(fields=["status", "received_at"], name="rawpush_status_time"),
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} #{self.pk} ({self.status})"

    def readable_body(self, *, limit: int = 200_000) -> str:
        """The body for people (the admin's detail page): a JSON body indented; a form's fields
        one per line, a JSON ``data_list`` indented, the push token masked."""
        text = bytes(self.body)[:limit].decode("utf-8", errors="replace")
        parsed = _json_or_none(text)
        if parsed is not None:
            return _pretty_json(parsed)
        if "=" not in text:
            return text
        lines = []
        for name, value in parse_qsl(text, keep_blank_values=True):
            if name == "token":
                shown = "…" if value else ""
            else:
                data = _json_or_none(value)
                shown = _pretty_json(data) if isinstance(data, list | dict) else value
            lines.append(f"{name}:\n{shown}" if "\n" in shown else f"{name}: {shown}")
        return "\n".join(lines)


def _json_or_none(text: str) -> Any:
    if not text.lstrip().startswith(("[", "{")):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


# --- positions --------------------------------------------------------------------------------


class Position(DeviceSeries):
    """One fix of one device; the time series the vendor deletes after ~90 days."""

    gps_time = models.DateTimeField()
    lat = models.FloatField()
    lng = models.FloatField()
    speed = models.FloatField(null=True, blank=True, help_text="km/h")
    direction = models.SmallIntegerField(null=True, blank=True, help_text="degrees")
    altitude = models.FloatField(null=True, blank=True)
    satellites = models.SmallIntegerField(null=True, blank=True)
    acc = models.BooleanField(null=True, blank=True, help_text="ignition")
    pos_type = models.CharField(max_length=16, blank=True)
    reuploaded = models.BooleanField(null=True, blank=True)
    mileage = models.FloatField(null=True, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    received_at = models.DateTimeField()
    # When the vendor's gateway received the fix (pushes only).
    gate_time = models.DateTimeField(null=True, blank=True)
    # Every field the vendor sent that has no column, under the vendor's names (postMethod,
    # status, iccid, ...); NULL, not {}, when there is none, to keep the 86M-rows-a-day table small.
    extra = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            # Idempotency, and the index every track query ((device, time range)) uses.
            models.UniqueConstraint(fields=["device", "gps_time"], name="one_position_per_fix"),
        ]

    def __str__(self) -> str:
        return f"{self.device} @ {self.gps_time:%Y-%m-%d %H:%M:%S}"


class DeviceState(models.Model):
    """Each device's latest position and status, upserted by the ingest path."""

    device = models.OneToOneField(
        Device, on_delete=models.CASCADE, primary_key=True, related_name="state"
    )
    gps_time = models.DateTimeField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    speed = models.FloatField(null=True, blank=True)
    direction = models.SmallIntegerField(null=True, blank=True)
    acc = models.BooleanField(null=True, blank=True)
    satellites = models.SmallIntegerField(null=True, blank=True)
    pos_type = models.CharField(max_length=16, blank=True)
    mileage = models.FloatField(null=True, blank=True)
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)
    battery = models.SmallIntegerField(null=True, blank=True, help_text="percent")
    gsm_signal = models.SmallIntegerField(null=True, blank=True)
    # The vendor's own online flag from location polls; None until a poll says.
    vendor_online = models.BooleanField(null=True, blank=True)
    # The newest value of each field the latest positions carried without a column (see
    # Position.extra), e.g. iccid or trackerOil for the device panel; NULL until one has any.
    extra = models.JSONField(null=True, blank=True)
    # When this row last changed: the cursor of the live map's delta feed.
    updated_at = models.DateTimeField(db_index=True)

    objects = DeviceScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"state of {self.device}"


# --- events -----------------------------------------------------------------------------------


class Alarm(DeviceSeries):
    """One alarm, whether it was polled or pushed (the same key for both)."""

    type_id = models.CharField(max_length=64)
    type_name = models.CharField(max_length=200, blank=True)
    alarm_time = models.DateTimeField()
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    speed = models.FloatField(null=True, blank=True)
    fence_id = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    extra = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledgement_note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["device", "type_id", "alarm_time"], name="one_alarm_per_event"
            ),
        ]
        indexes = [
            # The alarms feed and reports list a device's alarms newest first.
            models.Index(fields=["alarm_time"], name="alarm_time"),
        ]

    def __str__(self) -> str:
        return f"{self.type_name or self.type_id} on {self.device} at {self.alarm_time}"


class Heartbeat(DeviceSeries):
    gate_time = models.DateTimeField()
    power_level = models.SmallIntegerField(null=True, blank=True, help_text="battery percent")
    gsm_signal = models.SmallIntegerField(null=True, blank=True)
    acc = models.BooleanField(null=True, blank=True)
    charging = models.BooleanField(null=True, blank=True)
    fortified = models.BooleanField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "gate_time"], name="one_heartbeat_per_time")
        ]

    def __str__(self) -> str:
        return f"heartbeat of {self.device} at {self.gate_time}"


class DeviceEvent(DeviceSeries):
    """Login and logout of a device on the vendor's gateway."""

    event_type = models.CharField(max_length=16)
    event_time = models.DateTimeField()
    device_timezone = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["device", "event_type", "event_time"], name="one_device_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} of {self.device} at {self.event_time}"


class SensorReading(DeviceSeries):
    """Fuel, temperature and humidity readings; one row per quantity."""

    class Kind(models.TextChoices):
        FUEL = "fuel", "Fuel"
        TEMPERATURE = "temperature", "Temperature"
        HUMIDITY = "humidity", "Humidity"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    sensor = models.SmallIntegerField(default=0, help_text="sensor path (fuel)")
    reading_time = models.DateTimeField()
    value = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=8, blank=True, help_text="cm, %, V, L, °C")
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["device", "kind", "sensor", "reading_time"], name="one_sensor_reading"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.value}{self.unit} on {self.device} at {self.reading_time}"


class ObdReading(DeviceSeries):
    event_time = models.DateTimeField()
    car_type = models.SmallIntegerField(null=True, blank=True, help_text="1 commercial, 2 car")
    acc = models.BooleanField(null=True, blank=True)
    status_flags = models.IntegerField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    values = models.JSONField(default=dict, blank=True, help_text="dataID1..N as sent")
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "event_time"], name="one_obd_reading")
        ]

    def __str__(self) -> str:
        return f"OBD of {self.device} at {self.event_time}"


class FaultCodeReport(DeviceSeries):
    event_time = models.DateTimeField()
    codes = models.JSONField(default=list, help_text='DTC codes, e.g. ["P0301"]')
    count = models.SmallIntegerField(null=True, blank=True)
    status_flags = models.IntegerField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "event_time"], name="one_fault_report")
        ]

    def __str__(self) -> str:
        return f"DTC {', '.join(self.codes)} on {self.device} at {self.event_time}"


class VendorTripReport(DeviceSeries):
    """The device's own trip report (``pushtripreport``): a start and an end report per trip."""

    seq = models.IntegerField(default=0)
    trip_time = models.DateTimeField()
    is_end = models.BooleanField()
    begin_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True)
    distance_km = models.FloatField(null=True, blank=True)
    fuel_l = models.FloatField(null=True, blank=True)
    idle_seconds = models.IntegerField(null=True, blank=True)
    begin_lat = models.FloatField(null=True, blank=True)
    begin_lng = models.FloatField(null=True, blank=True)
    end_lat = models.FloatField(null=True, blank=True)
    end_lng = models.FloatField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["device", "seq", "trip_time", "is_end"], name="one_trip_report"
            )
        ]

    def __str__(self) -> str:
        return f"trip {self.seq} {'end' if self.is_end else 'start'} of {self.device}"


class DeviceMessage(DeviceSeries):
    """Pushed data without numbers we report on, kept whole: LBS/Wi-Fi, RFID, plug-in module,
    pass-through, extension data, file-upload and FTP notices, IoT-hub events, offline-command
    responses, facial-ID lists, KKS data, video inventories and media uploads.
    """

    class Kind(models.TextChoices):
        LBS = "lbs", "LBS / Wi-Fi"
        RFID = "rfid", "RFID scan"
        PLUGIN = "plugin", "Plug-in module"
        PASS_THROUGH = "pass_through", "Pass-through"
        EXTENSION = "extension", "Extension data"
        FILE_UPLOAD = "file_upload", "File upload"
        FTP_UPLOAD = "ftp_upload", "FTP upload"
        IOTHUB = "iothub", "IoT-hub event"
        INSTRUCT_RESPONSE = "instruct_response", "Offline command response"
        FILE_CONTENT = "file_content", "Facial ID list"
        EXTENDED_KKS = "extended_kks", "Extended data (KKS)"
        RESOURCE_LIST = "resource_list", "Video inventory"
        MEDIA_UPLOAD = "media_upload", "Media upload"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    event_time = models.DateTimeField(null=True, blank=True)
    # Digest of the record's natural key (tracksolid push records' ``key``).
    key = models.CharField(max_length=32)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "kind", "key"], name="one_device_message")
        ]
        indexes = [
            # Admin and per-device views list one device's messages of a kind, newest first.
            models.Index(fields=["kind", "event_time"], name="devicemessage_kind_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.device} at {self.event_time}"


# --- polled reports ---------------------------------------------------------------------------


class Trip(DeviceSeries):
    """A trip as the vendor's mileage report (``jimi.device.track.mileage``) gives it."""

    start_time = models.DateTimeField()
    end_time = models.DateTimeField(null=True, blank=True)
    distance_km = models.FloatField(null=True, blank=True)
    avg_speed = models.FloatField(null=True, blank=True, help_text="km/h")
    duration_s = models.IntegerField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "start_time"], name="one_trip_per_start")
        ]
        indexes = [
            # /api/v1/trips/ for a whole fleet or group lists newest first across devices.
            models.Index(fields=["start_time"], name="trip_start_time"),
        ]

    def __str__(self) -> str:
        return f"trip of {self.device} from {self.start_time}"


class Stop(DeviceSeries):
    """Parking (ignition off) or idling (ignition on, not moving), from the parking report."""

    class Kind(models.TextChoices):
        PARKING = "parking", "Parking"
        IDLING = "idling", "Idling"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    start_time = models.DateTimeField()
    end_time = models.DateTimeField(null=True, blank=True)
    duration_s = models.IntegerField(null=True, blank=True)
    address = models.CharField(max_length=500, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["device", "kind", "start_time"], name="one_stop_per_start"
            )
        ]
        indexes = [
            # /api/v1/stops/ for a whole fleet or group lists newest first across devices.
            models.Index(fields=["start_time"], name="stop_start_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.device} from {self.start_time}"


class PollCursor(models.Model):
    """How far a poller got, per account, and per device (``scope`` = IMEI) where it must."""

    account = models.ForeignKey(TracksolidAccount, on_delete=models.CASCADE, related_name="+")
    poller = models.CharField(max_length=32)
    scope = models.CharField(max_length=32, blank=True, help_text="IMEI, or empty for the account")
    position = models.DateTimeField(null=True, blank=True, help_text="covered up to here")
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "poller", "scope"], name="one_cursor_per_poller"
            )
        ]

    def __str__(self) -> str:
        return f"{self.poller} {self.scope or 'account'} of {self.account.name}: {self.position}"
