"""Tests for tracksolid.signing: the vendor MD5 sign rule of the field notes."""

from __future__ import annotations

import hashlib

from tracksolid.signing import md5_hex, sign, string_to_sign


def test_it_signs_the_spec_example_with_the_secret_at_both_ends() -> None:
    params = {
        "method": "jimi.oauth.token.get",
        "timestamp": "2025-01-01 00:00:00",
        "app_key": "ABC123",
    }
    expected = "SECRET" + "app_keyABC123methodjimi.oauth.token.gettimestamp2025-01-01 00:00:00"
    expected += "SECRET"
    assert string_to_sign(params, "SECRET") == expected
    assert sign(params, "SECRET") == hashlib.md5(expected.encode()).hexdigest().upper()


def test_it_sorts_keys_in_byte_order_so_foo_bar_comes_before_foobar() -> None:
    assert string_to_sign({"foobar": "2", "foo_bar": "1"}, "s") == "sfoo_bar1foobar2s"


def test_it_sorts_upper_case_keys_before_lower_case_ones() -> None:
    assert string_to_sign({"b": "2", "B": "1", "a": "0"}, "s") == "sB1a0b2s"


def test_it_leaves_out_empty_and_null_values_and_the_sign_itself() -> None:
    params = {"a": "1", "empty": "", "null": None, "sign": "OLD"}
    assert string_to_sign(params, "s") == "sa1s"


def test_it_signs_values_as_the_strings_that_are_sent() -> None:
    assert string_to_sign({"expires_in": 7200}, "s") == "sexpires_in7200s"


def test_it_hashes_non_ascii_values_as_utf8() -> None:
    params = {"fence_name": "Almacén 北京"}
    text = "sfence_nameAlmacén 北京s"
    assert string_to_sign(params, "s") == text
    assert sign(params, "s") == hashlib.md5(text.encode("utf-8")).hexdigest().upper()


def test_the_sign_is_upper_case_hex_of_32_characters() -> None:
    value = sign({"a": "1"}, "secret")
    assert len(value) == 32
    assert value == value.upper()
    int(value, 16)


def test_the_password_md5_is_lower_case_hex() -> None:
    assert md5_hex("demo") == "fe01ce2a7fbac8fafaed7c982a04e229"
