"""Commands against the simulator: templates, sending, refusals, results by poll and by push."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import TracksolidAccount
from accounts.services import client_for
from fleet import commands
from fleet.commands import CommandInvalid, command_templates, poll_command_results, send_command
from fleet.models import Command, Device
from tests.fleet.conftest import device_of_kind
from tests.simulator_fixtures import FAST_CLIENT, account_on, vendor_calls
from tracksolid.push_file_records import InstructResponse


@pytest.fixture
def vendor(account: TracksolidAccount) -> Any:
    with client_for(account, **FAST_CLIENT) as client:
        yield client


def test_it_lists_a_models_commands_once_an_hour(sim, van, vendor):
    first = command_templates(device=van, client=vendor)
    again = command_templates(device=van, client=vendor)

    relay = next(t for t in first if t.template == "RELAY,{0}#")
    assert (relay.params, relay.offline) == (1, True)
    assert again == first
    assert vendor_calls(sim)["jimi.open.instruction.list"] == 1


def test_a_sent_command_waits_for_the_device_then_the_poller_records_its_answer(
    sim, account, van, vendor
):
    command = send_command(device=van, user=None, template_id="2", client=vendor)

    assert command.status == Command.Status.SENT
    assert command.content == "STATUS#"
    assert command.vendor_code_id
    assert command.vendor_message == "command is successfully sent."

    sim.advance(5)
    run = poll_command_results(account=account, client=vendor)

    command.refresh_from_db()
    assert (run.devices, run.answered) == (1, 1)
    assert command.status == Command.Status.EXECUTED
    assert command.response.startswith("Battery:")
    assert command.answered_at is not None


def test_parameters_are_filled_into_the_template(van, vendor):
    command = send_command(
        device=van, user=None, template_id="5", params=["10", "300"], client=vendor
    )

    assert command.content == "TIMER,10,300#"
    assert command.params == ["10", "300"]


@pytest.mark.parametrize(
    ("template_id", "params", "message"),
    [
        ("163", [], "Cut off fuel/power takes 1 parameter(s) (1 = cut off, 0 = restore); 0 given."),
        (
            "163",
            ["1,2"],
            "Parameter '1,2' is not valid: it may not be empty or contain ',' or '#'.",
        ),
        ("999", [], "This device's model (vehicle) has no command '999'"),
    ],
)
def test_a_command_the_vendor_would_refuse_is_refused_before_calling_it(
    sim, van, vendor, template_id, params, message
):
    with pytest.raises(CommandInvalid, match=message.replace("(", r"\(").replace(")", r"\)")):
        send_command(device=van, user=None, template_id=template_id, params=params, client=vendor)

    assert "jimi.open.instruction.send" not in vendor_calls(sim)
    assert not Command.objects.exists()


def test_a_device_failure_is_kept_as_a_failed_command_with_the_vendors_code(make_simulator, db):
    sim = make_simulator(command_failure_rate=1.0)
    account = account_on(sim)
    van = device_of_kind(sim, account, "vehicle")

    with client_for(account, **FAST_CLIENT) as vendor:
        command = send_command(device=van, user=None, template_id="1", client=vendor)

    assert command.status == Command.Status.FAILED
    assert command.error_code == "12005"
    assert command.error_message.startswith("Fail to send command. Result code")
    assert Command.objects.get().status == Command.Status.FAILED


def test_an_online_only_command_to_an_offline_device_fails_with_the_vendors_reason(
    sim, van, vendor
):
    sim.set_offline(van.imei)

    command = send_command(device=van, user=None, template_id="1", client=vendor)

    assert command.status == Command.Status.FAILED
    assert command.error_code == "12002"


def test_a_command_the_device_refuses_later_fails_with_the_devices_result_code(make_simulator, db):
    sim = make_simulator(command_failure_rate=0.0, command_refusal_rate=1.0, command_delay=1.0)
    account = account_on(sim)
    van = device_of_kind(sim, account, "vehicle")
    with client_for(account, **FAST_CLIENT) as vendor:
        command = send_command(device=van, user=None, template_id="2", client=vendor)
        assert command.status == Command.Status.SENT
        sim.advance(5)
        run = poll_command_results(account=account, client=vendor)

    command.refresh_from_db()
    assert run.answered == 1
    assert command.status == Command.Status.FAILED
    assert command.error_code.isdigit() and 225 <= int(command.error_code) <= 252
    assert (
        command.error_message
        == f"The device refused the command (result code {command.error_code})."
    )
    assert command.answered_at is not None


def test_the_poller_makes_no_vendor_call_when_no_command_waits(sim, account, vendor):
    run = poll_command_results(account=account, client=vendor)

    assert (run.ran, run.devices) == (False, 0)
    assert "jimi.open.instruction.result" not in vendor_calls(sim)


def test_an_unanswered_command_expires(sim, account, van, vendor, settings):
    sim.set_offline(van.imei)
    command = send_command(device=van, user=None, template_id="7", client=vendor)  # restart
    assert command.status == Command.Status.SENT  # offline-capable: the vendor keeps it
    Command.objects.filter(pk=command.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.COMMAND_EXPIRE_AFTER + 1)
    )

    run = poll_command_results(account=account, client=vendor)

    command.refresh_from_db()
    assert run.expired == 1
    assert command.status == Command.Status.EXPIRED
    assert command.error_message == "The device did not answer within 24 hours."


def push_form(django_client: Any, account: TracksolidAccount, endpoint: str, form: dict) -> Any:
    return django_client.post(
        f"/push/{account.push_key}/{endpoint}",
        urlencode({"token": account.push_token, **form}),
        content_type="application/x-www-form-urlencoded",
    )


def test_an_offline_commands_answer_arrives_by_push(sim, account, van, vendor):
    sim.set_offline(van.imei)
    command = send_command(device=van, user=None, template_id="7", client=vendor)
    answer = {
        "_code": "100",
        "_msg": "success",
        "_imei": van.imei,
        "_serverFlagId": command.vendor_code_id,
        "_content": "RESET OK",
    }

    response = push_form(
        Client(), account, "pushInstructResponse", {"msgType": "2", "data_list": json.dumps(answer)}
    )

    command.refresh_from_db()
    assert response.json() == {"code": 0, "msg": "success"}
    assert (command.status, command.response) == (Command.Status.EXECUTED, "RESET OK")


def answer(command: Command, **fields: Any) -> InstructResponse:
    return InstructResponse(
        imei=command.device.imei, server_flag_id=command.vendor_code_id, content="", **fields
    )


def test_a_pushed_refusal_fails_the_command_and_an_offline_answer_keeps_it_waiting(
    sim, account, van, vendor
):
    command = send_command(device=van, user=None, template_id="2", client=vendor)
    now = timezone.now()

    commands.record_pushed_answers(
        [(van.pk, answer(command, code="300", message="offline"))], now=now
    )
    command.refresh_from_db()
    assert command.status == Command.Status.SENT

    commands.record_pushed_answers(
        [(van.pk, answer(command, code="600", message="timeout"))], now=now
    )
    command.refresh_from_db()
    assert (command.status, command.error_code, command.error_message) == (
        Command.Status.FAILED,
        "600",
        "timeout",
    )


def test_a_raw_command_is_sent_as_hex_and_its_reply_arrives_by_openapi_push(
    sim, account, van, vendor
):
    command = send_command(device=van, user=None, raw_hex="78 78 0a 01", client=vendor)
    assert (command.kind, command.content, command.status) == (
        Command.Kind.RAW,
        "78780A01",
        Command.Status.SENT,
    )
    reply = {"imei": van.imei, "rawData": "78780A0A0100010D0A", "codeId": command.vendor_code_id}

    Client().post(
        f"/push/{account.push_key}/openapi",
        urlencode(
            {
                "token": account.push_token,
                "msgType": "jimi.open.instruction.raw.receive",
                "data": json.dumps(reply),
            }
        ),
        content_type="application/x-www-form-urlencoded",
    )

    command.refresh_from_db()
    assert (command.status, command.response) == (Command.Status.EXECUTED, "78780A0A0100010D0A")


def test_raw_text_that_is_not_whole_hex_bytes_is_refused(van, vendor):
    with pytest.raises(CommandInvalid, match="whole bytes of hexadecimal"):
        send_command(device=van, user=None, raw_hex="78 7", client=vendor)


def test_a_device_without_an_account_cannot_be_commanded(account):
    orphan = Device.objects.create(imei="1", organisation=account.organisation)

    with pytest.raises(CommandInvalid, match="not linked to a Tracksolid account"):
        send_command(device=orphan, user=None, template_id="1")
