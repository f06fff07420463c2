"""Thinning a track to a point budget (``telemetry/simplify.py``)."""

from __future__ import annotations

import math

from telemetry.simplify import simplify_track


def wiggly_track(count: int) -> list[tuple[int, float, float, float, int, bool]]:
    """A drive of ``count`` 10-second points along a winding road."""
    return [
        (
            1_700_000_000 + 10 * i,
            48.8 + i * 1e-4 + 2e-3 * math.sin(i / 37),
            2.3 + i * 1.5e-4 + 2e-3 * math.cos(i / 23),
            float(i % 90),
            (i * 7) % 360,
            i % 500 != 0,
        )
        for i in range(count)
    ]


def test_a_track_within_the_budget_comes_back_unchanged():
    track = wiggly_track(100)
    assert simplify_track(track, 100) == track


def test_a_long_track_is_thinned_to_the_budget_keeping_both_ends():
    track = wiggly_track(60_480)
    thinned = simplify_track(track, 5000)
    assert 2 < len(thinned) <= 5000
    assert thinned[0] == track[0]
    assert thinned[-1] == track[-1]


def test_the_kept_points_are_whole_rows_in_time_order():
    track = wiggly_track(20_000)
    thinned = simplify_track(track, 1000)
    assert all(row in track for row in thinned[:50])
    times = [row[0] for row in thinned]
    assert times == sorted(times)
    assert len(set(times)) == len(times)


def test_it_uses_most_of_the_budget_rather_than_a_few_points():
    thinned = simplify_track(wiggly_track(30_000), 2000)
    assert len(thinned) >= 0.5 * 2000


def test_a_parked_vehicle_collapses_to_its_ends():
    track = [(i, 48.0, 2.0, 0.0, 0, False) for i in range(10_000)]
    thinned = simplify_track(track, 100)
    assert thinned[0] == track[0]
    assert thinned[-1] == track[-1]
    assert len(thinned) <= 100


def test_a_budget_below_two_still_keeps_both_ends():
    track = wiggly_track(50)
    assert simplify_track(track, 0) == [track[0], track[-1]]


def test_seven_days_of_points_are_thinned_to_the_budget():
    # How fast is measured by bench/bench_api.py, not asserted here.
    track = wiggly_track(60_480)
    thinned = simplify_track(track, 5000)
    assert 1000 < len(thinned) <= 5000
    assert thinned[0] == track[0] and thinned[-1] == track[-1]
