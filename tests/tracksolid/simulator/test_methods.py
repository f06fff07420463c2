"""Every method of spec sections 3-9 answers; odds and ends of their shapes."""

from __future__ import annotations

import json

import requests  # noqa: TID251 - loopback calls to the simulator under test

from tracksolid.signing import md5_hex
from tracksolid.simulator.api_core import METHODS

from .conftest import Api, by_kind, common, make_api

SPEC_METHODS = [
    "jimi.oauth.token.get",
    "jimi.oauth.token.refresh",
    "jimi.user.device.list",
    "jimi.track.device.detail",
    "jimi.user.device.expiration.update",
    "jimi.open.device.update",
    "jimi.open.device.move",
    "jimi.open.device.bind",
    "jimi.open.device.unbind",
    "jimi.device.group.create",
    "jimi.device.group.update",
    "jimi.device.group.delete",
    "jimi.device.group.list",
    "jimi.user.device.location.list",
    "jimi.device.location.get",
    "jimi.device.location.URL.share",
    "jimi.device.track.mileage",
    "jimi.device.track.list",
    "jimi.lbs.address.get",
    "jimi.open.platform.report.parking",
    "jimi.device.location.getTagMsg",
    "jimi.device.alarm.list",
    "jimi.device.live.page.url",
    "jimi.device.meida.cmd.send",
    "jimi.device.history.cmd.send",
    "jimi.device.jimi.media.URL",
    "jimi.device.media.event.URL",
    "jimi.device.media.live.stream",
    "jimi.device.media.history.list.cmd",
    "jimi.device.media.history.list.get",
    "jimi.device.media.history.stream",
    "jimi.device.media.close.stream",
    "jimi.open.instruction.list",
    "jimi.open.instruction.send",
    "jimi.open.instruction.result",
    "jimi.open.instruction.raw.send",
    "jimi.open.device.fence.create",
    "jimi.open.device.fence.delete",
    "jimi.open.platform.fence.create",
    "jimi.open.platform.fence.delete",
    "jimi.open.platform.fence.bind",
]


def test_all_41_spec_methods_are_served() -> None:
    assert len(SPEC_METHODS) == 41
    assert set(SPEC_METHODS) <= set(METHODS)


def test_a_json_body_with_numbers_is_signed_as_their_strings() -> None:
    for api in make_api():
        from tracksolid.signing import sign

        params: dict[str, object] = common(
            "jimi.oauth.token.get", user_id="demo", user_pwd_md5=md5_hex("demo")
        )
        params["expires_in"] = 7200
        params["sign"] = sign(params, api.sim.config.app_secret)
        resp = requests.post(
            api.sim.base_url,
            data=json.dumps(params),
            headers={"Content-Type": "application/json"},
            timeout=5,
        )
        assert resp.json()["code"] == 0
        assert resp.json()["result"]["expiresIn"] == 7200


def test_a_history_video_upload_becomes_a_listed_video(fresh: Api) -> None:
    fresh.login()
    imei = by_kind(fresh.sim, "dashcam")
    fresh.sim.set_offline(imei, False)
    answer = fresh(
        "jimi.device.history.cmd.send",
        imei=imei,
        type="1",
        camera=1,
        fileName="20260101120000_1.mp4",
    )
    assert answer["code"] == 0
    assert answer["result"]["cmdSeqNo"]
    fresh.sim.advance(60)
    fresh.login()
    rows = fresh("jimi.device.jimi.media.URL", imei=imei, camera=1, media_type="video")
    assert rows["data"]["totalRecord"] == 1


def test_a_text_picture_command_on_a_dashcam_makes_a_photo(fresh: Api) -> None:
    fresh.login()
    fresh.sim.config.command_failure_rate = 0.0
    imei = by_kind(fresh.sim, "dashcam")
    fresh.sim.set_offline(imei, False)
    inst = json.dumps({"inst_id": "30", "inst_template": "PICTURE,{0}#", "params": ["2"]})
    assert fresh("jimi.open.instruction.send", imei=imei, inst_param_json=inst)["code"] == 0
    fresh.sim.advance(30)
    fresh.login()
    rows = fresh("jimi.device.jimi.media.URL", imei=imei, camera=2, media_type="photo")
    assert rows["data"]["totalRecord"] == 1


def test_the_tag_device_has_a_beacon_command_list(api: Api) -> None:
    rows = api("jimi.open.instruction.list", imei=by_kind(api.sim, "tag"))["result"]
    assert any(r["orderContent"].startswith("BTIV") for r in rows)
