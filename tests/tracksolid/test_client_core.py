"""Tests for tracksolid.client_core on the simulator: tokens, 1004/1006 and transport faults."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tracksolid.client import TracksolidClient
from tracksolid.errors import (
    InvalidResponse,
    ParameterError,
    RateLimited,
    SystemBusy,
    TokenInvalid,
    TracksolidUnavailable,
)
from tracksolid.signing import md5_hex
from tracksolid.simulator.testing import run_simulator
from tracksolid.tokens import FileTokenStore, MemoryTokenStore, TokenStore

USER_LIST = "jimi.user.device.list"


class ShiftedClock:
    """Real UTC plus an offset the test moves together with ``sim.advance``."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@pytest.fixture
def sim() -> Iterator[Any]:
    # A simulator per test: token and fault state must not leak between these tests.
    with run_simulator(
        devices=10, seed=5, app_key="k", app_secret="s", user_id="demo", password="demo"
    ) as simulator:
        yield simulator


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock()


def make_client(
    sim: Any,
    *,
    store: TokenStore | None = None,
    clock: ShiftedClock | None = None,
    sleeps: list[float] | None = None,
    **options: Any,
) -> TracksolidClient:
    kwargs: dict[str, Any] = {
        "base_url": sim.base_url,
        "token_store": store or MemoryTokenStore(),
        "rate_limit_delays": (0.01, 0.02, 0.04),
        "backoff": 0.01,
        "sleep": (sleeps.append if sleeps is not None else (lambda _s: None)),
    }
    if clock is not None:
        kwargs["clock"] = clock
    kwargs.update(options)
    return TracksolidClient("k", "s", "demo", md5_hex("demo"), **kwargs)


def calls(sim: Any, method: str) -> int:
    return int(sim.counters()["calls"].get(method, 0))


def advance(sim: Any, clock: ShiftedClock, seconds: float) -> None:
    sim.advance(seconds)
    clock.offset += timedelta(seconds=seconds)


def test_it_gets_one_token_and_reuses_it_for_later_calls(sim: Any) -> None:
    client = make_client(sim)
    client.user_device_list()
    client.user_device_location_list()
    assert calls(sim, "jimi.oauth.token.get") == 1


def test_it_refreshes_the_token_before_it_expires(sim: Any, clock: ShiftedClock) -> None:
    client = make_client(sim, clock=clock, expires_in=600)
    first = client.token()
    advance(sim, clock, 600 - 200)  # inside the 5-minute refresh margin, still valid
    client.user_device_list()
    assert calls(sim, "jimi.oauth.token.refresh") == 1
    assert calls(sim, "jimi.oauth.token.get") == 1
    assert client.token().access_token != first.access_token
    assert sim.counters()["errors"] == {}


def test_an_expired_token_is_replaced_by_a_new_one(sim: Any, clock: ShiftedClock) -> None:
    client = make_client(sim, clock=clock, expires_in=600)
    client.user_device_list()
    advance(sim, clock, 700)
    client.user_device_list()
    assert calls(sim, "jimi.oauth.token.get") == 2
    assert sim.counters()["errors"] == {}


def test_threads_with_their_own_clients_share_one_token_fetch(sim: Any) -> None:
    store = MemoryTokenStore()
    barrier = threading.Barrier(12)
    failures: list[BaseException] = []

    def worker() -> None:
        client = make_client(sim, store=store)
        barrier.wait()
        try:
            client.user_device_list()
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert calls(sim, "jimi.oauth.token.get") == 1
    assert calls(sim, USER_LIST) == 12


def _process_worker(base_url: str, path: str, start: Any, failures: Any) -> None:
    client = TracksolidClient(
        "k", "s", "demo", md5_hex("demo"), base_url=base_url, token_store=FileTokenStore(path)
    )
    start.wait()
    try:
        client.user_device_list()
    except Exception as error:  # noqa: BLE001 - counted by the parent
        failures.put(repr(error))


def test_processes_sharing_a_file_store_fetch_one_token_between_them(
    sim: Any, tmp_path: Path
) -> None:
    context = multiprocessing.get_context("fork")
    start = context.Event()
    failures = context.Queue()
    processes = [
        context.Process(
            target=_process_worker,
            args=(sim.base_url, str(tmp_path / "token.json"), start, failures),
        )
        for _ in range(6)
    ]
    for process in processes:
        process.start()
    start.set()
    for process in processes:
        process.join(timeout=30)
    assert [p.exitcode for p in processes] == [0] * 6
    assert failures.empty()
    assert calls(sim, "jimi.oauth.token.get") == 1
    assert calls(sim, USER_LIST) == 6


def test_a_1004_refreshes_the_token_once_and_retries_once(sim: Any) -> None:
    client = make_client(sim)
    client.user_device_list()
    sim.inject_fault(code=1004, message="token expired", method=USER_LIST, count=1)
    assert client.user_device_list()
    assert calls(sim, "jimi.oauth.token.refresh") == 1
    assert calls(sim, "jimi.oauth.token.get") == 1


def test_a_second_1004_in_a_row_is_raised(sim: Any) -> None:
    client = make_client(sim)
    client.user_device_list()
    sim.inject_fault(code=1004, message="token expired", method=USER_LIST, count=2)
    with pytest.raises(TokenInvalid):
        client.user_device_list()
    assert calls(sim, "jimi.oauth.token.refresh") == 1


def test_a_token_the_vendor_dropped_is_replaced_by_re_authenticating(
    sim: Any, clock: ShiftedClock
) -> None:
    client = make_client(sim, clock=clock)
    client.user_device_list()
    sim.expire_tokens()
    advance(sim, clock, 61)  # a new token.get is allowed once a minute
    assert client.user_device_list()
    assert calls(sim, "jimi.oauth.token.get") == 2


def test_a_1006_backs_off_with_growing_delays_then_succeeds(sim: Any) -> None:
    sleeps: list[float] = []
    client = make_client(sim, sleeps=sleeps)
    client.token()
    sim.inject_fault(
        code=1006,
        message="Illegal access, request frequency is too high",
        method=USER_LIST,
        count=2,
    )
    assert client.user_device_list()
    assert sleeps == [0.01, 0.02]


def test_a_1006_that_persists_is_raised_after_a_bounded_number_of_retries(sim: Any) -> None:
    sleeps: list[float] = []
    client = make_client(sim, sleeps=sleeps)
    client.token()
    sim.inject_fault(code=1006, message="too frequent", method=USER_LIST)
    with pytest.raises(RateLimited):
        client.user_device_list()
    assert sleeps == [0.01, 0.02, 0.04]
    assert calls(sim, USER_LIST) == 4


def test_system_busy_is_raised_as_a_named_error(sim: Any) -> None:
    client = make_client(sim)
    sim.inject_fault(code=-1, message="system busy", method=USER_LIST, count=1)
    with pytest.raises(SystemBusy):
        client.user_device_list()


def test_a_non_json_body_is_an_invalid_response_carrying_the_body(sim: Any) -> None:
    client = make_client(sim)
    client.token()
    sim.inject_fault("malformed", method=USER_LIST, count=1)
    with pytest.raises(InvalidResponse) as caught:
        client.user_device_list()
    assert caught.value.body == "java.lang.NullPointerException"


def test_a_key_of_another_node_answering_a_java_exception_is_an_invalid_response() -> None:
    with run_simulator(
        devices=2,
        seed=6,
        app_key="k",
        app_secret="s",
        user_id="demo",
        password="demo",
        extra_app_keys=[("eu-key", "eu-secret", "eu")],
        wrong_node_answer="npe",
    ) as other:
        client = TracksolidClient(
            "eu-key", "eu-secret", "demo", md5_hex("demo"), base_url=other.base_url
        )
        with pytest.raises(InvalidResponse, match="not JSON"):
            client.user_device_list()


def test_a_wrong_secret_fails_the_sign_check_as_a_parameter_error(sim: Any) -> None:
    client = TracksolidClient("k", "wrong", "demo", md5_hex("demo"), base_url=sim.base_url)
    with pytest.raises(ParameterError):
        client.user_device_list()


def test_http_5xx_is_retried_and_then_succeeds(sim: Any) -> None:
    sleeps: list[float] = []
    client = make_client(sim, sleeps=sleeps)
    client.token()
    sim.inject_fault("http", status=502, method=USER_LIST, count=2)
    assert client.user_device_list()
    assert sleeps == [0.01, 0.02]


def test_http_5xx_that_persists_is_tracksolid_unavailable(sim: Any) -> None:
    client = make_client(sim, max_retries=2)
    client.token()
    sim.inject_fault("http", status=503, method=USER_LIST)
    with pytest.raises(TracksolidUnavailable) as caught:
        client.user_device_list()
    assert caught.value.status == 503


def test_a_dropped_connection_on_a_query_is_retried(sim: Any) -> None:
    sleeps: list[float] = []
    client = make_client(sim, timeout=(2, 0.3), sleeps=sleeps)
    client.token()
    sim.inject_fault("timeout", latency=0.5, method=USER_LIST, count=1)
    assert client.user_device_list()
    assert sleeps == [0.01]


def test_raw_call_returns_the_envelope_with_its_error_code(sim: Any) -> None:
    client = make_client(sim)
    envelope = client.raw_call("jimi.track.device.detail", {"imei": "860000000000000"})
    assert envelope["code"] == 1002
    ok = client.raw_call(USER_LIST, {"target": "demo"})
    assert ok["code"] == 0 and isinstance(ok["result"], list)


def test_send_instruct_renews_a_token_the_vendor_dropped(sim: Any, clock: ShiftedClock) -> None:
    client = make_client(sim, clock=clock, instruct_url=sim.instruct_url)
    client.token()
    sim.expire_tokens()
    advance(sim, clock, 61)
    result = client.send_instruct(sim.imeis()[0], 1, {})
    assert result.code == 200  # answered (invalid parameter), so the token was accepted
    assert calls(sim, "jimi.oauth.token.get") == 2


def test_oauth_token_refresh_with_a_rejected_token_is_token_invalid(sim: Any) -> None:
    client = make_client(sim)
    client.token()
    sim.inject_fault(code=1004, message="expired", method="jimi.oauth.token.refresh", count=1)
    with pytest.raises(TokenInvalid):
        client.oauth_token_refresh()


def test_a_second_store_for_the_same_account_earns_a_1006_and_then_waits(sim: Any) -> None:
    make_client(sim).token()
    stray = make_client(sim)  # a second store: what the shared store exists to prevent
    with pytest.raises(RateLimited) as caught:
        stray.user_device_list()
    assert caught.value.code == 1006
    with pytest.raises(RateLimited, match="next fetch allowed"):
        stray.user_device_list()  # refused locally: the failed fetch counts against the minute
    assert calls(sim, "jimi.oauth.token.get") == 2
