"""Device commands: what a device's model supports, sending one, and collecting the answers.

A command is sent at once (the dispatcher learns straight away whether Tracksolid accepted it),
and its row is written before the vendor is called, so every attempt is on record. The device's
answer comes later, by whichever arrives first: the results poller
(``jimi.open.instruction.result``, every few seconds while commands wait) or a push
(``pushInstructResponse`` for offline commands, the OpenAPI ``raw.receive`` for hex ones).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from accounts.models import TracksolidAccount
from accounts.services import vendor_client
from fleet.models import Command, Device
from telemetry.cursors import claimed
from tracksolid.client import TracksolidClient
from tracksolid.errors import RateLimited, TracksolidError, TracksolidUnavailable
from tracksolid.push_file_records import InstructResponse
from tracksolid.records_media import CommandResult, CommandTemplate

TEMPLATES_TTL = 3600  # a model's command list changes with firmware, not by the minute
PLACEHOLDER = re.compile(r"\{(\d+)\}")
HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")
# Parameters are spliced into the device's text protocol, where "," and "#" are syntax.
FORBIDDEN_IN_PARAMS = re.compile(r"[,#\r\n]")


class CommandInvalid(ValueError):
    """A command we refuse before calling the vendor; the message is for the sender."""


@dataclass(frozen=True)
class Template:
    """One command a device's model supports, as the console and the API show it."""

    id: str
    name: str
    template: str
    explain: str
    offline: bool
    params: int

    @classmethod
    def from_record(cls, record: CommandTemplate) -> Template:
        text = record.template or ""
        return cls(
            id=record.id or "",
            name=record.name or text,
            template=text,
            explain=record.explain or "",
            offline=bool(record.offline),
            params=len(set(PLACEHOLDER.findall(text))),
        )


@dataclass
class ResultsRun:
    ran: bool = False
    devices: int = 0
    answered: int = 0
    expired: int = 0
    errors: list[str] = field(default_factory=list)


def _account_of(device: Device) -> TracksolidAccount:
    if device.account is None:
        raise CommandInvalid("This device is not linked to a Tracksolid account.")
    return device.account


def command_templates(*, device: Device, client: TracksolidClient | None = None) -> list[Template]:
    """The commands ``device``'s model supports (``jimi.open.instruction.list``), cached."""
    key = f"fleet:command-templates:{device.imei}"
    cached = cache.get(key)
    if cached is not None:
        return [Template(**row) for row in cached]
    with vendor_client(_account_of(device), client) as vendor:
        templates = [Template.from_record(r) for r in vendor.open_instruction_list(device.imei)]
    cache.set(key, [asdict(t) for t in templates], timeout=TEMPLATES_TTL)
    return templates


def _fill(template: Template, params: Sequence[str]) -> str:
    if len(params) != template.params:
        hint = f" ({template.explain})" if template.explain else ""
        raise CommandInvalid(
            f"{template.name} takes {template.params} parameter(s){hint}; {len(params)} given."
        )
    for value in params:
        if not value.strip() or FORBIDDEN_IN_PARAMS.search(value):
            raise CommandInvalid(
                f"Parameter {value!r} is not valid: it may not be empty or contain ',' or '#'."
            )
    text = template.template
    for index, value in enumerate(params):
        text = text.replace("{" + str(index) + "}", value.strip())
    return text


def _explain(error: TracksolidError) -> str:
    if isinstance(error, TracksolidUnavailable | RateLimited):
        return f"Tracksolid did not take the command; try again shortly ({error.message})."
    return error.message or str(error)


def send_command(
    *,
    device: Device,
    user: Any,
    template_id: str | None = None,
    params: Sequence[str] = (),
    raw_hex: str | None = None,
    client: TracksolidClient | None = None,
) -> Command:
    """Send one command (a model template with ``params``, or ``raw_hex``) and return its row.

    Raises ``CommandInvalid`` for what the vendor would refuse anyway (unknown template, wrong
    parameter count, bad hex). A vendor refusal is a ``failed`` row carrying the vendor's code
    and message, not an exception: the attempt is part of the log.
    """
    account = _account_of(device)
    params = [str(p) for p in params]
    if (template_id is None) == (raw_hex is None):
        raise CommandInvalid("Give either a command template id or raw hex, not both.")
    with vendor_client(account, client) as vendor:
        if raw_hex is not None:
            hex_text = re.sub(r"\s+", "", raw_hex).upper()
            if not HEX.fullmatch(hex_text) or len(hex_text) > 2048:
                raise CommandInvalid("Raw commands are whole bytes of hexadecimal, e.g. 7878 0A.")
            command = Command.objects.create(
                device=device, account=account, sent_by=user, kind=Command.Kind.RAW,
                name="Raw hex", content=hex_text,
            )  # fmt: skip
        else:
            templates = command_templates(device=device, client=vendor)
            template = next((t for t in templates if t.id == str(template_id)), None)
            if template is None:
                raise CommandInvalid(
                    f"This device's model ({device.mc_type or 'unknown'}) has no command"
                    f" {template_id!r}; list them at devices/{device.pk}/command-templates/."
                )
            command = Command.objects.create(
                device=device, account=account, sent_by=user, kind=Command.Kind.TEMPLATE,
                template_id=template.id, name=template.name, template=template.template,
                params=params, content=_fill(template, params),
            )  # fmt: skip
        try:
            if command.kind == Command.Kind.RAW:
                sent = vendor.open_instruction_raw_send(device.imei, command.content)
            else:
                sent = vendor.open_instruction_send(
                    device.imei,
                    {
                        "inst_id": command.template_id,
                        "inst_template": command.template,
                        "params": command.params,
                        "is_cover": "true",
                    },
                )
        except TracksolidError as error:
            command.status = Command.Status.FAILED
            command.error_code = str(error.code) if error.code else ""
            command.error_message = _explain(error)[:500]
            command.answered_at = timezone.now()
            command.save(update_fields=["status", "error_code", "error_message", "answered_at"])
            return command
    command.status = Command.Status.SENT
    command.vendor_code_id = sent.code_id or ""
    command.vendor_message = (sent.message or "")[:500]
    command.save(update_fields=["status", "vendor_code_id", "vendor_message"])
    return command


def _answer(command_ids: Iterable[int], *, response: str, now: datetime) -> int:
    return (
        Command.objects.filter(pk__in=list(command_ids))
        .awaiting_answer()
        .update(status=Command.Status.EXECUTED, response=response, answered_at=now)
    )


def _settle(command_id: int, row: CommandResult, *, now: datetime) -> int:
    """Record a result row: executed, refused by the device, or (neither) still waiting."""
    if row.executed:
        return _answer([command_id], response=row.content or "", now=now)
    code = row.refusal_code
    if code is None:
        return 0
    return (
        Command.objects.filter(pk=command_id)
        .awaiting_answer()
        .update(
            status=Command.Status.FAILED,
            error_code=code,
            error_message=f"The device refused the command (result code {code}).",
            response=row.content or "",
            answered_at=now,
        )
    )


def expire_commands(*, account: TracksolidAccount, now: datetime) -> int:
    """Commands unanswered for ``COMMAND_EXPIRE_AFTER`` seconds are given up on."""
    cutoff = now - timedelta(seconds=settings.COMMAND_EXPIRE_AFTER)
    hours = settings.COMMAND_EXPIRE_AFTER / 3600
    return (
        Command.objects.filter(account=account, created_at__lt=cutoff)
        .awaiting_answer()
        .update(
            status=Command.Status.EXPIRED,
            error_message=f"The device did not answer within {hours:g} hours.",
        )
    )


def poll_command_results(
    *, account: TracksolidAccount, client: TracksolidClient | None = None
) -> ResultsRun:
    """Ask the vendor for the results of the account's unanswered commands: one
    ``jimi.open.instruction.result`` call per device that has any, none when nothing waits."""
    run = ResultsRun()
    now = timezone.now()
    run.expired = expire_commands(account=account, now=now)
    waiting = list(
        Command.objects.filter(account=account, status=Command.Status.SENT)
        .exclude(vendor_code_id="")
        .values_list("pk", "vendor_code_id", "device__imei")
    )
    if not waiting:
        return run
    by_device: dict[str, dict[str, int]] = {}
    for pk, code_id, imei in waiting:
        by_device.setdefault(imei, {})[code_id] = pk
    with claimed(account, "command_results", lease=timedelta(minutes=2)) as cursor:
        if cursor is None:
            return run
        run.ran = True
        with vendor_client(account, client) as vendor:
            for imei, mine in by_device.items():
                try:
                    rows = vendor.open_instruction_result(imei)
                except (TracksolidUnavailable, RateLimited):
                    raise  # the task retries with back-off
                except TracksolidError as error:
                    run.errors.append(f"{imei}: {error}")
                    continue
                run.devices += 1
                for row in rows:
                    command_id = mine.get(row.code_id or "")
                    if command_id is not None:
                        run.answered += _settle(command_id, row, now=now)
    return run


def record_pushed_answers(answers: Sequence[tuple[int, InstructResponse]], *, now: datetime) -> int:
    """Settle the commands these pushed answers (``(device id, answer)``) are for; an answer to
    a command we did not send, or one already settled, changes nothing."""
    settled = 0
    for device_id, answer in answers:
        if not answer.server_flag_id or answer.still_queued:
            continue
        content = answer.content
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        waiting = Command.objects.filter(
            device_id=device_id, vendor_code_id=answer.server_flag_id
        ).awaiting_answer()
        if answer.succeeded:
            settled += waiting.update(
                status=Command.Status.EXECUTED, response=text or "", answered_at=now
            )
        else:
            settled += waiting.update(
                status=Command.Status.FAILED,
                error_code=(answer.code or "")[:32],
                error_message=(answer.message or "The device refused the command.")[:500],
                response=text or "",
                answered_at=now,
            )
    return settled
