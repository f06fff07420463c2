"""Tests for tracksolid.client_media (spec section 7) against the simulator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tracksolid.client import TracksolidClient
from tracksolid.errors import (
    BusinessError,
    DeviceOffline,
    IllegalUserOrDevice,
    MediaNotReady,
    ParameterError,
)
from tracksolid.records_media import MediaEvent, MediaFile, VideoFile
from tracksolid.simulator.testing import run_simulator


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    with run_simulator(
        devices=10, seed=3, app_key="k", app_secret="s", user_id="demo", password="demo"
    ) as simulator:
        yield simulator


def device(sim: Any, wanted: str, *, online: bool = True) -> str:
    now = sim.clock.sim()
    for imei, dev in sim.world.devices.items():
        if dev.kind != wanted or getattr(dev, "never_reported", False):
            continue
        if not online or sim.world.is_reporting(dev, now):
            return str(imei)
    raise LookupError(f"no online {wanted}")


@pytest.fixture
def dashcam(sim: Any) -> str:
    # Offline spells follow the wall clock; hold one dashcam online so the tests do not depend
    # on the time of day they run at.
    imei = device(sim, "dashcam", online=False)
    sim.set_offline(imei, False)
    return imei


@pytest.fixture
def offline_dashcam(sim: Any, dashcam: str) -> Iterator[str]:
    sim.set_offline(dashcam, True)
    yield dashcam
    sim.set_offline(dashcam, False)


def test_device_live_page_url_returns_an_embeddable_page(
    client: TracksolidClient, dashcam: str
) -> None:
    page = client.device_live_page_url(dashcam, type="1")
    assert page.url is not None and "/_media/live/" in page.url
    assert isinstance(page.lat, float)


def test_device_live_page_url_of_a_device_without_camera_is_a_business_error(
    client: TracksolidClient, sim: Any
) -> None:
    with pytest.raises(BusinessError):
        client.device_live_page_url(device(sim, "vehicle", online=False))


def test_a_captured_photo_is_not_ready_at_once_and_then_listed(
    client: TracksolidClient, sim: Any, dashcam: str
) -> None:
    command = client.device_meida_cmd_send(dashcam, 1, "photo")
    assert command.cmd_seq_no and command.code == 0
    with pytest.raises(MediaNotReady):
        client.device_jimi_media_url(dashcam, 1, "photo")
    sim.advance(30)
    files = client.device_jimi_media_url(dashcam, 1, "photo")
    assert files and all(isinstance(f, MediaFile) for f in files)
    assert files[0].mime_type == "image/jpeg"
    assert files[0].create_time is not None and files[0].create_time.tzinfo is UTC
    assert isinstance(files[0].file_size, int)


def test_device_meida_cmd_send_to_an_offline_dashcam_is_device_offline(
    client: TracksolidClient, offline_dashcam: str
) -> None:
    with pytest.raises(DeviceOffline):
        client.device_meida_cmd_send(offline_dashcam, 1, "video", shoot_time=5)


def test_device_jimi_media_url_pages_to_the_end(
    client: TracksolidClient, sim: Any, dashcam: str
) -> None:
    for _ in range(5):
        client.device_meida_cmd_send(dashcam, 2, "photo")
    sim.advance(30)
    everything = client.device_jimi_media_url(dashcam, 2, "photo")
    paged = client.device_jimi_media_url(dashcam, 2, "photo", page_size=2)
    assert len(everything) >= 5
    assert [f.file_url for f in paged] == [f.file_url for f in everything]


def test_device_jimi_media_url_with_a_bad_media_type_is_a_parameter_error(
    client: TracksolidClient, dashcam: str
) -> None:
    with pytest.raises(ParameterError):
        client.device_jimi_media_url(dashcam, 1, "gif")


def test_device_history_cmd_send_returns_a_sequence_number(
    client: TracksolidClient, dashcam: str
) -> None:
    assert client.device_history_cmd_send(dashcam, "1", 1).cmd_seq_no


def test_device_history_cmd_send_to_an_offline_dashcam_is_device_offline(
    client: TracksolidClient, offline_dashcam: str
) -> None:
    with pytest.raises(DeviceOffline):
        client.device_history_cmd_send(offline_dashcam, "1", 1)


def test_device_media_event_url_returns_events_with_their_files(
    client: TracksolidClient, sim: Any, dashcam: str
) -> None:
    start = datetime.fromtimestamp(sim.clock.sim(), UTC) - timedelta(minutes=1)
    sim.trigger_alarm(dashcam, "collision")
    sim.advance(5)
    end = datetime.fromtimestamp(sim.clock.sim(), UTC)
    events = client.device_media_event_url([dashcam], "photo", start, end)
    assert events and all(isinstance(e, MediaEvent) for e in events)
    assert events[-1].event_type == "48"
    assert events[-1].files and events[-1].files[0].file_url


def test_device_media_event_url_with_a_bad_media_type_is_a_parameter_error(
    client: TracksolidClient, dashcam: str
) -> None:
    end = datetime.now(UTC)
    with pytest.raises(ParameterError):
        client.device_media_event_url([dashcam], "gif", end - timedelta(days=1), end)


def test_device_media_live_stream_returns_an_address(
    client: TracksolidClient, dashcam: str
) -> None:
    url = client.device_media_live_stream(dashcam, 1, "fleet")
    assert url is not None and url.endswith(".mjpg")


def test_device_media_live_stream_on_a_missing_channel_is_a_parameter_error(
    client: TracksolidClient, dashcam: str
) -> None:
    with pytest.raises(ParameterError):
        client.device_media_live_stream(dashcam, 5, "fleet")


def test_the_history_video_list_is_asked_for_then_read(
    client: TracksolidClient, sim: Any, dashcam: str
) -> None:
    day = datetime.fromtimestamp(sim.clock.sim(), UTC) - timedelta(days=1)
    client.device_media_history_list_cmd(dashcam, 1, day, "list-1", "fleet")
    with pytest.raises(MediaNotReady):
        client.device_media_history_list_get("list-1")
    sim.advance(30)
    files = client.device_media_history_list_get("list-1")
    assert all(isinstance(f, VideoFile) for f in files)
    if files:
        assert files[0].channel == 1 and files[0].begin_time is not None


def test_asking_an_offline_dashcam_for_its_video_list_is_device_offline(
    client: TracksolidClient, offline_dashcam: str
) -> None:
    with pytest.raises(DeviceOffline):
        client.device_media_history_list_cmd(
            offline_dashcam, 1, datetime.now(UTC), "list-offline", "fleet"
        )


def test_reading_an_unknown_history_list_is_a_parameter_error(
    client: TracksolidClient,
) -> None:
    with pytest.raises(ParameterError):
        client.device_media_history_list_get("never-asked")


def test_device_media_history_stream_returns_a_playback_address(
    client: TracksolidClient, dashcam: str
) -> None:
    begin = datetime.now(UTC) - timedelta(hours=2)
    url = client.device_media_history_stream(dashcam, 1, "fleet", begin_time=begin)
    assert url is not None and ".mp4" in url


def test_device_media_history_stream_of_an_offline_dashcam_is_device_offline(
    client: TracksolidClient, offline_dashcam: str
) -> None:
    with pytest.raises(DeviceOffline):
        client.device_media_history_stream(offline_dashcam, 1, "fleet")


def test_device_media_close_stream_succeeds_and_refuses_an_unknown_device(
    client: TracksolidClient, dashcam: str
) -> None:
    client.device_media_close_stream(dashcam, 1, "0", "fleet")
    with pytest.raises(IllegalUserOrDevice):
        client.device_media_close_stream("860000000000000", 1, "0", "fleet")
