"""The demo organisation, its login, and its Tracksolid account on the local simulator."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from accounts.models import Membership, Organisation, Region, Role, TracksolidAccount, User
from fleet import env
from tracksolid.signing import md5_hex

DEMO_USERNAME = "demo"
DEMO_ORG_SLUG = "demo"
# The simulator's main account; its password is typed here as a user would type it.
SIM_APP_KEY = "demo-app-key"
SIM_APP_SECRET = "demo-app-secret"  # noqa: S105 - the local simulator's, not a real secret
SIM_USER_ID = "demo"
SIM_PASSWORD = "demo"  # noqa: S105


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str


def demo_password() -> str:
    """One random password per installation, kept under var/ so every run prints the same."""
    return env.persistent_secret(
        settings.VAR_DIR / "demo_password", lambda: secrets.token_urlsafe(9)
    )


@transaction.atomic
def ensure_demo_login() -> DemoLogin:
    """Create (or repair) the demo organisation and its admin user; reuse what exists."""
    organisation, _ = Organisation.objects.get_or_create(
        slug=DEMO_ORG_SLUG, defaults={"name": "Demo Fleet"}
    )
    password = demo_password()
    user, created = User.objects.get_or_create(
        username=DEMO_USERNAME, defaults={"is_staff": True, "is_superuser": True}
    )
    if created or not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": Role.ADMIN}
    )
    return DemoLogin(username=DEMO_USERNAME, password=password)


@transaction.atomic
def ensure_simulator_account(*, base_url: str) -> TracksolidAccount:
    """Point the demo organisation's Tracksolid account at the simulator on ``base_url``."""
    organisation = Organisation.objects.get(slug=DEMO_ORG_SLUG)
    account = TracksolidAccount.objects.filter(organisation=organisation, name="Simulator").first()
    if account is None:
        account = TracksolidAccount(organisation=organisation, name="Simulator")
    account.region = Region.CUSTOM
    account.base_url = base_url
    account.instruct_url = base_url.rsplit("/route/rest", 1)[0]
    account.app_key = SIM_APP_KEY
    account.app_secret = SIM_APP_SECRET
    account.user_id = SIM_USER_ID
    account.password_md5 = md5_hex(SIM_PASSWORD)
    account.save()
    return account
