"""Decode any push request the vendor sends into a batch of typed records.

The Django push view (``telemetry/``) keeps the raw request, calls :func:`parse_push`, compares
``batch.token`` with the account's push token, hands ``batch.records`` to the ingest path, keeps
``batch.rejected`` for replay, and answers ``batch.ack()``. Shapes accepted (field notes, "Pushes:
three shapes"):

1. Data Push: a form with ``token`` and ``data_list`` (a JSON array string, or one JSON object),
   or the same as a JSON body, possibly with an extra top-level ``msgType``; a single item sent as
   a bare JSON object or as plain form fields; multipart forms.
2. OpenAPI notification: a form (or JSON) with ``msgType`` and ``data`` (a JSON object string).
3. TAG push: a JSON array body.

Each item becomes one record or one :class:`Rejected` (``index`` is its 0-based position in
``data_list``; the reason names the field); an OpenAPI ``msgType`` without a parser rejects its
items, so they are kept for replay. RFID (10.5) and plug-in module data (10.6) have no endpoint
name in the spec: ours are ``pushrfid`` and ``pushplugin``; OpenAPI notifications come to
``openapi`` and the TAG push to ``pushtag``. An empty body (the vendor's "verify" call) is a
valid, empty batch. A body that needs to be JSON
and is not raises :class:`PushFormatError`. More than :data:`MAX_ITEMS` items are all parsed;
``batch.over_limit`` lets the view log it, since the vendor promises at most 50.
"""

from __future__ import annotations

import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from json import loads
from typing import Any
from urllib.parse import unquote_to_bytes

from tracksolid import push_file_items as files
from tracksolid import push_items as items
from tracksolid.push_fields import Item, ItemError
from tracksolid.push_file_records import (
    ExtendedKks,
    ExtensionData,
    FileContent,
    FileUpload,
    FtpUploadResult,
    InstructResponse,
    IotHubEvent,
    MediaUpload,
    PassThrough,
    PluginData,
    ResourceList,
    VideoResource,
)
from tracksolid.push_records import (
    AlarmEvent,
    FaultCodes,
    FuelReading,
    GpsPoint,
    Heartbeat,
    LbsReading,
    LoginEvent,
    ObdReading,
    PushRecord,
    RfidScan,
    TemperatureReading,
    TripReport,
)

# The records are re-exported so the ingest path imports from one place.
__all__ = [
    "ENDPOINTS",
    "ENDPOINT_PARSERS",
    "MAX_ITEMS",
    "OPENAPI",
    "OPENAPI_PARSERS",
    "TAG",
    "AlarmEvent",
    "ExtendedKks",
    "ExtensionData",
    "FaultCodes",
    "FileContent",
    "FileUpload",
    "FtpUploadResult",
    "FuelReading",
    "GpsPoint",
    "Heartbeat",
    "InstructResponse",
    "IotHubEvent",
    "LbsReading",
    "LoginEvent",
    "MediaUpload",
    "ObdReading",
    "PassThrough",
    "PluginData",
    "PushBatch",
    "PushError",
    "PushFormatError",
    "PushRecord",
    "Rejected",
    "ResourceList",
    "RfidScan",
    "TemperatureReading",
    "TripReport",
    "UnknownEndpoint",
    "VideoResource",
    "canonical_endpoint",
    "parse_push",
]

ItemParser = Callable[[Item, "str | None"], PushRecord]

# The Data Push endpoints of spec section 10, our names for the two sections without one, and
# the TAG push. The Django URLconf builds one route per name in ENDPOINTS.
ENDPOINT_PARSERS: dict[str, ItemParser] = {
    "pushevent": items.parse_login,
    "pushhb": items.parse_heartbeat,
    "pushgps": items.parse_gps_point,
    "pushalarm": items.parse_alarm,
    "pushrfid": items.parse_rfid,  # 10.5 RFID has no endpoint name: ours
    "pushplugin": files.parse_plugin,  # 10.6 plug-in module has no endpoint name: ours
    "pushoil": items.parse_fuel,
    "pushfileupload": files.parse_file_upload,
    "pushtem": items.parse_temperature,
    "pushlbs": items.parse_lbs,
    "pushresourcelist": files.parse_resource_list,
    "pushftpfileupload": files.parse_ftp_upload,
    "pushIothubEvent": files.parse_iothub_event,
    "pushPassThroughData": files.parse_pass_through,
    "pushTerminalTransInfo": files.parse_extension,
    "pushInstructResponse": files.parse_instruct_response,
    "pushFileContent": files.parse_file_content,
    "pushextendedkks": files.parse_extended_kks,
    "uploadCallback": files.parse_media_upload,
    "pushobd": items.parse_obd,
    "pushfaultinfo": items.parse_fault_codes,
    "pushtripreport": items.parse_trip_report,
    "pushtag": items.parse_gps_point,  # the TAG push: a JSON array of beacon positions
}

# OpenAPI notifications (``msgType`` + ``data``), by msgType. Another msgType is rejected item by
# item ("unknown msgType"), so the raw request is kept for replay once a parser exists.
OPENAPI_PARSERS: dict[str, ItemParser] = {
    "jimi.push.device.alarm": items.parse_openapi_alarm,
    "jimi.open.instruction.raw.receive": files.parse_instruct_response,
}

MAX_ITEMS = 50  # the vendor's documented maximum per request
OPENAPI = "openapi"  # our endpoint for OpenAPI notifications (msgType + data)
TAG = "pushtag"  # our endpoint for the TAG push (a JSON array; its ack code is 200)
ENDPOINTS: frozenset[str] = frozenset({*ENDPOINT_PARSERS, OPENAPI})
# Other names the same shapes arrive under: the vendor documents no path for OpenAPI
# notifications, and integrations register "pushopenapi" as often as the bare base URL.
ALIASES = {"pushopenapi": OPENAPI}
_BY_LOWER = {name.lower(): name for name in ENDPOINTS} | ALIASES
_ENVELOPE = ("token", "msgType")
_MAX_REASONS = 10
_BOM = b"\xef\xbb\xbf"


class PushError(Exception):
    """Base of the errors a push view answers with a clear message."""


class PushFormatError(PushError):
    """The body cannot be decoded at all; the view keeps it raw for replay."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownEndpoint(PushError, LookupError):
    """No push endpoint has this name."""

    def __init__(self, endpoint: str) -> None:
        super().__init__(f"unknown push endpoint {endpoint[:60]!r}")
        self.endpoint = endpoint


@dataclass(frozen=True, slots=True)
class Rejected:
    """An item that could not become a record: its index in the request, why, and the item."""

    index: int
    reason: str  # e.g. "item 3: lat 123.4 out of range"
    item: Any


@dataclass(frozen=True, slots=True)
class PushBatch:
    """What one push request carried. ``len(records) + len(rejected)`` is the item count."""

    kind: str  # the canonical endpoint name (one of ENDPOINTS)
    token: str | None  # as sent (form, JSON body or query string), for the view to compare
    msg_type: str | None = None  # top-level msgType, if any
    records: list[PushRecord] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    tag_ack: bool = False  # answer {"code": 200, ...} (TAG push) instead of {"code": 0, ...}

    @property
    def item_count(self) -> int:
        return len(self.records) + len(self.rejected)

    @property
    def over_limit(self) -> bool:
        """More items than the vendor's documented maximum; all were parsed anyway."""
        return self.item_count > MAX_ITEMS

    @property
    def imeis(self) -> frozenset[str]:
        """The devices the records name, so the ingest can create unknown ones in one query."""
        return frozenset(record.imei for record in self.records)

    def ack(self) -> dict[str, Any]:
        """The acknowledgement, once the raw request is durably kept; says what was rejected."""
        answer: dict[str, Any] = {"code": 200 if self.tag_ack else 0, "msg": "success"}
        if self.rejected:
            answer["rejected"] = len(self.rejected)
            answer["reasons"] = [entry.reason for entry in self.rejected[:_MAX_REASONS]]
        return answer


def canonical_endpoint(endpoint: str) -> str:
    """``"pushiothubevent"`` or ``"/pushIothubEvent/"`` → ``"pushIothubEvent"``."""
    name = endpoint.strip("/")
    if name in ENDPOINTS:
        return name
    try:
        return _BY_LOWER[name.lower()]
    except KeyError:
        raise UnknownEndpoint(endpoint) from None


def parse_push(
    endpoint: str,
    *,
    content_type: str = "",
    body: bytes = b"",
    query: Mapping[str, str] | None = None,
) -> PushBatch:
    """Decode one push request into records; a bad item is rejected, the rest survive.

    Raises :class:`UnknownEndpoint` for a name not in :data:`ENDPOINTS` and
    :class:`PushFormatError` for a body that cannot be decoded at all.
    """
    kind = canonical_endpoint(endpoint)
    token, msg_type, items, via_data = _decode(content_type, body, query or {})
    parser: ItemParser | None = ENDPOINT_PARSERS.get(kind)
    if kind == OPENAPI or (via_data and msg_type in OPENAPI_PARSERS):
        # An OpenAPI notification sent to a Data Push URL is still an OpenAPI notification.
        kind, parser = OPENAPI, OPENAPI_PARSERS.get(msg_type or "")
    records: list[PushRecord] = []
    rejected: list[Rejected] = []
    for index, item in enumerate(items):
        if parser is None:
            rejected.append(Rejected(index, f"item {index}: unknown msgType {msg_type!r}", item))
        elif not isinstance(item, dict):
            rejected.append(Rejected(index, f"item {index}: not a JSON object", item))
        else:
            try:
                records.append(parser(item, msg_type))
            except ItemError as error:
                rejected.append(Rejected(index, f"item {index}: {error.reason}", item))
            except Exception as error:  # noqa: BLE001 - one odd item must not lose the batch
                reason = f"item {index}: {type(error).__name__}: {error}"
                rejected.append(Rejected(index, reason, item))
    return PushBatch(
        kind=kind,
        token=token,
        msg_type=msg_type,
        records=records,
        rejected=rejected,
        tag_ack=kind == TAG,
    )


def _decode(
    content_type: str, body: bytes, query: Mapping[str, str]
) -> tuple[str | None, str | None, list[Any], bool]:
    """Return ``(token, msgType, items, came_in_data)`` from any request shape."""
    raw = body.strip().removeprefix(_BOM).lstrip()
    media_type = content_type.partition(";")[0].strip().lower()
    fields: Mapping[str, Any]
    items: list[Any] | None = None
    if raw[:1] in (b"{", b"["):
        payload = _loads(raw.decode("utf-8", "replace"), "body")
        if isinstance(payload, list):
            items, fields = payload, {}
        elif isinstance(payload, dict):
            fields = payload
        else:
            raise PushFormatError("body is JSON but neither an object nor an array")
    elif media_type == "multipart/form-data":
        fields = _multipart(content_type, body)
    else:
        fields = _parse_form(raw)
        if "json" in media_type and not fields.keys() & {"data_list", "data", "token"}:
            raise PushFormatError("body is not JSON")
    token = _text(fields.get("token")) or _text(query.get("token"))
    msg_type = _text(fields.get("msgType")) or _text(query.get("msgType"))
    via_data = False
    if items is not None:
        pass
    elif "data_list" in fields:
        items = _items("data_list", fields["data_list"])
    elif "data" in fields and ("msgType" in fields or fields.keys() <= {"token", "data"}):
        items, via_data = _items("data", fields["data"]), True
    elif fields:
        # One item sent bare: a JSON object or plain form fields, minus the envelope.
        item = {key: value for key, value in fields.items() if key not in _ENVELOPE}
        items = [item] if item else []
    elif "data_list" in query:
        items = _items("data_list", query["data_list"])
    else:
        items = []
    return token, msg_type, items, via_data


def _parse_form(raw: bytes) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body as a dict (the last value of a name wins).

    The same result as ``dict(urllib.parse.parse_qsl(...))``, ten times faster on the vendor's
    JSON-heavy bodies (see :func:`_unquote`); parsing speed matters at 10,000 points/s (issue 5).
    """
    fields: dict[str, str] = {}
    for pair in raw.split(b"&"):
        if pair:
            name, _, value = pair.partition(b"=")
            fields[_unquote(name)] = _unquote(value)
    return fields


def _unquote(raw: bytes) -> str:
    """Percent-decode one form name or value (``+`` is a space), as ``urllib.parse.unquote_plus``.

    ``unquote`` loops in Python over every escape, about 1 ms for a 50-point ``data_list``.
    Quoted-printable decoding is the same job in C with ``=`` for ``%``: escape the literal
    ``=`` as ``=3D``, turn ``%`` into ``=``, and ``binascii.a2b_qp`` does the rest. QP treats a
    malformed escape differently (and ``=`` before a line end as a soft break), so the result is
    used only when every escape was a valid ``%XX`` (each one shrinks the text by exactly two
    bytes) and no ``%`` precedes a line end; otherwise the stdlib decodes it.
    """
    if b"+" in raw:
        raw = raw.replace(b"+", b" ")
    escapes = raw.count(b"%")
    if not escapes:
        return raw.decode("utf-8", "replace")
    if b"%\n" not in raw and b"%\r" not in raw:
        decoded = binascii.a2b_qp(raw.replace(b"=", b"=3D").replace(b"%", b"="))
        if len(decoded) == len(raw) - 2 * escapes:
            return decoded.decode("utf-8", "replace")
    return unquote_to_bytes(raw).decode("utf-8", "replace")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _loads(text: str, name: str) -> Any:
    try:
        return loads(text)
    except ValueError as error:
        raise PushFormatError(f"{name} is not JSON: {error}") from None
    except RecursionError:  # nesting deeper than the interpreter's limit: not a vendor body
        raise PushFormatError(f"{name} is JSON nested too deeply") from None


def _items(name: str, value: Any) -> list[Any]:
    """``data_list``/``data`` as a list of items: a JSON array or object, as text or decoded."""
    decoded = value
    for _ in range(2):  # tolerate one extra level of JSON-in-a-string
        if not isinstance(decoded, str):
            break
        text = decoded.strip()
        if not text:
            return []
        decoded = _loads(text, name)
    if decoded is None:
        return []
    if isinstance(decoded, dict):
        return [decoded]
    if not isinstance(decoded, list):
        raise PushFormatError(f"{name} is neither a JSON array nor an object")
    if any(isinstance(item, str) for item in decoded):
        return [_item_text(item) for item in decoded]
    return decoded


def _item_text(item: Any) -> Any:
    """An item sent as a JSON string inside the array, decoded when it is an object."""
    if isinstance(item, str) and item.lstrip()[:1] == "{":
        try:
            return loads(item)
        except ValueError:
            return item
    return item


def _multipart(content_type: str, body: bytes) -> dict[str, str]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", errors="replace")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise PushFormatError("multipart body without parts")
    fields: dict[str, str] = {}
    for part in message.walk():
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str):
            payload = part.get_payload(decode=True)
            fields[name] = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return fields
