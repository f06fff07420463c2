"""Appendix A: the Instruction API (``/api/device/sendInstruct``) with ``data._code`` answers."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .api_commands import reply_text
from .protocol import Answer, json_answer
from .state import Command, HistoryList
from .util import noise

if TYPE_CHECKING:
    from .core import Simulator


PRO_NOS = {"128", "37121", "37122", "37381", "37377", "33283"}


def send_instruct(sim: Simulator, params: dict[str, str]) -> Answer:
    """The Instruction API: its own envelope, the outcome in ``data._code`` (100/200/300/600)."""
    token = sim.tokens.get(params.get("token", ""))
    if token is None or token.expires_at <= sim.clock.service():
        sim.stats.call("sendInstruct", 1004)
        return json_answer({"code": 1004, "msg": "token invalid", "data": None})
    imei = params.get("deviceImei", "")
    pro = params.get("proNo", "")
    flag = sim.new_id()

    def out(code: str, msg: str, content: str = "") -> Answer:
        sim.stats.call("sendInstruct", 0)
        return json_answer(
            {
                "code": 0,
                "msg": "success",
                "data": {
                    "_code": code,
                    "_msg": msg,
                    "_imei": imei,
                    "_serverFlagId": flag,
                    "_content": content,
                },
            }
        )

    dev = sim.world.devices.get(imei)
    try:
        content = json.loads(params.get("cmdContent", "") or "{}")
    except ValueError:
        content = None
    if dev is None or pro not in PRO_NOS or not isinstance(content, dict):
        return out("200", "Invalid parameter")
    now = sim.clock.sim()
    if not sim.world.is_reporting(dev, now):
        if pro == "128" and str(content.get("offlineFlag", "0")) == "1":
            with sim.world.lock:
                sim.commands.append(
                    Command(
                        flag,
                        imei,
                        str(content.get("cmdContent", "")),
                        now,
                        now + sim.config.command_delay,
                        "pending",
                        "",
                        "api",
                    )
                )
            return out("100", "Offline command saved")
        return out("300", "Device offline")
    if noise(sim.seed, flag, "timeout") < 0.03:
        return out("600", "Timeout")
    if pro == "128":
        text = str(content.get("cmdContent", ""))
        return out("100", "Success", reply_text(sim, dev, text, now))
    if pro == "37121":
        channel = int(content.get("channel", 1) or 1)
        return out("100", "Success", f"{sim.root_url}/_media/stream/{imei}/{channel}.mjpg")
    if pro == "37381":
        iid = str(content.get("instructionID") or flag)
        with sim.world.lock:
            sim.history_lists[iid] = HistoryList(
                iid, imei, int(content.get("channel", 1) or 1), now, now + sim.config.command_delay
            )
        return out("100", "Success")
    return out("100", "Success")
