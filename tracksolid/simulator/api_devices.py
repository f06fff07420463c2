"""Vendor methods of spec sections 3 and 4: tokens, devices, vendor-side changes, groups."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from tracksolid.signing import md5_hex

from .api_core import (
    MSG_DEVICE,
    MSG_EXISTS,
    MSG_FREQUENCY,
    MSG_PARAM,
    MSG_TOKEN,
    MSG_USER,
    ApiError,
    Call,
    Reply,
    imei_list,
    method,
    need,
    opt_int,
    visible_account,
    visible_device,
)
from .state import Token
from .util import fmt, parse_time

if TYPE_CHECKING:
    from .core import Simulator
    from .fleet import Device


def _issue(sim: Simulator, account: str, app_key: str, expires_in: int) -> dict[str, Any]:
    access = secrets.token_hex(16)
    refresh = secrets.token_hex(16)
    now = sim.clock.service()
    with sim.world.lock:
        # One live token per account and app key: a new one retires the old (field notes).
        for key in [
            k for k, t in sim.tokens.items() if t.account == account and t.app_key == app_key
        ]:
            old = sim.tokens.pop(key)
            sim.refresh_tokens.pop(old.refresh_token, None)
        sim.tokens[access] = Token(access, refresh, account, app_key, now + expires_in, expires_in)
        sim.refresh_tokens[refresh] = access
    return {
        "appKey": app_key,
        "account": account,
        "accessToken": access,
        "expiresIn": expires_in,
        "refreshToken": refresh,
        "time": fmt(sim.clock.wall()),
    }


@method("jimi.oauth.token.get")
def token_get(sim: Simulator, call: Call) -> Reply:
    user = need(call, "user_id")
    pwd = need(call, "user_pwd_md5").lower()
    expires_in = opt_int(call, "expires_in", 7200, 60, 7200)
    if user not in sim.world.accounts or pwd != md5_hex(sim.config.password):
        raise ApiError(1002, MSG_USER)
    now = sim.clock.service()
    key = (call.app_key, user)
    with sim.world.lock:
        last = sim.last_token_get.get(key)
        if last is not None and now - last < sim.config.token_get_interval:
            raise ApiError(1006, MSG_FREQUENCY)
        sim.last_token_get[key] = now
    return Reply(result=_issue(sim, user, call.app_key, expires_in))


@method("jimi.oauth.token.refresh")
def token_refresh(sim: Simulator, call: Call) -> Reply:
    refresh = need(call, "refresh_token")
    expires_in = opt_int(call, "expires_in", 7200, 60, 7200)
    access = sim.refresh_tokens.get(refresh)
    if access is None or access != call.params.get("access_token"):
        raise ApiError(1004, MSG_TOKEN)
    return Reply(result=_issue(sim, call.account, call.app_key, expires_in))


def device_row(sim: Simulator, dev: Device) -> dict[str, Any]:
    return {
        "imei": dev.imei,
        "deviceName": dev.device_name,
        "mcType": dev.model,
        "mcTypeUseScope": "personal" if dev.kind == "tag" else "automobile",
        "sim": dev.sim,
        "expiration": fmt(dev.expiration),
        "activationTime": fmt(dev.activation),
        "reMark": dev.remarks or None,
        "vehicleName": dev.vehicle_name,
        "vehicleIcon": dev.vehicle_icon,
        "vehicleNumber": dev.vehicle_number,
        "vehicleModels": None,
        "carFrame": None,
        "driverName": dev.driver_name,
        "driverPhone": dev.driver_phone,
        "enabledFlag": dev.enabled,
        "engineNumber": None,
        "deviceGroupId": dev.group_id,
        "deviceGroup": sim.world.group_name(dev.group_id),
        "account": dev.account,
    }


@method("jimi.user.device.list")
def device_list(sim: Simulator, call: Call) -> Reply:
    account = visible_account(sim, call, "target")
    # A plain array, no paging (field notes).
    return Reply(result=[device_row(sim, d) for d in sim.world.devices_of(account)])


@method("jimi.track.device.detail")
def device_detail(sim: Simulator, call: Call) -> Reply:
    dev = visible_device(sim, call, need(call, "imei"))
    now = sim.clock.sim()
    row = device_row(sim, dev)
    row.update(
        {
            "currentMileage": f"{sim.world.odometer_km(dev, now):.2f}",
            "iccid": dev.iccid,
            "bindUserIds": ",".join(sorted(dev.bound_users)) or None,
            "cameras": dev.cameras or None,
        }
    )
    return Reply(result=row)


@method("jimi.user.device.expiration.update")
def expiration_update(sim: Simulator, call: Call) -> Reply:
    imeis = imei_list(call, "imei_list", 50)
    new = parse_time(need(call, "new_expiration"))
    if new is None:
        raise ApiError(1001, f"{MSG_PARAM}: new_expiration")
    allowed = sim.world.descendants(call.account)
    out = []
    with sim.world.lock:
        for imei in imeis:
            dev = sim.world.devices.get(imei)
            if dev is None or dev.account not in allowed:
                out.append(
                    {"imei": imei, "update_result": "0", "update_msg": "Device does not exist"}
                )
                continue
            dev.expiration = new if new % 86400 else new + 86399  # a bare date means its end
            out.append({"imei": imei, "update_result": "1", "update_msg": "success"})
    return Reply(result=out)


@method("jimi.open.device.update")
def device_update(sim: Simulator, call: Call) -> Reply:
    dev = visible_device(sim, call, need(call, "imei"))
    p = call.params
    fields = {
        "device_name": "device_name",
        "vehicle_name": "vehicle_name",
        "vehicle_icon": "vehicle_icon",
        "vehicle_number": "vehicle_number",
        "driver_name": "driver_name",
        "driver_phone": "driver_phone",
        "sim": "sim",
        "remarks": "remarks",
    }
    with sim.world.lock:
        for param, attr in fields.items():
            if param in p:
                setattr(dev, attr, p[param])
        if p.get("device_status") in ("0", "1"):
            dev.enabled = int(p["device_status"])
        if p.get("group_id"):
            if p["group_id"] not in sim.world.groups:
                raise ApiError(1001, f"{MSG_PARAM}: group_id")
            dev.group_id = p["group_id"]
        if p.get("mileage"):
            try:
                wanted = float(p["mileage"])
            except ValueError as exc:
                raise ApiError(1001, f"{MSG_PARAM}: mileage") from exc
            now = sim.clock.sim()
            dev.mileage_offset += wanted - sim.world.odometer_km(dev, now)
    return Reply()


@method("jimi.open.device.move")
def device_move(sim: Simulator, call: Call) -> Reply:
    src = visible_account(sim, call, "src_account")
    dest = visible_account(sim, call, "dest_account")
    imeis = imei_list(call, "imeis", 50)
    moved = []
    with sim.world.lock:
        for imei in imeis:
            dev = sim.world.devices.get(imei)
            if dev is None or dev.account != src:
                raise ApiError(1112, f"Device move error: {imei} is not under {src}")
        for imei in imeis:
            dev = sim.world.devices[imei]
            dev.account = dest
            dev.group_id = sim.world.default_group(dest)
            if call.params.get("cleanBindFlag", "").lower() in ("true", "1"):
                dev.bound_users.clear()
            moved.append(imei)
    return Reply(result=moved)


@method("jimi.open.device.bind")
def device_bind(sim: Simulator, call: Call) -> Reply:
    dev = visible_device(sim, call, need(call, "imei"))
    user = need(call, "user_id")
    with sim.world.lock:
        if user in dev.bound_users:
            raise ApiError(1003, "Repeated operation")
        dev.bound_users.add(user)
    return Reply()


@method("jimi.open.device.unbind")
def device_unbind(sim: Simulator, call: Call) -> Reply:
    dev = visible_device(sim, call, need(call, "imei"))
    user = need(call, "user_id")
    with sim.world.lock:
        if user not in dev.bound_users:
            raise ApiError(1100, "The device is not bound to this user")
        dev.bound_users.discard(user)
    return Reply()


@method("jimi.device.group.create")
def group_create(sim: Simulator, call: Call) -> Reply:
    account = visible_account(sim, call, "account")
    name = need(call, "group_name")
    with sim.world.lock:
        if any(g.account == account and g.group_name == name for g in sim.world.groups.values()):
            raise ApiError(1114, MSG_EXISTS)
        gid = sim.world.add_group(account, name)
    return Reply(result={"group_id": gid, "group_name": name})


def _own_group(sim: Simulator, call: Call) -> str:
    gid = need(call, "group_id")
    group = sim.world.groups.get(gid)
    if group is None or group.account not in sim.world.descendants(call.account):
        raise ApiError(1001, f"{MSG_PARAM}: group_id")
    return gid


@method("jimi.device.group.update")
def group_update(sim: Simulator, call: Call) -> Reply:
    gid = _own_group(sim, call)
    name = need(call, "group_name")
    with sim.world.lock:
        group = sim.world.groups[gid]
        if any(
            g.account == group.account and g.group_name == name and g.group_id != gid
            for g in sim.world.groups.values()
        ):
            raise ApiError(1114, MSG_EXISTS)
        group.group_name = name
    return Reply()


@method("jimi.device.group.delete")
def group_delete(sim: Simulator, call: Call) -> Reply:
    gid = _own_group(sim, call)
    with sim.world.lock:
        group = sim.world.groups.pop(gid)
        fallback = sim.world.default_group(group.account)
        for dev in sim.world.devices.values():
            if dev.group_id == gid:
                dev.group_id = fallback
    return Reply()


@method("jimi.device.group.list")
def group_list(sim: Simulator, call: Call) -> Reply:
    account = visible_account(sim, call, "account")
    return Reply(
        result=[
            {"group_id": g.group_id, "group_name": g.group_name}
            for g in list(sim.world.groups.values())
            if g.account == account
        ]
    )


@method("jimi.user.child.list")
def child_list(sim: Simulator, call: Call) -> Reply:
    """Not in the spec's sections but on the real service: how a client finds sub-accounts."""
    account = visible_account(sim, call, "target")
    return Reply(
        result=[
            {"account": a.account, "name": a.name, "type": "8", "parentAccount": a.parent}
            for a in sim.world.accounts.values()
            if a.parent == account
        ]
    )


__all__ = ["MSG_DEVICE", "device_row"]
