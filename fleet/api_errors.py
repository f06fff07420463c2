"""One error body for all of API v1: ``{"detail": "...", "code": "..."}`` (plus ``"errors"``,
the per-field messages, on validation errors), so apps and our pages handle failures one way."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

# Codes for responses DRF builds without an APIException of ours (404 from get_object_or_404).
STATUS_CODES = {
    status.HTTP_400_BAD_REQUEST: "invalid",
    status.HTTP_401_UNAUTHORIZED: "not_authenticated",
    status.HTTP_403_FORBIDDEN: "permission_denied",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
}


def _flatten(errors: Any, prefix: str = "") -> list[str]:
    """``{"from": ["Enter a valid date."]}`` as ``["from: Enter a valid date."]``."""
    if isinstance(errors, dict):
        lines = []
        for key, value in errors.items():
            name = "" if key == "non_field_errors" else f"{prefix}{key}"
            lines.extend(_flatten(value, f"{name}." if name else ""))
        return [line.replace(".: ", ": ") for line in lines]
    if isinstance(errors, list):
        return [line for item in errors for line in _flatten(item, prefix)]
    text = str(errors)
    return [f"{prefix.rstrip('.')}: {text}" if prefix else text]


def _first_code(errors: Any) -> str:
    if isinstance(errors, dict):
        errors = next(iter(errors.values()), "invalid")
        return _first_code(errors)
    if isinstance(errors, list):
        return _first_code(errors[0]) if errors else "invalid"
    return str(getattr(errors, "code", None) or "invalid")


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler (status, headers), then the body reshaped to ``{"detail", "code"}``."""
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        messages = _flatten(detail)
        response.data = {
            "detail": " ".join(messages) or "Invalid input.",
            "code": _first_code(detail),
            "errors": detail if isinstance(detail, dict) else {"non_field_errors": detail},
        }
        return response
    data = response.data
    if isinstance(exc, exceptions.APIException) and not isinstance(exc.detail, dict | list):
        message, code = exc.detail, getattr(exc.detail, "code", None)
    else:
        message = data.get("detail", data) if isinstance(data, dict) else data
        code = None
    response.data = {
        "detail": str(message),
        "code": str(code or STATUS_CODES.get(response.status_code, "error")),
    }
    return response
