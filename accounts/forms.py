"""Admin forms that take secrets write-only: typed in, stored encrypted, never shown back."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.crypto import mask
from accounts.models import Region, TracksolidAccount
from tracksolid.signing import md5_hex


class TracksolidAccountForm(forms.ModelForm[TracksolidAccount]):
    app_secret_input = forms.CharField(
        label="App secret",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    password_input = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="The Tracksolid password as typed; only its MD5 is kept.",
    )
    password_md5_input = forms.RegexField(
        label="…or password MD5",
        required=False,
        regex=r"^[0-9a-fA-F]{32}$",
        help_text="32 hex characters, if you have the MD5 rather than the password.",
    )

    class Meta:
        model = TracksolidAccount
        fields = [
            "organisation",
            "name",
            "region",
            "base_url",
            "instruct_url",
            "mileage_unit",
            "app_key",
            "user_id",
            "target_account",
            "is_active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        existing = self.instance.pk is not None
        keep = "Leave blank to keep the stored value ({})."
        if existing:
            self.fields["app_secret_input"].help_text = keep.format(
                mask(self.instance.app_secret) or "none"
            )
            self.fields[
                "password_input"
            ].help_text = "Leave blank to keep the stored password. Only its MD5 is kept."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        creating = self.instance.pk is None
        if creating and not data.get("app_secret_input"):
            self.add_error("app_secret_input", "The app secret is required.")
        if creating and not (data.get("password_input") or data.get("password_md5_input")):
            self.add_error("password_input", "Type the password or its MD5.")
        if data.get("region") == Region.CUSTOM and not data.get("base_url"):
            self.add_error("base_url", "A custom region needs its base URL.")
        return data

    def save(self, commit: bool = True) -> TracksolidAccount:
        account = super().save(commit=False)
        data = self.cleaned_data
        if data.get("app_secret_input"):
            account.app_secret = data["app_secret_input"]
        if data.get("password_input"):
            account.password_md5 = md5_hex(data["password_input"])
        elif data.get("password_md5_input"):
            account.password_md5 = data["password_md5_input"].lower()
        if commit:
            account.save()
        return account
