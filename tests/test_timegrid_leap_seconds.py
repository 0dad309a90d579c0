"""Leap seconds: a grid's steps are elapsed seconds and its UTC labels count leap seconds,
checked against skyfield's timescale (its builtin IERS leap-second table) and skyfield's
``EarthSatellite.at`` across 2016-12-31 23:59:60, the last leap second to date (IERS
Bulletin C 52: TAI − UTC = 37 s from 2017-01-01)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from skyfield.api import EarthSatellite
from skyfield.framelib import itrs
from skyfield.searchlib import find_discrete

from workbench.model import Constellation
from workbench.model.timegrid import TimeGrid
from workbench.orbits.access import access_windows
from workbench.orbits.frames import ephemeris_de421, skyfield_time, timescale
from workbench.orbits.propagation import propagate, satrecs
from workbench.orbits.sun import eclipse_intervals

ONE_MILLIMETRE_KM = 1e-6
LEAP_2016 = datetime(2017, 1, 1, tzinfo=UTC)  # 2016-12-31 23:59:60 ends at this midnight
JUST_BEFORE = LEAP_2016 - timedelta(microseconds=1)


def _grid() -> TimeGrid:
    """2016-12-31T23:59:00 on at 10 s for 130 elapsed seconds: 14 instants, the seventh
    of them 23:59:60, the last 2017-01-01T00:01:09 (one second fewer on the clock)."""
    return TimeGrid(start=datetime(2016, 12, 31, 23, 59, tzinfo=UTC), duration_s=130.0,
                    step_s=10.0)


def _reference_times():
    """The same instants from skyfield's own UTC arithmetic: seconds past 59 run on
    through 23:59:60 into the next day."""
    return timescale().utc(2016, 12, 31, 23, 59, np.arange(0.0, 131.0, 10.0))


def test_labels_count_the_leap_second():
    grid = _grid()
    dts, leap = _reference_times().utc_datetime_and_leap_second()
    labels = grid.times_utc.to_list()
    assert leap.tolist() == grid.is_leap_second.tolist() == [False] * 6 + [True] + [False] * 7
    for label, dt, is_leap in zip(labels, dts, leap, strict=True):
        assert label == (JUST_BEFORE if is_leap else dt)
    assert labels[7] == datetime(2017, 1, 1, 0, 0, 9, tzinfo=UTC)  # not 00:00:10
    assert grid.end == datetime(2017, 1, 1, 0, 1, 9, tzinfo=UTC) == grid.at(13)
    assert grid.at(6) == JUST_BEFORE
    assert grid.times_utc.is_sorted() and grid.times_utc.name == "time_utc"


@pytest.mark.parametrize("epoch", [datetime(2016, 12, 31, 23, 59, tzinfo=UTC),
                                   datetime(2016, 12, 30, 6, tzinfo=UTC)])
def test_positions_across_the_leap_second_match_skyfield(epoch):
    """Walker elements at an epoch on the grid or a day and a half before the leap second
    (so SGP4's tsince spans it), against ``EarthSatellite.at`` at skyfield's instants and,
    away from the leap second itself, at the grid's UTC labels."""
    c = Constellation.walker(550.0, 53.0, 2, 2, 1)
    grid = _grid()
    ts = timescale()
    ours_itrs = propagate(c, grid, epoch=epoch)
    ours_teme = propagate(c, grid, epoch=epoch, frame="teme")
    t = _reference_times()
    labelled = ts.from_datetimes([x for x, is_leap in zip(grid.times_utc, grid.is_leap_second,
                                                          strict=True) if not is_leap])
    worst_km = 0.0
    for k, rec in enumerate(satrecs(c, epoch=epoch)):
        sat = EarthSatellite.from_satrec(rec, ts)
        worst_km = max(worst_km, np.abs(ours_itrs[k] - sat.at(t).frame_xyz(itrs).km.T).max(),
                       np.abs(ours_teme[k] - sat._position_and_velocity_TEME_km(t)[0].T).max(),
                       np.abs(ours_itrs[k][~grid.is_leap_second]
                              - sat.at(labelled).frame_xyz(itrs).km.T).max())
    print(f"worst {worst_km * 1e9:.3f} µm")
    assert worst_km < ONE_MILLIMETRE_KM, worst_km  # measured 0.11–0.17 µm


def test_eclipse_and_pass_times_after_the_leap_second_match_skyfield():
    """Event labels (eclipse entry/exit, rise/set) are converted with the same table: over
    four hours spanning the leap second they agree with skyfield's ``find_discrete`` on
    ``is_sunlit`` and on the elevation to well under the one second the leap adds."""
    c = Constellation.walker(550.0, 53.0, 2, 2, 1)
    grid = TimeGrid(start=datetime(2016, 12, 31, 22, tzinfo=UTC), duration_s=4 * 3600.0,
                    step_s=60.0)
    ts, eph, t = timescale(), ephemeris_de421(), skyfield_time(grid)
    intervals = eclipse_intervals(c, grid)
    from skyfield.api import wgs84

    from workbench.model.ground import GroundSite
    site = GroundSite(name="Kashi", lat_deg=39.47, lon_deg=75.99, role="gateway",
                      min_elevation_deg=10.0)
    topos = wgs84.latlon(site.lat_deg, site.lon_deg)
    windows = access_windows(c, [site], grid)
    worst_s, n_after = 0.0, 0
    for sat_id, rec in enumerate(satrecs(c, epoch=grid.start)):
        sat = EarthSatellite.from_satrec(rec, ts)

        def lit(tt, sat=sat):
            return sat.at(tt).is_sunlit(eph)

        def up(tt, sat=sat):
            return (sat - topos).at(tt).altaz()[0].degrees > site.min_elevation_deg

        lit.step_days = up.step_days = 60.0 / 86400.0
        ours = intervals.filter(pl.col("sat_id") == sat_id)
        mine_w = windows.filter(pl.col("sat_id") == sat_id)
        for fn, starts, ends in ((lit, ours["end_utc"], ours["start_utc"]),
                                 (up, mine_w["rise_utc"], mine_w["set_utc"])):
            times, values = find_discrete(t[0], t[-1], fn, epsilon=1e-3 / 86400.0)
            ref_up = [x.utc_datetime() for x, v in zip(times, values, strict=True) if v]
            ref_down = [x.utc_datetime() for x, v in zip(times, values, strict=True) if not v]
            got_up = [x for x in starts if grid.start < x < grid.end]
            got_down = [x for x in ends if grid.start < x < grid.end]
            assert len(got_up) == len(ref_up) and len(got_down) == len(ref_down)
            for got, ref in zip(got_up + got_down, ref_up + ref_down, strict=True):
                worst_s = max(worst_s, abs((got - ref).total_seconds()))
                n_after += ref > LEAP_2016
    assert n_after >= 8  # most of the crossings compared lie after the leap second
    assert worst_s < 0.05, worst_s  # a label without the leap second would be 1 s off


_START = st.datetimes(min_value=datetime(1971, 6, 1), max_value=datetime(2030, 1, 1),
                      timezones=st.just(UTC))


@settings(max_examples=60, deadline=None)
@given(start=_START, span_days=st.floats(0.0, 400.0),
       near_leap=st.sampled_from([None, 0, 5, 12, 20, 26]), back_s=st.floats(0.0, 5.0))
def test_labels_match_skyfield_and_round_trip(start, span_days, near_leap, back_s):
    """Any start from 1971 on, some just before a leap second: the label of every offset
    is skyfield's UTC of ``from_datetime(start)`` plus that many seconds of TT, and
    ``offsets_at`` takes a label back to its offset (except inside a leap second, whose
    label is clamped to the microsecond before midnight)."""
    ts = timescale()
    if near_leap is not None:
        midnight = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(
            days=float(ts.leap_dates[near_leap]) - 2440587.5)
        start = midnight - timedelta(seconds=back_s)
    grid = TimeGrid(start=start, duration_s=0.0, step_s=60.0)
    offsets = np.concatenate([np.linspace(0.0, span_days * 86400.0, 50),
                              np.arange(0.0, 8.0, 0.25)])
    labels = grid.utc_at(offsets).to_list()
    t = ts.from_datetime(grid.start) + offsets / 86400.0
    ref, leap = t.utc_datetime_and_leap_second()
    for label, dt, is_leap in zip(labels, ref, leap, strict=True):
        if is_leap:
            assert label.hour == 23 and label.minute == 59 and label.second == 59
            assert label.microsecond == 999_999 and label.day == dt.day
        else:  # skyfield rounds to the microsecond as utc_at does
            assert abs((label - dt).total_seconds()) <= 1.5e-6
    back = grid.offsets_at(pl.Series(labels))
    ok = ~np.asarray(leap, dtype=bool)
    assert np.abs(back[ok] - offsets[ok]).max() <= 1.5e-6


def test_missing_offsets_give_missing_labels():
    grid = _grid()
    labels = grid.utc_at(np.array([0.0, np.nan, 70.0]))
    assert labels.null_count() == 1 and labels[2] == datetime(2017, 1, 1, 0, 0, 9, tzinfo=UTC)
    assert np.isnan(grid.offsets_at(labels)[1])
    assert grid.offsets_at(labels)[2] == 70.0
