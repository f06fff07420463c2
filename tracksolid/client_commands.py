"""Spec sections 8 and 9 (commands, geofences) and Appendix A (the Instruction API)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .client_core import ClientCore, chunks, imei_list
from .errors import InvalidResponse, TokenInvalid
from .normalise import to_int
from .records_media import (
    CommandResult,
    CommandSent,
    CommandTemplate,
    InstructResult,
    PlatformFence,
)

__all__ = ["CommandMethods"]

BATCH = 50
INSTRUCT_PATH = "/api/device/sendInstruct"


def _json(value: Mapping[str, Any] | str) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _on_off(value: bool | str) -> str:
    if isinstance(value, bool):
        return "ON" if value else "OFF"
    return value


class CommandMethods(ClientCore):
    # -- 8. commands -------------------------------------------------------------------------

    def open_instruction_list(self, imei: str) -> list[CommandTemplate]:
        """``jimi.open.instruction.list``: the commands this device model supports."""
        method = "jimi.open.instruction.list"
        return self.parse_rows(method, self.result(method, {"imei": imei}), CommandTemplate.parse)

    def open_instruction_send(
        self, imei: str, inst_param_json: Mapping[str, Any] | str
    ) -> CommandSent:
        """``jimi.open.instruction.send``.

        ``inst_param_json`` like ``{"inst_id": "163", "inst_template": "RELAY,{0}#",
        "params": ["1"], "is_cover": "true"}``; failures raise ``CommandError`` (12001-12005).
        """
        envelope = self.call(
            "jimi.open.instruction.send",
            {"imei": imei, "inst_param_json": _json(inst_param_json)},
            idempotent=False,
        )
        return CommandSent.parse(envelope)

    def open_instruction_result(self, imei: str) -> list[CommandResult]:
        """``jimi.open.instruction.result``: execution records of recent commands."""
        method = "jimi.open.instruction.result"
        return self.parse_rows(method, self.result(method, {"imei": imei}), CommandResult.parse)

    def open_instruction_raw_send(self, imei: str, raw_cmd: str) -> CommandSent:
        """``jimi.open.instruction.raw.send``: hex command bytes."""
        envelope = self.call(
            "jimi.open.instruction.raw.send", {"imei": imei, "raw_cmd": raw_cmd}, idempotent=False
        )
        return CommandSent.parse(envelope)

    # -- 9. geofences ------------------------------------------------------------------------

    def open_device_fence_create(
        self,
        imei: str,
        fence_name: str,
        lat: float,
        lng: float,
        radius: int,
        *,
        alarm_type: str = "in,out",
        report_mode: str = "0",
        alarm_switch: bool | str = True,
        zoom_level: int = 15,
        map_type: str = "GOOGLE",
    ) -> str | None:
        """``jimi.open.device.fence.create``: a circle stored on the device; its fence number.

        ``radius`` is in the vendor's units of 100 m (1-9999); ``alarm_type`` is ``"in"``,
        ``"out"`` or ``"in,out"``. The device must be online (``DeviceOffline``, 41003).
        """
        if not 1 <= radius <= 9999:
            raise ValueError("device fence radius is in units of 100 m, 1..9999")
        payload = self.result(
            "jimi.open.device.fence.create",
            {
                "imei": imei,
                "fence_name": fence_name,
                "alarm_type": alarm_type,
                "report_mode": report_mode,
                "alarm_switch": _on_off(alarm_switch),
                "lng": lng,
                "lat": lat,
                "radius": radius,
                "zoom_level": zoom_level,
                "map_type": map_type,
            },
            idempotent=False,
        )
        return self.str_field(payload, "instruct_no", "instructNo", "fenceNo", "result")

    def open_device_fence_delete(self, imei: str, instruct_no: str) -> None:
        """``jimi.open.device.fence.delete``."""
        self.call("jimi.open.device.fence.delete", {"imei": imei, "instruct_no": instruct_no})

    def open_platform_fence_create(
        self,
        fence_name: str,
        fence_type: str,
        geom: Sequence[tuple[float, float]] | str,
        *,
        account: str | None = None,
        radius: int | None = None,
        fence_color: str | None = None,
        description: str | None = None,
    ) -> str | None:
        """``jimi.open.platform.fence.create``: returns the new fence id (sent in ``data``).

        ``fence_type`` ``"circle"`` (one centre point, ``radius`` 200-5000 m) or ``"polygon"``;
        ``geom`` points are (lat, lng), joined as the vendor wants (``lat,lng#lat,lng``).
        A duplicate name raises ``NameExists`` (1114).
        """
        if fence_type == "circle" and radius is not None and not 200 <= radius <= 5000:
            raise ValueError("platform circle radius must be 200..5000 m")
        text = geom if isinstance(geom, str) else "#".join(f"{lat},{lng}" for lat, lng in geom)
        payload = self.result(
            "jimi.open.platform.fence.create",
            {
                "account": account or self.target,
                "fence_name": fence_name,
                "fence_type": fence_type,
                "geom": text,
                "radius": radius,
                "fence_color": fence_color,
                "description": description,
            },
            idempotent=False,
        )
        return self.str_field(payload, "fence_id", "fenceId", "id")

    def open_platform_fence_delete(self, fence_id: str, account: str | None = None) -> None:
        """``jimi.open.platform.fence.delete``."""
        self.call(
            "jimi.open.platform.fence.delete",
            {"account": account or self.target, "fence_id": fence_id},
        )

    def open_platform_fence_bind(
        self,
        fence_id: str,
        imeis: Sequence[str] | str,
        alert_type: str | None = None,
        stay_time_in: int | None = None,
        stay_time_out: int | None = None,
    ) -> int:
        """``jimi.open.platform.fence.bind``: 50 IMEIs a call; how many devices the fence has."""
        method = "jimi.open.platform.fence.bind"
        count = 0
        for chunk in chunks(imei_list(imeis), BATCH):
            payload = self.result(
                method,
                {
                    "fence_id": fence_id,
                    "imeis": ",".join(chunk),
                    "alert_type": alert_type,
                    "stay_time_in": stay_time_in,
                    "stay_time_out": stay_time_out,
                },
            )
            # ``data`` counts every device now related to the fence, so the last answer wins.
            try:
                count = to_int(payload) or 0
            except (TypeError, ValueError):
                count += len(chunk)
        return count

    def open_platform_fence_list(self, account: str | None = None) -> list[PlatformFence]:
        """``jimi.open.platform.fence.list`` (not in the spec's tables; points joined by ``;``)."""
        method = "jimi.open.platform.fence.list"
        payload = self.result(method, {"account": account or self.target})
        return self.parse_rows(method, payload, PlatformFence.parse)

    # -- Appendix A: Instruction API ---------------------------------------------------------

    def _instruct_endpoint(self, ins_address: str | None) -> str:
        address = ins_address or self.instruct_url
        if not address:
            raise ValueError("the Instruction API needs ins_address (or the client's instruct_url)")
        url = address.rstrip("/")
        return url if url.endswith(INSTRUCT_PATH) else url + INSTRUCT_PATH

    def raw_call(self, method: str, params: Mapping[str, object]) -> dict[str, Any]:
        """As ``ClientCore.raw_call``; ``sendInstruct`` goes to the Instruction API endpoint."""
        if method != "sendInstruct":
            return super().raw_call(method, params)
        form = {key: str(value) for key, value in params.items() if value is not None}
        form["token"] = self.tokens.get().access_token
        return self.transport.post(
            self._instruct_endpoint(None), _constant(form), method=method, idempotent=False
        )

    def send_instruct(
        self,
        device_imei: str,
        pro_no: int,
        cmd_content: Mapping[str, Any] | str,
        *,
        ins_address: str | None = None,
    ) -> InstructResult:
        """``{ins_address}/api/device/sendInstruct``: proNo commands (128 text, 37121 live A/V...).

        Answers carry ``_code`` 100 on success (200 bad parameter, 300 offline, 600 timeout);
        those are returned in the record, not raised. A rejected token is renewed once.
        """
        url = self._instruct_endpoint(ins_address)
        content = _json(cmd_content)
        token = self.tokens.get()
        for attempt in range(2):
            access = token.access_token
            form = {
                "deviceImei": device_imei,
                "proNo": str(pro_no),
                "cmdContent": content,
                "token": access,
            }
            envelope = self.transport.post(
                url, _constant(form), method="sendInstruct", idempotent=False
            )
            try:
                self.check(envelope, "sendInstruct")
            except TokenInvalid:
                if attempt:
                    raise
                token = self.tokens.invalidate(token)
                continue
            break
        data = envelope.get("data")
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                data = {"_content": data}
        if data is None:
            data = envelope.get("result")
        if not isinstance(data, dict):
            raise InvalidResponse("sendInstruct answer without data", "sendInstruct")
        return InstructResult.parse(data)


def _constant(form: dict[str, str]) -> Callable[[], dict[str, str]]:
    return lambda: form
