"""Device management and groups: shapes, types and vendor-side changes seen in later answers."""

from __future__ import annotations

from .conftest import Api, sim_str


def test_the_device_list_is_a_plain_array_of_the_whole_tree(api: Api) -> None:
    rows = api("jimi.user.device.list", target="demo")["result"]
    assert len(rows) == 12
    row = rows[0]
    assert set(row) >= {
        "imei",
        "deviceName",
        "mcType",
        "sim",
        "expiration",
        "activationTime",
        "vehicleName",
        "vehicleNumber",
        "driverName",
        "enabledFlag",
    }
    assert row["enabledFlag"] == 1
    assert {r["account"] for r in rows} <= {"demo", "demo_north", "demo_south"}


def test_some_fleets_type_plate_and_driver_into_the_device_name(api: Api) -> None:
    rows = api("jimi.user.device.list", target="demo")["result"]
    assert any(" - " in r["deviceName"] and r["vehicleNumber"] == "" for r in rows)


def test_the_fleet_has_trackers_obd_dashcams_and_a_tag(api: Api) -> None:
    kinds = {d.kind for d in api.sim.world.devices.values()}
    assert kinds == {"vehicle", "obd", "dashcam", "tag"}
    assert all(d.cameras >= 2 for d in api.sim.world.devices.values() if d.kind == "dashcam")


def test_the_detail_carries_the_odometer_as_a_string(api: Api) -> None:
    imei = api.sim.imeis()[0]
    result = api("jimi.track.device.detail", imei=imei)["result"]
    assert result["imei"] == imei
    assert isinstance(result["currentMileage"], str)
    float(result["currentMileage"])
    assert result["deviceGroup"]


def test_an_unknown_imei_is_an_illegal_device(api: Api) -> None:
    assert api("jimi.track.device.detail", imei="000000000000000")["code"] == 1002


def test_a_device_update_shows_in_later_answers(fresh: Api) -> None:
    fresh.login()
    imei = fresh.sim.imeis()[1]
    assert (
        fresh(
            "jimi.open.device.update",
            imei=imei,
            device_name="Renamed",
            vehicle_number="1111 AAA",
            driver_name="Eva",
            mileage="12345.5",
        )["code"]
        == 0
    )
    detail = fresh("jimi.track.device.detail", imei=imei)["result"]
    assert detail["deviceName"] == "Renamed"
    assert detail["vehicleNumber"] == "1111 AAA"
    assert abs(float(detail["currentMileage"]) - 12345.5) < 1.0


def test_a_move_changes_the_owner_account(fresh: Api) -> None:
    fresh.login()
    dev = next(d for d in fresh.sim.world.devices.values() if d.account == "demo")
    answer = fresh(
        "jimi.open.device.move", src_account="demo", dest_account="demo_south", imeis=dev.imei
    )
    assert answer["code"] == 0
    assert answer["result"] == [dev.imei]
    assert fresh("jimi.track.device.detail", imei=dev.imei)["result"]["account"] == "demo_south"
    again = fresh(
        "jimi.open.device.move", src_account="demo", dest_account="demo_south", imeis=dev.imei
    )
    assert again["code"] == 1112


def test_an_expired_device_reports_zero_coordinates(fresh: Api) -> None:
    fresh.login()
    imei = fresh.sim.imeis()[0]
    answer = fresh(
        "jimi.user.device.expiration.update",
        imei_list=imei,
        new_expiration=sim_str(fresh.sim, -86400),
    )
    assert answer["result"][0]["imei"] == imei
    row = next(r for r in fresh("jimi.device.location.get", imeis=imei)["result"])
    assert (row["lat"], row["lng"], row["expireFlag"]) == (0, 0, "1")
    fresh("jimi.user.device.expiration.update", imei_list=imei, new_expiration="2099-01-01")
    row = fresh("jimi.device.location.get", imeis=imei)["result"][0]
    assert row["expireFlag"] == "0"


def test_binding_twice_is_a_repeated_operation(fresh: Api) -> None:
    fresh.login()
    imei = fresh.sim.imeis()[0]
    assert fresh("jimi.open.device.bind", imei=imei, user_id="app1")["code"] == 0
    assert fresh("jimi.open.device.bind", imei=imei, user_id="app1")["code"] == 1003
    assert fresh("jimi.open.device.unbind", imei=imei, user_id="app1")["code"] == 0
    assert fresh("jimi.open.device.unbind", imei=imei, user_id="app1")["code"] != 0


def test_groups_are_created_listed_renamed_and_deleted(fresh: Api) -> None:
    fresh.login()
    created = fresh("jimi.device.group.create", account="demo", group_name="Night shift")
    assert created["code"] == 0
    gid = created["result"]["group_id"]
    assert isinstance(gid, str)
    assert (
        fresh("jimi.device.group.create", account="demo", group_name="Night shift")["code"] == 1114
    )
    assert fresh("jimi.device.group.update", group_id=gid, group_name="Late shift")["code"] == 0
    names = [g["group_name"] for g in fresh("jimi.device.group.list", account="demo")["result"]]
    assert "Late shift" in names
    assert fresh("jimi.device.group.delete", group_id=gid)["code"] == 0
    names = [g["group_name"] for g in fresh("jimi.device.group.list", account="demo")["result"]]
    assert "Late shift" not in names


def test_batch_calls_take_at_most_50_imeis(api: Api) -> None:
    imeis = ",".join(str(860000000000000 + i) for i in range(51))
    answer = api("jimi.user.device.expiration.update", imei_list=imeis, new_expiration="2030-01-01")
    assert answer["code"] == 1001


def test_sub_accounts_are_listed(api: Api) -> None:
    rows = api("jimi.user.child.list", target="demo")["result"]
    assert {r["account"] for r in rows} == {"demo_north", "demo_south"}
