"""The client's ``TokenStore`` on the ``TracksolidAccount`` row: one token per account, shared.

Every process (web, workers, beat) that calls the vendor for an account reads the same encrypted
token from the row, and takes the row lock (``select_for_update`` inside ``transaction.atomic``)
around the rare refresh or fetch, so ``jimi.oauth.token.get`` runs at most once a minute per
account however many workers there are (``token_fetched_at`` is the time of the last attempt).
On SQLite (embedded mode, one machine) the lock is an ``flock`` under ``var/locks`` instead.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from accounts.models import TracksolidAccount
from tracksolid.tokens import Token, TokenState

_FIELDS = (
    "access_token",
    "refresh_token",
    "token_expires_at",
    "token_obtained_at",
    "token_fetched_at",
)


class AccountTokenStore:
    """``tracksolid.tokens.TokenStore`` for one account, by id (safe to build in any process).

    The vendor issues one live token per login (a new one retires the old), so accounts that
    share a login (same node, app key and user id, e.g. one per sub-account ``target``) share
    one token, kept on the oldest of their rows.
    """

    def __init__(self, account_id: int) -> None:
        self.account_id = account_id
        self._holder: int | None = None

    @property
    def holder_id(self) -> int:
        """The row that keeps the token for this account's login."""
        if self._holder is None:
            login = (
                TracksolidAccount.objects.filter(pk=self.account_id)
                .values("region", "base_url", "app_key", "user_id")
                .first()
            )
            holder = None
            if login is not None:
                holder = (
                    TracksolidAccount.objects.filter(**login)
                    .order_by("pk")
                    .values_list("pk", flat=True)
                    .first()
                )
            self._holder = holder or self.account_id
        return self._holder

    def lock(self) -> AbstractContextManager[None]:
        if connection.vendor == "sqlite":
            return self._file_locked()
        return self._row_locked()

    @contextlib.contextmanager
    def _row_locked(self) -> Iterator[None]:
        # The row lock lives as long as the transaction: only around load, one vendor token
        # call and save (TokenManager's contract), never around a whole poll.
        failure: Exception | None = None
        with transaction.atomic():
            list(
                TracksolidAccount.objects.select_for_update()
                .filter(pk=self.holder_id)
                .values_list("pk", flat=True)
            )
            try:
                yield
            except DatabaseError:
                raise
            except Exception as exc:  # noqa: BLE001 - re-raised below, after the commit
                # A failed vendor call is still saved (its time throttles the next fetch):
                # commit, then raise.
                failure = exc
        if failure is not None:
            raise failure

    @contextlib.contextmanager
    def _file_locked(self) -> Iterator[None]:
        # SQLite has no row locks, and a write transaction held over a vendor call would stall
        # every other writer (pushes!) for its duration. Embedded mode runs on one machine, so
        # an flock beside the database excludes every process and thread instead.
        directory = Path(settings.VAR_DIR) / "locks"
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(directory / f"tracksolid-token-{self.holder_id}.lock", os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def load(self) -> TokenState:
        row = TracksolidAccount.objects.only(*_FIELDS).filter(pk=self.holder_id).first()
        if row is None:
            return TokenState()
        token = None
        if row.access_token and row.token_expires_at and row.token_obtained_at:
            token = Token(
                access_token=row.access_token,
                refresh_token=row.refresh_token or row.access_token,
                expires_at=row.token_expires_at,
                obtained_at=row.token_obtained_at,
            )
        return TokenState(token=token, last_fetch_at=row.token_fetched_at)

    def save(self, state: TokenState) -> None:
        token = state.token
        # update() runs the encrypted fields' get_prep_value, so tokens are stored encrypted.
        TracksolidAccount.objects.filter(pk=self.holder_id).update(
            access_token=token.access_token if token else "",
            refresh_token=token.refresh_token if token else "",
            token_expires_at=token.expires_at if token else None,
            token_obtained_at=token.obtained_at if token else None,
            token_fetched_at=state.last_fetch_at,
        )
