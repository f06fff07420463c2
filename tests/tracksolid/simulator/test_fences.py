"""Geofences: device fences need the device online; platform fence geometry and names."""

from __future__ import annotations

from .conftest import Api, by_kind, sim_str


def _device_fence(api: Api, imei: str, **over: str) -> dict[str, object]:
    params = {
        "imei": imei,
        "fence_name": "Yard",
        "alarm_type": "in,out",
        "report_mode": "0",
        "alarm_switch": "ON",
        "lat": "40.41",
        "lng": "-3.70",
        "radius": "5",
        "zoom_level": "15",
        "map_type": "GOOGLE",
        **over,
    }
    return api("jimi.open.device.fence.create", **params)


def test_a_device_fence_returns_its_number(fresh: Api) -> None:
    fresh.login()
    imei = by_kind(fresh.sim, "vehicle")
    fresh.sim.set_offline(imei, False)
    answer = _device_fence(fresh, imei)
    assert answer["code"] == 0
    assert answer["result"] == "1"
    assert fresh("jimi.open.device.fence.delete", imei=imei, instruct_no="1")["code"] == 0
    assert fresh("jimi.open.device.fence.delete", imei=imei, instruct_no="1")["code"] == 41002


def test_a_device_fence_needs_the_device_online(fresh: Api) -> None:
    fresh.login()
    imei = by_kind(fresh.sim, "vehicle")
    fresh.sim.set_offline(imei, True)
    assert _device_fence(fresh, imei)["code"] == 41003


def test_a_device_fence_radius_is_in_hundreds_of_metres(fresh: Api) -> None:
    fresh.login()
    imei = by_kind(fresh.sim, "vehicle")
    fresh.sim.set_offline(imei, False)
    assert _device_fence(fresh, imei, radius="10000")["code"] == 1001
    _device_fence(fresh, imei, radius="7")
    fence = next(f for f in fresh.sim.fences.values() if f.device == imei)
    assert fence.radius_m == 700


def test_a_platform_polygon_is_created_with_hashes_and_listed_with_semicolons(fresh: Api) -> None:
    fresh.login()
    geom = "40.41,-3.70#40.42,-3.70#40.42,-3.69"
    answer = fresh(
        "jimi.open.platform.fence.create",
        account="demo",
        fence_name="Zone",
        fence_type="polygon",
        geom=geom,
    )
    assert answer["code"] == 0
    assert answer["result"] is None
    fid = answer["data"]
    rows = fresh("jimi.open.platform.fence.list", account="demo")["result"]
    assert rows[0]["fenceId"] == fid
    assert rows[0]["geom"] == "40.41,-3.7;40.42,-3.7;40.42,-3.69"


def test_a_duplicate_fence_name_answers_1114(fresh: Api) -> None:
    fresh.login()
    params = {
        "account": "demo",
        "fence_name": "Twice",
        "fence_type": "circle",
        "geom": "40.41,-3.70",
        "radius": "500",
    }
    assert fresh("jimi.open.platform.fence.create", **params)["code"] == 0
    assert fresh("jimi.open.platform.fence.create", **params)["code"] == 1114


def test_a_circle_radius_is_200_to_5000_metres(fresh: Api) -> None:
    fresh.login()
    params = {
        "account": "demo",
        "fence_name": "Tiny",
        "fence_type": "circle",
        "geom": "40.41,-3.70",
        "radius": "100",
    }
    assert fresh("jimi.open.platform.fence.create", **params)["code"] == 1001


def test_binding_counts_the_related_devices(fresh: Api) -> None:
    fresh.login()
    fid = fresh(
        "jimi.open.platform.fence.create",
        account="demo",
        fence_name="Bind",
        fence_type="circle",
        geom="40.41,-3.70",
        radius="500",
    )["data"]
    imeis = [d.imei for d in fresh.sim.world.devices.values()][:3]
    answer = fresh(
        "jimi.open.platform.fence.bind", fence_id=fid, imeis=",".join(imeis), alert_type="in,out"
    )
    assert answer["data"] == 3
    assert fresh("jimi.open.platform.fence.delete", account="demo", fence_id=fid)["code"] == 0


def _depot_fence(api: Api, alarm_type: str = "in,out", switch: str = "ON") -> str:
    """A 300 m device fence around a vehicle's depot, which it leaves and re-enters daily."""
    dev = next(
        d for d in api.sim.world.devices.values() if d.kind == "vehicle" and not d.never_reported
    )
    api.sim.set_offline(dev.imei, False)
    lat, lng = api.sim.world.city.node(*dev.depot)
    answer = _device_fence(
        api,
        dev.imei,
        lat=f"{lat:.6f}",
        lng=f"{lng:.6f}",
        radius="3",
        alarm_type=alarm_type,
        alarm_switch=switch,
    )
    assert answer["code"] == 0, answer
    return dev.imei


def _fence_alarms(api: Api, imeis: str) -> list[dict[str, object]]:
    api.sim.advance(3 * 86400)
    api.login()  # three days later the token has long expired
    rows = api(
        "jimi.device.alarm.list",
        imeis=imeis,
        begin_time=sim_str(api.sim, -3 * 86400),
        end_time=sim_str(api.sim, -1),
    )["result"]
    return [r for r in rows if r["alertTypeId"] in ("in", "out")]


def test_a_device_fence_produces_enter_and_exit_alarms(fresh: Api) -> None:
    fresh.login()
    imei = _depot_fence(fresh)
    rows = _fence_alarms(fresh, imei)
    assert {r["alertTypeId"] for r in rows} == {"in", "out"}
    assert all(r["geoid"] == f"dev:{imei}:1" and r["fenceName"] == "Yard" for r in rows)


def test_a_device_fence_raises_only_the_alarm_types_it_asks_for(fresh: Api) -> None:
    fresh.login()
    imei = _depot_fence(fresh, alarm_type="out")
    rows = _fence_alarms(fresh, imei)
    assert rows
    assert {r["alertTypeId"] for r in rows} == {"out"}


def test_a_device_fence_with_its_alarm_switch_off_raises_nothing(fresh: Api) -> None:
    fresh.login()
    imei = _depot_fence(fresh, switch="OFF")
    assert _fence_alarms(fresh, imei) == []


def test_a_device_fence_raises_alarms_for_its_own_device_only(fresh: Api) -> None:
    fresh.login()
    imei = _depot_fence(fresh)
    others = [i for i in fresh.sim.imeis() if i != imei]
    fence = fresh.sim.fences[f"dev:{imei}:1"]
    assert fence.alarm_types_for(imei) == {"in", "out"}
    assert all(fence.alarm_types_for(other) == set() for other in others)
    assert _fence_alarms(fresh, ",".join(others)) == []
