"""Bulk SQL for the hot tables (positions, latest state), per database backend.

The ORM costs ~12 ms of CPU per 50-row batch; these statements cost a fraction of that. On
PostgreSQL each write is ONE statement with ONE parameter whatever the row count: the rows as a
JSON array of arrays, which Python's C encoder writes in microseconds and the server unpacks with
``json[b]_array_elements`` (typed arrays cost ~1.5 ms to adapt in Python; a multi-row VALUES with
700 parameters is never prepared by psycopg, so it is re-parsed every time). SQLite, the embedded
mode, uses ``executemany``. Both skip rows that already exist.

A point's fields without a column (``postMethod``, ``status``, whatever else the vendor sent) go to
``Position.extra`` under the vendor's names, NULL when there are none; the latest state merges
them key by key, so a push without a poll's fields (``iccid``, ...) does not erase them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import connection

# (column, PostgreSQL type) in insert order.
POSITION_COLUMNS = (
    ("device_id", "bigint"),
    ("gps_time", "timestamptz"),
    ("lat", "float8"),
    ("lng", "float8"),
    ("speed", "float8"),
    ("direction", "smallint"),
    ("altitude", "float8"),
    ("satellites", "smallint"),
    ("acc", "boolean"),
    ("pos_type", "text"),
    ("reuploaded", "boolean"),
    ("mileage", "float8"),
    ("source", "text"),
    ("received_at", "timestamptz"),
)
# What a GPS point has beyond POSITION_COLUMNS; rows without them (bench_api's) leave them NULL.
POSITION_DETAIL_COLUMNS = (
    ("gate_time", "timestamptz"),
    ("extra", "jsonb"),
)
STATE_COLUMNS = (
    ("device_id", "bigint"),
    ("gps_time", "timestamptz"),
    ("lat", "float8"),
    ("lng", "float8"),
    ("speed", "float8"),
    ("direction", "smallint"),
    ("acc", "boolean"),
    ("satellites", "smallint"),
    ("pos_type", "text"),
    ("mileage", "float8"),
    ("updated_at", "timestamptz"),
    ("extra", "jsonb"),
)
HEARTBEAT_STATE_COLUMNS = (
    ("device_id", "bigint"),
    ("last_heartbeat_at", "timestamptz"),
    ("battery", "smallint"),
    ("gsm_signal", "smallint"),
    ("updated_at", "timestamptz"),
    ("pos_type", "text"),
)


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _sqlite_rows(rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    adapt = connection.ops.adapt_datetimefield_value

    def value(v: Any) -> Any:
        if isinstance(v, datetime):
            return adapt(v)
        return _dumps(v) if isinstance(v, Mapping) else v  # a JSON column is text in SQLite

    return [[value(v) for v in row] for row in rows]


def _json_default(value: object) -> object:
    """Called only for what ``json`` cannot write itself, so the common rows pay nothing."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} to a bulk insert")


def _dumps(value: object) -> str:
    return json.dumps(value, default=_json_default, separators=(",", ":"))


def _insert(
    table: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Any]],
    conflict: str,
) -> None:
    names = ", ".join(name for name, _ in columns)
    with connection.cursor() as cursor:
        if _is_postgres():
            fields = ", ".join(f"(r->>{index})::{kind}" for index, (_, kind) in enumerate(columns))
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {fields}"  # noqa: S608 - fixed identifiers
                f" FROM json_array_elements(%s::json) AS r {conflict}",
                [_dumps(rows)],
            )
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks}) {conflict}",  # noqa: S608
                _sqlite_rows(rows),
            )


def insert_positions(rows: Sequence[Sequence[Any]]) -> None:
    """Insert position rows (``POSITION_COLUMNS`` order, optionally followed by
    ``POSITION_DETAIL_COLUMNS``); an existing (device, fix) is kept."""
    if rows:
        _insert(
            "telemetry_position",
            (POSITION_COLUMNS + POSITION_DETAIL_COLUMNS)[: len(rows[0])],
            rows,
            "ON CONFLICT (device_id, gps_time) DO NOTHING",
        )


def _state_conflict(merge: str) -> str:
    """The upsert of a newer fix; ``merge`` is the backend's JSON-object merge of the old and the
    new extras (NULL if either is NULL, hence the COALESCE)."""
    sets = [f"{name} = excluded.{name}" for name, _ in STATE_COLUMNS[1:] if name != "extra"]
    sets.append(f"extra = COALESCE({merge}, excluded.extra, telemetry_devicestate.extra)")
    return (
        "ON CONFLICT (device_id) DO UPDATE SET "
        + ", ".join(sets)
        + " WHERE telemetry_devicestate.gps_time IS NULL"
        " OR excluded.gps_time > telemetry_devicestate.gps_time"
    )


# Both merge the top-level keys; json_patch also merges nested objects and drops keys set to
# null, which the vendor's flat fields seldom meet.
STATE_CONFLICT = {
    "postgresql": _state_conflict("telemetry_devicestate.extra || excluded.extra"),
    "sqlite": _state_conflict("json_patch(telemetry_devicestate.extra, excluded.extra)"),
}


def upsert_states(rows: Sequence[Sequence[Any]]) -> None:
    """Move each device's latest state forward; an older fix never overwrites a newer one."""
    if rows:
        _insert("telemetry_devicestate", STATE_COLUMNS, rows, STATE_CONFLICT[connection.vendor])


# The positions and the latest states in ONE statement (PostgreSQL): times travel as epoch
# seconds, the newest fix per device is picked by the server, and the position insert runs as
# a data-modifying CTE. Column order: POSITION_COLUMNS without source and received_at, then
# POSITION_DETAIL_COLUMNS. The array is parsed once as jsonb: with json every ``->>`` re-scans
# its row's text, which cost ~20% more server CPU per batch once rows carried extras. A JSON null
# extra becomes SQL NULL.
_POSITION_NAMES = ", ".join(name for name, _ in POSITION_COLUMNS + POSITION_DETAIL_COLUMNS)
_POSITIONS_AND_STATES = f"""
WITH r AS (
    SELECT (e->>0)::bigint AS device_id, to_timestamp((e->>1)::float8) AS gps_time,
           (e->>2)::float8 AS lat, (e->>3)::float8 AS lng, (e->>4)::float8 AS speed,
           (e->>5)::smallint AS direction, (e->>6)::float8 AS altitude,
           (e->>7)::smallint AS satellites, (e->>8)::boolean AS acc, (e->>9) AS pos_type,
           (e->>10)::boolean AS reuploaded, (e->>11)::float8 AS mileage,
           to_timestamp((e->>12)::float8) AS gate_time, NULLIF(e->13, 'null') AS extra
    FROM jsonb_array_elements(%s::jsonb) AS e
), inserted AS (
    INSERT INTO telemetry_position ({_POSITION_NAMES})
    SELECT device_id, gps_time, lat, lng, speed, direction, altitude, satellites, acc, pos_type,
           reuploaded, mileage, %s, %s, gate_time, extra FROM r
    ON CONFLICT (device_id, gps_time) DO NOTHING
)
INSERT INTO telemetry_devicestate ({", ".join(name for name, _ in STATE_COLUMNS)})
SELECT DISTINCT ON (device_id) device_id, gps_time, lat, lng, speed, direction, acc,
       satellites, pos_type, mileage, %s, extra
FROM r ORDER BY device_id, gps_time DESC
{STATE_CONFLICT["postgresql"]}
"""  # noqa: S608 - fixed identifiers


def _extra(p: Any) -> Mapping[str, Any] | None:
    """A point's fields without a column, under the vendor's names; None if it has none."""
    if p.post_method is None and p.status is None:
        return p.extra or None
    extra: dict[str, Any] = {}
    if p.post_method is not None:
        extra["postMethod"] = p.post_method
    if p.status is not None:
        extra["status"] = p.status
    extra.update(p.extra)
    return extra


def record_positions(
    points: Sequence[Any], device_ids: dict[str, int], source: str, now: datetime
) -> None:
    """Store GPS points (``tracksolid.push_records.GpsPoint``) and move latest states forward."""
    if not points:
        return
    if _is_postgres():
        rows = [
            (
                device_ids[p.imei],
                p.gps_time.timestamp(),
                p.lat,
                p.lng,
                p.speed,
                p.direction,
                p.altitude,
                p.satellites,
                p.acc,
                p.pos_type or "",
                p.reuploaded,
                p.distance,
                None if p.gate_time is None else p.gate_time.timestamp(),
                _extra(p),
            )
            for p in points
        ]
        with connection.cursor() as cursor:
            cursor.execute(_POSITIONS_AND_STATES, [_dumps(rows), source, now, now])
        return
    latest: dict[int, tuple[Any, Mapping[str, Any] | None]] = {}
    rows_out = []
    for p in points:
        device_id = device_ids[p.imei]
        extra = _extra(p)
        rows_out.append(
            (
                device_id,
                p.gps_time,
                p.lat,
                p.lng,
                p.speed,
                p.direction,
                p.altitude,
                p.satellites,
                p.acc,
                p.pos_type or "",
                p.reuploaded,
                p.distance,
                source,
                now,
                p.gate_time,
                extra,
            )
        )
        current = latest.get(device_id)
        if current is None or p.gps_time > current[0].gps_time:
            latest[device_id] = (p, extra)
    insert_positions(rows_out)
    upsert_states(
        [
            (
                device_id,
                p.gps_time,
                p.lat,
                p.lng,
                p.speed,
                p.direction,
                p.acc,
                p.satellites,
                p.pos_type or "",
                p.distance,
                now,
                extra,
            )
            for device_id, (p, extra) in latest.items()
        ]
    )


def upsert_heartbeat_states(rows: Sequence[Sequence[Any]]) -> None:
    """Record each device's latest heartbeat (battery, signal) on its state row."""
    if not rows:
        return
    _insert(
        "telemetry_devicestate",
        HEARTBEAT_STATE_COLUMNS,
        rows,
        "ON CONFLICT (device_id) DO UPDATE SET last_heartbeat_at = excluded.last_heartbeat_at,"
        " battery = COALESCE(excluded.battery, telemetry_devicestate.battery),"
        " gsm_signal = COALESCE(excluded.gsm_signal, telemetry_devicestate.gsm_signal),"
        " updated_at = excluded.updated_at WHERE"
        " telemetry_devicestate.last_heartbeat_at IS NULL"
        " OR excluded.last_heartbeat_at > telemetry_devicestate.last_heartbeat_at",
    )


RAW_PUSH_COLUMNS = (
    "account_id",
    "endpoint",
    "received_at",
    "content_type",
    "query",
    "body",
    "remote_addr",
    "status",
    "processed_at",
    "record_count",
    "rejected_count",
    "rejected",
    "error",
)


def insert_raw_push(raw: Any) -> int:
    """INSERT a ``RawPush`` without the ORM's per-instance work (~0.25 ms per push); sets and
    returns its id."""
    adapt = connection.ops.adapt_datetimefield_value
    values = [
        raw.account_id,
        raw.endpoint,
        adapt(raw.received_at),
        raw.content_type,
        raw.query,
        bytes(raw.body),
        raw.remote_addr,
        raw.status,
        adapt(raw.processed_at),
        raw.record_count,
        raw.rejected_count,
        json.dumps(raw.rejected),
        raw.error,
    ]
    marks = ", ".join(["%s"] * len(values))
    sql = f"INSERT INTO telemetry_rawpush ({', '.join(RAW_PUSH_COLUMNS)}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        if _is_postgres():
            cursor.execute(sql + " RETURNING id", values)
            raw.pk = cursor.fetchone()[0]
        else:
            cursor.execute(sql, values)
            raw.pk = cursor.lastrowid
    return int(raw.pk)
