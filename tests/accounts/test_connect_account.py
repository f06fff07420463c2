"""Tests for the connect_account management command."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import TracksolidAccount
from tests.simulator_fixtures import SIM_APP_KEY, SIM_APP_SECRET, SIM_PASSWORD, SIM_USER
from tracksolid.simulator import Simulator

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("connect_account", *args, stdout=out)
    return out.getvalue()


def credentials(sim: Simulator, *, password: str = SIM_PASSWORD) -> list[str]:
    return [
        "--org", "acme-fleet",
        "--base-url", sim.base_url,
        "--app-key", SIM_APP_KEY,
        "--app-secret", SIM_APP_SECRET,
        "--user-id", SIM_USER,
        "--password", password,
    ]  # fmt: skip


def test_it_prints_the_push_url_and_token_as_json(simulator: Simulator) -> None:
    answer = json.loads(run(*credentials(simulator), "--json", "--name", "Main"))

    account = TracksolidAccount.objects.get(pk=answer["account_id"])
    assert account.name == "Main" and account.organisation.slug == "acme-fleet"
    assert answer["push_url"] == account.push_url()
    assert answer["push_url"].endswith(f"/push/{account.push_key}")
    assert answer["push_token"] == account.push_token
    assert answer["api_base_url"] == simulator.base_url
    assert answer["token_expires_at"]


def test_it_prints_them_for_a_person_too(simulator: Simulator) -> None:
    out = run(*credentials(simulator), "--public-url", "https://fleet.example.com/")
    account = TracksolidAccount.objects.get()
    assert f"Push URL:   https://fleet.example.com/push/{account.push_key}" in out
    assert f"Push token: {account.push_token}" in out
    assert "credentials checked" in out


def test_it_passes_the_target_account(simulator: Simulator) -> None:
    answer = json.loads(run(*credentials(simulator), "--target", "demo_north", "--json"))
    assert answer["target"] == "demo_north"


def test_bad_credentials_fail_with_the_reason(simulator: Simulator) -> None:
    with pytest.raises(CommandError, match="user id and password"):
        run(*credentials(simulator, password="nope"))
    assert "user id and password" in TracksolidAccount.objects.get().last_error


def test_a_region_and_a_base_url_together_are_refused() -> None:
    with pytest.raises(CommandError):
        call_command(
            "connect_account",
            "--org", "x", "--region", "eu", "--base-url", "http://127.0.0.1:1/route/rest",
            "--app-key", "k", "--app-secret", "s", "--user-id", "u", "--password", "p",
        )  # fmt: skip
