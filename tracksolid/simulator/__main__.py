"""Command line: ``python -m tracksolid.simulator --port 8765 --devices 50 ...``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from .config import NODES, SimulatorConfig
from .core import Simulator


def _extra_key(value: str) -> tuple[str, str, str]:
    parts = value.split(":")
    if len(parts) != 3 or parts[2] not in NODES:
        raise argparse.ArgumentTypeError(f"expected KEY:SECRET:NODE with NODE in {NODES}")
    return (parts[0], parts[1], parts[2])


def build_parser() -> argparse.ArgumentParser:
    d = SimulatorConfig()
    p = argparse.ArgumentParser(
        prog="python -m tracksolid.simulator",
        description="A Tracksolid Pro simulator: the vendor API on /route/rest, the Instruction "
        "API, a control interface on /_sim/, media on /_media/, and pushes to --push-url.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=8765, help="port (0 picks a free one)")
    p.add_argument(
        "--public-url",
        default=None,
        help="URL clients reach us at (media and stream links); default http://HOST:PORT",
    )
    p.add_argument("--devices", type=int, default=d.devices, help="fleet size")
    p.add_argument("--seed", type=int, default=d.seed, help="world seed (same seed, same fleet)")
    p.add_argument("--app-key", default=d.app_key)
    p.add_argument("--app-secret", default=d.app_secret)
    p.add_argument("--user-id", default=d.user_id, help="main account login")
    p.add_argument("--password", default=d.password, help="main account password as typed")
    p.add_argument("--push-url", default=None, help="base URL; pushes go to {push-url}/pushgps ...")
    p.add_argument("--push-token", default=None, help="token sent with every push")
    p.add_argument("--speedup", type=float, default=1.0, help="simulated seconds per real second")
    p.add_argument("--node", default=d.node, choices=NODES, help="which regional node this is")
    p.add_argument(
        "--extra-app-key",
        type=_extra_key,
        action="append",
        default=[],
        metavar="KEY:SECRET:NODE",
        help="another app key (repeatable)",
    )
    p.add_argument(
        "--wrong-node-answer",
        choices=("json", "npe"),
        default=d.wrong_node_answer,
        help='refuse other nodes\' keys with "invalid AppKey" JSON or an NPE body',
    )
    p.add_argument(
        "--rate-limit",
        type=float,
        default=d.rate_limit,
        help="requests/s per app key before 1006 (0 = unlimited)",
    )
    p.add_argument(
        "--token-get-interval",
        type=float,
        default=d.token_get_interval,
        help="seconds between token.get calls per account before 1006",
    )
    p.add_argument("--city-lat", type=float, default=d.city_lat)
    p.add_argument("--city-lng", type=float, default=d.city_lng)
    p.add_argument("--city-radius-km", type=float, default=d.city_radius_km)
    p.add_argument(
        "--tz-offset",
        type=float,
        default=d.tz_offset_hours,
        help="city UTC offset in hours (working days follow local time)",
    )
    p.add_argument(
        "--mileage-unit",
        choices=("m", "km"),
        default=d.mileage_unit,
        help="unit of jimi.device.track.mileage distances",
    )
    p.add_argument("--lbs-quota", type=int, default=d.lbs_quota, help="LBS calls/device/day")
    p.add_argument(
        "--command-failure-rate",
        type=float,
        default=d.command_failure_rate,
        help="share of text commands a device rejects at send (12005 + result code)",
    )
    p.add_argument(
        "--command-refusal-rate",
        type=float,
        default=d.command_refusal_rate,
        help="share of sent text commands a device refuses later (result isExecute false)",
    )
    p.add_argument(
        "--command-delay",
        type=float,
        default=d.command_delay,
        help="simulated seconds before a command or capture completes",
    )
    p.add_argument(
        "--push-interval",
        type=float,
        default=d.push_interval,
        help="real seconds between push rounds (0 = no background pusher)",
    )
    p.add_argument(
        "--push-concurrency", type=int, default=d.push_concurrency, help="pushes in flight at once"
    )
    p.add_argument("--push-json-body", action="store_true", help="send Data Push bodies as JSON")
    p.add_argument(
        "--push-disable",
        action="append",
        default=[],
        metavar="TYPE",
        help="leave out a push type, e.g. pushgps, tag, openapi (repeatable)",
    )
    p.add_argument("--openapi-push-path", default=d.openapi_push_path)
    p.add_argument("--tag-push-path", default=d.tag_push_path)
    p.add_argument(
        "--track-latency",
        type=float,
        default=d.track_latency,
        help="real seconds a track.list call takes per day of its window",
    )
    p.add_argument(
        "--lang", choices=("en", "zh"), default=d.lang, help="language of common error messages"
    )
    p.add_argument("--verbose", action="store_true", help="log every request")
    return p


def config_from(args: argparse.Namespace) -> SimulatorConfig:
    return SimulatorConfig(
        devices=args.devices,
        seed=args.seed,
        app_key=args.app_key,
        app_secret=args.app_secret,
        user_id=args.user_id,
        password=args.password,
        push_url=args.push_url,
        push_token=args.push_token,
        speedup=args.speedup,
        node=args.node,
        host=args.host,
        port=args.port,
        public_url=args.public_url,
        extra_app_keys=list(args.extra_app_key),
        wrong_node_answer=args.wrong_node_answer,
        rate_limit=args.rate_limit,
        token_get_interval=args.token_get_interval,
        city_lat=args.city_lat,
        city_lng=args.city_lng,
        city_radius_km=args.city_radius_km,
        tz_offset_hours=args.tz_offset,
        mileage_unit=args.mileage_unit,
        lbs_quota=args.lbs_quota,
        command_failure_rate=args.command_failure_rate,
        command_refusal_rate=args.command_refusal_rate,
        command_delay=args.command_delay,
        push_interval=args.push_interval,
        push_json_body=args.push_json_body,
        push_concurrency=args.push_concurrency,
        push_disabled=set(args.push_disable),
        openapi_push_path=args.openapi_push_path,
        tag_push_path=args.tag_push_path,
        track_latency=args.track_latency,
        lang=args.lang,
        quiet=not args.verbose,
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    sim = Simulator(config_from(args))
    sim.start()
    done = threading.Event()

    def _stop(signum: int, frame: Any) -> None:
        done.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    c = sim.config
    print("Tracksolid simulator running", flush=False)
    print(f"base_url: {sim.base_url}")
    print(f"instruct_url: {sim.instruct_url}/api/device/sendInstruct")
    print(f"control_url: {sim.root_url}/_sim/")
    print(f"node: {c.node}")
    print(f"app_key: {c.app_key}")
    print(f"app_secret: {c.app_secret}")
    print(f"user_id: {c.user_id}")
    print(f"password: {c.password}")
    print(f"devices: {len(sim.world.devices)}")
    print(f"push_url: {c.push_url or '(none)'}")
    sys.stdout.flush()
    done.wait()
    sim.stop()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
