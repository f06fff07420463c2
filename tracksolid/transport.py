"""Signed, form-encoded POSTs to one Tracksolid node, with timeouts and retries.

The transport knows nothing about tokens or records: it sends one vendor call and returns the
envelope as a dict. Each attempt gets a fresh ``timestamp`` and ``sign`` (the vendor accepts
±10 minutes, and a retried request must not be a replay of a stale one).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import requests  # noqa: TID251 - tracksolid/ is the one package that talks to the network

from .errors import InvalidResponse, TracksolidUnavailable
from .normalise import vendor_time
from .signing import sign

__all__ = ["Clock", "Sleep", "Transport", "utc_now"]

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sleep = Callable[[float], None]

# Vendor bodies are small JSON; cap what we keep on an error so a huge HTML page is not logged.
_BODY_SNIPPET = 2000


def utc_now() -> datetime:
    """The default clock: aware UTC now."""
    return datetime.now(UTC)


def _form_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return vendor_time(value)
    return str(value)


class Transport:
    """One node, one app key, one ``requests.Session``."""

    def __init__(
        self,
        *,
        base_url: str,
        app_key: str,
        app_secret: str,
        session: requests.Session | None = None,
        timeout: float | tuple[float, float] = (5, 60),
        max_retries: int = 3,
        backoff: float = 0.5,
        clock: Clock = utc_now,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.base_url = base_url
        self.app_key = app_key
        self._app_secret = app_secret
        self.session = session if session is not None else requests.Session()
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.clock = clock
        self.sleep = sleep

    def signed_params(
        self, method: str, params: Mapping[str, object], access_token: str | None
    ) -> dict[str, str]:
        """The full form: common params, the method's params (null/empty dropped) and the sign."""
        form: dict[str, str] = {
            "method": method,
            "app_key": self.app_key,
            "timestamp": vendor_time(self.clock()),
            "sign_method": "md5",
            "v": "1.0",
            "format": "json",
        }
        if access_token:
            form["access_token"] = access_token
        for key, value in params.items():
            if value is None:
                continue
            text = _form_value(value)
            if text != "":
                form[key] = text
        form["sign"] = sign(form, self._app_secret)
        return form

    def call(
        self,
        method: str,
        params: Mapping[str, object],
        *,
        access_token: str | None = None,
        idempotent: bool = True,
        timeout: float | tuple[float, float] | None = None,
    ) -> dict[str, Any]:
        """POST one vendor call and return the envelope; vendor codes are not checked here.

        Connection errors and HTTP 5xx are retried with exponential back-off; a read timeout is
        retried only for ``idempotent`` calls, since a command may already have reached the device.
        """
        return self.post(
            self.base_url,
            lambda: self.signed_params(method, params, access_token),
            method=method,
            idempotent=idempotent,
            timeout=timeout,
        )

    def post(
        self,
        url: str,
        build_form: Callable[[], Mapping[str, str]],
        *,
        method: str,
        idempotent: bool = True,
        timeout: float | tuple[float, float] | None = None,
    ) -> dict[str, Any]:
        """POST ``build_form()`` (rebuilt per attempt) to ``url``; return the parsed JSON object."""
        attempt = 0
        timeout = timeout if timeout is not None else self.timeout
        while True:
            try:
                response = self.session.post(url, data=build_form(), timeout=timeout)
            except requests.ConnectTimeout as exc:
                failure: str = f"connect timeout: {exc}"
                status = 0
            except requests.Timeout as exc:
                if not idempotent:
                    raise TracksolidUnavailable(f"read timeout: {exc}", method) from exc
                failure, status = f"read timeout: {exc}", 0
            except requests.ConnectionError as exc:
                failure, status = f"connection error: {exc}", 0
            else:
                if response.status_code < 500:
                    return self._parse(response, method)
                failure, status = f"HTTP {response.status_code}", response.status_code
            if attempt >= self.max_retries:
                raise TracksolidUnavailable(
                    f"{failure} (after {attempt + 1} attempts)", method, status=status
                )
            delay = self.backoff * (2**attempt)
            log.warning("tracksolid %s: %s; retrying in %.2fs", method, failure, delay)
            self.sleep(delay)
            attempt += 1

    @staticmethod
    def _parse(response: requests.Response, method: str) -> dict[str, Any]:
        text = response.text
        try:
            body = json.loads(text)
        except ValueError:
            raise InvalidResponse(
                f"HTTP {response.status_code}: body is not JSON: {text[:200]!r}",
                method,
                body=text[:_BODY_SNIPPET],
                status=response.status_code,
            ) from None
        if not isinstance(body, dict):
            raise InvalidResponse(
                f"HTTP {response.status_code}: body is not a JSON object",
                method,
                body=text[:_BODY_SNIPPET],
                status=response.status_code,
            )
        return body

    def close(self) -> None:
        self.session.close()
