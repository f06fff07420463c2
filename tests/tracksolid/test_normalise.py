"""Tests for tracksolid.normalise: missing is None, garbage is ValueError."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tracksolid.normalise import to_bool, to_datetime, to_float, to_int, to_str, vendor_time


def test_missing_values_are_none_for_every_parser() -> None:
    for parser in (to_str, to_float, to_int, to_bool, to_datetime):
        assert parser(None) is None
        assert parser("") is None
        assert parser("null") is None


def test_numbers_sent_as_strings_become_numbers() -> None:
    assert to_float("8853.60") == 8853.6
    assert to_int("42") == 42
    assert to_int("42.0") == 42


def test_it_refuses_a_fractional_int_and_non_numbers() -> None:
    with pytest.raises(ValueError):
        to_int("42.5")
    with pytest.raises(ValueError):
        to_float("abc")
    with pytest.raises(ValueError):
        to_float("nan")


def test_on_off_and_one_zero_become_booleans() -> None:
    assert to_bool("ON") is True
    assert to_bool("OFF") is False
    assert to_bool("1") is True
    assert to_bool(0) is False
    with pytest.raises(ValueError):
        to_bool("maybe")


def test_both_vendor_time_formats_become_aware_utc() -> None:
    spaced = to_datetime("2022-12-10 01:05:33")
    iso = to_datetime("2022-12-10T01:05:33.000Z")
    assert spaced == iso == datetime(2022, 12, 10, 1, 5, 33, tzinfo=UTC)
    assert spaced is not None and spaced.tzinfo is UTC


def test_epoch_seconds_and_milliseconds_are_read() -> None:
    expected = datetime(2024, 1, 1, tzinfo=UTC)
    assert to_datetime(1704067200) == expected
    assert to_datetime("1704067200000") == expected


def test_vendor_time_formats_aware_datetimes_in_utc_and_refuses_naive_ones() -> None:
    paris = timezone(timedelta(hours=1))
    assert vendor_time(datetime(2024, 1, 1, 1, 0, tzinfo=paris)) == "2024-01-01 00:00:00"
    with pytest.raises(ValueError):
        vendor_time(datetime(2024, 1, 1))
