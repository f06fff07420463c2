"""Spec sections 3 and 4: access control (tokens) and device management."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from .client_core import ClientCore, chunks
from .client_core import imei_list as _imeis
from .normalise import vendor_time
from .records import ChildAccount, DeviceGroup, DeviceInfo, ExpirationUpdate, TokenGrant

__all__ = ["DeviceMethods"]

BATCH = 50


def _expiration(value: date | datetime | str) -> str:
    if isinstance(value, datetime):
        return vendor_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


class DeviceMethods(ClientCore):
    # -- 3. access control -------------------------------------------------------------------

    def oauth_token_get(self) -> TokenGrant:
        """``jimi.oauth.token.get``: fetch a new token into the store (at most once a minute)."""
        token = self.tokens.force_fetch()
        return TokenGrant(token.access_token, token.refresh_token, self.expires_in)

    def oauth_token_refresh(self) -> TokenGrant:
        """``jimi.oauth.token.refresh``: refresh the stored token."""
        token = self.tokens.force_refresh()
        return TokenGrant(token.access_token, token.refresh_token, self.expires_in)

    # -- 4. device management ----------------------------------------------------------------

    def user_device_list(self, target: str | None = None) -> list[DeviceInfo]:
        """``jimi.user.device.list``: every device of ``target`` (default: the client's)."""
        method = "jimi.user.device.list"
        payload = self.result(method, {"target": target or self.target})
        return self.parse_rows(method, payload, DeviceInfo.parse)

    def track_device_detail(self, imei: str) -> DeviceInfo:
        """``jimi.track.device.detail``."""
        method = "jimi.track.device.detail"
        return self.parse_one(method, self.result(method, {"imei": imei}), DeviceInfo.parse)

    def user_device_expiration_update(
        self, imei_list: Sequence[str] | str, new_expiration: date | datetime | str
    ) -> list[ExpirationUpdate]:
        """``jimi.user.device.expiration.update``, 50 IMEIs per call."""
        method = "jimi.user.device.expiration.update"
        results: list[ExpirationUpdate] = []
        for chunk in chunks(_imeis(imei_list), BATCH):
            payload = self.result(
                method,
                {"imei_list": ",".join(chunk), "new_expiration": _expiration(new_expiration)},
                idempotent=False,
            )
            results.extend(self.parse_rows(method, payload, ExpirationUpdate.parse))
        return results

    def open_device_update(
        self,
        imei: str,
        *,
        device_name: str | None = None,
        vehicle_name: str | None = None,
        vehicle_icon: str | None = None,
        vehicle_number: str | None = None,
        driver_name: str | None = None,
        driver_phone: str | None = None,
        device_status: str | None = None,
        sim: str | None = None,
        remarks: str | None = None,
        mileage: float | None = None,
    ) -> None:
        """``jimi.open.device.update``: only the fields given are sent."""
        self.call(
            "jimi.open.device.update",
            {
                "imei": imei,
                "device_name": device_name,
                "vehicle_name": vehicle_name,
                "vehicle_icon": vehicle_icon,
                "vehicle_number": vehicle_number,
                "driver_name": driver_name,
                "driver_phone": driver_phone,
                "device_status": device_status,
                "sim": sim,
                "remarks": remarks,
                "mileage": mileage,
            },
        )

    def open_device_move(
        self,
        src_account: str,
        dest_account: str,
        imeis: Sequence[str] | str,
        *,
        clean_bind_flag: bool | None = None,
    ) -> list[str]:
        """``jimi.open.device.move``, 50 IMEIs per call; returns the IMEIs moved."""
        method = "jimi.open.device.move"
        moved: list[str] = []
        for chunk in chunks(_imeis(imeis), BATCH):
            payload = self.result(
                method,
                {
                    "src_account": src_account,
                    "dest_account": dest_account,
                    "imeis": ",".join(chunk),
                    "cleanBindFlag": clean_bind_flag,
                },
                idempotent=False,
            )
            if isinstance(payload, str):
                payload = payload.split(",")
            for item in payload or ():
                imei = item.get("imei") if isinstance(item, dict) else item
                if imei not in (None, ""):
                    moved.append(str(imei))
        return moved

    def open_device_bind(self, imei: str, user_id: str) -> None:
        """``jimi.open.device.bind``: bind a device to an app user."""
        self.call("jimi.open.device.bind", {"imei": imei, "user_id": user_id})

    def open_device_unbind(self, imei: str, user_id: str) -> None:
        """``jimi.open.device.unbind``."""
        self.call("jimi.open.device.unbind", {"imei": imei, "user_id": user_id})

    def device_group_create(self, group_name: str, account: str | None = None) -> DeviceGroup:
        """``jimi.device.group.create``."""
        method = "jimi.device.group.create"
        payload = self.result(
            method, {"account": account or self.target, "group_name": group_name}, idempotent=False
        )
        if isinstance(payload, dict):
            group = DeviceGroup.parse(payload)
            return group if group.group_name else DeviceGroup(group.group_id, group_name)
        return DeviceGroup(self.str_field(payload), group_name)

    def device_group_update(self, group_id: str, group_name: str) -> None:
        """``jimi.device.group.update``."""
        self.call("jimi.device.group.update", {"group_id": group_id, "group_name": group_name})

    def device_group_delete(self, group_id: str) -> None:
        """``jimi.device.group.delete``."""
        self.call("jimi.device.group.delete", {"group_id": group_id})

    def device_group_list(self, account: str | None = None) -> list[DeviceGroup]:
        """``jimi.device.group.list``."""
        method = "jimi.device.group.list"
        payload = self.result(method, {"account": account or self.target})
        return self.parse_rows(method, payload, DeviceGroup.parse)

    # -- beyond the spec's tables --------------------------------------------------------------

    def user_child_list(self, target: str | None = None) -> list[ChildAccount]:
        """``jimi.user.child.list`` (not in the spec's tables): the direct sub-accounts."""
        method = "jimi.user.child.list"
        payload = self.result(method, {"target": target or self.target})
        return self.parse_rows(method, payload, ChildAccount.parse)
