"""Configuration of one simulator instance (CLI flags and the Python API share it)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Regional nodes the real service runs; an app key works only on its own node (field notes).
NODES = ("hk", "eu", "us", "open", "legacy")


@dataclass
class SimulatorConfig:
    """What shapes one simulator: its fleet, credentials, quirks and pushes."""

    devices: int = 50
    seed: int = 1
    app_key: str = "sim-app-key"
    app_secret: str = "sim-app-secret"  # noqa: S105 - a demo default, printed on start
    user_id: str = "demo"
    password: str = "demo"  # noqa: S105 - the demo login, printed on start
    push_url: str | None = None
    push_token: str | None = None
    speedup: float = 1.0
    node: str = "hk"
    host: str = "127.0.0.1"
    port: int = 0
    # The URL clients use to reach this simulator (behind Docker or a proxy); media and stream
    # links are built from it. Default: http://HOST:PORT.
    public_url: str | None = None
    # Other app keys the simulator knows, as (key, secret, node); keys of another node are refused.
    extra_app_keys: list[tuple[str, str, str]] = field(default_factory=list)
    # How a key registered to another node is refused: "json" ("invalid AppKey") or "npe" (body).
    wrong_node_answer: str = "json"
    # Requests per second per app key before 1006; 0 disables the limit (benchmarks).
    rate_limit: float = 200.0
    # The real service allows one jimi.oauth.token.get per account per minute.
    token_get_interval: float = 60.0
    # The city the fleet drives around (default: Madrid) and its UTC offset in hours.
    city_lat: float = 40.4168
    city_lng: float = -3.7038
    city_radius_km: float = 12.0
    tz_offset_hours: float = 1.0
    # Unit of jimi.device.track.mileage distances: the doc says metres, one user saw km.
    mileage_unit: str = "m"
    # Daily jimi.lbs.address.get calls allowed per device.
    lbs_quota: int = 10
    # Fraction of text commands the device rejects (12005 with a result code 225-252).
    command_failure_rate: float = 0.1
    # Fraction of sent text commands the device later refuses: instruction.result then shows
    # isExecute false and "Result code" + U+FF1A + 225-252 (a guessed shape; 0: all execute).
    command_refusal_rate: float = 0.0
    # Seconds (simulated) a device takes to answer a command or finish a capture.
    command_delay: float = 5.0
    # Real seconds between pusher rounds; 0 disables the background pusher (push_now still works).
    push_interval: float = 1.0
    # Send Data Push bodies as JSON instead of forms (the real service does both).
    push_json_body: bool = False
    # Path suffixes for the two push shapes section 10 gives no endpoint name.
    openapi_push_path: str = "/pushopenapi"
    tag_push_path: str = "/pushtag"
    # Push types to leave out (e.g. {"pushgps"}), for demos and benchmarks.
    push_disabled: set[str] = field(default_factory=set)
    push_timeout: float = 5.0
    # Pushes in flight at once (one keep-alive connection each).
    push_concurrency: int = 4
    # Real seconds a track.list call takes per day of its window (the real one can take minutes).
    track_latency: float = 0.0
    # "zh" answers the common errors in Chinese, as the real service sometimes does.
    lang: str = "en"
    quiet: bool = True
