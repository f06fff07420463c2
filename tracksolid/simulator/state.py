"""Mutable service state: tokens, fences, commands, media, counters and injected faults."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Token:
    access_token: str
    refresh_token: str
    account: str
    app_key: str
    expires_at: float
    expires_in: int


@dataclass
class Fence:
    """A platform fence (``geoid`` = fence id) or a device fence (``device`` set, number)."""

    geoid: str
    name: str
    account: str
    shape: str  # "circle" | "polygon"
    points: list[tuple[float, float]]  # (lat, lng)
    radius_m: float
    created: float
    color: str = ""
    description: str = ""
    device: str = ""
    alarm_type: str = "in,out"
    alarm_switch: str = "ON"
    # Platform fences: imei -> alert types ("in", "out") from jimi.open.platform.fence.bind.
    bindings: dict[str, set[str]] = field(default_factory=dict)

    def alarm_types_for(self, imei: str) -> set[str]:
        if self.device:
            if self.device != imei or self.alarm_switch != "ON":
                return set()
            return {x for x in self.alarm_type.split(",") if x}
        return self.bindings.get(imei, set())


@dataclass
class Command:
    code_id: str
    imei: str
    content: str
    sent: float
    ready: float
    outcome: str  # "executed" | "failed" | "pending"
    reply: str
    sender: str
    inst_id: str = ""
    raw: bool = False
    pushed: bool = False


@dataclass
class MediaFile:
    name: str
    imei: str
    camera: int
    media_type: str  # "photo" | "video"
    created: float
    ready: float
    business: str  # uploadCallback businessType
    instruction_id: str = ""
    shoot_time: int = 0
    lat: float = 0.0
    lng: float = 0.0
    pushed: bool = False


@dataclass
class HistoryList:
    instruction_id: str
    imei: str
    channel: int
    date: float
    ready: float
    pushed: bool = False


@dataclass
class Fault:
    """An injected failure: ``kind`` is error, latency, timeout, malformed or http."""

    fault_id: int
    kind: str
    rate: float = 1.0
    method: str | None = None
    code: int = -1
    message: str = "system busy"
    latency: float = 0.0
    body: str = "java.lang.NullPointerException"
    status: int = 502
    remaining: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Counters:
    """What a test or demo wants to know: calls by method, errors by code, pushes by type."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.pushes_sent: Counter[str] = Counter()
        self.pushes_acked: Counter[str] = Counter()
        self.pushes_failed: Counter[str] = Counter()
        self.push_items: Counter[str] = Counter()

    def call(self, method: str, code: int) -> None:
        with self.lock:
            self.calls[method] += 1
            if code != 0:
                self.errors[str(code)] += 1

    def push(self, kind: str, items: int, acked: bool) -> None:
        with self.lock:
            self.pushes_sent[kind] += 1
            self.push_items[kind] += items
            if acked:
                self.pushes_acked[kind] += 1
            else:
                self.pushes_failed[kind] += 1

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "calls": dict(self.calls),
                "calls_total": sum(self.calls.values()),
                "errors": dict(self.errors),
                "pushes_sent": dict(self.pushes_sent),
                "pushes_acked": dict(self.pushes_acked),
                "pushes_failed": dict(self.pushes_failed),
                "push_items": dict(self.push_items),
            }

    def reset(self) -> None:
        with self.lock:
            for c in (
                self.calls,
                self.errors,
                self.pushes_sent,
                self.pushes_acked,
                self.pushes_failed,
                self.push_items,
            ):
                c.clear()
