"""Dashcam media: captures make real JPEG/MP4 files, lists, alarm media, live and history video."""

from __future__ import annotations

import struct

import requests  # noqa: TID251 - loopback calls to the simulator under test

from tracksolid.simulator.media import clip, frame

from .conftest import Api, by_kind, sim_str


def _boxes(data: bytes) -> list[bytes]:
    out, i = [], 0
    while i < len(data):
        size, kind = struct.unpack(">I4s", data[i : i + 8])
        out.append(kind)
        i += size
    return out


def test_stills_are_baseline_jpegs() -> None:
    img = frame("x", 0, 160, 96)
    assert img[:2] == b"\xff\xd8" and img[-2:] == b"\xff\xd9"
    assert b"\xff\xc0" in img  # baseline frame header
    assert len(img) < 4096


def test_clips_are_mp4_with_a_motion_jpeg_track() -> None:
    mp4 = clip("x", 3)
    assert _boxes(mp4) == [b"ftyp", b"moov", b"mdat"]
    assert b"jpeg" in mp4 and b"stco" in mp4
    moov_end = mp4.index(b"mdat") - 4
    (offset,) = struct.unpack(">I", mp4[mp4.index(b"stco") + 12 : mp4.index(b"stco") + 16])
    assert offset == moov_end + 8
    assert mp4[offset : offset + 2] == b"\xff\xd8"


def test_a_photo_capture_is_not_listed_before_it_is_ready(fresh: Api) -> None:
    fresh.login()
    sim = fresh.sim
    imei = by_kind(sim, "dashcam")
    sim.set_offline(imei, False)
    sent = fresh("jimi.device.meida.cmd.send", imei=imei, camera=1, mediaType="photo")
    assert sent["code"] == 0
    assert sent["result"]["cmdSeqNo"]
    early = fresh("jimi.device.jimi.media.URL", imei=imei, camera=1, media_type="photo")
    assert early["code"] == 1207
    sim.advance(10)
    fresh.login()
    answer = fresh("jimi.device.jimi.media.URL", imei=imei, camera=1, media_type="photo")
    assert answer["code"] == 0
    page = answer["data"]
    assert page["totalRecord"] == 1
    row = page["result"][0]
    assert row["mime_type"] == "image/jpeg"
    body = requests.get(row["file_URL"], timeout=5).content
    assert body[:2] == b"\xff\xd8"
    assert len(body) == row["file_size"]


def test_a_video_capture_serves_an_mp4(fresh: Api) -> None:
    fresh.login()
    imei = by_kind(fresh.sim, "dashcam")
    fresh.sim.set_offline(imei, False)
    fresh("jimi.device.meida.cmd.send", imei=imei, camera=2, mediaType="video", shootTime=4)
    fresh.sim.advance(20)
    fresh.login()
    row = fresh("jimi.device.jimi.media.URL", imei=imei, camera=2, media_type="video")["data"][
        "result"
    ][0]
    resp = requests.get(row["file_URL"], timeout=5)
    assert resp.headers["Content-Type"] == "video/mp4"
    assert resp.content[4:8] == b"ftyp"


def test_a_capture_needs_a_camera_the_device_has(api: Api) -> None:
    imei = by_kind(api.sim, "dashcam")
    api.sim.set_offline(imei, False)
    assert api("jimi.device.meida.cmd.send", imei=imei, camera=9, mediaType="photo")["code"] == 1001
    car = by_kind(api.sim, "vehicle")
    assert api("jimi.device.meida.cmd.send", imei=car, camera=1, mediaType="photo")["code"] != 0


def test_a_capture_on_an_offline_dashcam_answers_41003(fresh: Api) -> None:
    fresh.login()
    imei = by_kind(fresh.sim, "dashcam")
    fresh.sim.set_offline(imei, True)
    assert (
        fresh("jimi.device.meida.cmd.send", imei=imei, camera=1, mediaType="photo")["code"] == 41003
    )


def test_alarm_media_lists_files_per_camera(api: Api) -> None:
    cams = [d.imei for d in api.sim.world.devices.values() if d.cameras]
    answer = api(
        "jimi.device.media.event.URL",
        imeis=",".join(cams),
        media_type="photo",
        start_time=sim_str(api.sim, -20 * 86400),
        end_time=sim_str(api.sim, -60),
        page_no=1,
        page_size=100,
    )
    assert answer["code"] == 0
    rows = answer["data"]["result"]
    assert rows
    assert len(rows[0]["fileList"]) >= 2
    url = rows[0]["fileList"][0]["file_URL"]
    assert requests.get(url, timeout=5).content[:2] == b"\xff\xd8"


def test_live_urls_point_at_a_page_and_a_stream(api: Api) -> None:
    imei = by_kind(api.sim, "dashcam")
    api.sim.set_offline(imei, False)
    page = api("jimi.device.live.page.url", imei=imei)["result"]["UrlCamera"]
    assert "<img" in requests.get(page, timeout=5).text
    stream = api("jimi.device.media.live.stream", imei=imei, channel=1, appId="fleet")["result"]
    with requests.get(stream + "?seconds=1", stream=True, timeout=5) as resp:
        assert resp.headers["Content-Type"].startswith("multipart/x-mixed-replace")
        assert b"\xff\xd8" in next(resp.iter_content(4096))
    assert (
        api("jimi.device.media.close.stream", imei=imei, channel=1, type="live", appId="fleet")[
            "code"
        ]
        == 0
    )


def test_the_history_video_list_takes_two_steps(fresh: Api) -> None:
    fresh.login()
    sim = fresh.sim
    imei = by_kind(sim, "dashcam")
    sim.set_offline(imei, False)
    day = sim_str(sim, -86400)
    sent = fresh(
        "jimi.device.media.history.list.cmd",
        imei=imei,
        channel=1,
        dateTime=day,
        instructionId="abc123",
        appId="fleet",
    )
    assert sent["code"] == 0
    assert fresh("jimi.device.media.history.list.get", instructionId="abc123")["code"] == 1207
    sim.advance(10)
    fresh.login()
    files = fresh("jimi.device.media.history.list.get", instructionId="abc123")["result"]
    assert isinstance(files, list)
    if files:
        assert {"channel", "beginTime", "endTime", "fileSize", "fileName", "codeType"} <= set(
            files[0]
        )
    url = fresh(
        "jimi.device.media.history.stream", imei=imei, channel=1, appId="fleet", beginTime=day
    )["result"]
    assert requests.get(url, timeout=5).content[4:8] == b"ftyp"
