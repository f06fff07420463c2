"""The control interface under ``/_sim/``: JSON in and out, for tests and demos (not vendor API)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .protocol import Answer, json_answer

if TYPE_CHECKING:
    from .core import Simulator

Route = Callable[["Simulator", dict[str, Any]], Any]


def _advance(sim: Simulator, body: dict[str, Any]) -> Any:
    sim.advance(float(body.get("seconds", 0)))
    return sim.state()


def _speedup(sim: Simulator, body: dict[str, Any]) -> Any:
    sim.set_speedup(float(body["speedup"]))
    return sim.state()


def _fault(sim: Simulator, body: dict[str, Any]) -> Any:
    allowed = {"rate", "method", "code", "message", "latency", "body", "status", "count"}
    kwargs = {k: v for k, v in body.items() if k in allowed}
    return {"id": sim.inject_fault(str(body.get("kind", "error")), **kwargs)}


def _faults_clear(sim: Simulator, body: dict[str, Any]) -> Any:
    sim.clear_faults()
    return {"cleared": True}


def _alarm(sim: Simulator, body: dict[str, Any]) -> Any:
    al = sim.trigger_alarm(str(body["imei"]), str(body.get("type", "sos")))
    return {"imei": al.imei, "type": al.kind, "alertTypeId": al.type_id, "t": al.t}


def _offline(sim: Simulator, body: dict[str, Any]) -> Any:
    sim.set_offline(str(body["imei"]), bool(body.get("offline", True)))
    return {"imei": body["imei"], "offline": bool(body.get("offline", True))}


def _counters_reset(sim: Simulator, body: dict[str, Any]) -> Any:
    sim.stats.reset()
    return sim.counters()


def _expire(sim: Simulator, body: dict[str, Any]) -> Any:
    sim.expire_tokens()
    return {"expired": True}


def _verify(sim: Simulator, body: dict[str, Any]) -> Any:
    sim.push_verify(str(body.get("endpoint", "pushgps")))
    return {"sent": True}


def _devices(sim: Simulator, body: dict[str, Any]) -> Any:
    return [
        {
            "imei": d.imei,
            "kind": d.kind,
            "model": d.model,
            "account": d.account,
            "deviceName": d.device_name,
            "cameras": d.cameras,
            "neverReported": d.never_reported,
        }
        for d in sim.world.devices.values()
    ]


ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/_sim/state"): lambda sim, body: sim.state(),
    ("GET", "/_sim/counters"): lambda sim, body: sim.counters(),
    ("POST", "/_sim/counters/reset"): _counters_reset,
    ("POST", "/_sim/advance"): _advance,
    ("POST", "/_sim/speedup"): _speedup,
    ("GET", "/_sim/faults"): lambda sim, body: [f.as_dict() for f in sim.faults.items],
    ("POST", "/_sim/faults"): _fault,
    ("DELETE", "/_sim/faults"): _faults_clear,
    ("POST", "/_sim/faults/clear"): _faults_clear,
    ("POST", "/_sim/alarm"): _alarm,
    ("POST", "/_sim/offline"): _offline,
    ("POST", "/_sim/push_now"): lambda sim, body: sim.push_now(),
    ("POST", "/_sim/expire_tokens"): _expire,
    ("POST", "/_sim/push_verify"): _verify,
    ("GET", "/_sim/devices"): _devices,
}


def handle_control(sim: Simulator, verb: str, path: str, query: str, raw: bytes) -> Answer:
    route = ROUTES.get((verb, path))
    if route is None:
        known = sorted(f"{v} {p}" for v, p in ROUTES)
        return Answer(
            status=404, body=json.dumps({"error": "unknown route", "routes": known}).encode()
        )
    try:
        body = json.loads(raw) if raw.strip() else {}
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        return json_answer(route(sim, body))
    except (KeyError, ValueError, TypeError) as exc:
        return Answer(status=400, body=json.dumps({"error": repr(exc)}).encode())
