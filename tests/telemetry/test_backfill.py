"""Tests for telemetry.backfill: finding gaps in stored positions and filling them."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import TracksolidAccount
from fleet.models import Device
from telemetry.backfill import (
    GAP,
    TRACK_SPAN,
    Fix,
    WindowReport,
    backfill_gaps,
    fetch_windows,
    find_gaps,
    track_records,
)
from telemetry.ingest import ingest_records
from telemetry.models import PollCursor, Position, Source
from tests.simulator_fixtures import vendor_calls
from tracksolid.client import TracksolidClient
from tracksolid.records import TrackPoint
from tracksolid.simulator import Simulator

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
HERE = (40.4168, -3.7038)
THERE = (40.4300, -3.7038)  # about 1.5 km north


def fix(
    minutes: float, *, speed: float = 0.0, acc: bool = False, at: tuple[float, float] = HERE
) -> Fix:
    return Fix(T0 + timedelta(minutes=minutes), at[0], at[1], speed, acc)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


# --- finding gaps -------------------------------------------------------------------------------


def test_a_silence_while_driving_is_a_gap() -> None:
    fixes = [fix(0, speed=40, acc=True), fix(0.2, speed=42, acc=True), fix(30, speed=35, acc=True)]
    assert find_gaps(fixes, at(0), at(30)) == [(at(0.2), at(30))]


def test_a_parked_tracker_that_stays_put_has_no_gap() -> None:
    fixes = [fix(0), fix(120)]
    assert find_gaps(fixes, at(0), at(120)) == []


def test_a_device_that_moved_while_silent_has_a_gap() -> None:
    fixes = [fix(0), fix(120, at=THERE)]
    assert find_gaps(fixes, at(0), at(120)) == [(at(0), at(120))]


def test_short_silences_are_not_gaps() -> None:
    fixes = [fix(0, speed=30), fix(4, speed=30), fix(8, speed=30)]
    assert find_gaps(fixes, at(0), at(8)) == []


def test_no_position_since_a_moving_one_is_a_gap_up_to_the_end() -> None:
    fixes = [fix(0, speed=50, acc=True)]
    assert find_gaps(fixes, at(0), at(60)) == [(at(0), at(60))]


def test_a_silence_since_before_the_range_is_asked_for_only_within_the_range() -> None:
    fixes = [fix(-600, speed=50, acc=True)]
    assert find_gaps(fixes, at(0), at(60)) == [(at(0), at(60))]


def test_the_last_position_before_the_range_counts() -> None:
    fixes = [fix(-30, speed=50, acc=True), fix(10, speed=50, acc=True)]
    assert find_gaps(fixes, at(0), at(10)) == [(at(-30), at(10))]


def test_on_demand_the_range_edges_are_gaps_parked_or_not() -> None:
    fixes = [fix(-30), fix(10), fix(12), fix(60), fix(70, at=THERE)]
    assert find_gaps(fixes, at(0), at(90), on_demand=True) == [
        (at(0), at(10)),
        (at(60), at(70)),
        (at(70), at(90)),
    ]


def test_on_demand_a_range_without_data_is_one_gap() -> None:
    assert find_gaps([], at(0), at(90), on_demand=True) == [(at(0), at(90))]
    assert find_gaps([fix(-30)], at(0), at(90), on_demand=True) == [(at(0), at(90))]


# --- windows ----------------------------------------------------------------------------------


def test_close_gaps_are_fetched_in_one_call() -> None:
    gaps = [(at(0), at(10)), (at(30), at(45)), (at(300), at(320))]
    assert fetch_windows(gaps, horizon=at(-1000)) == [(at(0), at(45)), (at(300), at(320))]


def test_a_long_gap_is_cut_into_seven_day_windows() -> None:
    end = T0 + timedelta(days=10)
    assert fetch_windows([(T0, end)], horizon=T0 - timedelta(days=1)) == [
        (T0, T0 + TRACK_SPAN),
        (T0 + TRACK_SPAN, end),
    ]


def test_nothing_is_asked_before_the_vendors_horizon() -> None:
    horizon = at(100)
    assert fetch_windows([(at(0), at(50)), (at(90), at(200))], horizon=horizon) == [
        (horizon, at(200))
    ]


def test_track_points_become_backfill_positions_with_acc_from_ignition() -> None:
    points = [
        TrackPoint("1", 40.0, -3.0, T0, speed=30, ignition=True, reuploaded=True),
        TrackPoint("1", None, None, T0),
    ]
    [record] = track_records(points)
    assert (record.imei, record.gps_time, record.acc, record.reuploaded) == ("1", T0, True, True)


# --- against the simulator ------------------------------------------------------------------


def yesterday_morning() -> tuple[datetime, datetime]:
    begin = (timezone.now() - timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    return begin, begin + timedelta(hours=4)


def busiest(
    sim: Simulator, client: TracksolidClient, begin: datetime, end: datetime
) -> list[TrackPoint]:
    tracks = [
        client.device_track_list(d.imei, begin, end)
        for d in sim.world.devices.values()
        if d.kind in ("vehicle", "obd", "dashcam")
    ]
    return max(tracks, key=lambda points: sum(1 for p in points if p.speed))


def store(account: TracksolidAccount, points: list[TrackPoint]) -> None:
    ingest_records(account=account, records=list(track_records(points)), source=Source.PUSH)


@pytest.mark.django_db
def test_a_hole_in_a_drive_is_filled_from_track_history_with_one_call(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    begin, end = yesterday_morning()
    points = busiest(simulator, sim_client, begin, end)
    store(sim_account, points)
    complete = Position.objects.count()
    # Lose 20 minutes of a drive, as when a push never came.
    start = next(i for i, p in enumerate(points) if p.speed and i > 10)
    stop = next(
        i
        for i, p in enumerate(points)
        if p.gps_time - points[start].gps_time > timedelta(minutes=20)
    )
    lost = Position.objects.filter(
        gps_time__gt=points[start].gps_time, gps_time__lt=points[stop].gps_time
    )
    assert lost.count() > 10
    lost.delete()
    simulator.stats.reset()

    result = backfill_gaps(account=sim_account, since=begin, until=end, client=sim_client)

    assert vendor_calls(simulator) == {"jimi.device.track.list": 1}
    assert Position.objects.count() == complete
    assert result.stored == Position.objects.filter(source=Source.BACKFILL).count() > 10
    cursor = PollCursor.objects.get(account=sim_account, poller="backfill", scope="")
    assert cursor.position == end

    again = backfill_gaps(account=sim_account, since=begin, until=end, client=sim_client)
    assert again.gaps == 0
    assert vendor_calls(simulator) == {"jimi.device.track.list": 1}


@pytest.mark.django_db
def test_a_complete_track_needs_no_vendor_call(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    begin, end = yesterday_morning()
    store(sim_account, busiest(simulator, sim_client, begin, end))
    simulator.stats.reset()

    result = backfill_gaps(account=sim_account, since=begin, until=end, client=sim_client)

    assert result.ran and result.windows == 0
    assert vendor_calls(simulator) == {}


@pytest.mark.django_db
def test_a_periodic_run_starts_from_the_cursor(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    first = backfill_gaps(account=sim_account, client=sim_client)
    second = backfill_gaps(account=sim_account, client=sim_client)
    assert first.end is not None and second.begin is not None
    assert second.begin == first.end - timedelta(hours=1)


@pytest.mark.django_db
def test_a_device_back_fill_of_a_range_without_data_fetches_it_in_seven_day_windows(
    simulator: Simulator, sim_account: TracksolidAccount, sim_client: TracksolidClient
) -> None:
    imei = next(d.imei for d in simulator.world.devices.values() if d.kind == "vehicle")
    device = Device.objects.create(
        imei=imei, organisation=sim_account.organisation, account=sim_account
    )
    reports: list[WindowReport] = []

    result = backfill_gaps(
        device=device,
        since=timezone.now() - timedelta(days=8),
        client=sim_client,
        progress=reports.append,
    )

    assert vendor_calls(simulator)["jimi.device.track.list"] == 2
    assert [(r.index, r.total) for r in reports] == [(1, 2), (2, 2)]
    assert reports[0].end - reports[0].begin == TRACK_SPAN
    stored = Position.objects.filter(device=device, source=Source.BACKFILL).count()
    assert stored == result.stored == sum(r.stored for r in reports) > 100
    assert PollCursor.objects.filter(account=sim_account, poller="backfill", scope=imei).exists()

    # Again: nothing new to store. (It may still ask for holes the vendor's own track has, such
    # as an offline spell while driving; how many depends on the hour the suite runs at.)
    again = backfill_gaps(
        device=device, since=timezone.now() - timedelta(days=8), client=sim_client
    )
    assert again.stored <= 5


@pytest.mark.django_db
def test_the_backfill_command_shows_progress_per_window(
    simulator: Simulator, sim_account: TracksolidAccount
) -> None:
    imei = next(d.imei for d in simulator.world.devices.values() if d.kind == "vehicle")
    Device.objects.create(imei=imei, organisation=sim_account.organisation, account=sim_account)
    since = (timezone.now() - timedelta(days=2)).strftime("%Y-%m-%d")
    out = io.StringIO()

    call_command("backfill", "--device", imei, "--since", since, stdout=out)

    text = out.getvalue()
    assert "[1/1]" in text and "points" in text
    assert f"{imei}:" in text and "new positions" in text
    assert Position.objects.filter(device__imei=imei, source=Source.BACKFILL).exists()


@pytest.mark.django_db
def test_the_backfill_command_refuses_an_unknown_device() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no device"):
        call_command("backfill", "--device", "000", "--since", "2026-01-01")


def test_the_gap_threshold_is_five_minutes() -> None:
    assert timedelta(minutes=5) == GAP
