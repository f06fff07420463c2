"""The exception hierarchy of the Tracksolid client.

Every vendor code in the field notes has a named class, so callers (the Celery tasks, the admin
actions) catch what they mean: tasks retry on ``TracksolidUnavailable`` and ``RateLimited``.
"""

from __future__ import annotations

import re
from datetime import datetime

__all__ = [
    "AbnormalInput",
    "BusinessError",
    "CommandError",
    "CommandError12001",
    "CommandError12002",
    "CommandError12003",
    "CommandError12004",
    "CommandSendFailed",
    "DeviceMoveError",
    "DeviceOffline",
    "FenceError",
    "FenceError41001",
    "FenceError41002",
    "FenceError41004",
    "IllegalUserOrDevice",
    "InvalidResponse",
    "IpOverLimit",
    "MediaNotReady",
    "NameExists",
    "ParameterError",
    "RateLimited",
    "RepeatedOperation",
    "RetentionExceeded",
    "SystemBusy",
    "TokenFetchThrottled",
    "TokenInvalid",
    "TracksolidError",
    "TracksolidUnavailable",
    "UnknownVendorError",
    "WrongRequestMethod",
    "error_for",
]


class TracksolidError(Exception):
    """Base of every error the client raises; ``code`` is the vendor's code (0 when client-side)."""

    def __init__(self, code: int, message: str, method: str = "") -> None:
        super().__init__(f"{method or 'tracksolid'}: {code} {message}")
        self.code = code
        self.message = message
        self.method = method


class SystemBusy(TracksolidError):
    """-1: the vendor's general "system busy" error."""


class ParameterError(TracksolidError):
    """1001: a bad parameter, and also what a bad sign usually produces."""


class IllegalUserOrDevice(TracksolidError):
    """1002: the user or a device is not visible to this app key."""


class RepeatedOperation(TracksolidError):
    """1003: the same operation was already done."""


class TokenInvalid(TracksolidError):
    """1004: the access token is invalid or expired."""


class IpOverLimit(TracksolidError):
    """1005: too many requests from this IP."""


class RateLimited(TracksolidError):
    """1006: request frequency too high; back off and retry later."""

    def __init__(
        self, code: int, message: str, method: str = "", *, retry_after: float | None = None
    ) -> None:
        super().__init__(code, message, method)
        self.retry_after = retry_after


class TokenFetchThrottled(RateLimited):
    """Client-side: a new token was fetched for this account less than a minute ago.

    Raised instead of calling ``jimi.oauth.token.get`` again, which would earn a 1006.
    ``retry_after`` says when a fetch is allowed again.
    """


class WrongRequestMethod(TracksolidError):
    """1007: wrong HTTP request method."""


class AbnormalInput(TracksolidError):
    """1008: abnormal input."""


class BusinessError(TracksolidError):
    """1100: a business rule refused the request."""


class DeviceMoveError(TracksolidError):
    """1112: a device could not be moved between accounts."""


class NameExists(TracksolidError):
    """1114: the name (group, platform fence) already exists."""


class MediaNotReady(TracksolidError):
    """1207: the device has not uploaded the media list yet; ask again later."""


class CommandError(TracksolidError):
    """12001-12005: the command could not be sent or executed (catch this for any of them)."""


# The field notes name 12001-12004 only as "command errors" and 41001/41002/41004 only as
# "fence errors"; no capture says what each means, so these classes are named by code and their
# docstrings quote the simulator's messages, which are guesses.


class CommandError12001(CommandError):
    """12001: a command error of unrecorded meaning (the simulator: command not supported)."""


class CommandError12002(CommandError):
    """12002: a command error of unrecorded meaning (the simulator: device offline)."""


class CommandError12003(CommandError):
    """12003: a command error of unrecorded meaning."""


class CommandError12004(CommandError):
    """12004: a command error of unrecorded meaning."""


_RESULT_CODE = re.compile(r"Result code\s*[:\uff1a]\s*(\w+)", re.IGNORECASE)


def device_result_code(text: str | None) -> str | None:
    """The device result code in a vendor text ("... Result code<full-width colon>226"), if any.

    Both a refused send (12005) and a refusal in ``jimi.open.instruction.result`` carry it.
    """
    found = _RESULT_CODE.search(text or "")
    return found.group(1) if found else None


class CommandSendFailed(CommandError):
    """12005: "Fail to send command. Result code<full-width colon>226"; device codes are 225-252.

    ``result_code`` is that code as the string the vendor sent (``None`` if the message has none).
    """

    def __init__(self, code: int, message: str, method: str = "") -> None:
        super().__init__(code, message, method)
        self.result_code = device_result_code(message)


class FenceError(TracksolidError):
    """41001-41004: a device fence operation failed (catch this for any of them)."""


class FenceError41001(FenceError):
    """41001: a fence error of unrecorded meaning (the simulator: device fence limit reached)."""


class FenceError41002(FenceError):
    """41002: a fence error of unrecorded meaning (the simulator: no such fence)."""


class DeviceOffline(FenceError):
    """41003: the device must be online for a device fence operation."""


class FenceError41004(FenceError):
    """41004: a fence error of unrecorded meaning."""


class UnknownVendorError(TracksolidError):
    """A non-zero code the field notes do not list."""


class InvalidResponse(TracksolidError):
    """The body was not a JSON envelope (``java.lang.NullPointerException`` from a wrong node)."""

    def __init__(self, message: str, method: str = "", *, body: str = "", status: int = 0) -> None:
        super().__init__(0, message, method)
        self.body = body
        self.status = status


class TracksolidUnavailable(TracksolidError):
    """Connection errors, timeouts or HTTP 5xx that outlived the transport's retries."""

    def __init__(self, message: str, method: str = "", *, status: int = 0) -> None:
        super().__init__(0, message, method)
        self.status = status


class RetentionExceeded(TracksolidError, ValueError):
    """Client-side refusal: the vendor keeps track history for about three months only."""

    def __init__(self, message: str, method: str = "", *, horizon: datetime | None = None) -> None:
        super().__init__(0, message, method)
        self.horizon = horizon


_BY_CODE: dict[int, type[TracksolidError]] = {
    -1: SystemBusy,
    1001: ParameterError,
    1002: IllegalUserOrDevice,
    1003: RepeatedOperation,
    1004: TokenInvalid,
    1005: IpOverLimit,
    1006: RateLimited,
    1007: WrongRequestMethod,
    1008: AbnormalInput,
    1100: BusinessError,
    1112: DeviceMoveError,
    1114: NameExists,
    1207: MediaNotReady,
    12001: CommandError12001,
    12002: CommandError12002,
    12003: CommandError12003,
    12004: CommandError12004,
    12005: CommandSendFailed,
    41001: FenceError41001,
    41002: FenceError41002,
    41003: DeviceOffline,
    41004: FenceError41004,
}


def error_for(code: int, message: str, method: str = "") -> TracksolidError:
    """The named error for a non-zero vendor ``code``."""
    return _BY_CODE.get(code, UnknownVendorError)(code, message, method)
