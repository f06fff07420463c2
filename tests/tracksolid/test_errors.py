"""Tests for tracksolid.errors: every field-notes code has a named error."""

from __future__ import annotations

import pytest

from tracksolid import errors
from tracksolid.errors import error_for


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (-1, errors.SystemBusy),
        (1001, errors.ParameterError),
        (1002, errors.IllegalUserOrDevice),
        (1003, errors.RepeatedOperation),
        (1004, errors.TokenInvalid),
        (1005, errors.IpOverLimit),
        (1006, errors.RateLimited),
        (1007, errors.WrongRequestMethod),
        (1008, errors.AbnormalInput),
        (1100, errors.BusinessError),
        (1112, errors.DeviceMoveError),
        (1114, errors.NameExists),
        (1207, errors.MediaNotReady),
        (12001, errors.CommandError),
        (12005, errors.CommandError),
        (41001, errors.FenceError),
        (41003, errors.DeviceOffline),
        (41004, errors.FenceError),
        (99999, errors.UnknownVendorError),
    ],
)
def test_each_vendor_code_maps_to_its_named_error(code: int, cls: type) -> None:
    error = error_for(code, "msg", "jimi.x")
    assert type(error) is cls
    assert (error.code, error.message, error.method) == (code, "msg", "jimi.x")
    assert isinstance(error, errors.TracksolidError)


def test_device_offline_is_a_fence_error() -> None:
    assert isinstance(error_for(41003, "offline"), errors.FenceError)


def test_a_client_side_token_throttle_is_retried_like_a_rate_limit() -> None:
    assert issubclass(errors.TokenFetchThrottled, errors.RateLimited)


def test_retention_exceeded_is_also_a_value_error() -> None:
    assert issubclass(errors.RetentionExceeded, ValueError)


def test_the_message_names_the_method_and_the_code() -> None:
    assert str(error_for(1006, "too fast", "jimi.device.location.get")) == (
        "jimi.device.location.get: 1006 too fast"
    )
