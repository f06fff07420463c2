"""``python -m tracksolid``: sign a request by hand, or call any vendor method from a shell.

    python -m tracksolid sign --secret SECRET key=value ...
    python -m tracksolid call METHOD key=value ... [--base-url URL | --region NAME] [--raw]
    python -m tracksolid methods [--markdown]

``call`` reads credentials from ``TRACKSOLID_APP_KEY``, ``TRACKSOLID_APP_SECRET``,
``TRACKSOLID_USER_ID`` and ``TRACKSOLID_PASSWORD`` (or ``TRACKSOLID_PASSWORD_MD5``), keeps the
token in a file under the user's cache directory so repeated calls reuse it (a new token every
call would earn a 1006), and prints the normalised result as JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import inspect
import json
import os
import re
import sys
import tempfile
import types
import typing
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .client import METHODS, TracksolidClient, method_by_vendor_name
from .errors import InvalidResponse, TracksolidError
from .normalise import to_bool, to_datetime
from .regions import REGIONS, resolve_base_url
from .signing import md5_hex, sign, string_to_sign
from .tokens import FileTokenStore

__all__ = ["convert_args", "main", "methods_markdown", "to_jsonable"]


class UsageError(Exception):
    """A command-line mistake: printed with exit status 2."""


def _pairs(items: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"expected key=value, got {item!r}")
        params[key] = value
    return params


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _members(hint: Any) -> tuple[Any, ...]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return typing.get_args(hint)
    return (hint,)


def _convert(name: str, text: str, hint: Any) -> Any:
    members = _members(hint)
    origins = {typing.get_origin(m) or m for m in members}
    try:
        if str in origins:
            return text
        if datetime in origins:
            return to_datetime(text)
        if bool in origins:
            return to_bool(text)
        if int in origins:
            return int(text)
        if float in origins:
            return float(text)
    except ValueError as exc:
        raise UsageError(f"{name}: {exc}") from None
    return text


def convert_args(function: Any, params: Mapping[str, str]) -> dict[str, Any]:
    """Vendor ``key=value`` strings → keyword arguments of a client function.

    Keys match parameters by snake case (``mediaType`` → ``media_type``); values are converted
    by the parameter's type (datetimes in either vendor format, IMEI lists as ``A,B``).
    """
    signature = inspect.signature(function)
    hints = typing.get_type_hints(function)
    kwargs: dict[str, Any] = {}
    for key, text in params.items():
        name = _snake(key)
        if name not in signature.parameters:
            accepted = ", ".join(signature.parameters) or "none"
            raise UsageError(
                f"{key} is not a parameter of {function.__name__} "
                f"(the client handles paging and tokens itself); accepted: {accepted}"
            )
        kwargs[name] = _convert(key, text, hints.get(name, str))
    missing = [
        name
        for name, parameter in signature.parameters.items()
        if parameter.default is inspect.Parameter.empty and name not in kwargs
    ]
    if missing:
        raise UsageError(f"{function.__name__} needs: {', '.join(missing)}")
    return kwargs


def to_jsonable(value: Any) -> Any:
    """Records → dicts, datetimes → ISO 8601 with offset, mappings and tuples → JSON types."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def methods_markdown() -> str:
    """The README table: vendor method, client function, spec section, product use."""
    lines = [
        "| spec | vendor method | client function | used by |",
        "| --- | --- | --- | --- |",
    ]
    for entry in METHODS:
        lines.append(
            f"| {entry.section} | `{entry.vendor}` | `{entry.function}()` | {entry.used_by} |"
        )
    return "\n".join(lines)


def _token_path(app_key: str, user_id: str, base_url: str) -> Path:
    digest = hashlib.sha256(f"{app_key}\0{user_id}\0{base_url}".encode()).hexdigest()[:16]
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    directory = Path(cache) / "tracksolid"
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        directory = Path(tempfile.gettempdir()) / f"tracksolid-{os.getuid()}"
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory / f"token-{digest}.json"


def _env(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise UsageError(f"set {name} in the environment")
    return value


def _client(args: argparse.Namespace) -> TracksolidClient:
    app_key = _env("TRACKSOLID_APP_KEY")
    user_id = _env("TRACKSOLID_USER_ID")
    secret = _env("TRACKSOLID_APP_SECRET")
    password_md5 = os.environ.get("TRACKSOLID_PASSWORD_MD5", "").strip().lower()
    if not password_md5:
        password_md5 = md5_hex(_env("TRACKSOLID_PASSWORD"))
    try:
        base_url = resolve_base_url(
            base_url=args.base_url
            or (None if args.region else os.environ.get("TRACKSOLID_BASE_URL")),
            region=args.region or (None if args.base_url else os.environ.get("TRACKSOLID_REGION")),
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    token_file = args.token_file or _token_path(app_key, user_id, base_url)
    return TracksolidClient(
        app_key,
        secret,
        user_id,
        password_md5,
        base_url=base_url,
        token_store=FileTokenStore(token_file),
        instruct_url=args.instruct_url or os.environ.get("TRACKSOLID_INSTRUCT_URL") or None,
    )


def _cmd_sign(args: argparse.Namespace) -> int:
    params = _pairs(args.params)
    print(string_to_sign(params, args.secret))
    print(sign(params, args.secret))
    return 0


def _cmd_call(args: argparse.Namespace) -> int:
    params = _pairs(args.params)
    try:
        entry = method_by_vendor_name(args.method)
    except KeyError:
        if not args.raw:
            raise UsageError(
                f"unknown method {args.method!r} (see `python -m tracksolid methods`; "
                "--raw sends any method as given)"
            ) from None
        entry = None
    with _client(args) as client:
        if args.raw:
            envelope = client.raw_call(args.method, params)
            print(json.dumps(envelope, ensure_ascii=False, indent=2))
            return 0
        assert entry is not None
        function = getattr(client, entry.function)
        result = function(**convert_args(function, params))
        print(json.dumps(to_jsonable(result), ensure_ascii=False, indent=2))
    return 0


def _cmd_methods(args: argparse.Namespace) -> int:
    if args.markdown:
        print(methods_markdown())
    else:
        for entry in METHODS:
            print(f"{entry.vendor:40} {entry.function}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tracksolid", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)

    sign_parser = commands.add_parser("sign", help="print the string to sign and the sign")
    sign_parser.add_argument("--secret", required=True, help="the app secret")
    sign_parser.add_argument("params", nargs="*", metavar="key=value")
    sign_parser.set_defaults(handler=_cmd_sign)

    call_parser = commands.add_parser("call", help="call a vendor method, print JSON")
    call_parser.add_argument("method", help="vendor method name, e.g. jimi.device.location.get")
    call_parser.add_argument("params", nargs="*", metavar="key=value")
    node = call_parser.add_mutually_exclusive_group()
    node.add_argument("--base-url", help="custom .../route/rest URL (e.g. the simulator)")
    node.add_argument("--region", choices=sorted(REGIONS), help="a named vendor node")
    call_parser.add_argument("--raw", action="store_true", help="print the envelope as received")
    call_parser.add_argument("--token-file", help="token store file (default: user cache dir)")
    call_parser.add_argument("--instruct-url", help="Instruction API address (sendInstruct)")
    call_parser.set_defaults(handler=_cmd_call)

    methods_parser = commands.add_parser("methods", help="list vendor methods and functions")
    methods_parser.add_argument("--markdown", action="store_true", help="as the README table")
    methods_parser.set_defaults(handler=_cmd_methods)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except InvalidResponse as exc:
        print(f"error: {exc}\nbody: {exc.body}", file=sys.stderr)
        return 1
    except TracksolidError as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
