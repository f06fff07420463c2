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
        (12001, errors.CommandError12001),
        (12002, errors.CommandError12002),
        (12003, errors.CommandError12003),
        (12004, errors.CommandError12004),
        (12005, errors.CommandSendFailed),
        (41001, errors.FenceError41001),
        (41002, errors.FenceError41002),
        (41003, errors.DeviceOffline),
        (41004, errors.FenceError41004),
        (99999, errors.UnknownVendorError),
    ],
)
def test_each_vendor_code_maps_to_its_named_error(code: int, cls: type) -> None:
    error = error_for(code, "msg", "jimi.x")
    assert type(error) is cls
    assert (error.code, error.message, error.method) == (code, "msg", "jimi.x")
    assert isinstance(error, errors.TracksolidError)


@pytest.mark.parametrize("code", [12001, 12002, 12003, 12004, 12005])
def test_each_command_code_is_still_a_command_error(code: int) -> None:
    with pytest.raises(errors.CommandError) as caught:
        raise error_for(code, "msg", "jimi.open.instruction.send")
    assert caught.value.code == code


@pytest.mark.parametrize("code", [41001, 41002, 41003, 41004])
def test_each_fence_code_is_still_a_fence_error(code: int) -> None:
    with pytest.raises(errors.FenceError) as caught:
        raise error_for(code, "msg", "jimi.open.device.fence.create")
    assert caught.value.code == code


def test_the_named_code_classes_do_not_catch_each_other() -> None:
    assert not isinstance(error_for(12002, "msg"), errors.CommandError12001)
    assert not isinstance(error_for(41002, "msg"), errors.DeviceOffline)
    assert not isinstance(error_for(12005, "msg"), errors.FenceError)


def test_a_send_failure_keeps_the_device_result_code_after_a_full_width_colon() -> None:
    error = error_for(12005, "Fail to send command. Result code\uff1a226")
    assert isinstance(error, errors.CommandSendFailed)
    assert error.result_code == "226"


def test_a_send_failure_reads_an_ascii_colon_and_tolerates_no_result_code() -> None:
    assert errors.CommandSendFailed(12005, "Result code: 231").result_code == "231"
    assert errors.CommandSendFailed(12005, "\u53d1\u9001\u5931\u8d25").result_code is None


def test_a_client_side_token_throttle_is_retried_like_a_rate_limit() -> None:
    assert issubclass(errors.TokenFetchThrottled, errors.RateLimited)


def test_retention_exceeded_is_also_a_value_error() -> None:
    assert issubclass(errors.RetentionExceeded, ValueError)


def test_the_message_names_the_method_and_the_code() -> None:
    assert str(error_for(1006, "too fast", "jimi.device.location.get")) == (
        "jimi.device.location.get: 1006 too fast"
    )
