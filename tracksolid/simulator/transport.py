"""One keep-alive HTTP connection to the push receiver (stdlib: cheaper per push than requests)."""

from __future__ import annotations

import http.client
import time
from urllib.parse import quote_plus, urlsplit

# Receivers close idle keep-alive connections after a few seconds; reconnect before that
# rather than lose a push to a connection the far end already dropped.
IDLE_RECONNECT = 1.0

_SAFE = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
# urllib's quote_plus walks a 50-item JSON array byte by byte in Python; a few C-level
# str.replace passes do the same form encoding, which is most of the cost of a GPS push.
_ESCAPES = [(chr(c), f"%{c:02X}") for c in range(128) if c not in _SAFE and chr(c) not in "% +"]


def _quote(value: str) -> str:
    if not value.isascii():
        return quote_plus(value)
    if "%" in value:
        value = value.replace("%", "%25")  # first, so later escapes are not escaped again
    if "+" in value:
        value = value.replace("+", "%2B")
    for char, escape in _ESCAPES:
        if char in value:
            value = value.replace(char, escape)
    return value.replace(" ", "+")


def form_encode(fields: dict[str, str]) -> bytes:
    """``application/x-www-form-urlencoded``, as urllib.parse.urlencode would write it."""
    return "&".join(f"{_quote(k)}={_quote(v)}" for k, v in fields.items()).encode("ascii")


class PushTransport:
    """POSTs to ``{base_url}{path}``; returns (status, body) or None when the push failed."""

    def __init__(self, base_url: str, timeout: float) -> None:
        url = urlsplit(base_url.rstrip("/"))
        self.valid = url.scheme in ("http", "https") and bool(url.hostname)
        self.https = url.scheme == "https"
        self.host = url.hostname or ""
        self.port = url.port or (443 if self.https else 80)
        self.prefix = url.path
        self.base_query = url.query
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None
        self.last_used = 0.0

    def _connect(self) -> http.client.HTTPConnection:
        self.close()
        cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        self.conn = cls(self.host, self.port, timeout=self.timeout)
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def post(self, path: str, body: bytes, content_type: str) -> tuple[int, bytes] | None:
        if not self.valid:
            return None
        conn = self.conn
        if conn is None or time.monotonic() - self.last_used > IDLE_RECONNECT:
            conn = self._connect()
        target = self.prefix + path
        if self.base_query:
            target += ("&" if "?" in target else "?") + self.base_query
        try:
            conn.request(
                "POST", target, body, {"Content-Type": content_type, "User-Agent": "Jimi-Push/1.0"}
            )
            resp = conn.getresponse()
            data = resp.read()
        except (OSError, http.client.HTTPException):
            # Never retried: the vendor does not retry a failed push either.
            self.close()
            return None
        self.last_used = time.monotonic()
        if resp.will_close:
            self.close()
        return resp.status, data
