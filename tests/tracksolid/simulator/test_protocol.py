"""The request pipeline: parameter placement, signing, timestamps, nodes, rate limits, faults."""

from __future__ import annotations

import json

import requests  # noqa: TID251 - loopback calls to the simulator under test

from tracksolid.signing import md5_hex, sign

from .conftest import APP_KEY, APP_SECRET, Api, common, make_api, now_str, signed


def test_it_accepts_everything_in_a_signed_form_body(api: Api) -> None:
    answer = api("jimi.user.device.list", target="demo")
    assert answer["code"] == 0
    assert answer["message"] == "success"
    assert answer["data"] is None
    assert isinstance(answer["result"], list)


def test_it_merges_common_params_in_the_query_string_with_a_form_body(api: Api) -> None:
    params = signed("jimi.user.device.list", access_token=api.token, target="demo")
    query = {
        k: params[k]
        for k in (
            "method",
            "app_key",
            "timestamp",
            "sign_method",
            "v",
            "format",
            "sign",
            "access_token",
        )
    }
    body = {"target": params["target"]}
    resp = requests.post(api.sim.base_url, params=query, data=body, timeout=5)
    assert resp.json()["code"] == 0


def test_it_accepts_everything_in_a_get_query_string(api: Api) -> None:
    params = signed("jimi.user.device.list", access_token=api.token, target="demo")
    resp = requests.get(api.sim.base_url, params=params, timeout=5)
    assert resp.json()["code"] == 0


def test_it_accepts_a_json_body(api: Api) -> None:
    params = signed("jimi.user.device.list", access_token=api.token, target="demo")
    resp = requests.post(
        api.sim.base_url,
        data=json.dumps(params),
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert resp.json()["code"] == 0


def test_it_rejects_a_wrong_sign_with_1001_as_http_200(api: Api) -> None:
    params = signed("jimi.user.device.list", access_token=api.token, target="demo")
    params["sign"] = "0" * 32
    resp = requests.post(api.sim.base_url, data=params, timeout=5)
    assert resp.status_code == 200
    assert resp.json()["code"] == 1001


def test_it_rejects_a_sign_made_with_another_secret(api: Api) -> None:
    params = signed("jimi.user.device.list", secret="nope", access_token=api.token, target="demo")
    assert requests.post(api.sim.base_url, data=params, timeout=5).json()["code"] == 1001


def test_it_skips_the_sign_check_for_v_0_9(api: Api) -> None:
    params = common("jimi.user.device.list", access_token=api.token, target="demo")
    params["v"] = "0.9"
    params["sign"] = "whatever"
    assert requests.post(api.sim.base_url, data=params, timeout=5).json()["code"] == 0


def test_it_leaves_empty_values_out_of_the_sign(api: Api) -> None:
    params = common("jimi.user.device.list", access_token=api.token, target="demo", map_type="")
    params["sign"] = sign({k: v for k, v in params.items() if v}, APP_SECRET)
    assert requests.post(api.sim.base_url, data=params, timeout=5).json()["code"] == 0


def test_it_rejects_a_stale_timestamp(api: Api) -> None:
    params = common("jimi.user.device.list", access_token=api.token, target="demo")
    params["timestamp"] = now_str(-11 * 60)
    params["sign"] = sign(params, APP_SECRET)
    answer = requests.post(api.sim.base_url, data=params, timeout=5).json()
    assert answer["code"] == 1001
    assert "timestamp" in answer["message"]


def test_it_accepts_a_timestamp_nine_minutes_off(api: Api) -> None:
    params = common("jimi.user.device.list", access_token=api.token, target="demo")
    params["timestamp"] = now_str(9 * 60)
    params["sign"] = sign(params, APP_SECRET)
    assert requests.post(api.sim.base_url, data=params, timeout=5).json()["code"] == 0


def test_it_rejects_an_unknown_app_key(api: Api) -> None:
    params = signed("jimi.user.device.list", access_token=api.token, target="demo")
    params["app_key"] = "someone-else"
    params["sign"] = sign(params, APP_SECRET)
    answer = requests.post(api.sim.base_url, data=params, timeout=5).json()
    assert answer == {"code": 1001, "message": "invalid AppKey", "result": None, "data": None}


def _wrong_node_call(api: Api) -> requests.Response:
    params = common(
        "jimi.oauth.token.get", user_id="demo", user_pwd_md5=md5_hex("demo"), expires_in=7200
    )
    params["app_key"] = "eu-key"
    params["sign"] = sign(params, "eu-secret")
    return requests.post(api.sim.base_url, data=params, timeout=5)


def test_it_rejects_an_app_key_registered_to_another_node() -> None:
    for api in make_api(extra_app_keys=[("eu-key", "eu-secret", "eu")]):
        answer = _wrong_node_call(api).json()
        assert answer["code"] != 0
        assert answer["message"] == "invalid AppKey"


def test_it_can_answer_a_wrong_node_with_a_java_exception_body() -> None:
    for api in make_api(extra_app_keys=[("eu-key", "eu-secret", "eu")], wrong_node_answer="npe"):
        resp = _wrong_node_call(api)
        assert resp.status_code == 200
        assert resp.text == "java.lang.NullPointerException"


def test_it_serves_another_nodes_key_when_told_it_is_that_node() -> None:
    for api in make_api(node="eu", extra_app_keys=[("eu-key", "eu-secret", "eu")]):
        params = signed(
            "jimi.oauth.token.get", user_id="demo", user_pwd_md5=md5_hex("demo"), expires_in=60
        )
        # The main key is registered to "eu" too now, since it follows the configured node.
        assert requests.post(api.sim.base_url, data=params, timeout=5).json()["code"] == 0
        assert _wrong_node_call(api).json()["code"] in (0, 1006)


def test_it_answers_1006_with_the_real_text_beyond_the_rate_limit() -> None:
    for api in make_api(rate_limit=5):
        codes = [api("jimi.user.device.list", target="demo") for _ in range(12)]
        limited = [a for a in codes if a["code"] == 1006]
        assert limited
        assert limited[0]["message"] == "Illegal access, request frequency is too high"


def test_it_rejects_an_unknown_method(api: Api) -> None:
    assert api("jimi.does.not.exist")["code"] == 1001


def test_it_wants_an_access_token_for_everything_but_token_get(api: Api) -> None:
    answer = api("jimi.user.device.list", target="demo", access_token="bogus")
    assert answer["code"] == 1004


def test_an_injected_error_hits_only_the_chosen_method() -> None:
    for api in make_api():
        api.login()
        api.sim.inject_fault(
            "error", code=-1, message="system busy", method="jimi.user.device.location.list"
        )
        assert api("jimi.user.device.location.list", target="demo")["code"] == -1
        assert api("jimi.user.device.list", target="demo")["code"] == 0
        assert api.sim.counters()["errors"]["-1"] == 1


def test_an_injected_malformed_body_is_not_json() -> None:
    for api in make_api():
        api.login()
        api.sim.inject_fault("malformed", count=1)
        resp = api.raw("jimi.user.device.list", access_token=api.token, target="demo")
        assert resp.text == "java.lang.NullPointerException"
        assert api("jimi.user.device.list", target="demo")["code"] == 0


def test_an_injected_timeout_drops_the_connection() -> None:
    for api in make_api():
        api.sim.inject_fault("timeout", latency=0.3, count=1)
        try:
            resp = api.raw("jimi.user.device.list", target="demo")
        except requests.ConnectionError:
            resp = None
        assert resp is None


def test_an_injected_fault_rate_hits_some_calls_only() -> None:
    for api in make_api():
        api.login()
        api.sim.inject_fault("error", code=1006, message="busy", rate=0.5)
        codes = [api("jimi.user.device.list", target="demo")["code"] for _ in range(40)]
        assert 5 < codes.count(1006) < 35


def test_the_instruction_api_answers_with_data_code(api: Api) -> None:
    imei = api.sim.imeis()[0]
    resp = requests.post(
        f"{api.sim.instruct_url}/api/device/sendInstruct",
        data={"deviceImei": imei, "proNo": "999", "cmdContent": "{}", "token": api.token},
        timeout=5,
    )
    assert resp.json()["data"]["_code"] == "200"


def test_the_app_key_is_checked_before_the_sign(api: Api) -> None:
    assert api.sim.config.app_key == APP_KEY


def test_it_can_answer_errors_in_chinese() -> None:
    for api in make_api(lang="zh"):
        answer = api("jimi.user.device.list", target="demo", access_token="bogus")
        assert answer["code"] == 1004
        assert "access_token" in answer["message"] and answer["message"] != "Illegal access_token"


def test_a_track_call_can_be_made_slow() -> None:
    import time

    from .conftest import sim_str

    for api in make_api(track_latency=0.2):
        api.login()
        imei = api.sim.imeis()[0]
        start = time.perf_counter()
        api(
            "jimi.device.track.list",
            imei=imei,
            begin_time=sim_str(api.sim, -86400 - 60),
            end_time=sim_str(api.sim, -60),
        )
        assert time.perf_counter() - start >= 0.2
