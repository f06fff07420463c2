"""The push endpoint: ``/push/<push_key>/<endpoint>`` for every push the vendor sends.

A plain Django view (STYLE.md): no DRF stack, no call to the vendor, nothing slow. The push key in
the URL selects the account; the token in the body must match its push token. Every answer is
JSON, and no input produces a 500: a failure to store is a 503, and what is stored is answered.
"""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from telemetry.pushes import account_for_push_key, receive_push

log = logging.getLogger(__name__)


def _answer(status: int, body: dict[str, object]) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
def push(request: HttpRequest, push_key: str, endpoint: str = "") -> JsonResponse:
    if request.method not in ("POST", "GET"):
        return _answer(405, {"code": 405, "msg": "pushes are POSTed"})
    try:
        account = account_for_push_key(push_key)
        if account is None:
            return _answer(404, {"code": 404, "msg": "unknown push URL"})
        if request.method == "GET" or not endpoint:
            # The vendor's "verify" call, or a check by hand. OpenAPI notifications name their
            # kind in msgType and may come to the base URL.
            if request.method == "GET" or not request.body:
                return _answer(200, {"code": 0, "msg": "success"})
            endpoint = "openapi"
        outcome = receive_push(
            account=account,
            endpoint=endpoint,
            content_type=request.META.get("CONTENT_TYPE", ""),
            body=request.body,
            query=request.META.get("QUERY_STRING", ""),
            query_params=request.GET.dict(),
            remote_addr=request.META.get("REMOTE_ADDR"),
        )
    except RequestDataTooBig:
        return _answer(413, {"code": 413, "msg": "push body too large"})
    except DatabaseError:
        log.exception("could not store a push for key %s…", push_key[:6])
        return _answer(503, {"code": 503, "msg": "temporarily unable to store the push; not kept"})
    except Exception:
        log.exception("push for key %s… failed", push_key[:6])
        return _answer(503, {"code": 503, "msg": "the server cannot take pushes now; not kept"})
    return _answer(outcome.status, outcome.body)
