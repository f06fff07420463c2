"""Reading vendor objects into records: the ``Fields`` helper every record parser uses.

A present value that cannot be read is ``None`` in the record and kept as sent in ``extra``, so
one odd field never loses a whole row.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from .normalise import to_bool, to_datetime, to_float, to_int, to_str

__all__ = ["Fields", "no_extra", "pos_type_name", "position"]


def no_extra() -> Mapping[str, Any]:
    return MappingProxyType({})


# Track points give the positioning method as a number, locations as a word (field notes).
_POS_TYPES = {"1": "GPS", "2": "LBS", "3": "WIFI", "5": "BEACON"}


def pos_type_name(value: object) -> str | None:
    """``1``/``"GPS"`` → ``"GPS"``; unknown numbers stay as their digits."""
    text = to_str(value)
    if text is None:
        return None
    return _POS_TYPES.get(text, text.upper())


class Fields:
    """Reads named fields from one vendor object and remembers which ones it used."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self._used: set[str] = set()
        self._bad: set[str] = set()

    def _value(self, names: tuple[str, ...]) -> tuple[str, Any]:
        found: tuple[str, Any] = (names[0], None)
        for name in names:
            if name in self.raw:
                self._used.add(name)
                if found[1] is None and self.raw[name] not in (None, ""):
                    found = (name, self.raw[name])
        return found

    def _parse(self, names: tuple[str, ...], parser: Any) -> Any:
        name, value = self._value(names)
        try:
            return parser(value)
        except (TypeError, ValueError, OverflowError):
            self._bad.add(name)
            return None

    def text(self, *names: str) -> str | None:
        return self._parse(names, to_str)  # type: ignore[no-any-return]

    def number(self, *names: str) -> float | None:
        return self._parse(names, to_float)  # type: ignore[no-any-return]

    def integer(self, *names: str) -> int | None:
        return self._parse(names, to_int)  # type: ignore[no-any-return]

    def flag(self, *names: str) -> bool | None:
        return self._parse(names, to_bool)  # type: ignore[no-any-return]

    def time(self, *names: str) -> datetime | None:
        return self._parse(names, to_datetime)  # type: ignore[no-any-return]

    def known(self, *names: str) -> int | None:
        """An integer where the vendor's ``-1`` means unknown (direction, beacon speed)."""
        number = self.integer(*names)
        return None if number is not None and number < 0 else number

    def known_float(self, *names: str) -> float | None:
        number = self.number(*names)
        return None if number is not None and number < 0 else number

    def raw_value(self, *names: str) -> Any:
        return self._value(names)[1]

    def extra(self) -> Mapping[str, Any]:
        """Everything not read, plus what was read but could not be parsed."""
        return MappingProxyType(
            {k: v for k, v in self.raw.items() if k not in self._used or k in self._bad}
        )


def position(f: Fields) -> tuple[float | None, float | None]:
    lat, lng = f.number("lat"), f.number("lng")
    # An expired device reports 0,0; no real fleet vehicle sits on Null Island.
    if lat == 0 and lng == 0:
        return None, None
    return lat, lng
