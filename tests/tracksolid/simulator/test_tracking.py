"""Locations, tracks, trips, parking, LBS and TAG answers, with the real value types and limits."""

from __future__ import annotations

from .conftest import Api, by_kind, sim_str


def test_location_list_values_are_strings_but_lat_lng_are_numbers(api: Api) -> None:
    rows = api("jimi.user.device.location.list", target="demo")["result"]
    row = rows[0]
    assert isinstance(row["lat"], float)
    assert isinstance(row["lng"], float)
    for key in (
        "status",
        "accStatus",
        "speed",
        "direction",
        "gpsNum",
        "currentMileage",
        "expireFlag",
        "gpsSignal",
        "batteryPowerVal",
    ):
        assert isinstance(row[key], str), key
    assert row["status"] in ("0", "1")
    assert {"posType", "hbTime", "electQuantity", "powerValue", "mcType", "iccid"} <= set(row)


def test_devices_that_never_reported_are_left_out(api: Api) -> None:
    never = [d.imei for d in api.sim.world.devices.values() if d.never_reported]
    assert never
    rows = api("jimi.user.device.location.list", target="demo")["result"]
    assert not {r["imei"] for r in rows} & set(never)
    assert len(rows) == 11


def test_location_get_takes_up_to_100_imeis(api: Api) -> None:
    imeis = api.sim.imeis()
    many = ",".join(imeis + [imeis[0]] * (100 - len(imeis)))
    assert api("jimi.device.location.get", imeis=many)["code"] == 0
    assert api("jimi.device.location.get", imeis=many + "," + imeis[0])["code"] == 1001


def test_a_tag_reports_beacon_positions(api: Api) -> None:
    imei = by_kind(api.sim, "tag")
    row = api("jimi.device.location.get", imeis=imei)["result"][0]
    assert row["posType"] == "BEACON"
    tag = api("jimi.device.location.getTagMsg", imei=imei)["result"]
    assert tag["positionType"] == "BEACON"
    assert tag["gpsSpeed"] == -1
    other = by_kind(api.sim, "vehicle")
    assert api("jimi.device.location.getTagMsg", imei=other)["code"] != 0


def test_track_points_use_on_off_and_numbers(api: Api) -> None:
    imei = by_kind(api.sim, "vehicle")
    answer = api(
        "jimi.device.track.list",
        imei=imei,
        begin_time=sim_str(api.sim, -3 * 86400),
        end_time=sim_str(api.sim, -60),
    )
    assert answer["code"] == 0
    points = answer["result"]
    assert points
    moving = [p for p in points if p["gpsSpeed"] > 0]
    assert moving
    p = moving[0]
    assert p["ignition"] == "ON" and p["accStatus"] == "ON"
    assert isinstance(p["gpsSpeed"], int) and isinstance(p["direction"], int)
    assert p["posType"] == 1
    assert {pt["accStatus"] for pt in points} <= {"ON", "OFF"}
    assert max(pt["gpsSpeed"] for pt in points) < 130
    times = [pt["gpsTime"] for pt in points]
    assert times == sorted(times)


def test_track_windows_are_at_most_7_days(api: Api) -> None:
    imei = by_kind(api.sim, "vehicle")
    answer = api(
        "jimi.device.track.list",
        imei=imei,
        begin_time=sim_str(api.sim, -8 * 86400),
        end_time=sim_str(api.sim, -60),
    )
    assert answer["code"] == 1001


def test_track_history_stops_at_about_3_months(api: Api) -> None:
    imei = by_kind(api.sim, "vehicle")
    answer = api(
        "jimi.device.track.list",
        imei=imei,
        begin_time=sim_str(api.sim, -100 * 86400),
        end_time=sim_str(api.sim, -99 * 86400),
    )
    assert answer["code"] == 1001
    ok = api(
        "jimi.device.track.list",
        imei=imei,
        begin_time=sim_str(api.sim, -80 * 86400),
        end_time=sim_str(api.sim, -79 * 86400),
    )
    assert ok["code"] == 0


def test_track_end_time_must_be_before_now(api: Api) -> None:
    imei = by_kind(api.sim, "vehicle")
    answer = api(
        "jimi.device.track.list",
        imei=imei,
        begin_time=sim_str(api.sim, -3600),
        end_time=sim_str(api.sim, 3600),
    )
    assert answer["code"] == 1001


def test_mileage_answers_trips_in_data_with_elapsed(api: Api) -> None:
    imeis = ",".join(api.sim.imeis()[:5])
    answer = api(
        "jimi.device.track.mileage",
        imeis=imeis,
        begin_time=sim_str(api.sim, -7 * 86400),
        end_time=sim_str(api.sim, -60),
    )
    assert answer["code"] == 0
    assert answer["result"] is None
    data = answer["data"]
    assert data["dataTotalRows"] >= 1
    trip = data["rows"][0]
    assert isinstance(trip["elapsed"], int)
    assert float(trip["distance"]) > 0


def test_mileage_distances_match_the_odometer(api: Api) -> None:
    dev = next(d for d in api.sim.world.devices.values() if d.kind == "vehicle")
    t1 = api.sim.clock.sim() - 3600
    t0 = t1 - 3 * 86400
    w = api.sim.world
    rows = api(
        "jimi.device.track.mileage",
        imeis=dev.imei,
        begin_time=sim_str(api.sim, t0 - t1 - 3600),
        end_time=sim_str(api.sim, -3600),
        page_size=1000,
    )["data"]["rows"]
    total_km = sum(float(r["distance"]) for r in rows) / 1000
    odo = w.odometer_km(dev, t1) - w.odometer_km(dev, t0)
    assert abs(total_km - odo) < 0.5 + 0.05 * odo


def test_parking_times_are_iso_with_z(api: Api) -> None:
    imei = by_kind(api.sim, "vehicle")
    answer = api(
        "jimi.open.platform.report.parking",
        account="demo",
        imeis=imei,
        start_time=sim_str(api.sim, -3 * 86400),
        end_time=sim_str(api.sim, -60),
        start_row=0,
        page_size=50,
        acc_type=0,
    )
    assert answer["code"] == 0
    rows = answer["data"]["rows"]
    assert rows
    assert rows[0]["startTime"].endswith(".000Z") or rows[0]["startTime"].endswith("Z")
    assert "T" in rows[0]["startTime"]
    assert isinstance(rows[0]["durSecond"], int)


def test_parking_wants_its_paging_params(api: Api) -> None:
    imei = by_kind(api.sim, "vehicle")
    answer = api(
        "jimi.open.platform.report.parking",
        account="demo",
        imeis=imei,
        start_time=sim_str(api.sim, -86400),
        end_time=sim_str(api.sim, -60),
        acc_type=0,
    )
    assert answer["code"] == 1001


def test_lbs_has_a_daily_quota_per_device(fresh: Api) -> None:
    fresh.login()
    imei = fresh.sim.imeis()[0]
    codes = [fresh("jimi.lbs.address.get", imei=imei)["code"] for _ in range(11)]
    assert codes[:10] == [0] * 10
    assert codes[10] != 0


def test_a_share_url_serves_a_page(api: Api) -> None:
    import requests  # noqa: TID251 - loopback calls to the simulator under test

    url = api("jimi.device.location.URL.share", imei=api.sim.imeis()[0])["result"]["URL"]
    assert requests.get(url, timeout=5).status_code == 200


def test_a_device_taken_offline_shows_status_0(fresh: Api) -> None:
    fresh.login()
    imei = by_kind(fresh.sim, "vehicle")
    fresh.sim.set_offline(imei, True)
    fresh.sim.advance(600)
    row = fresh("jimi.device.location.get", imeis=imei)["result"][0]
    assert row["status"] == "0"
    fresh.sim.set_offline(imei, False)
    row = fresh("jimi.device.location.get", imeis=imei)["result"][0]
    assert row["status"] == "1"


def test_points_buffered_in_a_coverage_gap_come_back_with_gps_mode_1() -> None:
    from tracksolid.simulator import Simulator, SimulatorConfig

    sim = Simulator(SimulatorConfig(devices=40, seed=9))
    w = sim.world
    now = sim.clock.sim()
    found = None
    for dev in w.devices.values():
        for day in range(w.day_of(now) - 20, w.day_of(now) - 1):
            win = w.offline_window(dev, day)
            if (
                win
                and w.buffered(dev, win[0] + 1)
                and len(w.points_between(dev, win[0], win[1], upto=now)) > 2
            ):
                found = (dev, win)
                break
        if found:
            break
    assert found, "no buffered coverage gap with driving in 20 days of 40 devices"
    dev, (start, end) = found
    live = w.points_between(dev, start, end)
    history = w.points_between(dev, start, end, upto=now)
    assert len(history) > len(live)
    assert all(w.buffered(dev, p.t) for p in history if p.t < end)
    (reconnect, late), *_ = w.reuploads(dev, start - 1, end + 1)
    assert reconnect == end and late


def test_lbs_answers_a_position_with_its_accuracy(api: Api) -> None:
    result = api("jimi.lbs.address.get", imei=api.sim.imeis()[1], lbs="460,0,9520,3671")["result"]
    assert isinstance(result["lat"], float) and isinstance(result["lng"], float)
    assert isinstance(result["accuracy"], int)
