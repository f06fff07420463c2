"""Admin for organisations, users and roles, and Tracksolid accounts."""

from __future__ import annotations

from functools import partial

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from accounts.crypto import mask
from accounts.forms import TracksolidAccountForm
from accounts.models import Membership, Organisation, TracksolidAccount, User
from accounts.services import client_for, explain_error
from tracksolid.errors import TracksolidError


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    extra = 1
    autocomplete_fields = ["organisation"]


class OrganisationMembershipInline(admin.TabularInline[Membership, Organisation]):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]
    verbose_name = "member"


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        ("Preferences", {"fields": ("time_zone",)}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("Preferences", {"fields": ("email", "time_zone")}),
    )
    inlines = [MembershipInline]
    list_display = ["username", "email", "time_zone", "is_staff", "is_active"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [OrganisationMembershipInline]


@admin.register(TracksolidAccount)
class TracksolidAccountAdmin(admin.ModelAdmin[TracksolidAccount]):
    form = TracksolidAccountForm
    list_display = ["name", "organisation", "region", "user_id", "is_active", "token_state"]
    list_filter = ["region", "is_active", "organisation"]
    search_fields = ["name", "user_id", "app_key"]
    actions = ["check_credentials", "sync_devices_now", "catch_up_now"]
    readonly_fields = [
        "push_url_display",
        "push_token_display",
        "app_secret_display",
        "token_state",
        "token_expires_at",
        "token_obtained_at",
        "token_fetched_at",
        "last_error",
        "last_error_at",
    ]
    fieldsets = [
        (None, {"fields": ["organisation", "name", "is_active"]}),
        ("Where", {"fields": ["region", "base_url", "instruct_url", "mileage_unit"]}),
        (
            "Credentials",
            {
                "fields": [
                    "app_key",
                    "app_secret_display",
                    "app_secret_input",
                    "user_id",
                    "password_input",
                    "password_md5_input",
                    "target_account",
                ],
                "description": "Secrets are stored encrypted and never shown in full.",
            },
        ),
        (
            "Pushes",
            {
                "fields": ["push_url_display", "push_token_display"],
                "description": "Register this URL and token with Tracksolid for data pushes.",
            },
        ),
        (
            "Token",
            {
                "fields": [
                    "token_state",
                    "token_expires_at",
                    "token_obtained_at",
                    "token_fetched_at",
                    "last_error",
                    "last_error_at",
                ]
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).select_related("organisation")

    @admin.display(description="App secret")
    def app_secret_display(self, obj: TracksolidAccount) -> str:
        return mask(obj.app_secret) or "—"

    @admin.display(description="Push URL")
    def push_url_display(self, obj: TracksolidAccount) -> str:
        if obj.pk is None:
            return "Shown once the account is saved."
        request = getattr(self, "_request", None)
        base = request.build_absolute_uri("/") if request is not None else None
        return format_html("<code>{}</code>", obj.push_url(base))

    @admin.display(description="Push token")
    def push_token_display(self, obj: TracksolidAccount) -> str:
        if obj.pk is None:
            return "—"
        return format_html("<code>{}</code>", obj.push_token)

    @admin.display(description="Token")
    def token_state(self, obj: TracksolidAccount) -> str:
        if not obj.access_token:
            return "none yet"
        if obj.token_expires_at is None:
            return "held"
        return f"held until {obj.token_expires_at:%Y-%m-%d %H:%M} UTC"

    @admin.action(description="Check credentials (obtain a token from Tracksolid)")
    def check_credentials(
        self, request: HttpRequest, queryset: QuerySet[TracksolidAccount]
    ) -> None:
        for account in queryset:
            try:
                with client_for(account) as client:
                    client.token()
            except TracksolidError as error:
                text = explain_error(error, base_url=account.api_base_url)
                self.message_user(request, f"{account}: {text}", messages.ERROR)
            else:
                self.message_user(request, f"{account}: credentials work.", messages.SUCCESS)

    @admin.action(description="Sync devices and groups now")
    def sync_devices_now(self, request: HttpRequest, queryset: QuerySet[TracksolidAccount]) -> None:
        from telemetry.tasks import sync_devices

        for account in queryset:
            transaction.on_commit(partial(sync_devices.delay, account.pk))
        self.message_user(request, f"Device sync queued for {queryset.count()} account(s).")

    @admin.action(description="Sync devices and import the last 7 days the vendor keeps")
    def catch_up_now(self, request: HttpRequest, queryset: QuerySet[TracksolidAccount]) -> None:
        from telemetry.tasks import catch_up_account

        for account in queryset:
            transaction.on_commit(partial(catch_up_account.delay, account.pk, days=7))
        self.message_user(request, f"History import queued for {queryset.count()} account(s).")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):  # type: ignore[no-untyped-def]
        self._request = request  # push URL is built from the host the admin is using
        return super().changeform_view(request, object_id, form_url, extra_context)
