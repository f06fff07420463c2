"""Turn the vendor's loosely typed values into Python values.

The real service sends numbers as strings, ``""``/``null`` for missing values, booleans as
``"1"``/``"ON"``/``true``, and times as ``yyyy-MM-dd HH:mm:ss`` (UTC), ISO 8601 with ``Z``, or epoch
seconds/milliseconds. Every parser here returns ``None`` for a missing value and raises
``ValueError`` for a present value it cannot read, so callers can tell "absent" from "garbage".
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

__all__ = ["to_bool", "to_datetime", "to_float", "to_int", "to_str", "vendor_time"]

_MISSING = (None, "", "null", "NULL")
_TRUE = {"1", "on", "true", "yes", "y"}
_FALSE = {"0", "off", "false", "no", "n"}
# Epoch values above this are milliseconds (1e11 s is the year 5138).
_EPOCH_MS_THRESHOLD = 100_000_000_000


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in _MISSING)


def to_str(value: object) -> str | None:
    """A stripped string, or ``None`` when missing."""
    if _missing(value):
        return None
    return str(value).strip()


def to_float(value: object) -> float | None:
    """``"8853.60"`` → 8853.6; rejects NaN and infinities."""
    if _missing(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    result = float(value) if isinstance(value, int | float) else float(str(value).strip())
    if not math.isfinite(result):
        raise ValueError(f"not a finite number: {value!r}")
    return result


def to_int(value: object) -> int | None:
    """``"42"`` → 42, ``"42.0"`` → 42; rejects ``"42.5"``."""
    number = to_float(value)
    if number is None:
        return None
    if not number.is_integer():
        raise ValueError(f"not an integer: {value!r}")
    return int(number)


def to_bool(value: object) -> bool | None:
    """``"ON"``/``"1"``/``1``/``true`` → True, ``"OFF"``/``"0"``/``0``/``false`` → False."""
    if _missing(value):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not a boolean: {value!r}")


def to_datetime(value: object) -> datetime | None:
    """Read any vendor time as an aware UTC datetime.

    Accepts ``2024-01-02 03:04:05`` (UTC by convention), ISO 8601 with ``Z`` or an offset
    (``2022-12-10T01:05:33.000Z``), and epoch seconds or milliseconds as a number or digit string.
    """
    if _missing(value):
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        epoch = float(value)
        if epoch >= _EPOCH_MS_THRESHOLD:
            epoch /= 1000
        return datetime.fromtimestamp(epoch, tz=UTC)
    text = str(value).strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def vendor_time(value: datetime) -> str:
    """Format an aware datetime as the vendor's UTC ``yyyy-MM-dd HH:mm:ss``."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: the vendor's times are UTC, pass an aware datetime")
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
