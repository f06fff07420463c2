"""The vendor API pipeline: faults, app key and node, rate limit, sign, timestamp, token."""

from __future__ import annotations

import json
import random
import threading
import time
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tracksolid.signing import sign as compute_sign

from .api_core import METHODS, MSG_FREQUENCY, MSG_PARAM, MSG_TOKEN, PUBLIC_METHODS, ApiError, Call
from .state import Fault
from .util import parse_time

if TYPE_CHECKING:
    from .core import Simulator

NPE_BODY = "java.lang.NullPointerException"
TIMESTAMP_SLACK = 600.0
# The real service sometimes answers in Chinese (field notes); 1006 keeps its English text.
ZH_MESSAGES = {
    1001: "参数错误",
    1002: "非法用户",
    1004: "access_token无效或已过期",
    1100: "业务异常",
    41003: "设备离线",
}


@dataclass
class Answer:
    """What the HTTP layer writes; ``drop`` closes the connection without answering (timeout)."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json;charset=UTF-8"
    drop: bool = False


def envelope(code: int, message: str, result: Any = None, data: Any = None) -> dict[str, Any]:
    return {"code": code, "message": message, "result": result, "data": data}


def json_answer(obj: Any) -> Answer:
    return Answer(body=json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode())


class RateLimiter:
    """A token bucket per app key: ``rate`` requests per second with a one-second burst."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.lock = threading.Lock()
        self.buckets: dict[str, tuple[float, float]] = {}

    def allow(self, key: str) -> bool:
        if self.rate <= 0:
            return True
        now = time.monotonic()
        with self.lock:
            tokens, last = self.buckets.get(key, (self.rate, now))
            tokens = min(self.rate, tokens + (now - last) * self.rate)
            if tokens < 1.0:
                self.buckets[key] = (tokens, now)
                return False
            self.buckets[key] = (tokens - 1.0, now)
            return True


class Faults:
    """Injected failures, drawn with their own seeded generator so runs repeat."""

    def __init__(self, seed: int) -> None:
        self.lock = threading.Lock()
        self.rng = random.Random(seed ^ 0x5EED)
        self.items: list[Fault] = []
        self.next_id = 1

    def add(self, **kwargs: Any) -> Fault:
        with self.lock:
            fault = Fault(fault_id=self.next_id, **kwargs)
            self.next_id += 1
            self.items.append(fault)
            return fault

    def clear(self) -> None:
        with self.lock:
            self.items.clear()

    def pick(self, method: str) -> Fault | None:
        with self.lock:
            for fault in self.items:
                if fault.method and fault.method != method:
                    continue
                if fault.remaining is not None and fault.remaining <= 0:
                    continue
                if self.rng.random() < fault.rate:
                    if fault.remaining is not None:
                        fault.remaining -= 1
                    return fault
        return None


def handle_rest(sim: Simulator, params: dict[str, str]) -> Answer:
    """Answer one ``/route/rest`` call as the real service would."""
    method = params.get("method", "")
    fault = sim.faults.pick(method) if sim.faults.items else None
    if fault is not None:
        if fault.kind == "latency":
            time.sleep(fault.latency)
        elif fault.kind == "timeout":
            time.sleep(fault.latency or 30.0)
            sim.stats.call(method or "?", -2)
            return Answer(drop=True)
        elif fault.kind == "malformed":
            sim.stats.call(method or "?", -3)
            return Answer(body=fault.body.encode(), content_type="text/html;charset=UTF-8")
        elif fault.kind == "http":
            sim.stats.call(method or "?", -4)
            return Answer(
                status=fault.status,
                body=b"<html><body>Bad Gateway</body></html>",
                content_type="text/html",
            )
        else:
            sim.stats.call(method or "?", fault.code)
            return json_answer(envelope(fault.code, fault.message))
    try:
        answer = _dispatch(sim, method, params)
    except ApiError as err:
        sim.stats.call(method or "?", err.code)
        message = err.message
        if sim.config.lang == "zh" and err.code in ZH_MESSAGES:
            message = ZH_MESSAGES[err.code]
        return json_answer(envelope(err.code, message))
    except _WrongNode:
        sim.stats.call(method or "?", -5)
        return Answer(body=NPE_BODY.encode(), content_type="text/html;charset=UTF-8")
    except Exception:  # noqa: BLE001 - the real service answers -1 on its own failures
        traceback.print_exc()
        sim.stats.call(method or "?", -1)
        return json_answer(envelope(-1, "system error"))
    sim.stats.call(method, 0)
    return answer


class _WrongNode(Exception):
    pass


def _dispatch(sim: Simulator, method: str, params: dict[str, str]) -> Answer:
    app_key = params.get("app_key", "")
    if not app_key:
        raise ApiError(1001, f"{MSG_PARAM}: app_key is required")
    known = sim.app_keys.get(app_key)
    if known is None:
        raise ApiError(1001, "invalid AppKey")
    secret, node = known
    if node != sim.config.node:
        # A key registered to another regional node: the real node may answer a Java exception.
        if sim.config.wrong_node_answer == "npe":
            raise _WrongNode
        raise ApiError(1001, "invalid AppKey")
    if not sim.limiter.allow(app_key):
        raise ApiError(1006, MSG_FREQUENCY)
    if not method:
        raise ApiError(1001, f"{MSG_PARAM}: method is required")
    if params.get("v", "") != "0.9":
        # v=1.0 (and anything but 0.9) is verified; several clients rely on 0.9 skipping it.
        given = params.get("sign", "")
        if not given or given.upper() != compute_sign(params, secret):
            raise ApiError(1001, f"{MSG_PARAM}: sign")
    ts = parse_time(params.get("timestamp", ""))
    if ts is None or abs(ts - sim.clock.wall()) > TIMESTAMP_SLACK:
        raise ApiError(1001, f"{MSG_PARAM}: timestamp")
    handler = METHODS.get(method)
    if handler is None:
        raise ApiError(1001, f"{MSG_PARAM}: method {method} does not exist")
    account = ""
    if method not in PUBLIC_METHODS:
        token = sim.tokens.get(params.get("access_token", ""))
        if token is None or token.expires_at <= sim.clock.service() or token.app_key != app_key:
            raise ApiError(1004, MSG_TOKEN)
        account = token.account
    reply = handler(sim, Call(method, params, app_key, account))
    if reply.bare:
        return json_answer({"code": 0, "message": reply.message, **reply.extra})
    return json_answer({**envelope(0, reply.message, reply.result, reply.data), **reply.extra})
