"""Serves the simulated media: files, thumbnails, a live page, an MJPEG stream, history clips."""

from __future__ import annotations

import html
import time
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote

from .media import clip, frame
from .util import fmt

if TYPE_CHECKING:
    from .core import Simulator
    from .server import SimRequestHandler

MAX_STREAM_SECONDS = 600


@lru_cache(maxsize=512)
def media_bytes(name: str) -> bytes:
    """The file for a media name; the name alone fixes its content, so nothing is stored."""
    if name.endswith(".mp4"):
        secs = name.rsplit("_", 1)[-1].split(".")[0]
        return clip(name, int(secs) if secs.isdigit() and int(secs) > 0 else 6)
    return frame(name, 0, 320, 192)


def _send(handler: SimRequestHandler, status: int, ctype: str, body: bytes) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def handle_media(sim: Simulator, handler: SimRequestHandler, path: str, query: str) -> bool:
    parts = [unquote(p) for p in path.split("/") if p]
    q = parse_qs(query)
    if parts[:2] == ["_media", "file"] and len(parts) == 3:
        name = parts[2]
        ctype = "video/mp4" if name.endswith(".mp4") else "image/jpeg"
        _send(handler, 200, ctype, media_bytes(name))
        return True
    if parts[:2] == ["_media", "thumb"] and len(parts) == 3:
        _send(handler, 200, "image/jpeg", frame(parts[2], 0, 80, 48))
        return True
    if parts[:2] == ["_media", "history"] and len(parts) == 4:
        key = f"{parts[2]}/{parts[3]}/{q.get('begin', [''])[0]}"
        _send(handler, 200, "video/mp4", clip(key, 10))
        return True
    if parts[:2] == ["_media", "live"] and len(parts) == 3:
        imei = html.escape(parts[2])
        dev = sim.world.devices.get(parts[2])
        cams = dev.cameras if dev else 1
        imgs = "".join(
            f'<figure><img src="/_media/stream/{imei}/{c}.mjpg" width="320" height="192">'
            f"<figcaption>Camera {c}</figcaption></figure>"
            for c in range(1, cams + 1)
        )
        page = (
            f"<!doctype html><html><head><meta charset='utf-8'><title>Live {imei}</title>"
            f"</head><body><h1>Live video {imei}</h1>{imgs}</body></html>"
        )
        _send(handler, 200, "text/html;charset=utf-8", page.encode())
        return True
    if parts[:2] == ["_media", "stream"] and len(parts) == 4:
        _stream(handler, f"{parts[2]}/{parts[3]}", q)
        return True
    if parts[0] == "_share" and len(parts) == 2:
        shared = sim.shares.get(parts[1])
        dev = sim.world.devices.get(shared or "")
        if dev is None:
            return False
        s = sim.world.last_point(dev, sim.clock.sim())
        where = f"{s.lat},{s.lng} at {fmt(s.t)}" if s else "no position yet"
        page = (
            f"<!doctype html><html><head><meta charset='utf-8'><title>Shared location</title>"
            f"</head><body><h1>{html.escape(dev.device_name)}</h1><p>{where}</p></body></html>"
        )
        _send(handler, 200, "text/html;charset=utf-8", page.encode())
        return True
    return False


def _stream(handler: SimRequestHandler, key: str, q: dict[str, list[str]]) -> None:
    """Motion JPEG over multipart/x-mixed-replace: plays in an <img> tag, 2 frames a second."""
    seconds = min(MAX_STREAM_SECONDS, int(q.get("seconds", ["60"])[0] or 60))
    fps = 2
    handler.close_connection = True
    handler.send_response(200)
    handler.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
    handler.send_header("Cache-Control", "no-cache")
    handler.send_header("Connection", "close")
    handler.end_headers()
    try:
        for i in range(seconds * fps):
            img = frame(key, i)
            handler.wfile.write(
                b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: "
                + str(len(img)).encode()
                + b"\r\n\r\n"
                + img
                + b"\r\n"
            )
            handler.wfile.flush()
            time.sleep(1 / fps)
    except (BrokenPipeError, ConnectionResetError):
        return
