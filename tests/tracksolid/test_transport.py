"""Tests for tracksolid.transport against a tiny HTTP server on loopback."""

from __future__ import annotations

import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest

from tracksolid.errors import InvalidResponse, TracksolidUnavailable
from tracksolid.signing import sign
from tracksolid.transport import Transport

Reply = tuple[int, str, float]  # status, body, delay before answering


class Recorder:
    def __init__(self) -> None:
        self.forms: list[dict[str, str]] = []
        self.content_types: list[str] = []
        self.replies: list[Reply] = []
        self.default: Reply = (200, '{"code":0,"message":"success","result":[]}', 0.0)


@pytest.fixture
def vendor() -> Iterator[tuple[Recorder, str]]:
    recorder = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length).decode()
            recorder.forms.append(dict(parse_qsl(body, keep_blank_values=True)))
            recorder.content_types.append(self.headers.get("Content-Type", ""))
            status, text, delay = recorder.replies.pop(0) if recorder.replies else recorder.default
            time.sleep(delay)
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield recorder, f"http://127.0.0.1:{server.server_address[1]}/route/rest"
    server.shutdown()
    server.server_close()


def ticking_clock() -> Callable[[], datetime]:
    counter = itertools.count()
    start = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    return lambda: start + timedelta(seconds=next(counter))


def transport(url: str, **kwargs: object) -> Transport:
    options: dict[str, object] = {
        "base_url": url,
        "app_key": "key",
        "app_secret": "secret",
        "clock": ticking_clock(),
        "sleep": lambda _s: None,
        "timeout": (1, 2),
    }
    options.update(kwargs)
    return Transport(**options)  # type: ignore[arg-type]


def test_it_posts_a_signed_form_with_the_common_parameters(vendor: tuple[Recorder, str]) -> None:
    recorder, url = vendor
    envelope = transport(url).call("jimi.device.location.get", {"imeis": "A,B"}, access_token="t")
    assert envelope["code"] == 0
    form = recorder.forms[0]
    assert recorder.content_types[0] == "application/x-www-form-urlencoded"
    assert form["method"] == "jimi.device.location.get"
    assert (form["app_key"], form["sign_method"], form["v"], form["format"]) == (
        "key",
        "md5",
        "1.0",
        "json",
    )
    assert form["access_token"] == "t"
    assert form["timestamp"] == "2024-05-01 12:00:00"
    assert form["sign"] == sign(form, "secret")


def test_it_leaves_out_null_and_empty_parameters(vendor: tuple[Recorder, str]) -> None:
    recorder, url = vendor
    transport(url).call("m", {"a": None, "b": "", "c": 0, "d": True})
    form = recorder.forms[0]
    assert "a" not in form and "b" not in form
    assert (form["c"], form["d"]) == ("0", "true")
    assert "access_token" not in form


def test_it_retries_a_5xx_with_a_fresh_timestamp_and_sign(vendor: tuple[Recorder, str]) -> None:
    recorder, url = vendor
    recorder.replies = [(502, "<html>Bad Gateway</html>", 0), (503, "", 0)]
    sleeps: list[float] = []
    envelope = transport(url, sleep=sleeps.append, backoff=0.25).call("m", {})
    assert envelope["code"] == 0
    assert len(recorder.forms) == 3
    assert len({form["timestamp"] for form in recorder.forms}) == 3
    assert all(form["sign"] == sign(form, "secret") for form in recorder.forms)
    assert sleeps == [0.25, 0.5]


def test_it_gives_up_after_max_retries_with_tracksolid_unavailable(
    vendor: tuple[Recorder, str],
) -> None:
    recorder, url = vendor
    recorder.default = (500, "oops", 0)
    with pytest.raises(TracksolidUnavailable) as caught:
        transport(url, max_retries=2).call("m", {})
    assert len(recorder.forms) == 3
    assert caught.value.status == 500


def test_a_connection_error_is_retried_and_then_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sleeps: list[float] = []
    t = transport(f"http://127.0.0.1:{port}/route/rest", sleep=sleeps.append, max_retries=2)
    with pytest.raises(TracksolidUnavailable, match="connection error"):
        t.call("m", {})
    assert len(sleeps) == 2


def test_a_non_json_body_is_an_invalid_response_with_the_body(
    vendor: tuple[Recorder, str],
) -> None:
    recorder, url = vendor
    recorder.default = (200, "java.lang.NullPointerException", 0)
    with pytest.raises(InvalidResponse) as caught:
        transport(url).call("m", {})
    assert caught.value.body == "java.lang.NullPointerException"
    assert len(recorder.forms) == 1


def test_a_read_timeout_is_retried_for_a_query(vendor: tuple[Recorder, str]) -> None:
    recorder, url = vendor
    recorder.replies = [(200, "{}", 0.6)]
    envelope = transport(url, timeout=(1, 0.3)).call("m", {})
    assert envelope == {"code": 0, "message": "success", "result": []}
    assert len(recorder.forms) == 2


def test_a_read_timeout_is_not_retried_for_a_command(vendor: tuple[Recorder, str]) -> None:
    recorder, url = vendor
    recorder.replies = [(200, "{}", 0.6)]
    with pytest.raises(TracksolidUnavailable, match="read timeout"):
        transport(url, timeout=(1, 0.3)).call("m", {}, idempotent=False)
    assert len(recorder.forms) == 1
