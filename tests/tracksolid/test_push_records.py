"""Tests for tracksolid/push_records.py and push_file_records.py: keys, digests, helpers."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from tracksolid.push_file_records import InstructResponse, PassThrough, PluginData, ResourceList
from tracksolid.push_records import FUEL_UNITS, GpsPoint, TripReport, digest

T0 = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)
IMEI = "862476051234567"


def test_a_digest_is_the_same_in_every_process() -> None:
    # A fixed value: the key is stored in a unique constraint, so it must never change.
    assert digest("0x9B", 1, "7878") == "c0a10250fa1b25b3"


def test_a_digest_tells_different_content_apart() -> None:
    assert digest("a", None) != digest("a", "")
    assert digest({"b": 1, "a": 2}) == digest({"a": 2, "b": 1})


def test_records_are_frozen() -> None:
    point = GpsPoint(imei=IMEI, gps_time=T0, lat=1.0, lng=2.0)

    with pytest.raises(dataclasses.FrozenInstanceError):
        point.lat = 3.0  # type: ignore[misc]


def test_a_gps_point_is_keyed_by_device_and_fix_time() -> None:
    assert GpsPoint(imei=IMEI, gps_time=T0, lat=1.0, lng=2.0).key == (IMEI, T0)


def test_a_plug_in_record_key_changes_with_its_content() -> None:
    one = PluginData(imei=IMEI, event_time=T0, category="0x9B", message_type=1, hex_content="78")
    two = dataclasses.replace(one, hex_content="79")

    assert one.key[:2] == two.key[:2] == (IMEI, T0)
    assert one.key != two.key


def test_pass_through_content_that_is_not_base64_has_no_payload() -> None:
    assert PassThrough(imei=IMEI, receive_time=T0, content="not base64!").payload is None
    assert PassThrough(imei=IMEI, receive_time=T0).payload is None


def test_a_resource_list_without_an_instruction_id_still_has_a_full_key() -> None:
    assert None not in ResourceList(imei=IMEI).key


def test_a_trip_report_without_a_sequence_keys_it_as_zero() -> None:
    report = TripReport(imei=IMEI, trip_time=T0, is_end=False)

    assert report.key == (IMEI, 0, T0, False)


def test_fuel_units_are_the_spec_names() -> None:
    assert FUEL_UNITS == {1: "cm", 2: "%", 3: "V", 4: "L"}


@pytest.mark.parametrize(
    ("code", "succeeded", "still_queued"),
    [("100", True, False), (None, True, False), ("300", False, True), ("600", False, False)],
)
def test_an_instruct_responses_code_says_whether_the_device_did_it(
    code: str | None, succeeded: bool, still_queued: bool
) -> None:
    answer = InstructResponse(imei=IMEI, code=code)

    assert (answer.succeeded, answer.still_queued) == (succeeded, still_queued)
