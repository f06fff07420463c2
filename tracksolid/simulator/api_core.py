"""Shared pieces of the vendor API handlers: errors, replies, the method table, param helpers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .util import parse_time

if TYPE_CHECKING:
    from .core import Simulator
    from .fleet import Device

# Messages as the real service words them, where captures show them (field notes).
MSG_PARAM = "Illegal parameter"
MSG_FREQUENCY = "Illegal access, request frequency is too high"
MSG_TOKEN = "Illegal access_token, or access_token has expired"  # noqa: S105
MSG_USER = "Illegal user"
MSG_DEVICE = "Illegal device"
MSG_OFFLINE = "Device is offline"
MSG_EXISTS = "Name already exists"
MSG_MEDIA_NOT_READY = "The media list is not ready yet, please try again later"


class ApiError(Exception):
    """A non-zero ``code`` answer (sent as HTTP 200, like the real service)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message


@dataclass
class Reply:
    result: Any = None
    data: Any = None
    message: str = "success"
    # Some methods answer without the usual keys (command send: code + message only).
    bare: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Call:
    method: str
    params: dict[str, str]
    app_key: str
    account: str  # the token's account ("" for token.get)


Handler = Callable[["Simulator", Call], Reply]
METHODS: dict[str, Handler] = {}
# Methods that need no access_token.
PUBLIC_METHODS = {"jimi.oauth.token.get"}


def method(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        METHODS[name] = fn
        return fn

    return register


def need(call: Call, name: str) -> str:
    value = call.params.get(name, "")
    if value == "":
        raise ApiError(1001, f"{MSG_PARAM}: {name} is required")
    return value


def opt_int(
    call: Call, name: str, default: int, lo: int | None = None, hi: int | None = None
) -> int:
    raw = call.params.get(name, "")
    if raw == "":
        return default
    try:
        value = int(float(raw))
    except ValueError as exc:
        raise ApiError(1001, f"{MSG_PARAM}: {name}") from exc
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ApiError(1001, f"{MSG_PARAM}: {name} out of range")
    return value


def need_time(call: Call, name: str) -> float:
    t = parse_time(need(call, name))
    if t is None:
        raise ApiError(1001, f"{MSG_PARAM}: {name} must be yyyy-MM-dd HH:mm:ss")
    return t


def imei_list(call: Call, name: str, limit: int) -> list[str]:
    raw = need(call, name)
    imeis = [x.strip() for x in raw.split(",") if x.strip()]
    if not imeis:
        raise ApiError(1001, f"{MSG_PARAM}: {name}")
    if len(imeis) > limit:
        raise ApiError(1001, f"{MSG_PARAM}: at most {limit} IMEIs per call")
    return imeis


def visible_device(sim: Simulator, call: Call, imei: str) -> Device:
    """The device, if it exists in the caller's account tree; 1002 otherwise."""
    dev = sim.world.devices.get(imei)
    if dev is None or dev.account not in sim.world.descendants(call.account):
        raise ApiError(1002, f"{MSG_DEVICE}: {imei}")
    return dev


def visible_account(sim: Simulator, call: Call, name: str = "target") -> str:
    account = call.params.get(name, "") or call.account
    if account not in sim.world.descendants(call.account):
        raise ApiError(1002, f"{MSG_USER}: {account}")
    return account
