"""Poll cursors and run claims: how far each poller got, and one run at a time per cursor.

A run claims its cursor with ``cache.add`` (atomic ``SET NX`` on Redis) for a lease longer than
the run can take, and releases it when done; a second run that finds the claim taken does
nothing. Should two runs still overlap (an expired lease, the file cache's non-atomic ``add``),
nothing breaks: the cursor only ever moves forward (a conditional update) and the ingest path
stores each record once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from accounts.models import TracksolidAccount
from telemetry.models import PollCursor


def claim_key(account_id: int, poller: str, scope: str = "") -> str:
    return f"fleet:poll:{account_id}:{poller}:{scope}"


@contextmanager
def claimed(
    account: TracksolidAccount, poller: str, *, lease: timedelta, scope: str = ""
) -> Iterator[PollCursor | None]:
    """The cursor, claimed for this run (``None`` if another run holds it).

    ``last_run_at`` is stamped at the start; an exception is kept in ``last_error`` and
    re-raised; a clean exit clears ``last_error``.
    """
    key = claim_key(account.pk, poller, scope)
    mine = uuid.uuid4().hex
    # Reading the value back also catches the file cache's racy add (two writers, one wins).
    if not cache.add(key, mine, timeout=max(1, int(lease.total_seconds()))) or (
        cache.get(key) != mine
    ):
        yield None
        return
    try:
        cursor, _ = PollCursor.objects.get_or_create(account=account, poller=poller, scope=scope)
        cursor.last_run_at = timezone.now()
        cursor.save(update_fields=["last_run_at"])
        try:
            yield cursor
        except Exception as exc:
            PollCursor.objects.filter(pk=cursor.pk).update(
                last_error=f"{type(exc).__name__}: {exc}"
            )
            raise
        if cursor.last_error:
            PollCursor.objects.filter(pk=cursor.pk).update(last_error=cursor.last_error)
        else:
            PollCursor.objects.filter(pk=cursor.pk).exclude(last_error="").update(last_error="")
    finally:
        if cache.get(key) == mine:
            cache.delete(key)


def advance(cursor: PollCursor, position: datetime) -> bool:
    """Move the cursor forward to ``position``; never backwards (another run may be ahead)."""
    moved = (
        PollCursor.objects.filter(pk=cursor.pk)
        .filter(Q(position__isnull=True) | Q(position__lt=position))
        .update(position=position)
    )
    if moved:
        cursor.position = position
    return bool(moved)
