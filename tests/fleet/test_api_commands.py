"""API v1 commands: templates, sending, the log, roles and tenancy, against the simulator."""

from __future__ import annotations

from datetime import datetime

import pytest
from rest_framework.test import APIClient

from accounts.models import Membership, Organisation, Role, TracksolidAccount, User
from fleet.commands import poll_command_results
from fleet.models import Command


def api_as(account: TracksolidAccount, role: str, username: str | None = None) -> APIClient:
    user = User.objects.create_user(username or role, password="pw")
    Membership.objects.create(user=user, organisation=account.organisation, role=role)
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def dispatcher(account: TracksolidAccount) -> APIClient:
    return api_as(account, Role.DISPATCHER)


@pytest.fixture
def outsider(db: None) -> APIClient:
    other = Organisation.objects.create(name="Other", slug="other")
    user = User.objects.create_user("olga", password="pw")
    Membership.objects.create(user=user, organisation=other, role=Role.ADMIN)
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_it_lists_the_commands_a_devices_model_supports(dispatcher, van):
    response = dispatcher.get(f"/api/v1/devices/{van.pk}/command-templates/")

    assert response.status_code == 200
    relay = next(t for t in response.json() if t["template"] == "RELAY,{0}#")
    assert relay == {
        "id": "163",
        "name": "Cut off fuel/power",
        "template": "RELAY,{0}#",
        "explain": "1 = cut off, 0 = restore",
        "offline": True,
        "params": 1,
    }


def test_a_dispatcher_sends_a_command_and_reads_the_devices_answer(dispatcher, sim, account, van):
    response = dispatcher.post(
        "/api/v1/commands/", {"device": van.pk, "template_id": "2"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["content"], body["sent_by"]) == ("sent", "STATUS#", "dispatcher")
    assert body["device_name"] == "Van 1"

    sim.advance(5)
    poll_command_results(account=account)
    answer = dispatcher.get(f"/api/v1/commands/{body['id']}/").json()

    assert answer["status"] == "executed"
    assert answer["status_display"] == "Executed"
    assert answer["response"].startswith("Battery:")
    assert datetime.fromisoformat(answer["answered_at"]).tzinfo is not None


def test_a_refused_command_is_a_201_with_the_vendors_reason(dispatcher, sim, van):
    sim.set_offline(van.imei)

    response = dispatcher.post(
        "/api/v1/commands/", {"device": van.pk, "template_id": "1"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["status"] == "failed"
    assert response.json()["error_code"] == "12002"


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        ({"template_id": "163"}, "Cut off fuel/power takes 1 parameter(s)"),
        (
            {"template_id": "163", "raw_hex": "78"},
            "Give either template_id (with params) or raw_hex",
        ),
        ({}, "Give either template_id (with params) or raw_hex"),
        ({"raw_hex": "zz"}, "Raw commands are whole bytes of hexadecimal"),
    ],
)
def test_an_invalid_command_is_a_400_that_says_why(dispatcher, van, payload, detail):
    response = dispatcher.post("/api/v1/commands/", {"device": van.pk, **payload}, format="json")

    assert response.status_code == 400
    assert detail in response.json()["detail"]
    assert response.json()["code"] == "invalid_command"
    assert not Command.objects.exists()


def test_a_viewer_reads_the_log_but_may_not_send(account, van):
    viewer = api_as(account, Role.VIEWER)

    response = viewer.post(
        "/api/v1/commands/", {"device": van.pk, "template_id": "2"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Viewers may not send commands.",
        "code": "permission_denied",
    }
    assert viewer.get("/api/v1/commands/").status_code == 200


def test_another_organisation_sees_none_of_it(dispatcher, outsider, van):
    sent = dispatcher.post(
        "/api/v1/commands/", {"device": van.pk, "template_id": "2"}, format="json"
    )

    assert outsider.get("/api/v1/commands/").json()["results"] == []
    assert outsider.get(f"/api/v1/commands/{sent.json()['id']}/").status_code == 404
    assert outsider.get(f"/api/v1/devices/{van.pk}/command-templates/").status_code == 404
    refused = outsider.post(
        "/api/v1/commands/", {"device": van.pk, "template_id": "2"}, format="json"
    )
    assert refused.status_code == 404
    assert Command.objects.count() == 1


def test_the_log_filters_by_device_and_status_in_a_fixed_number_of_queries(
    dispatcher, van, django_assert_max_num_queries
):
    for template_id in ("1", "2", "3"):
        dispatcher.post(
            "/api/v1/commands/", {"device": van.pk, "template_id": template_id}, format="json"
        )

    with django_assert_max_num_queries(4):
        page = dispatcher.get(f"/api/v1/commands/?device={van.pk}&status=sent").json()

    assert [c["content"] for c in page["results"]] == ["PARAM#", "STATUS#", "WHERE#"]
    assert dispatcher.get("/api/v1/commands/?status=executed").json()["results"] == []


def test_a_vendor_that_does_not_answer_is_a_502_not_a_500(dispatcher, sim, van):
    sim.inject_fault("malformed", method="jimi.open.instruction.list")

    response = dispatcher.get(f"/api/v1/devices/{van.pk}/command-templates/")

    assert response.status_code == 502
    assert response.json()["code"] == "vendor_error"
    assert response.json()["detail"].startswith("Tracksolid did not answer")
