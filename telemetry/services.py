"""Writes on telemetry that people make (the ingest path is ``telemetry.ingest``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from telemetry.models import Alarm


def acknowledge_alarm(*, alarm: Alarm, user: Any, note: str) -> Alarm:
    """Mark ``alarm`` acknowledged by ``user`` once; a second call changes nothing (the first
    acknowledgement stands). A conditional update, so two dispatchers cannot both win."""
    Alarm.objects.filter(pk=alarm.pk, acknowledged_at=None).update(
        acknowledged_at=timezone.now(), acknowledged_by=user, acknowledgement_note=note
    )
    alarm.refresh_from_db(fields=["acknowledged_at", "acknowledged_by", "acknowledgement_note"])
    return alarm
