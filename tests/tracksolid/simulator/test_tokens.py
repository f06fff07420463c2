"""Token lifecycle: issue, refresh, expiry (1004), and the one-a-minute rule (1006)."""

from __future__ import annotations

from .conftest import Api


def test_it_issues_a_token_with_the_requested_lifetime(fresh: Api) -> None:
    answer = fresh.login(expires_in=600)
    assert answer["code"] == 0
    result = answer["result"]
    assert result["expiresIn"] == 600
    assert result["account"] == "demo"
    assert result["appKey"] == fresh.sim.config.app_key
    assert set(result) >= {"accessToken", "refreshToken", "time"}


def test_it_refuses_a_wrong_password(fresh: Api) -> None:
    assert fresh.login(password="wrong")["code"] == 1002


def test_it_refuses_a_lifetime_outside_60_to_7200(fresh: Api) -> None:
    assert fresh.login(expires_in=30)["code"] == 1001


def test_a_second_token_get_within_a_minute_answers_1006(fresh: Api) -> None:
    assert fresh.login()["code"] == 0
    again = fresh.login()
    assert again["code"] == 1006
    assert again["message"] == "Illegal access, request frequency is too high"
    fresh.sim.advance(61)
    assert fresh.login()["code"] == 0


def test_a_token_expires_with_1004(fresh: Api) -> None:
    fresh.login(expires_in=60)
    assert fresh("jimi.user.device.list", target="demo")["code"] == 0
    fresh.sim.advance(61)
    answer = fresh("jimi.user.device.list", target="demo")
    assert answer["code"] == 1004


def test_a_refreshed_token_replaces_the_old_one(fresh: Api) -> None:
    first = fresh.login(expires_in=120)["result"]
    answer = fresh("jimi.oauth.token.refresh", refresh_token=first["refreshToken"], expires_in=7200)
    assert answer["code"] == 0
    new = answer["result"]["accessToken"]
    assert new != first["accessToken"]
    assert fresh("jimi.user.device.list", target="demo", access_token=new)["code"] == 0
    stale = fresh("jimi.user.device.list", target="demo", access_token=first["accessToken"])
    assert stale["code"] == 1004


def test_a_refresh_with_a_wrong_refresh_token_answers_1004(fresh: Api) -> None:
    fresh.login()
    assert fresh("jimi.oauth.token.refresh", refresh_token="nope", expires_in=60)["code"] == 1004


def test_a_new_token_retires_the_previous_one(fresh: Api) -> None:
    fresh.login()
    old = fresh.token
    fresh.sim.advance(61)
    fresh.login()
    assert fresh("jimi.user.device.list", target="demo", access_token=old)["code"] == 1004


def test_a_sub_account_can_log_in_and_sees_only_its_devices(fresh: Api) -> None:
    assert fresh.login(user="demo_north")["code"] == 0
    rows = fresh("jimi.user.device.list", target="demo_north")["result"]
    assert all(r["account"] == "demo_north" for r in rows)
    assert fresh("jimi.user.device.list", target="demo")["code"] == 1002
