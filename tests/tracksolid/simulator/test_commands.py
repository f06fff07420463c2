"""Commands: per-model lists, sending, device failures, delayed results, offline, raw hex."""

from __future__ import annotations

import json

import requests  # noqa: TID251 - loopback calls to the simulator under test

from tracksolid.simulator.api_commands import settle

from .conftest import Api, by_kind, make_api


def _inst(inst_id: str, template: str, *params: str) -> str:
    return json.dumps(
        {"inst_id": inst_id, "inst_template": template, "params": list(params), "is_cover": "true"}
    )


def test_each_model_has_its_own_command_list(api: Api) -> None:
    car = api("jimi.open.instruction.list", imei=by_kind(api.sim, "vehicle"))["result"]
    cam = api("jimi.open.instruction.list", imei=by_kind(api.sim, "dashcam"))["result"]
    assert {"id", "orderName", "orderContent", "orderExplain", "isOffLine"} <= set(car[0])
    assert any(c["orderContent"] == "RELAY,{0}#" for c in car)
    assert any(c["orderContent"].startswith("PICTURE") for c in cam)
    assert not any(c["orderContent"] == "RELAY,{0}#" for c in cam)


def test_a_sent_command_gets_its_result_after_a_delay(api: Api) -> None:
    imei = by_kind(api.sim, "vehicle")
    api.sim.set_offline(imei, False)
    sent = api("jimi.open.instruction.send", imei=imei, inst_param_json=_inst("2", "STATUS#"))
    assert sent["code"] == 0
    assert sent["message"] == "command is successfully sent."
    first = api("jimi.open.instruction.result", imei=imei)["result"][0]
    assert first["isExecute"] is False
    api.sim.advance(10)
    done = api("jimi.open.instruction.result", imei=imei)["result"][0]
    assert done["isExecute"] is True
    assert done["content"].startswith("Battery:")
    assert {"codeId", "code", "content", "isExecute", "sendTime", "sender", "receiveDevice"} <= set(
        done
    )


def test_a_device_rejects_a_command_with_12005_and_a_result_code() -> None:
    for api in make_api(command_failure_rate=1.0):
        api.login()
        imei = by_kind(api.sim, "vehicle")
        api.sim.set_offline(imei, False)
        answer = api(
            "jimi.open.instruction.send", imei=imei, inst_param_json=_inst("163", "RELAY,{0}#", "1")
        )
        assert answer["code"] == 12005
        assert answer["message"].startswith("Fail to send command. Result code\uff1a")
        assert 225 <= int(answer["message"][-3:]) <= 252


def test_an_offline_device_keeps_an_offline_command_pending(fresh: Api) -> None:
    fresh.login()
    fresh.sim.config.command_failure_rate = 0.0
    imei = by_kind(fresh.sim, "vehicle")
    fresh.sim.set_offline(imei, True)
    answer = fresh(
        "jimi.open.instruction.send", imei=imei, inst_param_json=_inst("163", "RELAY,{0}#", "1")
    )
    assert answer["code"] == 0
    refused = fresh("jimi.open.instruction.send", imei=imei, inst_param_json=_inst("1", "WHERE#"))
    assert refused["code"] != 0
    fresh.sim.advance(30)
    assert fresh("jimi.open.instruction.result", imei=imei)["result"][0]["isExecute"] is False
    fresh.sim.set_offline(imei, False)
    done = fresh("jimi.open.instruction.result", imei=imei)["result"][0]
    assert done["isExecute"] is True
    assert "fuel" in done["content"]


def test_a_command_needs_its_params(api: Api) -> None:
    imei = by_kind(api.sim, "vehicle")
    answer = api(
        "jimi.open.instruction.send", imei=imei, inst_param_json=_inst("163", "RELAY,{0}#")
    )
    assert answer["code"] == 1001


def test_a_raw_command_must_be_hex(api: Api) -> None:
    imei = by_kind(api.sim, "vehicle")
    api.sim.set_offline(imei, False)
    assert api("jimi.open.instruction.raw.send", imei=imei, raw_cmd="zz")["code"] == 1001
    assert api("jimi.open.instruction.raw.send", imei=imei, raw_cmd="78780D01")["code"] == 0


def test_send_instruct_answers_100_for_a_text_command_and_300_offline(api: Api) -> None:
    imei = by_kind(api.sim, "obd")
    url = f"{api.sim.instruct_url}/api/device/sendInstruct"
    body = {
        "deviceImei": imei,
        "proNo": "128",
        "token": api.token,
        "cmdContent": json.dumps({"cmdContent": "STATUS#", "sync": True}),
    }
    api.sim.set_offline(imei, False)
    codes = {requests.post(url, data=body, timeout=5).json()["data"]["_code"] for _ in range(3)}
    assert codes <= {"100", "600"} and "100" in codes
    api.sim.set_offline(imei, True)
    assert requests.post(url, data=body, timeout=5).json()["data"]["_code"] == "300"
    api.sim.set_offline(imei, False)


def test_a_sent_command_can_be_refused_later_with_a_device_result_code() -> None:
    for api in make_api(command_failure_rate=0.0, command_refusal_rate=1.0):
        api.login()
        imei = by_kind(api.sim, "vehicle")
        api.sim.set_offline(imei, False)
        sent = api("jimi.open.instruction.send", imei=imei, inst_param_json=_inst("2", "STATUS#"))
        assert sent["code"] == 0
        assert api("jimi.open.instruction.result", imei=imei)["result"][0]["isExecute"] is False
        api.sim.advance(10)
        row = api("jimi.open.instruction.result", imei=imei)["result"][0]
        assert row["codeId"] == sent["result"]
        assert row["isExecute"] is False
        assert row["status"] == "failed"
        assert row["content"].startswith("Result code\uff1a")
        assert 225 <= int(row["content"][-3:]) <= 252
        api.sim.advance(60)
        assert api("jimi.open.instruction.result", imei=imei)["result"][0] == row


def test_no_sent_command_is_refused_by_default() -> None:
    for api in make_api(command_failure_rate=0.0):
        assert api.sim.config.command_refusal_rate == 0.0
        api.login()
        imei = by_kind(api.sim, "vehicle")
        api.sim.set_offline(imei, False)
        for _ in range(5):
            sent = api(
                "jimi.open.instruction.send", imei=imei, inst_param_json=_inst("1", "WHERE#")
            )
            assert sent["code"] == 0
        api.sim.advance(10)
        rows = api("jimi.open.instruction.result", imei=imei)["result"]
        assert len(rows) == 5 and all(r["isExecute"] for r in rows)


def test_a_refusal_rate_refuses_about_that_share_and_spares_raw_commands() -> None:
    for api in make_api(command_failure_rate=0.0, command_refusal_rate=0.5):
        api.login()
        imei = by_kind(api.sim, "vehicle")
        api.sim.set_offline(imei, False)
        for _ in range(40):
            api("jimi.open.instruction.send", imei=imei, inst_param_json=_inst("2", "STATUS#"))
        raw = api("jimi.open.instruction.raw.send", imei=imei, raw_cmd="78780D01")["result"]
        api.sim.advance(10)
        rows = api("jimi.open.instruction.result", imei=imei)["result"]
        refused = [r for r in rows if not r["isExecute"]]
        assert 8 <= len(refused) <= 32
        assert all(r["content"].startswith("Result code\uff1a") for r in refused)
        # Raw replies are settled by the pusher (an OpenAPI push), not by instruction.result.
        cmd = next(c for c in api.sim.commands if c.code_id == raw)
        settle(api.sim, cmd, api.sim.clock.sim())
        assert cmd.outcome == "executed"


def test_the_command_line_takes_a_refusal_rate() -> None:
    from tracksolid.simulator.__main__ import build_parser, config_from

    args = build_parser().parse_args(["--command-refusal-rate=0.25"])
    assert config_from(args).command_refusal_rate == 0.25
