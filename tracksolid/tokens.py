"""One access token per account, shared by every process through a pluggable store.

The vendor allows ``jimi.oauth.token.get`` about once a minute per account and answers 1006
beyond that, so the token lives in a store all workers share, and the time of the last fetch
is kept in the same store, read and written under the store's lock:

1. Without the lock, load the token; if it is valid and not due for refresh, use it.
2. Otherwise take the store's lock and load again (another worker may have done the work).
3. A token due for refresh (but not expired) is refreshed; if the refresh fails, fall through.
4. A new token is fetched only if the last fetch is at least ``min_fetch_interval`` old;
   otherwise ``TokenFetchThrottled`` (a ``RateLimited``) says when to try again.
5. Every fetch attempt, failed or not, updates ``last_fetch_at``.

The Django side implements ``TokenStore`` on the account row (``select_for_update`` as the
lock, encrypted columns for the token); ``MemoryTokenStore`` and ``FileTokenStore`` serve
threads, the CLI and multi-process tests.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from .errors import TokenFetchThrottled, TracksolidError
from .transport import Clock, utc_now

__all__ = [
    "FileTokenStore",
    "MemoryTokenStore",
    "Token",
    "TokenManager",
    "TokenState",
    "TokenStore",
]


@dataclass(frozen=True)
class Token:
    """An access token as granted; ``expires_at`` and ``obtained_at`` are aware UTC."""

    access_token: str
    refresh_token: str
    expires_at: datetime
    obtained_at: datetime

    def __repr__(self) -> str:  # Secrets are never logged, not even through a repr.
        return f"Token(expires_at={self.expires_at.isoformat()}, obtained_at={self.obtained_at})"

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def needs_refresh(self, now: datetime, margin: timedelta) -> bool:
        """True within ``margin`` of expiry (at most half the lifetime, for short tokens)."""
        lifetime = self.expires_at - self.obtained_at
        return now >= self.expires_at - min(margin, lifetime / 2)

    def to_json(self) -> dict[str, str]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at.isoformat(),
            "obtained_at": self.obtained_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Token:
        return cls(
            access_token=str(data["access_token"]),
            refresh_token=str(data["refresh_token"]),
            expires_at=datetime.fromisoformat(data["expires_at"]).astimezone(UTC),
            obtained_at=datetime.fromisoformat(data["obtained_at"]).astimezone(UTC),
        )


@dataclass(frozen=True)
class TokenState:
    """What a store keeps per account: the token (if any) and when one was last fetched."""

    token: Token | None = None
    last_fetch_at: datetime | None = None


@runtime_checkable
class TokenStore(Protocol):
    """Storage for one account's token, shared by every process that calls the vendor.

    ``lock()`` must exclude every other holder of the same account's lock, across threads and
    processes (a row lock, a Redis lock, ``fcntl``), and is held only around ``load``/``save``
    and one vendor token call. ``load`` may also be called without the lock (fast path).
    """

    def lock(self) -> AbstractContextManager[None]: ...

    def load(self) -> TokenState: ...

    def save(self, state: TokenState) -> None: ...


class MemoryTokenStore:
    """In-process store: a lock and a value, for one process with many threads."""

    def __init__(self, state: TokenState | None = None) -> None:
        self._lock = threading.RLock()
        self._state = state or TokenState()

    def lock(self) -> AbstractContextManager[None]:
        return self._locked()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock:
            yield

    def load(self) -> TokenState:
        return self._state

    def save(self, state: TokenState) -> None:
        self._state = state


class FileTokenStore:
    """A JSON file (mode 0600) beside a ``.lock`` file locked with ``fcntl.flock``.

    ``flock`` on a fresh file descriptor excludes other processes and other threads alike.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._thread_lock = threading.RLock()
        self._depth = 0

    def lock(self) -> AbstractContextManager[None]:
        return self._locked()

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        # Re-entrant within a thread: the outer holder owns the flock.
        with self._thread_lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                self._depth = 1
                try:
                    yield
                finally:
                    self._depth = 0
                    fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    def load(self) -> TokenState:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return TokenState()
        token = Token.from_json(data["token"]) if data.get("token") else None
        last = data.get("last_fetch_at")
        return TokenState(
            token=token,
            last_fetch_at=datetime.fromisoformat(last).astimezone(UTC) if last else None,
        )

    def save(self, state: TokenState) -> None:
        data = {
            "token": state.token.to_json() if state.token else None,
            "last_fetch_at": state.last_fetch_at.isoformat() if state.last_fetch_at else None,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=self.path.name, dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise


class TokenManager:
    """Applies the token rules of the module docstring on top of a store.

    ``fetch`` calls ``jimi.oauth.token.get`` and ``refresh`` calls ``jimi.oauth.token.refresh``;
    both return a new ``Token`` or raise a ``TracksolidError``.
    """

    def __init__(
        self,
        store: TokenStore,
        *,
        fetch: Callable[[], Token],
        refresh: Callable[[Token], Token],
        clock: Clock = utc_now,
        refresh_margin: timedelta = timedelta(minutes=5),
        min_fetch_interval: timedelta = timedelta(seconds=60),
    ) -> None:
        self.store = store
        self._fetch = fetch
        self._refresh = refresh
        self.clock = clock
        self.refresh_margin = refresh_margin
        self.min_fetch_interval = min_fetch_interval

    def _usable(self, token: Token | None, now: datetime) -> bool:
        return token is not None and not token.needs_refresh(now, self.refresh_margin)

    def get(self) -> Token:
        """A valid token, refreshed or fetched if needed (steps 1-5)."""
        token = self.store.load().token
        if token is not None and self._usable(token, self.clock()):
            return token
        with self.store.lock():
            state = self.store.load()
            now = self.clock()
            if state.token is not None and self._usable(state.token, now):
                return state.token
            if state.token is not None and not state.token.is_expired(now):
                refreshed = self._try_refresh(state)
                if refreshed is not None:
                    return refreshed
                try:
                    return self._fetch_locked(state)
                except TokenFetchThrottled:
                    # Refresh failed and a fetch must wait: the old token still works for now.
                    return state.token
            return self._fetch_locked(state)

    def invalidate(self, bad: Token) -> Token:
        """After a 1004 with ``bad``: refresh it, or fetch a new token; return the new one.

        If another worker already replaced ``bad`` in the store, its token is used as is.
        """
        with self.store.lock():
            state = self.store.load()
            if (
                state.token is not None
                and state.token.access_token != bad.access_token
                and not state.token.is_expired(self.clock())
            ):
                return state.token
            if state.token is not None:
                refreshed = self._try_refresh(state)
                if refreshed is not None:
                    return refreshed
            return self._fetch_locked(replace(state, token=None))

    def force_fetch(self) -> Token:
        """Fetch a new token now (still at most once per ``min_fetch_interval``)."""
        with self.store.lock():
            return self._fetch_locked(self.store.load())

    def force_refresh(self) -> Token:
        """Refresh the stored token (fetching one first if there is none)."""
        with self.store.lock():
            state = self.store.load()
            if state.token is None:
                return self._fetch_locked(state)
            token = self._refresh(state.token)
            self.store.save(replace(state, token=token))
            return token

    def _try_refresh(self, state: TokenState) -> Token | None:
        assert state.token is not None
        try:
            token = self._refresh(state.token)
        except TracksolidError:
            return None
        self.store.save(replace(state, token=token))
        return token

    def _fetch_locked(self, state: TokenState) -> Token:
        now = self.clock()
        if state.last_fetch_at is not None:
            allowed_at = state.last_fetch_at + self.min_fetch_interval
            if now < allowed_at:
                wait = (allowed_at - now).total_seconds()
                raise TokenFetchThrottled(
                    1006,
                    f"a token was fetched {(now - state.last_fetch_at).total_seconds():.0f}s ago; "
                    f"next fetch allowed in {wait:.0f}s",
                    "jimi.oauth.token.get",
                    retry_after=wait,
                )
        try:
            token = self._fetch()
        except BaseException:
            self.store.save(replace(state, last_fetch_at=now))
            raise
        self.store.save(TokenState(token=token, last_fetch_at=now))
        return token
