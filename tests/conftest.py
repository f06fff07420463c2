"""The small named world most tests share, built once per test on the real database.

Two organisations: "Acme" with an admin and a dispatcher, a Tracksolid account and a few
devices; "Other" with a user who must see none of Acme's things.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache

from accounts.models import Membership, Organisation, Role, TracksolidAccount, User
from fleet.models import Device, DeviceGroup
from tracksolid.signing import md5_hex

pytest_plugins = ["tests.clock_shift", "tests.simulator_fixtures"]


@dataclass
class World:
    acme: Organisation
    other: Organisation
    admin: User
    dispatcher: User
    outsider: User
    account: TracksolidAccount
    group: DeviceGroup
    devices: list[Device]
    other_device: Device


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher() -> None:
    # Test-only speed-up: the default PBKDF2 costs ~0.3 s per user created.
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    # The cache is real (file or Redis); start each test from an empty one.
    cache.clear()


@pytest.fixture
def world(db: None) -> World:
    acme = Organisation.objects.create(name="Acme Logistics", slug="acme")
    other = Organisation.objects.create(name="Other Haulage", slug="other")
    admin = User.objects.create_user("alice", password="pw-alice-123", time_zone="Europe/Paris")
    dispatcher = User.objects.create_user("dave", password="pw-dave-123")
    outsider = User.objects.create_user("olga", password="pw-olga-123")
    Membership.objects.create(user=admin, organisation=acme, role=Role.ADMIN)
    Membership.objects.create(user=dispatcher, organisation=acme, role=Role.DISPATCHER)
    Membership.objects.create(user=outsider, organisation=other, role=Role.ADMIN)
    account = TracksolidAccount.objects.create(
        organisation=acme,
        name="Acme HK",
        region="hk",
        app_key="acme-key",
        app_secret="acme-secret-value",
        user_id="acme",
        password_md5=md5_hex("acme-pass"),
    )
    group = DeviceGroup.objects.create(
        organisation=acme, account=account, name="Vans", vendor_group_id="g1"
    )
    devices = [
        Device.objects.create(
            imei=f"86012345678900{i}",
            organisation=acme,
            account=account,
            group=group,
            device_name=f"Van {i}",
        )
        for i in range(3)
    ]
    other_device = Device.objects.create(
        imei="869999999999999", organisation=other, device_name="Other truck"
    )
    return World(acme, other, admin, dispatcher, outsider, account, group, devices, other_device)


@pytest.fixture(autouse=True)
def _forget_process_caches() -> None:
    # The push path caches accounts and device ids per process; tests roll their rows back.
    from telemetry.ingest import forget_devices
    from telemetry.pushes import forget_accounts

    forget_devices()
    forget_accounts()
