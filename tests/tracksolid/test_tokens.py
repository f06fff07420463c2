"""Tests for tracksolid.tokens: one token per account, fetched at most once a minute."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tracksolid.errors import ParameterError, TokenFetchThrottled
from tracksolid.tokens import (
    FileTokenStore,
    MemoryTokenStore,
    Token,
    TokenManager,
    TokenState,
    TokenStore,
)

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class FakeVendor:
    """Counts token fetches and refreshes; tokens live ``lifetime``."""

    def __init__(self, clock: FakeClock, lifetime: int = 7200) -> None:
        self.clock = clock
        self.lifetime = timedelta(seconds=lifetime)
        self.fetches = 0
        self.refreshes = 0
        self.refresh_fails = False
        self.lock = threading.Lock()

    def _token(self, name: str) -> Token:
        now = self.clock()
        return Token(name, f"r-{name}", now + self.lifetime, now)

    def fetch(self) -> Token:
        with self.lock:
            self.fetches += 1
            return self._token(f"a{self.fetches}")

    def refresh(self, token: Token) -> Token:
        with self.lock:
            if self.refresh_fails:
                raise ParameterError(1004, "bad refresh token", "jimi.oauth.token.refresh")
            self.refreshes += 1
            return self._token(f"{token.access_token}-r{self.refreshes}")


def manager(store: object, vendor: FakeVendor) -> TokenManager:
    return TokenManager(
        store,  # type: ignore[arg-type]
        fetch=vendor.fetch,
        refresh=vendor.refresh,
        clock=vendor.clock,
    )


def test_it_fetches_once_and_then_reuses_the_stored_token() -> None:
    vendor = FakeVendor(FakeClock())
    tokens = manager(MemoryTokenStore(), vendor)
    assert tokens.get().access_token == "a1"
    assert tokens.get().access_token == "a1"
    assert vendor.fetches == 1


def test_it_refreshes_the_token_shortly_before_it_expires() -> None:
    clock = FakeClock()
    vendor = FakeVendor(clock)
    tokens = manager(MemoryTokenStore(), vendor)
    tokens.get()
    clock.now += timedelta(seconds=7200 - 299)
    assert tokens.get().access_token == "a1-r1"
    assert (vendor.fetches, vendor.refreshes) == (1, 1)


def test_short_lived_tokens_refresh_at_half_their_life() -> None:
    clock = FakeClock()
    vendor = FakeVendor(clock, lifetime=60)
    tokens = manager(MemoryTokenStore(), vendor)
    tokens.get()
    clock.now += timedelta(seconds=29)
    assert tokens.get().access_token == "a1"
    clock.now += timedelta(seconds=2)
    assert tokens.get().access_token == "a1-r1"


def test_a_failed_refresh_falls_back_to_a_new_token() -> None:
    clock = FakeClock()
    vendor = FakeVendor(clock)
    tokens = manager(MemoryTokenStore(), vendor)
    tokens.get()
    vendor.refresh_fails = True
    clock.now += timedelta(seconds=7000)
    assert tokens.get().access_token == "a2"


def test_an_expired_token_is_replaced_not_refreshed() -> None:
    clock = FakeClock()
    vendor = FakeVendor(clock)
    tokens = manager(MemoryTokenStore(), vendor)
    tokens.get()
    clock.now += timedelta(hours=3)
    assert tokens.get().access_token == "a2"
    assert vendor.refreshes == 0


def test_a_second_fetch_within_a_minute_is_refused_with_a_retry_after() -> None:
    clock = FakeClock()
    vendor = FakeVendor(clock)
    tokens = manager(MemoryTokenStore(), vendor)
    tokens.get()
    clock.now += timedelta(seconds=20)
    with pytest.raises(TokenFetchThrottled) as caught:
        tokens.force_fetch()
    assert caught.value.retry_after == pytest.approx(40)
    clock.now += timedelta(seconds=40)
    assert tokens.force_fetch().access_token == "a2"


def test_a_failed_fetch_still_counts_against_the_minute() -> None:
    clock = FakeClock()
    vendor = FakeVendor(clock)

    def failing() -> Token:
        raise ParameterError(1001, "bad sign", "jimi.oauth.token.get")

    tokens = TokenManager(MemoryTokenStore(), fetch=failing, refresh=vendor.refresh, clock=clock)
    with pytest.raises(ParameterError):
        tokens.get()
    with pytest.raises(TokenFetchThrottled):
        tokens.get()


def test_invalidate_refreshes_the_rejected_token_once() -> None:
    clock = FakeClock()
    vendor = FakeVendor(clock)
    tokens = manager(MemoryTokenStore(), vendor)
    bad = tokens.get()
    assert tokens.invalidate(bad).access_token == "a1-r1"
    assert vendor.fetches == 1


def test_invalidate_uses_a_token_another_worker_already_renewed() -> None:
    clock = FakeClock()
    vendor = FakeVendor(clock)
    store = MemoryTokenStore()
    tokens = manager(store, vendor)
    bad = tokens.get()
    renewed = tokens.invalidate(bad)
    assert tokens.invalidate(bad) == renewed
    assert vendor.refreshes == 1


def test_concurrent_threads_fetch_one_token_between_them() -> None:
    vendor = FakeVendor(FakeClock())
    tokens = manager(MemoryTokenStore(), vendor)
    barrier = threading.Barrier(16)
    got: list[str] = []

    def worker() -> None:
        barrier.wait()
        got.append(tokens.get().access_token)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert vendor.fetches == 1
    assert set(got) == {"a1"}


def test_the_file_store_round_trips_the_token_and_the_last_fetch_time(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "token.json")
    assert store.load() == TokenState()
    state = TokenState(Token("a", "r", T0 + timedelta(hours=2), T0), T0)
    with store.lock():
        store.save(state)
    assert FileTokenStore(tmp_path / "token.json").load() == state
    assert (tmp_path / "token.json").stat().st_mode & 0o077 == 0


def test_the_file_store_lock_excludes_other_threads(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "token.json")
    inside = 0
    overlaps = 0
    guard = threading.Lock()

    def worker() -> None:
        nonlocal inside, overlaps
        for _ in range(20):
            with FileTokenStore(tmp_path / "token.json").lock():
                with guard:
                    inside += 1
                    overlaps += inside > 1
                with guard:
                    inside -= 1

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == 0
    with store.lock(), store.lock():  # re-entrant in one thread
        pass


def _process_worker(path: str, counter_path: str, start: multiprocessing.synchronize.Event) -> None:
    def fetch() -> Token:
        # Count fetches in a file all processes append to.
        with open(counter_path, "a", encoding="utf-8") as handle:
            handle.write("x")
        now = datetime.now(UTC)
        return Token("shared", "r", now + timedelta(hours=2), now)

    def refresh(token: Token) -> Token:
        raise AssertionError("no refresh expected")

    tokens = TokenManager(FileTokenStore(path), fetch=fetch, refresh=refresh)
    start.wait()
    for _ in range(5):
        assert tokens.get().access_token == "shared"


def test_concurrent_processes_fetch_one_token_between_them(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    start = context.Event()
    counter = tmp_path / "fetches"
    counter.touch()
    processes = [
        context.Process(
            target=_process_worker, args=(str(tmp_path / "t.json"), str(counter), start)
        )
        for _ in range(6)
    ]
    for process in processes:
        process.start()
    start.set()
    for process in processes:
        process.join(timeout=30)
    assert [p.exitcode for p in processes] == [0] * 6
    assert counter.read_text() == "x"


def test_the_bundled_stores_satisfy_the_token_store_protocol(tmp_path: Path) -> None:
    assert isinstance(MemoryTokenStore(), TokenStore)
    assert isinstance(FileTokenStore(tmp_path / "t.json"), TokenStore)


def test_a_token_never_shows_its_secrets_in_its_repr() -> None:
    token = Token("secret-access", "secret-refresh", T0, T0)
    assert "secret" not in repr(token)
    assert "secret" not in repr(TokenState(token, T0))
