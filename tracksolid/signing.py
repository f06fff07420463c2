"""The Tracksolid request signature, shared by the client and the simulator.

Rule (field notes): drop ``sign`` and null/empty values, sort keys by byte order, join key+value,
wrap in the app secret, MD5 the UTF-8 bytes, upper-case hex.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

__all__ = ["md5_hex", "sign", "string_to_sign"]


def string_to_sign(params: Mapping[str, object], secret: str) -> str:
    """Return the exact string whose MD5 is the sign, for debugging a 1001 answer."""
    items = sorted(
        (key, str(value))
        for key, value in params.items()
        if key != "sign" and value is not None and str(value) != ""
    )
    # Python sorts str by code point, which for the ASCII keys the vendor uses is byte order.
    items.sort(key=lambda item: item[0].encode("utf-8"))
    return secret + "".join(key + value for key, value in items) + secret


def sign(params: Mapping[str, object], secret: str) -> str:
    """Return the upper-case hex MD5 sign of ``params``."""
    return hashlib.md5(string_to_sign(params, secret).encode("utf-8")).hexdigest().upper()


def md5_hex(password: str) -> str:
    """Return ``user_pwd_md5``: the lower-case hex MD5 of the password as typed."""
    return hashlib.md5(password.encode("utf-8")).hexdigest()
