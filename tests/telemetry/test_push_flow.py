"""The simulator pushes every type, in the vendor's shapes, to our push URL over HTTP."""

import pytest

from telemetry.models import RawPush
from tests.simulator_fixtures import account_on


@pytest.fixture
def pushing(live_server, make_simulator, transactional_db):

    # One push at a time: the test database (in-memory SQLite) takes one writer.
    sim = make_simulator(
        devices=12, push_url="http://placeholder", push_token="x", push_concurrency=1
    )
    account = account_on(sim, slug="pushed")
    sim.config.push_url = account.push_url(live_server.url)
    sim.config.push_token = account.push_token
    return sim, account


def test_every_push_type_from_the_simulator_is_kept_and_acknowledged(pushing):
    sim, account = pushing
    sent = sim.push_now()
    counters = sim.counters()
    assert sent and counters["pushes_sent"] == counters["pushes_acked"], counters
    assert not counters.get("pushes_failed")
    kept = RawPush.objects.filter(account=account)
    assert kept.exists()
    failed = list(kept.filter(status=RawPush.Status.FAILED).values_list("endpoint", "error"))
    assert failed == []
    endpoints = set(kept.values_list("endpoint", flat=True))
    expected = {name if name != "tag" else "pushtag" for name in sent if sent[name]}
    assert expected <= endpoints, sorted(expected - endpoints)
    assert len(endpoints) >= 18, sorted(endpoints)


def test_the_vendors_empty_verify_call_is_answered_success(pushing):
    sim, account = pushing
    sim.push_verify("pushgps")
    assert sim.counters()["pushes_failed"] == {}
    assert not RawPush.objects.filter(account=account).exists()
