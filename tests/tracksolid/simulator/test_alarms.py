"""Alarm list: real field names, windows, paging, injected alarms and fence crossings."""

from __future__ import annotations

from .conftest import Api, by_kind, sim_str


def _all(api: Api) -> str:
    return ",".join(api.sim.imeis())


def test_alarms_use_the_real_field_names(api: Api) -> None:
    answer = api(
        "jimi.device.alarm.list",
        imeis=_all(api),
        begin_time=sim_str(api.sim, -7 * 86400),
        end_time=sim_str(api.sim, -60),
    )
    assert answer["code"] == 0
    rows = answer["result"]
    assert rows
    row = rows[0]
    assert {
        "alertTypeId",
        "alarmTypeName",
        "alertTime",
        "positioningTime",
        "lat",
        "lng",
        "speed",
        "geoid",
        "imei",
        "deviceName",
        "model",
        "account",
    } <= set(row)
    assert "alertTypeName" not in row
    assert all(isinstance(r["alertTypeId"], str) for r in rows)
    assert {"1002", "1003"} <= {r["alertTypeId"] for r in rows}


def test_alarm_windows_are_at_most_a_month(api: Api) -> None:
    answer = api(
        "jimi.device.alarm.list",
        imeis=_all(api),
        begin_time=sim_str(api.sim, -40 * 86400),
        end_time=sim_str(api.sim, -60),
    )
    assert answer["code"] == 1001


def test_alarms_are_paged_with_page_no_and_page_size(api: Api) -> None:
    params = {
        "imeis": _all(api),
        "begin_time": sim_str(api.sim, -7 * 86400),
        "end_time": sim_str(api.sim, -60),
    }
    whole = api("jimi.device.alarm.list", **params)["result"]
    first = api("jimi.device.alarm.list", page_no=1, page_size=5, **params)["result"]
    second = api("jimi.device.alarm.list", page_no=2, page_size=5, **params)["result"]
    assert first == whole[:5]
    assert second == whole[5:10]


def test_without_a_window_it_returns_the_latest_50(api: Api) -> None:
    rows = api("jimi.device.alarm.list", imeis=_all(api))["result"]
    assert 0 < len(rows) <= 50


def test_a_triggered_alarm_is_listed(fresh: Api) -> None:
    fresh.login()
    imei = by_kind(fresh.sim, "vehicle")
    fresh.sim.trigger_alarm(imei, "sos")
    fresh.sim.advance(5)
    rows = fresh(
        "jimi.device.alarm.list",
        imeis=imei,
        begin_time=sim_str(fresh.sim, -60),
        end_time=sim_str(fresh.sim, -1),
    )["result"]
    assert [r["alertTypeId"] for r in rows if r["alertTypeId"] == "1"] == ["1"]


def test_a_platform_fence_produces_enter_and_exit_alarms(fresh: Api) -> None:
    fresh.login()
    sim = fresh.sim
    dev = next(
        d for d in sim.world.devices.values() if d.kind == "vehicle" and not d.never_reported
    )
    # Put a fence around the depot: every day the vehicle leaves it and comes back.
    lat, lng = sim.world.city.node(*dev.depot)
    fid = fresh(
        "jimi.open.platform.fence.create",
        account=dev.account,
        fence_name="Depot",
        fence_type="circle",
        geom=f"{lat},{lng}",
        radius=300,
    )["data"]
    assert (
        fresh("jimi.open.platform.fence.bind", fence_id=fid, imeis=dev.imei, alert_type="in,out")[
            "data"
        ]
        == 1
    )
    sim.advance(3 * 86400)
    fresh.login()  # three days later the token has long expired
    rows = fresh(
        "jimi.device.alarm.list",
        imeis=dev.imei,
        begin_time=sim_str(sim, -3 * 86400),
        end_time=sim_str(sim, -1),
    )["result"]
    fence_rows = [r for r in rows if r["alertTypeId"] in ("in", "out")]
    assert fence_rows
    assert all(r["geoid"] == fid for r in fence_rows)
