"""Tests for accounts.token_store: one encrypted token per account, shared by every client."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from accounts.models import TracksolidAccount
from accounts.services import client_for
from accounts.token_store import AccountTokenStore
from tests.simulator_fixtures import FAST_CLIENT, account_on, vendor_calls
from tracksolid.errors import TokenFetchThrottled
from tracksolid.simulator import Simulator
from tracksolid.tokens import Token, TokenState

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
TOKEN = Token(
    access_token="access-123456",
    refresh_token="refresh-654321",
    expires_at=NOW + timedelta(hours=2),
    obtained_at=NOW,
)


def raw_column(account: TracksolidAccount, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM accounts_tracksolidaccount WHERE id = %s",  # noqa: S608
            [account.pk],
        )
        return str(cursor.fetchone()[0])


def test_an_account_without_a_token_loads_an_empty_state(sim_account: TracksolidAccount) -> None:
    assert AccountTokenStore(sim_account.pk).load() == TokenState()


def test_a_saved_token_loads_back_with_its_fetch_time(sim_account: TracksolidAccount) -> None:
    store = AccountTokenStore(sim_account.pk)
    store.save(TokenState(token=TOKEN, last_fetch_at=NOW))
    assert store.load() == TokenState(token=TOKEN, last_fetch_at=NOW)
    sim_account.refresh_from_db()
    assert sim_account.token_expires_at == TOKEN.expires_at
    assert sim_account.token_fetched_at == NOW


def test_tokens_are_encrypted_at_rest(sim_account: TracksolidAccount) -> None:
    AccountTokenStore(sim_account.pk).save(TokenState(token=TOKEN, last_fetch_at=NOW))
    for column, secret in (("access_token", "access-123456"), ("refresh_token", "refresh-654321")):
        stored = raw_column(sim_account, column)
        assert stored.startswith("enc1:") and secret not in stored


def test_saving_no_token_clears_it_but_keeps_the_fetch_time(
    sim_account: TracksolidAccount,
) -> None:
    store = AccountTokenStore(sim_account.pk)
    store.save(TokenState(token=TOKEN, last_fetch_at=NOW))
    store.save(TokenState(token=None, last_fetch_at=NOW))
    assert store.load() == TokenState(token=None, last_fetch_at=NOW)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only: row locks")
def test_on_postgresql_the_lock_is_a_transaction_holding_the_account_row(
    sim_account: TracksolidAccount,
) -> None:
    store = AccountTokenStore(sim_account.pk)
    depth = len(connection.savepoint_ids)
    with store.lock():
        assert connection.in_atomic_block
        assert len(connection.savepoint_ids) == depth + 1
    assert len(connection.savepoint_ids) == depth


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only: the file lock it tests")
def test_on_sqlite_the_lock_excludes_other_holders_without_a_write_transaction(
    sim_account: TracksolidAccount,
) -> None:
    store, another = AccountTokenStore(sim_account.pk), AccountTokenStore(sim_account.pk)
    assert another.holder_id == store.holder_id == sim_account.pk
    order: list[str] = []

    def other() -> None:
        with another.lock():
            order.append("other")

    depth = len(connection.savepoint_ids)
    with store.lock():
        assert len(connection.savepoint_ids) == depth  # no transaction of its own
        thread = threading.Thread(target=other)
        thread.start()
        thread.join(timeout=0.3)
        assert thread.is_alive()  # waiting for our lock
        order.append("first")
    thread.join(timeout=5)
    assert order == ["first", "other"]


def test_a_deleted_account_loads_an_empty_state(sim_account: TracksolidAccount) -> None:
    store = AccountTokenStore(sim_account.pk)
    sim_account.delete()
    assert store.load() == TokenState()


def test_clients_built_separately_share_the_one_token_of_the_account(
    simulator: Simulator, sim_account: TracksolidAccount
) -> None:
    # Two clients stand for two worker processes: they meet only through the database.
    with client_for(sim_account, **FAST_CLIENT) as first:
        first.user_device_list()
    with client_for(sim_account, **FAST_CLIENT) as second:
        second.user_device_location_list()
    assert vendor_calls(simulator)["jimi.oauth.token.get"] == 1


def test_a_second_token_fetch_within_a_minute_is_refused_without_asking_the_vendor(
    simulator: Simulator, sim_account: TracksolidAccount
) -> None:
    with client_for(sim_account, **FAST_CLIENT) as client:
        client.oauth_token_get()
    with client_for(sim_account, **FAST_CLIENT) as client, pytest.raises(TokenFetchThrottled):
        client.oauth_token_get()
    assert vendor_calls(simulator)["jimi.oauth.token.get"] == 1
    assert "1006" not in simulator.counters()["errors"]


def test_a_token_the_vendor_expired_is_replaced_and_stored(
    simulator: Simulator, sim_account: TracksolidAccount
) -> None:
    with client_for(sim_account, **FAST_CLIENT) as client:
        client.user_device_list()
    sim_account.refresh_from_db()
    old = sim_account.access_token
    # The last fetch was long enough ago for a new one.
    TracksolidAccount.objects.filter(pk=sim_account.pk).update(
        token_fetched_at=sim_account.token_fetched_at - timedelta(minutes=2)
    )
    simulator.advance(61)
    simulator.expire_tokens()

    with client_for(sim_account, **FAST_CLIENT) as client:
        assert client.user_device_list()

    sim_account.refresh_from_db()
    assert sim_account.access_token and sim_account.access_token != old
    assert vendor_calls(simulator)["jimi.oauth.token.get"] == 2


def test_accounts_that_share_a_vendor_login_share_its_one_token(
    simulator: Simulator, sim_account: TracksolidAccount
) -> None:
    # One login mirrored as two accounts (say, one per sub-account target, for two customers).
    other = account_on(simulator, slug="second-customer", name="North")
    other.target_account = "demo_north"
    other.save()
    with (
        client_for(sim_account, **FAST_CLIENT) as first,
        client_for(other, **FAST_CLIENT) as second,
    ):
        first.user_device_list()
        second.user_device_list()
        first.user_device_location_list()
    assert vendor_calls(simulator)["jimi.oauth.token.get"] == 1
    assert "1004" not in simulator.counters()["errors"]
    assert AccountTokenStore(other.pk).holder_id == sim_account.pk
    other.refresh_from_db()
    assert other.access_token == ""
