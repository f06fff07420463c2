"""Tests for tracksolid.regions."""

from __future__ import annotations

import pytest

from tracksolid.regions import REGIONS, base_url_for, resolve_base_url


def test_every_named_node_has_a_route_rest_url() -> None:
    assert set(REGIONS) == {"hk", "eu", "us", "cn", "legacy"}
    assert base_url_for("eu") == "https://eu-open.tracksolidpro.com/route/rest"
    assert base_url_for("cn") == "https://open.tracksolidpro.com/route/rest"
    assert base_url_for("LEGACY") == "http://open.10000track.com/route/rest"


def test_an_unknown_region_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="known: cn, eu, hk, legacy, us"):
        base_url_for("mars")


def test_a_custom_base_url_is_used_as_given_without_trailing_slash() -> None:
    url = resolve_base_url(base_url="http://127.0.0.1:8000/route/rest/")
    assert url == "http://127.0.0.1:8000/route/rest"


def test_it_wants_exactly_one_of_base_url_and_region() -> None:
    with pytest.raises(ValueError):
        resolve_base_url()
    with pytest.raises(ValueError):
        resolve_base_url(base_url="http://x/route/rest", region="hk")
    with pytest.raises(ValueError):
        resolve_base_url(base_url="ftp://x")
