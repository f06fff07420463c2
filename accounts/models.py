"""Users (with a time zone), organisations, memberships with roles, and Tracksolid accounts."""

from __future__ import annotations

import secrets
import zoneinfo
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from accounts.crypto import EncryptedTextField
from fleet.tenancy import OrganisationQuerySet

if TYPE_CHECKING:
    from django.db.models import QuerySet


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. Europe/London).")


class User(AbstractUser):
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="Times on pages are shown in this zone, e.g. Africa/Nairobi.",
    )

    def organisations(self) -> QuerySet[Organisation]:
        if self.is_superuser:
            return Organisation.objects.all()
        return Organisation.objects.filter(memberships__user=self)

    def role_in(self, organisation: Organisation) -> str | None:
        membership = self.memberships.filter(organisation=organisation).first()
        return membership.role if membership else None


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    DISPATCHER = "dispatcher", "Dispatcher"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation} ({self.role})"


class Region(models.TextChoices):
    """Tracksolid nodes; an app key works only on its own node (field notes)."""

    HK = "hk", "Hong Kong / Singapore (hk-open.tracksolidpro.com)"
    EU = "eu", "Europe (eu-open.tracksolidpro.com)"
    US = "us", "United States (us-open.tracksolidpro.com)"
    CN = "cn", "China (open.tracksolidpro.com)"
    LEGACY = "legacy", "TrackSolid legacy (open.10000track.com)"
    CUSTOM = "custom", "Custom base URL"


REGION_BASE_URLS = {
    Region.HK: "https://hk-open.tracksolidpro.com/route/rest",
    Region.EU: "https://eu-open.tracksolidpro.com/route/rest",
    Region.US: "https://us-open.tracksolidpro.com/route/rest",
    Region.CN: "https://open.tracksolidpro.com/route/rest",
    Region.LEGACY: "http://open.10000track.com/route/rest",
}


def new_push_key() -> str:
    return secrets.token_urlsafe(24)


def new_push_token() -> str:
    return secrets.token_urlsafe(24)


class TracksolidAccountQuerySet(OrganisationQuerySet["TracksolidAccount"]):
    pass


class TracksolidAccount(models.Model):
    """One set of Tracksolid Pro API credentials, and the token the vendor issued for it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="tracksolid_accounts"
    )
    name = models.CharField(max_length=200)
    region = models.CharField(max_length=16, choices=Region.choices, default=Region.HK)
    base_url = models.URLField(
        blank=True, help_text="Only for the custom region, e.g. http://127.0.0.1:8765/route/rest"
    )
    instruct_url = models.URLField(
        blank=True, help_text="Base address of the Instruction API (sendInstruct), if enabled."
    )
    app_key = models.CharField(max_length=128)
    app_secret = EncryptedTextField()
    user_id = models.CharField(max_length=128, help_text="The Tracksolid login (user_id).")
    password_md5 = EncryptedTextField(help_text="Lower-case hex MD5 of the Tracksolid password.")
    target_account = models.CharField(
        max_length=128,
        blank=True,
        help_text="Account whose devices to mirror; empty means the login itself.",
    )
    mileage_unit = models.CharField(
        max_length=2,
        choices=[("m", "metres"), ("km", "kilometres")],
        default="m",
        help_text="The unit trip distances come in (jimi.device.track.mileage). The vendor's"
        " document says km; real accounts have been seen sending metres. Compare one trip with"
        " the odometer.",
    )
    # Pushes arrive at /push/<push_key>/<endpoint>; the key is the unguessable part of the URL.
    push_key = models.CharField(max_length=64, unique=True, default=new_push_key, editable=False)
    push_token = EncryptedTextField(default=new_push_token)
    is_active = models.BooleanField(default=True)

    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    token_obtained_at = models.DateTimeField(null=True, blank=True)
    # jimi.oauth.token.get is allowed once a minute per account; all processes read this.
    token_fetched_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TracksolidAccountQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="account_name_per_org"),
            models.CheckConstraint(
                condition=~models.Q(region="custom") | ~models.Q(base_url=""),
                name="custom_region_needs_base_url",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    @property
    def api_base_url(self) -> str:
        if self.region == Region.CUSTOM:
            return self.base_url
        return REGION_BASE_URLS[Region(self.region)]

    @property
    def target(self) -> str:
        return self.target_account or self.user_id

    @property
    def push_path(self) -> str:
        # telemetry/urls.py routes /push/<push_key>/<endpoint> to the push view.
        return f"/push/{self.push_key}"

    def push_url(self, base: str | None = None) -> str:
        """The URL to register with the vendor; endpoint names are appended by the vendor."""
        root = (base or settings.PUBLIC_BASE_URL or "http://127.0.0.1:8000").rstrip("/")
        return root + self.push_path

    def clean(self) -> None:
        if self.region == Region.CUSTOM and not self.base_url:
            raise ValidationError({"base_url": "A custom region needs its base URL."})
