"""Tests for tracksolid/push_fields.py: the field readers behind every push parser."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from tracksolid import push_fields as f
from tracksolid.normalise import to_bool, to_datetime, to_float, to_int

T0 = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    ["42", " 42 ", "42.5", "-1", "1e3", "1_000", 42, 42.5, 0, None, "", "null", "  ", True, "x",
     "nan", "inf", float("nan"), float("inf"), "0x1A", [1]],
)  # fmt: skip
def test_its_numbers_agree_with_the_normalise_parsers(value: Any) -> None:
    try:
        expected: Any = to_float(value)
    except (ValueError, TypeError):
        expected = f.ItemError
    try:
        found: Any = f.number("x", value)
    except f.ItemError:
        found = f.ItemError
    assert found == expected or (found is expected)


@pytest.mark.parametrize(
    "value", ["42", " 7 ", "42.0", "42.5", 42, 42.0, None, "", "null", True, "x", "1_0"]
)
def test_its_integers_agree_with_the_normalise_parsers(value: Any) -> None:
    try:
        expected: Any = to_int(value)
    except (ValueError, TypeError):
        expected = f.ItemError
    try:
        found: Any = f.integer("x", value)
    except f.ItemError:
        found = f.ItemError
    assert found == expected


@pytest.mark.parametrize("value", ["1", "0", "ON", "OFF", "on", "true", 1, 0, True, None, "", "2"])
def test_its_flags_agree_with_the_normalise_parsers(value: Any) -> None:
    try:
        expected: Any = to_bool(value)
    except ValueError:
        expected = f.ItemError
    try:
        found: Any = f.flag("x", value)
    except f.ItemError:
        found = f.ItemError
    assert found == expected


@pytest.mark.parametrize(
    "value",
    ["2026-11-26 08:30:00", "2026-11-26T08:30:00", "2026-11-26T08:30:00.000Z",
     "2026-11-26T16:30:00+08:00", "1795681800", 1795681800000, "2026-11-26 08:30:0x"],
)  # fmt: skip
def test_its_times_agree_with_the_normalise_parsers(value: Any) -> None:
    try:
        expected: Any = to_datetime(value)
    except ValueError:
        expected = f.ItemError
    try:
        found: Any = f.moment("t", value)
    except f.ItemError:
        found = f.ItemError
    assert found == expected


def test_it_reads_bcd_times_of_twelve_and_fourteen_digits() -> None:
    assert f.moment("beginTime", "261126083000") == T0
    assert f.moment("beginTime", "20261126083000") == T0


def test_it_rejects_a_bcd_time_that_is_not_a_date() -> None:
    with pytest.raises(f.ItemError, match="beginTime '261399083000' is not a time"):
        f.moment("beginTime", "261399083000")


def test_it_keeps_epoch_milliseconds_of_thirteen_digits_as_epochs() -> None:
    assert f.moment("gpsTime", "1795681800000") == T0


def test_it_cuts_a_long_bad_value_short_in_the_reason() -> None:
    with pytest.raises(f.ItemError) as caught:
        f.number("lat", "x" * 500)

    assert caught.value.reason == f"lat '{'x' * 36}... is not a number"


def test_it_takes_the_first_present_of_several_names() -> None:
    item = {"alertType": "", "alarmType": "6"}

    assert f.first(item, "alertType", "alarmType") == ("alarmType", "6")
    assert f.first(item, "geoid", "fenceId") == ("geoid", None)


def test_it_splits_lists_sent_as_lists_json_or_text() -> None:
    assert f.strings(["P0301", " P0420 "]) == ("P0301", "P0420")
    assert f.strings('["P0301","P0420"]') == ("P0301", "P0420")
    assert f.strings("a.jpg;b.jpg,c.jpg;") == ("a.jpg", "b.jpg", "c.jpg")
    assert f.strings(None) == ()


def test_it_leaves_text_that_only_looks_like_json_as_it_is() -> None:
    assert f.json_value("{not json") == "{not json"
    assert f.json_value('{"a": 1}') == {"a": 1}
    with pytest.raises(f.ItemError, match="msg is not an object"):
        f.json_object("msg", "[1, 2]")
