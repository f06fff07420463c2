"""Tests for fleet.env: malformed values raise ImproperlyConfigured with a message to act on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from fleet import env

DATABASE_SCHEMES = ("postgres", "postgresql", "sqlite")
REDIS_SCHEMES = ("redis", "rediss", "unix")
ROOT = Path(__file__).parents[2]


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FLEET_TEST_VALUE", "DATABASE_URL", "REDIS_URL", "DEBUG"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"{name}_FILE", raising=False)


@pytest.mark.parametrize(
    "value", ["mysql://fleet:pw@db/fleet", "db.example.com:5432/fleet", "postgres//db/fleet"]
)
def test_a_database_url_with_another_scheme_names_the_accepted_ones(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", value)
    with pytest.raises(ImproperlyConfigured) as caught:
        env.url("DATABASE_URL", schemes=DATABASE_SCHEMES)
    message = str(caught.value)
    assert message.startswith("DATABASE_URL must be a URL starting with one of")
    assert "postgres://" in message and "sqlite://" in message


def test_a_malformed_database_url_never_shows_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://fleet:hunter2@db/fleet")
    with pytest.raises(ImproperlyConfigured) as caught:
        env.url("DATABASE_URL", schemes=DATABASE_SCHEMES)
    assert "hunter2" not in str(caught.value)
    assert "db/fleet" in str(caught.value)


def test_a_database_url_that_cannot_be_parsed_stops_the_settings(tmp_path: Path) -> None:
    # End to end through fleet/settings.py: the scheme is right but the port is not a number.
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "fleet.settings",
        "FLEET_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "test",
        "DATABASE_URL": "postgres://fleet:hunter2@db:notaport/fleet",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: DATABASE_URL is malformed" in result.stderr
    assert "hunter2" not in result.stderr


def test_an_unset_or_empty_url_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env.url("DATABASE_URL", schemes=DATABASE_SCHEMES) is None
    monkeypatch.setenv("DATABASE_URL", "  ")
    assert env.url("DATABASE_URL", schemes=DATABASE_SCHEMES) is None


@pytest.mark.parametrize("value", ["localhost:6379", "http://redis:6379/0", "redis:/redis"])
def test_a_malformed_redis_url_names_the_accepted_schemes(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("REDIS_URL", value)
    with pytest.raises(ImproperlyConfigured, match=r"^REDIS_URL must be a URL starting with"):
        env.url("REDIS_URL", schemes=REDIS_SCHEMES)


def test_a_redis_url_is_kept_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", " redis://redis:6379/0 ")
    assert env.url("REDIS_URL", schemes=REDIS_SCHEMES) == "redis://redis:6379/0"


@pytest.mark.parametrize("value", ["maybe", "2", "enabled", "tru"])
def test_a_debug_value_that_is_not_a_boolean_says_what_to_use(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("DEBUG", value)
    with pytest.raises(ImproperlyConfigured) as caught:
        env.boolean("DEBUG", False)
    assert str(caught.value) == f"DEBUG={value!r} is not a boolean; use true or false"


@pytest.mark.parametrize(
    ("value", "expected"), [("TRUE", True), (" yes ", True), ("0", False), ("", False)]
)
def test_debug_accepts_the_usual_spellings(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: bool
) -> None:
    monkeypatch.setenv("DEBUG", value)
    assert env.boolean("DEBUG", not expected) is expected


def test_an_integer_below_its_minimum_names_the_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLEET_TEST_VALUE", "29")
    with pytest.raises(ImproperlyConfigured) as caught:
        env.integer("FLEET_TEST_VALUE", 120, minimum=30)
    assert str(caught.value) == "FLEET_TEST_VALUE=29 must be at least 30"


def test_a_negative_integer_is_refused_where_zero_is_the_minimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLEET_TEST_VALUE", "-1")
    with pytest.raises(ImproperlyConfigured, match="must be at least 0"):
        env.integer("FLEET_TEST_VALUE", 60, minimum=0)
    monkeypatch.setenv("FLEET_TEST_VALUE", "0")
    assert env.integer("FLEET_TEST_VALUE", 60, minimum=0) == 0


def test_an_integer_that_is_not_a_number_is_quoted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLEET_TEST_VALUE", "10m")
    with pytest.raises(ImproperlyConfigured) as caught:
        env.integer("FLEET_TEST_VALUE", 600, minimum=60)
    assert str(caught.value) == "FLEET_TEST_VALUE='10m' is not an integer"


def test_a_value_is_read_from_the_file_named_by_name_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "database_url"
    secret.write_text("postgres://fleet:pw@db:5432/fleet\n")
    monkeypatch.setenv("DATABASE_URL_FILE", str(secret))
    assert env.url("DATABASE_URL", schemes=DATABASE_SCHEMES) == "postgres://fleet:pw@db:5432/fleet"


def test_the_variable_itself_wins_over_name_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "debug"
    secret.write_text("true")
    monkeypatch.setenv("DEBUG_FILE", str(secret))
    monkeypatch.setenv("DEBUG", "false")
    assert env.boolean("DEBUG", True) is False


def test_a_name_file_that_cannot_be_read_says_which_and_why(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "nope"
    monkeypatch.setenv("FLEET_TEST_VALUE_FILE", str(missing))
    with pytest.raises(ImproperlyConfigured) as caught:
        env.string("FLEET_TEST_VALUE")
    message = str(caught.value)
    assert message.startswith(f"FLEET_TEST_VALUE_FILE={str(missing)!r} cannot be read")
    assert "No such file" in message


def test_a_malformed_value_in_a_name_file_is_reported_like_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "min"
    secret.write_text("5\n")
    monkeypatch.setenv("FLEET_TEST_VALUE_FILE", str(secret))
    with pytest.raises(ImproperlyConfigured, match=r"^FLEET_TEST_VALUE=5 must be at least 30$"):
        env.integer("FLEET_TEST_VALUE", 120, minimum=30)
