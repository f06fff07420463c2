"""The HTTP front: vendor API, Instruction API, control interface and media files on one port."""

from __future__ import annotations

import json
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from .protocol import Answer, handle_rest

if TYPE_CHECKING:
    from .core import Simulator

MAX_BODY = 4 * 1024 * 1024


def _flatten(obj: dict[str, Any]) -> dict[str, str]:
    """JSON bodies: values become the strings a client would have signed."""
    out: dict[str, str] = {}
    for key, value in obj.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, str):
            out[key] = value
        elif isinstance(value, int | float):
            out[key] = str(value)
        else:
            out[key] = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return out


def parse_params(query: str, body: bytes, content_type: str) -> dict[str, str]:
    """The union of the query string and a form or JSON body; the body wins on a clash."""
    params = dict(parse_qsl(query, keep_blank_values=True))
    if body:
        text = body.decode("utf-8", errors="replace")
        if "json" in content_type or text.lstrip().startswith("{"):
            try:
                obj = json.loads(text)
            except ValueError:
                obj = None
            if isinstance(obj, dict):
                params.update(_flatten(obj))
                return params
        params.update(parse_qsl(text, keep_blank_values=True))
    return params


class SimHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, addr: tuple[str, int], sim: Simulator) -> None:
        self.sim = sim
        super().__init__(addr, SimRequestHandler)


class SimRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SimHTTPServer
    server_version = "nginx"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.sim.config.quiet:
            super().log_message(format, *args)

    def setup(self) -> None:
        super().setup()
        # Small JSON answers on keep-alive connections: don't wait for Nagle.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length) if length > 0 else b""

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, verb: str) -> None:
        sim = self.server.sim
        url = urlsplit(self.path)
        try:
            body = self._body()
        except ValueError:
            self._write(Answer(status=413, body=b"too large", content_type="text/plain"))
            return
        path = url.path.rstrip("/") or "/"
        ctype = self.headers.get("Content-Type", "")
        if path == "/route/rest":
            answer = handle_rest(sim, parse_params(url.query, body, ctype))
        elif path == "/api/device/sendInstruct":
            from .instruct import send_instruct

            answer = send_instruct(sim, parse_params(url.query, body, ctype))
        elif path.startswith("/_sim"):
            from .control import handle_control

            answer = handle_control(sim, verb, path, url.query, body)
        elif path.startswith(("/_media", "/_share")):
            from .media_http import handle_media

            if handle_media(sim, self, path, url.query):
                return
            answer = Answer(status=404, body=b"not found", content_type="text/plain")
        else:
            answer = Answer(status=404, body=b"not found", content_type="text/plain")
        self._write(answer)

    def _write(self, answer: Answer) -> None:
        if answer.drop:
            self.close_connection = True
            return
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)
