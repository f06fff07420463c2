"""Receiving a push: keep the raw request, parse it, store its records, say what was rejected.

The view calls :func:`receive_push`; ``replay_pushes`` calls :func:`replay_push`. Both go through
the one ingest path in ``telemetry.ingest``.
"""

from __future__ import annotations

import hmac
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import TracksolidAccount
from telemetry import writers
from telemetry.ingest import IngestResult, forget_devices, ingest_records
from telemetry.models import RawPush, Source
from tracksolid.pushes import (
    OPENAPI,
    TAG,
    PushBatch,
    PushFormatError,
    UnknownEndpoint,
    canonical_endpoint,
    parse_push,
)

log = logging.getLogger(__name__)

# Kinds the vendor sends without a token: the URL's push key is their only credential.
TOKENLESS_KINDS = frozenset({TAG, OPENAPI})
MAX_KEPT_REJECTIONS = 200


@dataclass
class PushOutcome:
    """What to answer: an HTTP status and a JSON body."""

    status: int
    body: dict[str, Any]
    raw: RawPush | None = None
    ingest: IngestResult | None = None


def _token_ok(account: TracksolidAccount, batch: PushBatch) -> bool:
    if batch.token is None:
        return batch.kind in TOKENLESS_KINDS or batch.item_count == 0
    return hmac.compare_digest(batch.token.encode(), account.push_token.encode())


def _rejections(batch: PushBatch, ingest: IngestResult | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"index": r.index, "reason": r.reason, "item": r.item} for r in batch.rejected
    ]
    if ingest is not None:
        rows += [{"imei": imei, "reason": f"{imei}: {reason}"} for imei, reason in ingest.refused]
    return rows[:MAX_KEPT_REJECTIONS]


def _record_outcome(raw: RawPush, batch: PushBatch, ingest: IngestResult) -> None:
    raw.record_count = len(batch.records) - len(ingest.refused)
    raw.rejected_count = len(batch.rejected) + len(ingest.refused)
    raw.rejected = _rejections(batch, ingest)
    raw.status = RawPush.Status.PARTIAL if raw.rejected_count else RawPush.Status.PROCESSED
    raw.processed_at = timezone.now()


def _store(raw: RawPush, account: TracksolidAccount, batch: PushBatch) -> IngestResult | None:
    """Ingest the batch and keep the raw push in one transaction; if ingesting fails, keep the
    raw push alone, marked failed, for replay. A database that cannot keep even that raises."""
    try:
        with transaction.atomic():
            ingest = ingest_records(
                account=account, records=batch.records, source=Source.PUSH, now=raw.received_at
            )
            _record_outcome(raw, batch, ingest)
            _insert(raw)
        return ingest
    except Exception as exc:
        log.exception("push %s for account %s could not be ingested", raw.endpoint, account.pk)
        forget_devices()  # a cached device may have been deleted
        raw.pk = None
        raw.status = RawPush.Status.FAILED
        raw.error = f"{type(exc).__name__}: {exc}"
        raw.rejected = _rejections(batch, None)
        raw.rejected_count = len(batch.rejected)
        with transaction.atomic():
            _insert(raw)
        return None


def _insert(raw: RawPush) -> None:
    writers.insert_raw_push(raw)


_ACCOUNT_TTL = 15.0
_accounts: dict[str, tuple[float, TracksolidAccount | None]] = {}


def account_for_push_key(push_key: str) -> TracksolidAccount | None:
    """The active account a push URL names, cached in-process for a few seconds: the push path
    runs hundreds of times a second, and a disabled account may take that long to stop."""
    now = time.monotonic()
    hit = _accounts.get(push_key)
    if hit is not None and now - hit[0] < _ACCOUNT_TTL:
        return hit[1]
    account = (
        TracksolidAccount.objects.filter(push_key=push_key, is_active=True)
        .only("id", "organisation_id", "push_key", "push_token", "is_active")
        .first()
    )
    if len(_accounts) > 10_000:
        _accounts.clear()
    _accounts[push_key] = (now, account)
    return account


def forget_accounts() -> None:
    _accounts.clear()


def receive_push(
    *,
    account: TracksolidAccount,
    endpoint: str,
    content_type: str,
    body: bytes,
    query: str,
    query_params: dict[str, str],
    remote_addr: str | None,
    now: datetime | None = None,
) -> PushOutcome:
    """Keep and process one push request; the raw request is committed before we answer."""
    now = now or timezone.now()
    raw = RawPush(
        account=account,
        endpoint=endpoint[:64],
        received_at=now,
        content_type=content_type[:200],
        query=query,
        body=body,
        remote_addr=remote_addr,
    )
    try:
        kind = canonical_endpoint(endpoint)
    except UnknownEndpoint:
        raw.status = RawPush.Status.FAILED
        raw.error = f"unknown push endpoint {endpoint!r}; kept for replay"
        _insert(raw)
        return PushOutcome(200, {"code": 0, "msg": "success", "note": raw.error}, raw=raw)
    raw.endpoint = kind
    try:
        batch = parse_push(kind, content_type=content_type, body=body, query=query_params)
    except PushFormatError as exc:
        raw.status = RawPush.Status.FAILED
        raw.error = f"cannot read the push body: {exc}"
        _insert(raw)
        return PushOutcome(
            400, {"code": 400, "msg": f"{raw.error}; kept as #{raw.pk} for replay"}, raw=raw
        )
    if not _token_ok(account, batch):
        log.warning("push to %s for account %s refused: wrong token", kind, account.pk)
        return PushOutcome(403, {"code": 403, "msg": "wrong or missing push token"})
    if batch.item_count == 0:
        # The vendor's "verify" call: nothing to keep.
        return PushOutcome(200, batch.ack())
    ingest = _store(raw, account, batch)
    answer = batch.ack()
    if ingest is not None and ingest.refused:
        answer["rejected"] = raw.rejected_count
        answer["reasons"] = [row["reason"] for row in raw.rejected[:10]]
    if raw.status == RawPush.Status.FAILED:
        answer["note"] = f"kept as #{raw.pk} for replay: {raw.error}"
    return PushOutcome(200, answer, raw=raw, ingest=ingest)


def replay_push(*, raw: RawPush) -> RawPush:
    """Parse and ingest a kept push again (after a fix, or after a failure); idempotent."""
    account = raw.account
    try:
        kind = canonical_endpoint(raw.endpoint)
        batch = parse_push(
            kind,
            content_type=raw.content_type,
            body=bytes(raw.body),
            query=_query_params(raw.query),
        )
    except (UnknownEndpoint, PushFormatError) as exc:
        raw.status = RawPush.Status.FAILED
        raw.error = f"{type(exc).__name__}: {exc}"
        raw.save(update_fields=["status", "error"])
        return raw
    raw.endpoint = kind
    raw.error = ""
    try:
        with transaction.atomic():
            ingest = ingest_records(
                account=account, records=batch.records, source=Source.PUSH, now=raw.received_at
            )
            _record_outcome(raw, batch, ingest)
            raw.save()
    except Exception as exc:  # noqa: BLE001 - the push stays kept, with the reason
        raw.status = RawPush.Status.FAILED
        raw.error = f"{type(exc).__name__}: {exc}"
        raw.save(update_fields=["status", "error"])
    return raw


def _query_params(query: str) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(query, keep_blank_values=True))
