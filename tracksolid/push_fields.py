"""Field readers for push items: ``None`` for absent, :class:`ItemError` naming the field.

They wrap :mod:`tracksolid.normalise` so that a rejected item says which field was wrong
(``"lat 123.4 out of range"``), and add what only pushes need: IMEI and coordinate checks,
BCD times, JSON-in-a-string fields, and the ``extra`` of unnamed fields. The item parsers
(``push_items``, ``push_file_items``) use them as ``f.number("lat", value)``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from tracksolid.normalise import to_bool, to_datetime, to_float, to_int, to_str

__all__ = [
    "Item",
    "ItemError",
    "first",
    "flag",
    "imei",
    "integer",
    "json_object",
    "json_value",
    "known",
    "lat",
    "lng",
    "moment",
    "number",
    "required_moment",
    "speed",
    "strings",
    "text",
    "unnamed",
]

Item = dict[str, Any]

_IMEI = re.compile(r"[0-9A-Za-z]{10,20}")
_IMEI_NAMES = ("deviceImei", "imei")
_SHOW = 40


class ItemError(ValueError):
    """One item cannot become a record; ``reason`` names the field and the value."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _show(value: Any) -> str:
    """A value for a rejection reason: its repr, cut short (reasons go into the ack and logs)."""
    shown = repr(value)
    return shown if len(shown) <= _SHOW else shown[: _SHOW - 3] + "..."


def first(item: Item, *names: str) -> tuple[str, Any]:
    """The first of ``names`` with a non-empty value, as ``(name, value)``; else the first name."""
    for name in names:
        value = item.get(name)
        if value is not None and value != "":
            return name, value
    return names[0], None


def imei(item: Item, *names: str) -> str:
    """The device IMEI (``deviceImei`` or ``imei`` unless named): 10-20 letters or digits."""
    name, value = first(item, *(names or _IMEI_NAMES))
    if value is None:
        raise ItemError("imei missing")
    found = str(value).strip()
    if _IMEI.fullmatch(found) is None:
        raise ItemError(f"{name} {_show(found)} is not 10-20 letters or digits")
    return found


def text(value: Any) -> str | None:
    """A stripped string; a nested object or list as its JSON text."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return to_str(value)


# Fast paths: most values are plain strings or numbers that parse at once. Anything else goes
# to the normalise parsers, so the result (and what counts as garbage) is the same either way.
_FLAG_TEXT = {"1": True, "0": False, "ON": True, "OFF": False}


def number(name: str, value: Any) -> float | None:
    kind = type(value)
    if kind is str:
        try:
            found = float(value)
        except ValueError:
            pass
        else:
            if found - found == 0.0:  # finite
                return found
    elif kind is int:
        return float(value)
    elif kind is float and value - value == 0.0:
        return value  # type: ignore[no-any-return]
    try:
        return to_float(value)
    except (ValueError, TypeError):
        raise ItemError(f"{name} {_show(value)} is not a number") from None


def integer(name: str, value: Any) -> int | None:
    kind = type(value)
    if kind is int:
        return value  # type: ignore[no-any-return]
    if kind is str:
        try:
            return int(value)
        except ValueError:
            pass
    try:
        return to_int(value)
    except (ValueError, TypeError):
        raise ItemError(f"{name} {_show(value)} is not an integer") from None


def flag(name: str, value: Any) -> bool | None:
    if type(value) is str and value in _FLAG_TEXT:
        return _FLAG_TEXT[value]
    try:
        return to_bool(value)
    except ValueError:
        raise ItemError(f"{name} {_show(value)} is not a flag") from None


def moment(name: str, value: Any) -> datetime | None:
    """Any vendor time, plus the trip report's BCD ``yyMMddHHmmss`` (and ``yyyyMMddHHmmss``).

    A 12- or 14-digit string cannot be a current epoch (as milliseconds it would fall before
    2002 or after 2286), so it is read as BCD wherever it appears.
    """
    if type(value) is str and len(value) == 19 and value[10] in " T":  # the vendor's usual form
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    if isinstance(value, str) and len(value) in (12, 14) and value.isdigit():
        layout = "%y%m%d%H%M%S" if len(value) == 12 else "%Y%m%d%H%M%S"
        try:
            return datetime.strptime(value, layout).replace(tzinfo=UTC)
        except ValueError:
            raise ItemError(f"{name} {_show(value)} is not a time") from None
    try:
        return to_datetime(value)
    except (ValueError, TypeError, OverflowError, OSError):
        raise ItemError(f"{name} {_show(value)} is not a time") from None


def required_moment(item: Item, *names: str) -> datetime:
    """The first present time of ``names``; an item without one is rejected."""
    name, value = first(item, *names)
    found = moment(name, value)
    if found is None:
        raise ItemError(f"{'/'.join(names)} missing")
    return found


def lat(name: str, value: Any) -> float | None:
    found = number(name, value)
    if found is not None and not -90.0 <= found <= 90.0:
        raise ItemError(f"{name} {found} out of range")
    return found


def lng(name: str, value: Any) -> float | None:
    found = number(name, value)
    if found is not None and not -180.0 <= found <= 180.0:
        raise ItemError(f"{name} {found} out of range")
    return found


def speed(name: str, value: Any) -> float | None:
    """km/h; the vendor's negative values (-1 for beacons) mean unknown."""
    found = number(name, value)
    return None if found is not None and found < 0 else found


def json_value(value: Any) -> Any:
    """A JSON object or array text decoded; anything else (or text that is not JSON) as it is."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def json_object(name: str, value: Any) -> Item:
    """A nested object (``msg``, ``obdJson``), sent as an object or as JSON text."""
    decoded = json_value(value)
    if not isinstance(decoded, dict):
        raise ItemError(f"{name} is not an object")
    return decoded


def strings(value: Any) -> tuple[str, ...]:
    """A list, a JSON list, or text split on ``;`` or ``,``, as non-empty strings."""
    decoded = json_value(value)
    if decoded is None or decoded == "":
        return ()
    parts: Iterable[Any] = (
        decoded if isinstance(decoded, list) else str(decoded).replace(",", ";").split(";")
    )
    return tuple(part for part in (str(entry).strip() for entry in parts) if part)


def known(*names: str) -> frozenset[str]:
    """The field names a parser reads (plus the IMEI names), to leave out of ``extra``."""
    return frozenset((*_IMEI_NAMES, *names))


def unnamed(item: Item, named: frozenset[str]) -> dict[str, Any]:
    """Every field of ``item`` the record does not name, kept as sent."""
    return {key: value for key, value in item.items() if key not in named}
