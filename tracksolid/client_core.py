"""The core of ``TracksolidClient``: credentials, tokens, checked calls, and limit helpers.

The per-section method mixins (``client_devices``, ``client_tracking``, ``client_media``,
``client_commands``) build on ``ClientCore.call``; ``client.TracksolidClient`` combines them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

import requests  # noqa: TID251 - tracksolid/ is the one package that talks to the network

from .errors import InvalidResponse, RateLimited, TokenInvalid, TracksolidError, error_for
from .normalise import to_int
from .records import Fields, TokenGrant
from .regions import resolve_base_url
from .tokens import MemoryTokenStore, Token, TokenManager, TokenStore
from .transport import Clock, Sleep, Transport, utc_now

__all__ = ["ClientCore", "Page", "imei_list"]

log = logging.getLogger(__name__)

T = TypeVar("T")
Page = tuple[list[Mapping[str, Any]], int | None]

OAUTH_GET = "jimi.oauth.token.get"
OAUTH_REFRESH = "jimi.oauth.token.refresh"

# Safety net for pagers: a server that ignores paging must not loop us forever.
_MAX_PAGES = 10_000


def imei_list(imeis: str | Sequence[str]) -> list[str]:
    """``"A,B"`` or ``["A", "B"]`` → ``["A", "B"]``, stripped, blanks and repeats dropped."""
    items = imeis.split(",") if isinstance(imeis, str) else list(imeis)
    seen: dict[str, None] = {}
    for item in items:
        text = str(item).strip()
        if text:
            seen.setdefault(text, None)
    if not seen:
        raise ValueError("at least one IMEI is required")
    return list(seen)


def chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def windows(begin: datetime, end: datetime, span: timedelta) -> list[tuple[datetime, datetime]]:
    """Cut ``[begin, end]`` into consecutive windows no longer than ``span``."""
    if begin.tzinfo is None or end.tzinfo is None:
        raise ValueError("naive datetime: the vendor's times are UTC, pass aware datetimes")
    if end < begin:
        raise ValueError(f"end {end.isoformat()} is before begin {begin.isoformat()}")
    result = []
    start = begin
    while True:
        stop = min(start + span, end)
        result.append((start, stop))
        if stop >= end:
            return result
        start = stop


class ClientCore:
    """Credentials, one transport and one token manager for one Tracksolid account.

    ``clock`` drives token lifetimes, windows and the retention horizon (tests move it);
    ``timestamp_clock`` is what requests are signed with and should stay real time.
    ``rate_limit_delays`` are the sleeps between retries after a 1006; ``backoff`` is the base
    of the transport's exponential back-off; ``sleep`` is injectable so tests do not wait.
    ``mileage_unit`` is the unit ``jimi.device.track.mileage`` reports distances in.
    ``track_timeout`` applies to ``jimi.device.track.list``, which can take minutes on a busy
    account; ``timeout`` to everything else.
    """

    def __init__(
        self,
        app_key: str,
        app_secret: str,
        user_id: str,
        password_md5: str,
        *,
        base_url: str | None = None,
        region: str | None = None,
        target: str | None = None,
        token_store: TokenStore | None = None,
        session: requests.Session | None = None,
        timeout: float | tuple[float, float] = (5, 60),
        max_retries: int = 3,
        backoff: float = 0.5,
        rate_limit_delays: Sequence[float] = (2.0, 5.0, 15.0),
        expires_in: int = 7200,
        refresh_margin: timedelta = timedelta(minutes=5),
        min_token_interval: timedelta = timedelta(seconds=60),
        clock: Clock = utc_now,
        timestamp_clock: Clock = utc_now,
        sleep: Sleep = time.sleep,
        instruct_url: str | None = None,
        mileage_unit: str = "m",
        retention: timedelta = timedelta(days=90),
        track_timeout: float | tuple[float, float] = (5, 300),
    ) -> None:
        if not 60 <= expires_in <= 7200:
            raise ValueError("expires_in must be 60..7200 seconds (vendor limit)")
        if mileage_unit not in ("km", "m"):
            raise ValueError("mileage_unit must be 'km' or 'm'")
        self.user_id = user_id
        self.target = target or user_id
        # The last token envelope per thread, for raw_call's token methods.
        self._grants = threading.local()
        self._password_md5 = password_md5
        self.expires_in = expires_in
        self.clock = clock
        self.sleep = sleep
        self.rate_limit_delays = tuple(rate_limit_delays)
        self.instruct_url = instruct_url
        self.mileage_unit = mileage_unit
        self.retention = retention
        self.track_timeout = track_timeout
        self.transport = Transport(
            base_url=resolve_base_url(base_url=base_url, region=region),
            app_key=app_key,
            app_secret=app_secret,
            session=session,
            timeout=timeout,
            max_retries=max_retries,
            backoff=backoff,
            # Signed timestamps are real UTC: the vendor checks them within ±10 minutes.
            clock=timestamp_clock,
            sleep=sleep,
        )
        self.tokens = TokenManager(
            token_store if token_store is not None else MemoryTokenStore(),
            fetch=self._fetch_token,
            refresh=self._refresh_token,
            clock=clock,
            refresh_margin=refresh_margin,
            min_fetch_interval=min_token_interval,
        )

    def __enter__(self) -> ClientCore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.transport.close()

    @property
    def base_url(self) -> str:
        return self.transport.base_url

    # -- envelopes ---------------------------------------------------------------------------

    @staticmethod
    def check(envelope: Mapping[str, Any], method: str) -> Mapping[str, Any]:
        """Raise the named error for a non-zero ``code``; return the envelope otherwise."""
        try:
            code = to_int(envelope.get("code"))
        except ValueError:
            code = None
        if code is None:
            raise InvalidResponse("envelope without a code", method, body=str(envelope)[:2000])
        if code != 0:
            message = str(envelope.get("message") or envelope.get("msg") or "")
            raise error_for(code, message, method)
        return envelope

    @staticmethod
    def payload(envelope: Mapping[str, Any]) -> Any:
        """``result``, or ``data`` when ``result`` is null (report methods, fence create)."""
        result = envelope.get("result")
        return result if result is not None else envelope.get("data")

    @staticmethod
    def rows(payload: Any, method: str) -> Page:
        """The rows and the total (if the vendor says) of a list or paged payload."""
        if payload is None:
            return [], None
        if isinstance(payload, list):
            return [row for row in payload if isinstance(row, Mapping)], None
        if isinstance(payload, Mapping):
            for key in ("rows", "result", "list", "data", "records"):
                value = payload.get(key)
                if isinstance(value, list):
                    total: int | None = None
                    for total_key in ("dataTotalRows", "totalRecord", "total", "totalCount"):
                        try:
                            total = to_int(payload.get(total_key))
                        except ValueError:
                            total = None
                        if total is not None:
                            break
                    return [row for row in value if isinstance(row, Mapping)], total
            if not payload:
                return [], None
            return [payload], None
        raise InvalidResponse(f"expected a list, got {type(payload).__name__}", method)

    # -- tokens ------------------------------------------------------------------------------

    def _grant(self, method: str, params: Mapping[str, object], access: str | None) -> TokenGrant:
        raw = self.transport.call(method, params, access_token=access)
        self._grants.envelope = raw
        envelope = self.check(raw, method)
        payload = self.payload(envelope)
        if not isinstance(payload, Mapping):
            raise InvalidResponse("token answer without a result object", method)
        try:
            return TokenGrant.parse(payload, default_expires_in=self.expires_in)
        except ValueError as exc:
            raise InvalidResponse(str(exc), method) from None

    def _fetch_token(self) -> Token:
        params = {
            "user_id": self.user_id,
            "user_pwd_md5": self._password_md5,
            "expires_in": self.expires_in,
        }
        log.info("tracksolid: fetching a new token for %s", self.user_id)
        return self._grant(OAUTH_GET, params, None).to_token(self.clock())

    def _refresh_token(self, token: Token) -> Token:
        params = {
            "access_token": token.access_token,
            "refresh_token": token.refresh_token,
            "expires_in": self.expires_in,
        }
        return self._grant(OAUTH_REFRESH, params, token.access_token).to_token(self.clock())

    def token(self) -> Token:
        """A valid access token from the store, refreshed or fetched as the rules allow."""
        return self.tokens.get()

    # -- calls -------------------------------------------------------------------------------

    def call(
        self,
        method: str,
        params: Mapping[str, object],
        *,
        idempotent: bool = True,
        timeout: float | tuple[float, float] | None = None,
    ) -> Mapping[str, Any]:
        """One authenticated vendor call; returns the checked envelope.

        1. Use the store's token (refreshing or fetching it as needed).
        2. On 1004, refresh or re-authenticate once and retry once.
        3. On 1006, sleep ``rate_limit_delays[i]`` and retry, at most ``len(delays)`` times.
        """
        token = self.tokens.get()
        renewed = False
        rate_limited = 0
        while True:
            envelope = self.transport.call(
                method,
                params,
                access_token=token.access_token,
                idempotent=idempotent,
                timeout=timeout,
            )
            try:
                return self.check(envelope, method)
            except TokenInvalid:
                if renewed:
                    raise
                renewed = True
                log.info("tracksolid %s: token rejected (1004); renewing once", method)
                token = self.tokens.invalidate(token)
            except RateLimited:
                if rate_limited >= len(self.rate_limit_delays):
                    raise
                delay = self.rate_limit_delays[rate_limited]
                rate_limited += 1
                log.warning("tracksolid %s: rate limited (1006); retrying in %.1fs", method, delay)
                self.sleep(delay)

    def raw_call(self, method: str, params: Mapping[str, object]) -> dict[str, Any]:
        """The envelope exactly as received (for ``python -m tracksolid call --raw``).

        Vendor error codes are returned, not raised. ``jimi.oauth.token.get`` still goes
        through the token store (a stray fetch would retire the shared token and count against
        the minute), so it may raise ``TokenFetchThrottled``; ``jimi.oauth.token.refresh``
        refreshes the stored token. Other methods are sent with the stored access token.
        """
        if method in (OAUTH_GET, OAUTH_REFRESH):
            self._grants.envelope = None
            try:
                if method == OAUTH_GET:
                    self.tokens.force_fetch()
                else:
                    self.tokens.force_refresh()
            except TracksolidError:
                if self._grants.envelope is None:
                    raise
            envelope: dict[str, Any] = self._grants.envelope
            return envelope
        return self.transport.call(method, params, access_token=self.tokens.get().access_token)

    def result(
        self,
        method: str,
        params: Mapping[str, object],
        *,
        idempotent: bool = True,
        timeout: float | tuple[float, float] | None = None,
    ) -> Any:
        return self.payload(self.call(method, params, idempotent=idempotent, timeout=timeout))

    def parse_rows(
        self, method: str, payload: Any, parse: Callable[[Mapping[str, Any]], T]
    ) -> list[T]:
        return [parse(row) for row in self.rows(payload, method)[0]]

    def parse_one(self, method: str, payload: Any, parse: Callable[[Mapping[str, Any]], T]) -> T:
        if isinstance(payload, list) and payload and isinstance(payload[0], Mapping):
            payload = payload[0]
        if not isinstance(payload, Mapping):
            raise InvalidResponse(f"expected an object, got {payload!r:.100}", method)
        return parse(payload)

    def before_now(self, end: datetime) -> datetime:
        """The vendor refuses an ``end_time`` after now; clamp it to a second ago."""
        return min(end, self.clock() - timedelta(seconds=1))

    def paged(
        self,
        method: str,
        params: Mapping[str, object],
        *,
        page_size: int,
        style: str,
        first: int = 1,
    ) -> list[Mapping[str, Any]]:
        """Every row of a paged method.

        ``style="page"`` sends ``page_no`` from ``first``; ``style="row"`` sends ``start_row``
        (an offset from ``first``). Stops at the vendor's total, at a short or empty page, or
        when a page repeats the previous one (a server that ignores paging).
        """
        collected: list[Mapping[str, Any]] = []
        previous: list[Mapping[str, Any]] | None = None
        for index in range(_MAX_PAGES):
            paging: dict[str, object] = {"page_size": page_size}
            if style == "page":
                paging["page_no"] = first + index
            else:
                paging["start_row"] = first + index * page_size
            rows, total = self.rows(self.result(method, {**params, **paging}), method)
            if not rows or rows == previous:
                break
            collected.extend(rows)
            if total is not None and len(collected) >= total:
                break
            if len(rows) < page_size:
                break
            previous = rows
        return collected

    @staticmethod
    def str_field(payload: Any, *names: str) -> str | None:
        """A string result that may come bare or inside an object (``{"URL": ...}``)."""
        if isinstance(payload, Mapping):
            f = Fields(payload)
            return f.text(*names)
        if payload is None or payload == "":
            return None
        return str(payload)
