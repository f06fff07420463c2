"""Push requests as the vendor sends them, shared by the push parser tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from tracksolid.pushes import PushBatch, parse_push

FORM = "application/x-www-form-urlencoded"
JSON = "application/json;charset=UTF-8"
IMEI = "862476051234567"
TOKEN = "push-token"
T0 = datetime(2026, 11, 26, 8, 30, tzinfo=UTC)  # 1795681800 s since the epoch


def form_push(endpoint: str, data_list: Any, *, token: str = TOKEN, **fields: str) -> PushBatch:
    """A Data Push as the vendor documents it: a form with ``token`` and ``data_list``."""
    body = {"token": token, "data_list": json.dumps(data_list), **fields}
    return parse_push(endpoint, content_type=FORM, body=urlencode(body).encode(), query={})


def json_push(endpoint: str, payload: Any, query: dict[str, str] | None = None) -> PushBatch:
    body = json.dumps(payload).encode()
    return parse_push(endpoint, content_type=JSON, body=body, query=query or {})


def openapi_push(endpoint: str, msg_type: str, data: Any) -> PushBatch:
    """An OpenAPI notification: a form with ``msgType`` and ``data`` (a JSON string)."""
    body = urlencode({"msgType": msg_type, "data": json.dumps(data)}).encode()
    return parse_push(endpoint, content_type=FORM, body=body, query={})


def only(batch: PushBatch) -> Any:
    """The one record of a batch that rejected nothing."""
    assert batch.rejected == []
    assert len(batch.records) == 1
    return batch.records[0]


def gps_item(**overrides: Any) -> dict[str, Any]:
    """A ``pushgps`` item with every field the spec names, as strings like the real service."""
    item: dict[str, Any] = {
        "deviceImei": IMEI,
        "gpsTime": "2026-11-26 08:30:00",
        "gateTime": "2026-11-26 08:30:02",
        "lat": "22.543210",
        "lng": "114.053210",
        "satelliteNum": "11",
        "gpsSpeed": "42",
        "direction": "79",
        "acc": "1",
        "postType": "1",
        "postMethod": "0",
        "status": "1",
        "altitude": "35",
        "distance": "120400",
    }
    item.update(overrides)
    return item
