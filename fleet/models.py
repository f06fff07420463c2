"""The fleet domain: devices as the vendor knows them, and the groups they are filed in."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models

from accounts.models import Organisation, TracksolidAccount
from fleet.tenancy import OrganisationQuerySet


class DeviceGroupQuerySet(OrganisationQuerySet["DeviceGroup"]):
    pass


class DeviceGroup(models.Model):
    """A vendor device group (``vendor_group_id`` set) or one of our own (empty)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="groups")
    account = models.ForeignKey(
        TracksolidAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="groups"
    )
    vendor_group_id = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=200)
    # The Tracksolid (sub-)account whose group it is: sub-accounts all have a "Default group".
    vendor_account = models.CharField(max_length=128, blank=True)

    objects = DeviceGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "vendor_group_id"],
                condition=~models.Q(vendor_group_id=""),
                name="one_group_per_vendor_id",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DeviceQuerySet(OrganisationQuerySet["Device"]):
    def active(self) -> DeviceQuerySet:
        return self.filter(vendor_deleted_at=None)


class Device(models.Model):
    """A tracker or dashcam, keyed by IMEI, with every field the vendor's device methods carry."""

    imei = models.CharField(max_length=32, unique=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="devices")
    account = models.ForeignKey(
        TracksolidAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="devices"
    )
    group = models.ForeignKey(
        DeviceGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="devices"
    )

    # jimi.user.device.list / jimi.track.device.detail
    device_name = models.CharField(max_length=200, blank=True)
    mc_type = models.CharField("model", max_length=64, blank=True)
    sim = models.CharField("SIM", max_length=64, blank=True)
    iccid = models.CharField("ICCID", max_length=64, blank=True)
    expiration = models.DateTimeField(null=True, blank=True)
    activation_time = models.DateTimeField(null=True, blank=True)
    vehicle_name = models.CharField(max_length=200, blank=True)
    vehicle_number = models.CharField("plate", max_length=64, blank=True)
    vehicle_icon = models.CharField(max_length=64, blank=True)
    driver_name = models.CharField(max_length=200, blank=True)
    driver_phone = models.CharField(max_length=64, blank=True)
    enabled = models.BooleanField(default=True)
    vendor_account = models.CharField(
        max_length=128, blank=True, help_text="The Tracksolid account that owns the device."
    )
    vendor_group_name = models.CharField(max_length=200, blank=True)
    current_mileage = models.FloatField(null=True, blank=True, help_text="Odometer, km.")
    device_status = models.CharField(max_length=64, blank=True)
    remarks = models.TextField(blank=True)
    # Fields the vendor sends that have no column of their own.
    extra = models.JSONField(default=dict, blank=True)

    last_synced_at = models.DateTimeField(null=True, blank=True)
    # Set when the vendor's device list stops listing it; history stays ours.
    vendor_deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeviceQuerySet.as_manager()

    class Meta:
        ordering = ["device_name", "imei"]
        indexes = [
            # Device list and live map filter a user's organisation's devices by name.
            models.Index(fields=["organisation", "device_name"], name="device_org_name"),
        ]

    def __str__(self) -> str:
        return self.device_name or self.imei

    @property
    def display_name(self) -> str:
        return self.device_name or self.vehicle_number or self.imei

    def is_expired(self, now: datetime) -> bool:
        return self.expiration is not None and self.expiration < now

    @staticmethod
    def offline_cutoff(now: datetime) -> datetime:
        return now - timedelta(seconds=settings.DEVICE_OFFLINE_AFTER)


class CommandQuerySet(OrganisationQuerySet["Command"]):
    organisation_path = "device__organisation"

    def awaiting_answer(self) -> CommandQuerySet:
        return self.filter(status__in=[Command.Status.QUEUED, Command.Status.SENT])


class Command(models.Model):
    """A command sent to a device through Tracksolid, and what became of it.

    Kept for every attempt, refused ones too: the command log is an audit trail (who cut whose
    fuel, when, and what the device said).
    """

    class Kind(models.TextChoices):
        TEMPLATE = "template", "Command"  # jimi.open.instruction.send with a model's template
        RAW = "raw", "Raw hex"  # jimi.open.instruction.raw.send

    class Status(models.TextChoices):
        QUEUED = "queued", "Sending"  # row written, vendor not yet answered
        SENT = "sent", "Waiting for the device"  # vendor accepted; offline devices get it later
        EXECUTED = "executed", "Executed"
        FAILED = "failed", "Failed"
        EXPIRED = "expired", "No answer"

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="commands")
    account = models.ForeignKey(
        TracksolidAccount, null=True, on_delete=models.SET_NULL, related_name="commands"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TEMPLATE)
    template_id = models.CharField(max_length=32, blank=True, help_text="The vendor's inst_id.")
    name = models.CharField(max_length=200, blank=True)
    template = models.CharField(max_length=500, blank=True, help_text='e.g. "RELAY,{0}#".')
    params = models.JSONField(default=list, blank=True)
    content = models.TextField(help_text="The text (or hex) the device receives.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    vendor_code_id = models.CharField(max_length=64, blank=True)
    vendor_message = models.CharField(max_length=500, blank=True)
    error_code = models.CharField(max_length=32, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    response = models.TextField(blank=True, help_text="What the device answered.")
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = CommandQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # A device's command history (API list filtered by device, the console).
            models.Index(fields=["device", "-created_at"], name="command_device_recent"),
            # The results poller looks only at commands still waiting for an answer.
            models.Index(
                fields=["account", "status"],
                condition=models.Q(status__in=["queued", "sent"]),
                name="command_awaiting_answer",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "vendor_code_id"],
                condition=~models.Q(vendor_code_id=""),
                name="one_command_per_vendor_code_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.content} → {self.device}"
