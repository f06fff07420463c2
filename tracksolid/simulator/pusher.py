"""The pusher: every round, collect what happened in (last, now] and POST it, never retrying."""

from __future__ import annotations

import json
import threading
import traceback
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from . import push_items as pi
from . import push_media as pm
from .motion import DAY
from .transport import PushTransport, form_encode
from .util import fmt

if TYPE_CHECKING:
    from .core import Simulator

BATCH = 50


def list_form_body(
    token: str, chunk: list[dict[str, Any]], extra: dict[str, Any] | None = None
) -> bytes:
    """One form push: ``token`` (and ``extra``) beside ``data_list``, a JSON array string."""
    return form_encode(
        {
            "token": token,
            **(extra or {}),
            "data_list": json.dumps(chunk, separators=(",", ":"), ensure_ascii=False),
        }
    )


def pushgps_bodies(sim: Simulator, a: float, b: float) -> list[bytes]:
    """The ``/pushgps`` form bodies a round of the pusher sends for the fleet's fixes in (a, b]
    of simulated time, 50 points a body, without sending them (benchmarks replay them)."""
    items, _tags = pi.gps(sim, a, b, False)
    token = sim.config.push_token or ""
    return [list_form_body(token, items[k : k + BATCH]) for k in range(0, len(items), BATCH)]


class Pusher:
    """Sends Data Push, OpenAPI notification and TAG pushes to ``{push_url}/...``."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        # One keep-alive connection per sending thread; the vendor pushes concurrently too, and
        # a receiver taking 10 ms per push would otherwise cap a lone sender at 100 pushes/s.
        self._local = threading.local()
        self._transports: list[PushTransport] = []
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, sim.config.push_concurrency), thread_name_prefix="sim-push"
        )
        self._pending: list[Future[None]] = []
        self._pending_lock = threading.Lock()
        self.last = sim.clock.sim()
        self.round_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._loop, name="tracksolid-sim-pusher", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self._pool.shutdown(wait=True)
        for transport in self._transports:
            transport.close()

    @property
    def transport(self) -> PushTransport:
        transport: PushTransport | None = getattr(self._local, "transport", None)
        if transport is None:
            transport = PushTransport(self.sim.config.push_url or "", self.sim.config.push_timeout)
            self._local.transport = transport
            with self._pending_lock:
                self._transports.append(transport)
        return transport

    def _loop(self) -> None:
        while not self._stop.wait(self.sim.config.push_interval):
            try:
                self.push_round()
            except Exception:  # noqa: BLE001 - a bad round must not kill the pusher
                traceback.print_exc()

    # --- transport ----------------------------------------------------------------------------

    def _post(
        self,
        kind: str,
        path: str,
        items: int,
        *,
        data: Any = None,
        body: bytes | None = None,
        ctype: str = "application/x-www-form-urlencoded",
        tag: bool = False,
    ) -> None:
        """Queue one push on the sending threads; ``push_round`` waits for all of them."""
        payload = body if body is not None else form_encode(data or {})
        future = self._pool.submit(self._send, kind, path, items, payload, ctype, tag)
        with self._pending_lock:
            self._pending.append(future)

    def _send(
        self, kind: str, path: str, items: int, payload: bytes, ctype: str, tag: bool
    ) -> None:
        acked = False
        answer = self.transport.post(path, payload, ctype)
        if answer is not None and answer[0] == 200:
            try:
                decoded = json.loads(answer[1]) if answer[1].strip() else None
            except ValueError:
                decoded = None
            want = 200 if tag else 0
            acked = isinstance(decoded, dict) and str(decoded.get("code")) == str(want)
            if tag and decoded is None:
                acked = True  # a TAG receiver answering 200 with no JSON still took it
        self.sim.stats.push(kind, items, acked)

    def verify(self, endpoint: str) -> None:
        self._post("verify", "/" + endpoint, 0, body=b"")
        self._drain()

    def _drain(self) -> None:
        with self._pending_lock:
            pending, self._pending = self._pending, []
        wait(pending)
        for future in pending:
            if future.exception() is not None:
                traceback.print_exception(future.exception())

    def send_list(
        self, endpoint: str, items: list[dict[str, Any]], extra: dict[str, Any] | None = None
    ) -> None:
        """Form ``token`` + ``data_list`` (a JSON array string, at most 50 items), or JSON."""
        if endpoint in self.sim.config.push_disabled:
            return
        token = self.sim.config.push_token or ""
        for k in range(0, len(items), BATCH):
            chunk = items[k : k + BATCH]
            if self.sim.config.push_json_body:
                body = json.dumps(
                    {"token": token, **(extra or {}), "data_list": chunk}, separators=(",", ":")
                ).encode()
                self._post(
                    endpoint, "/" + endpoint, len(chunk), body=body, ctype="application/json"
                )
            else:
                body = list_form_body(token, chunk, extra)
                self._post(endpoint, "/" + endpoint, len(chunk), body=body)

    def send_single(self, endpoint: str, item: dict[str, Any]) -> None:
        """A single JSON object without ``data_list`` (seen for some push types)."""
        if endpoint in self.sim.config.push_disabled:
            return
        body = json.dumps(
            {"token": self.sim.config.push_token or "", **item}, separators=(",", ":")
        ).encode()
        self._post(endpoint, "/" + endpoint, 1, body=body, ctype="application/json")

    def send_openapi(self, msg_type: str, data: dict[str, Any]) -> None:
        if "openapi" in self.sim.config.push_disabled:
            return
        form = {
            "token": self.sim.config.push_token or "",
            "msgType": msg_type,
            "data": json.dumps(data, separators=(",", ":"), ensure_ascii=False),
        }
        self._post("openapi", self.sim.config.openapi_push_path, 1, data=form)

    def send_tags(self, items: list[dict[str, Any]]) -> None:
        if "tag" in self.sim.config.push_disabled or not items:
            return
        path = self.sim.config.tag_push_path
        query = "?" + urlencode({"token": self.sim.config.push_token or ""})
        for k in range(0, len(items), BATCH):
            chunk = items[k : k + BATCH]
            self._post(
                "tag",
                path + query,
                len(chunk),
                tag=True,
                body=json.dumps(chunk, separators=(",", ":")).encode(),
                ctype="application/json",
            )

    # --- one round ----------------------------------------------------------------------------

    def push_round(self, force_all: bool = False) -> dict[str, int]:
        """Collect and send everything in (last, now]; returns items per push type once sent."""
        try:
            return self._round(force_all)
        finally:
            self._drain()

    def _round(self, force_all: bool) -> dict[str, int]:
        with self.round_lock:
            sim = self.sim
            b = sim.clock.sim()
            # A device keeps about a day of points when it cannot upload; older ones are lost.
            a = max(self.last, b - DAY)
            self.last = b
            sent: dict[str, int] = {}
            off = sim.config.push_disabled

            def out(endpoint: str, items: list[dict[str, Any]]) -> None:
                if items:
                    self.send_list(endpoint, items)
                    sent[endpoint] = sent.get(endpoint, 0) + len(items)

            if not {"pushgps", "tag"} <= off:
                gps, tags = pi.gps(sim, a, b, force_all)
                out("pushgps", gps)
                if tags:
                    self.send_tags(tags)
                    sent["tag"] = len(tags)
            pairs = []
            if not {"pushalarm", "openapi", "uploadCallback"} <= off:
                pairs = pi.alarms(sim, a, b, force_all)
                out("pushalarm", [pi.alarm_item(d, al) for d, al in pairs])
                for dev, al in pairs:
                    self.send_openapi("jimi.push.device.alarm", pi.openapi_alarm(dev, al))
                if pairs:
                    sent["openapi"] = len(pairs)
            if "pushevent" not in off:
                out("pushevent", pi.events(sim, a, b, force_all))
            for endpoint, period, wanted, make in self._periodic(force_all):
                if endpoint not in off:
                    out(endpoint, pi.periodic(sim, a, b, force_all, period, wanted, make))
            if "pushfaultinfo" not in off:
                out("pushfaultinfo", pi.faults(sim, a, b, force_all))
            if not {"pushtripreport", "pushrfid"} <= off:
                trips, rfid = pi.trip_reports(sim, a, b, force_all)
                out("pushtripreport", trips)
                out("pushrfid", rfid)
            if "pushextendedkks" not in off:
                kks = pi.periodic(
                    sim,
                    a,
                    b,
                    force_all,
                    300.0,
                    lambda d: d.index % 10 == 5,
                    lambda d, t: pi.kks(sim, d, t),
                )
                for item in kks:
                    self.send_single("pushextendedkks", item)
                if kks:
                    sent["pushextendedkks"] = len(kks)
            uploads, hub = pm.alarm_media(sim, pairs)
            if "uploadCallback" not in off:
                uploads += pm.regular_pictures(sim, a, b, force_all)
            self._media_round(a, b, force_all, uploads, hub, out)
            self._command_round(b, force_all, sent)
            return sent

    def _periodic(self, force: bool) -> list[tuple[str, float, Any, Any]]:
        """Sensor-style pushes: (endpoint, period in sim seconds, which devices, item maker)."""
        sim = self.sim
        return [
            ("pushhb", 180.0, lambda d: True, lambda d, t: pi.heartbeat(sim, d, t)),
            ("pushoil", 300.0, lambda d: d.has_fuel, lambda d, t: pi.oil(sim, d, t)),
            ("pushtem", 300.0, lambda d: d.has_temp, lambda d, t: pi.temperature(sim, d, t)),
            ("pushobd", 60.0, lambda d: d.kind == "obd", lambda d, t: pi.obd(sim, d, t, force)),
            ("pushlbs", 900.0, lambda d: d.index % 5 == 1, lambda d, t: pi.lbs(sim, d, t)),
            ("pushplugin", 600.0, lambda d: d.index % 6 == 2, lambda d, t: pi.plugin(sim, d, t)),
            (
                "pushPassThroughData",
                600.0,
                lambda d: d.index % 8 == 3,
                lambda d, t: pi.passthrough(sim, d, t),
            ),
            (
                "pushTerminalTransInfo",
                600.0,
                lambda d: d.index % 7 == 4,
                lambda d, t: pi.extension(sim, d, t),
            ),
            (
                "pushFileContent",
                6 * 3600.0,
                lambda d: d.cameras > 0,
                lambda d, t: pi.face_ids(sim, d, t),
            ),
        ]

    def _media_round(
        self,
        a: float,
        b: float,
        force: bool,
        uploads: list[dict[str, Any]],
        hub: list[dict[str, Any]],
        out: Any,
    ) -> None:
        sim = self.sim
        files: list[dict[str, Any]] = []
        ftp: list[dict[str, Any]] = []
        with sim.world.lock:
            ready = [m for m in sim.media if not m.pushed and m.ready <= b]
            begun = [m for m in sim.media if a < m.created <= b]
            for m in ready:
                m.pushed = True
            lists = [h for h in sim.history_lists.values() if not h.pushed and h.ready <= b]
            for h in lists:
                h.pushed = True
        for m in begun:
            hub.append(
                {
                    "deviceImei": m.imei,
                    "gateTime": fmt(m.created),
                    "eventType": "UploadMediaFileBegin",
                    "eventContent": json.dumps(
                        {"fileName": m.name, "instructionId": m.instruction_id}
                    ),
                }
            )
        for m in ready:
            dev = sim.world.devices[m.imei]
            uploads.append(
                pm.upload_callback(
                    sim,
                    dev,
                    m.name,
                    m.business,
                    m.camera,
                    m.media_type,
                    m.shoot_time,
                    m.created,
                    m.lat,
                    m.lng,
                    m.instruction_id,
                )
            )
            files.append(
                {
                    "deviceImei": m.imei,
                    "fileName": m.name,
                    "gateTime": fmt(m.ready),
                    "result": "SUCCESS",
                }
            )
            hub.append(
                {
                    "deviceImei": m.imei,
                    "gateTime": fmt(m.ready),
                    "eventType": "UploadMediaFileEnd",
                    "eventContent": json.dumps(
                        {"fileName": m.name, "instructionId": m.instruction_id}
                    ),
                }
            )
            if m.business == "historyVideo":
                ftp.append(
                    {
                        "result": 0,
                        "deviceImei": m.imei,
                        "instructionID": m.instruction_id,
                        "gateTime": fmt(m.ready),
                    }
                )
        if force and not files:
            files = [
                {
                    "deviceImei": u["imei"],
                    "fileName": u["filename"],
                    "gateTime": fmt(b),
                    "result": "SUCCESS",
                }
                for u in uploads[:3]
            ]
        if force and not ftp and uploads:
            ftp = [
                {
                    "result": 0,
                    "deviceImei": uploads[0]["imei"],
                    "instructionID": "0",
                    "gateTime": fmt(b),
                }
            ]
        if force and not hub and uploads:
            hub = [
                {
                    "deviceImei": uploads[0]["imei"],
                    "gateTime": fmt(b),
                    "eventType": "UploadMediaFileEnd",
                    "eventContent": json.dumps({"fileName": uploads[0]["filename"]}),
                }
            ]
        resources = []
        from .api_media import history_files

        for h in lists:
            rows = history_files(sim, h)
            resources.append(
                {
                    "imei": h.imei,
                    "totalNum": str(len(rows)),
                    "instructionID": h.instruction_id,
                    "resourceList": [
                        {
                            "channel": r["channel"],
                            "beginTime": r["beginTime"],
                            "endTime": r["endTime"],
                            "fileSize": r["fileSize"],
                            "resourceType": 0,
                            "codeType": r["codeType"],
                            "storageType": 1,
                            "alarmFlag": 0,
                        }
                        for r in rows
                    ],
                }
            )
        if force and not resources:
            cams = [d for d in sim.world.devices.values() if d.cameras]
            if cams:
                from .state import HistoryList

                h = HistoryList(f"auto-{int(b)}", cams[0].imei, 1, b, b)
                rows = history_files(sim, h)
                resources.append(
                    {
                        "imei": h.imei,
                        "totalNum": str(len(rows)),
                        "instructionID": h.instruction_id,
                        "resourceList": [],
                    }
                )
        out("uploadCallback", uploads)
        out("pushfileupload", files)
        out("pushftpfileupload", ftp)
        out("pushIothubEvent", hub)
        out("pushresourcelist", resources)

    def _command_round(self, b: float, force: bool, sent: dict[str, int]) -> None:
        """Offline commands answered once the device is back, and raw replies (OpenAPI push)."""
        from .api_commands import settle

        sim = self.sim
        todo = []
        with sim.world.lock:
            for cmd in sim.commands:
                settle(sim, cmd, b)
                if cmd.outcome == "executed" and not cmd.pushed:
                    cmd.pushed = True
                    todo.append(cmd)
        responses = 0
        for cmd in todo:
            if cmd.raw:
                self.send_openapi(
                    "jimi.open.instruction.raw.receive",
                    {
                        "imei": cmd.imei,
                        "rawData": cmd.reply,
                        "receiveTime": fmt(b),
                        "codeId": cmd.code_id,
                    },
                )
                continue
            self._instruct_response(cmd.imei, cmd.code_id, cmd.reply, 2)
            responses += 1
        if force and not responses:
            dev = next(iter(sim.world.devices.values()))
            self._instruct_response(dev.imei, "0", "STATUS OK", 1)
            responses += 1
        if responses:
            sent["pushInstructResponse"] = responses

    def _instruct_response(self, imei: str, flag: str, content: str, msg_type: int) -> None:
        if "pushInstructResponse" in self.sim.config.push_disabled:
            return
        # data_list here is one JSON object, with msgType beside it (spec 10.16).
        item = {
            "_code": "100",
            "_msg": "success",
            "_imei": imei,
            "_serverFlagId": flag,
            "_content": content,
        }
        form = {
            "token": self.sim.config.push_token or "",
            "msgType": str(msg_type),
            "data_list": json.dumps(item, separators=(",", ":"), ensure_ascii=False),
        }
        self._post("pushInstructResponse", "/pushInstructResponse", 1, data=form)
