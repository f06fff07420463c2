"""Tests for accounts.services: building clients and connecting accounts, against the simulator."""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Organisation, Region, TracksolidAccount
from accounts.services import AccountConnectionError, client_for, connect_account
from tests.simulator_fixtures import (
    FAST_CLIENT,
    SIM_APP_KEY,
    SIM_APP_SECRET,
    SIM_PASSWORD,
    SIM_USER,
    account_on,
    vendor_calls,
)
from tracksolid.signing import md5_hex
from tracksolid.simulator import Simulator

pytestmark = pytest.mark.django_db


def connect(sim: Simulator, **overrides: object) -> TracksolidAccount:
    params: dict[str, object] = {
        "org_slug": "new-fleet",
        "base_url": sim.base_url,
        "app_key": SIM_APP_KEY,
        "app_secret": SIM_APP_SECRET,
        "user_id": SIM_USER,
        "password": SIM_PASSWORD,
        "client_options": FAST_CLIENT,
    }
    params.update(overrides)
    return connect_account(**params)  # type: ignore[arg-type]


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/route/rest"


def test_a_client_for_an_account_uses_its_node_target_and_stored_token(
    simulator: Simulator, sim_account: TracksolidAccount
) -> None:
    sub = next(d.account for d in simulator.world.devices.values() if d.account != "demo")
    sim_account.target_account = sub
    sim_account.save()
    with client_for(sim_account, **FAST_CLIENT) as client:
        assert client.base_url == simulator.base_url
        devices = client.user_device_list()
    assert devices and {d.account for d in devices} == {sub}
    sim_account.refresh_from_db()
    assert sim_account.access_token and sim_account.token_fetched_at is not None


def test_connecting_creates_the_organisation_and_the_account_with_a_token(
    simulator: Simulator, db: None
) -> None:
    account = connect(simulator)

    assert account.organisation == Organisation.objects.get(slug="new-fleet")
    assert account.organisation.name == "New Fleet"
    assert (account.name, account.region, account.base_url) == (
        SIM_USER,
        Region.CUSTOM,
        simulator.base_url,
    )
    assert account.password_md5 == md5_hex(SIM_PASSWORD)
    assert account.access_token and account.token_expires_at is not None
    assert account.last_error == ""
    assert vendor_calls(simulator) == {"jimi.oauth.token.get": 1}


def test_connecting_again_updates_the_same_account(simulator: Simulator, db: None) -> None:
    first = connect(simulator)
    second = connect(simulator, target="demo_north")
    assert second.pk == first.pk
    assert second.target == "demo_north"
    assert TracksolidAccount.objects.count() == 1
    # Same credentials: the stored token still proves them, no second fetch.
    assert vendor_calls(simulator) == {"jimi.oauth.token.get": 1}


def test_changed_credentials_drop_the_old_token(simulator: Simulator, db: None) -> None:
    first = connect(simulator, name="Main")
    TracksolidAccount.objects.filter(pk=first.pk).update(token_fetched_at=None)
    simulator.advance(61)
    second = connect(simulator, name="Main", user_id="demo_north")
    assert second.pk == first.pk
    assert second.access_token != first.access_token
    assert vendor_calls(simulator) == {"jimi.oauth.token.get": 2}


def test_a_wrong_password_is_kept_as_the_accounts_last_error(
    simulator: Simulator, db: None
) -> None:
    with pytest.raises(AccountConnectionError, match="user id and password") as caught:
        connect(simulator, password="not-it")
    account = TracksolidAccount.objects.get()
    assert caught.value.account == account
    assert "user id and password" in account.last_error
    assert account.last_error_at is not None
    assert account.access_token == ""


def test_an_app_key_the_node_does_not_know_points_at_the_region(
    simulator: Simulator, db: None
) -> None:
    with pytest.raises(AccountConnectionError, match="check the region"):
        connect(simulator, app_key="eu-only-key")


def test_a_wrong_app_secret_is_reported_as_a_bad_signature(simulator: Simulator, db: None) -> None:
    with pytest.raises(AccountConnectionError, match="app secret"):
        connect(simulator, app_secret="wrong-secret")


def test_an_unreachable_node_is_reported_clearly(db: None) -> None:
    url = closed_port_url()
    with pytest.raises(AccountConnectionError, match="Cannot reach"):
        connect_account(
            org_slug="x",
            base_url=url,
            app_key="k",
            app_secret="s",
            user_id="u",
            password="p",
            client_options={"max_retries": 0, "timeout": 2},
        )


def test_a_failed_check_still_counts_against_the_one_fetch_a_minute(
    simulator: Simulator, db: None
) -> None:
    with pytest.raises(AccountConnectionError, match="user id and password"):
        connect(simulator, password="not-it")
    assert TracksolidAccount.objects.get().token_fetched_at is not None
    with pytest.raises(AccountConnectionError, match="try again in a minute"):
        connect(simulator)
    assert vendor_calls(simulator) == {"jimi.oauth.token.get": 1}


def test_a_successful_connection_clears_the_last_error(simulator: Simulator, db: None) -> None:
    with pytest.raises(AccountConnectionError):
        connect(simulator, password="not-it")
    # A minute later.
    TracksolidAccount.objects.update(token_fetched_at=timezone.now() - timedelta(minutes=2))
    assert connect(simulator).last_error == ""


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ({"region": "mars"}, "Unknown region"),
        ({"region": "custom"}, "Unknown region"),
        ({"region": "eu", "base_url": "http://127.0.0.1:1/route/rest"}, "exactly one"),
        ({}, "exactly one"),
        ({"base_url": "ftp://example.com"}, "not usable"),
    ],
)
def test_a_bad_region_or_url_is_refused_before_anything_is_saved(
    db: None, where: dict[str, str], message: str
) -> None:
    with pytest.raises(AccountConnectionError, match=message):
        connect_account(
            org_slug="x", app_key="k", app_secret="s", user_id="u", password="p", **where
        )
    assert not TracksolidAccount.objects.exists()
    assert not Organisation.objects.exists()


def test_a_client_for_a_named_region_talks_to_that_node(simulator: Simulator, db: None) -> None:
    account = account_on(simulator)
    account.region, account.base_url = Region.EU, ""
    account.save()
    # No call is made: tests talk to the simulator only.
    with client_for(account) as client:
        assert client.base_url == "https://eu-open.tracksolidpro.com/route/rest"


def test_an_app_key_of_another_node_is_reported_as_a_wrong_region(
    make_simulator: Callable[..., Simulator], db: None
) -> None:
    sim = make_simulator(extra_app_keys=[("eu-key", "eu-secret", "eu")], wrong_node_answer="npe")
    with pytest.raises(AccountConnectionError, match="did not answer like a Tracksolid node"):
        connect(sim, app_key="eu-key", app_secret="eu-secret")


def test_a_second_account_on_the_same_login_must_agree_on_its_secrets(
    simulator: Simulator, db: None
) -> None:
    connect(simulator, name="North", target="demo_north")
    second = connect(simulator, org_slug="other-customer", target="demo_south")
    assert second.target == "demo_south"
    assert vendor_calls(simulator) == {"jimi.oauth.token.get": 1}

    with pytest.raises(AccountConnectionError, match="already connected as 'North'"):
        connect(simulator, org_slug="third-customer", password="stale-password")
