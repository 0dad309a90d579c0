"""Eclipse seasons of a dawn–dusk sun-synchronous shell against skyfield's ``is_sunlit``
(SGP4 through ``EarthSatellite.from_satrec``, the Sun from JPL DE421), the node's local time
over a year against SGP4's own secular node rate, and the figure."""
from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest
from skyfield.api import EarthSatellite

from workbench.analyses import eclipse_season_spans, eclipse_seasons
from workbench.analyses.onboard.power import critical_beta_deg
from workbench.analyses.onboard.seasons import SEASON_SCHEMA, ltan_drift_min_per_year
from workbench.model import Constellation, ModelError
from workbench.orbits.frames import ephemeris_de421, timescale
from workbench.orbits.propagation import satrecs

EPOCH = datetime(2026, 6, 21, tzinfo=UTC)  # the dawn-dusk-datacentre scenario's epoch
ALTITUDE_KM = 650.0
SAMPLE_S = 0.5
"""skyfield's shadow test is sampled every half second: its eclipse is good to ~1 s."""


def _shell(sats: int = 4) -> Constellation:
    return Constellation.sun_synchronous(ALTITUDE_KM, 6.0, 1, sats, epoch_utc=EPOCH)


def _skyfield_eclipse_s(c: Constellation, start: datetime) -> np.ndarray:
    """Seconds each satellite spends in the shadow over one of its periods from ``start``,
    from skyfield's ``is_sunlit`` sampled every :data:`SAMPLE_S`."""
    ts, eph = timescale(), ephemeris_de421()
    out = []
    for rec in satrecs(c, epoch=EPOCH):
        period_s = 2.0 * math.pi / rec.no_kozai * 60.0
        offsets = np.arange(0.0, period_s, SAMPLE_S)
        t = ts.from_datetime(start) + offsets / 86400.0
        sat = EarthSatellite.from_satrec(rec, ts)
        out.append(float((~sat.at(t).is_sunlit(eph)).sum()) * SAMPLE_S)
    return np.array(out)


@pytest.mark.parametrize("day", [
    datetime(2026, 6, 21, tzinfo=UTC),    # June solstice: far out of the season
    datetime(2026, 10, 30, tzinfo=UTC),   # a week before it starts
    datetime(2026, 11, 12, tzinfo=UTC),   # early in the season: short eclipses
    datetime(2026, 12, 21, 7, tzinfo=UTC),  # December solstice: the longest
    datetime(2027, 1, 31, tzinfo=UTC),    # late in the season
    datetime(2027, 2, 10, tzinfo=UTC),    # just after it
])
def test_eclipse_per_orbit_matches_skyfield_is_sunlit(day):
    c = _shell()
    frame = eclipse_seasons(c, epoch_utc=EPOCH, start_utc=day, days=1.0)
    reference = _skyfield_eclipse_s(c, day)
    assert frame.height == 1 and frame.schema == SEASON_SCHEMA
    row = frame.row(0, named=True)
    assert row["time_utc"] == day
    assert row["eclipse_max_s"] == pytest.approx(reference.max(), abs=2 * SAMPLE_S + 0.1)
    assert row["eclipse_mean_s"] == pytest.approx(reference.mean(), abs=2 * SAMPLE_S + 0.1)
    assert row["eclipsed_frac"] == float((reference > 0).mean())
    if day.month in (11, 12, 1):
        assert row["eclipsed_frac"] == 1.0 and row["eclipse_max_s"] > 200.0
    else:
        assert row["eclipse_max_s"] == 0.0


@pytest.fixture(scope="module")
def year() -> pl.DataFrame:
    return eclipse_seasons(_shell(), epoch_utc=EPOCH, days=365.0, every_days=5.0)


def test_one_season_around_the_december_solstice(year):
    """06:00 LTAN at 650 km: the beta angle falls below β* = asin(R⊕/a) = 65.2° from early
    November to early February (the Sun's declination under about −13°) and only then;
    at the solstice β ≈ 90° − 23.44° − (i − 90°) = 58.6° and the eclipse is ~20 min."""
    spans = eclipse_season_spans(year)
    assert spans.height == 1
    season = spans.row(0, named=True)
    assert datetime(2026, 11, 1, tzinfo=UTC) < season["start_utc"] < datetime(
        2026, 11, 15, tzinfo=UTC)
    assert datetime(2027, 1, 25, tzinfo=UTC) < season["end_utc"] < datetime(
        2027, 2, 10, tzinfo=UTC)
    assert 18.5 * 60 < season["eclipse_max_s"] < 20.5 * 60
    beta_star = float(critical_beta_deg(ALTITUDE_KM))
    eclipsed = year["eclipse_max_s"].to_numpy() > 0
    beta = year["beta_min_deg"].to_numpy()
    assert (beta[eclipsed] < beta_star + 0.1).all() and (beta[~eclipsed] > beta_star - 0.1).all()
    i = Constellation.sun_synchronous(ALTITUDE_KM, 6.0, epoch_utc=EPOCH).shells[0] \
        .inclination_deg
    assert beta.min() == pytest.approx(90.0 - 23.44 - (i - 90.0), abs=0.3)


def test_the_node_keeps_its_local_time_over_the_year(year):
    """SGP4 moves the node at its own secular rate (``nodedot``: J2 with J2² and J4 terms);
    the builder's J2-only inclination leaves it 0.16 % slower than the mean Sun, so the
    mean-Sun node time drifts by ``(nodedot − n☉) · 1 year`` — about −2.3 min in a year —
    while the true-Sun node time swings with the equation of time (±16.5 min)."""
    rec = satrecs(_shell(1), epoch=EPOCH)[0]
    predicted_min = ((math.degrees(rec.nodedot) * 1440.0 - 360.0 / 365.2421897)
                     * 365.25 / 15.0 * 60.0)
    measured_min = ltan_drift_min_per_year(year)
    assert measured_min == pytest.approx(predicted_min, abs=0.3)
    assert abs(measured_min) < 3.0
    mean = year["ltan_mean_h"].to_numpy()
    assert np.abs(mean - 6.0).max() * 60.0 < 3.0  # the requested 06:00, to 3 min
    swing_min = (year["ltan_h"].max() - year["ltan_h"].min()) * 60.0
    assert 25.0 < swing_min < 33.0  # the equation of time: +16.4 min (Nov) to −14.2 (Feb)


def test_figure_shades_the_season(year):
    from workbench.viz.capacity import eclipse_season_figure
    from workbench.viz.language import translate_figure

    spans = eclipse_season_spans(year)
    fig = eclipse_season_figure(year, spans)
    assert [s.name for s in fig.data] == [
        "longest eclipse per orbit", "mean eclipse per orbit", "smallest beta angle",
        "node local time (true Sun)", "node local time (mean Sun)"]
    assert len(fig.layout.shapes) == 2  # the season, shaded in both panels
    for shape in fig.layout.shapes:
        assert (shape.x0, shape.x1) == (spans["start_utc"][0], spans["end_utc"][0])
    minutes = float(year["eclipse_max_s"].max()) / 60.0
    assert fig.layout.title.text == f"Eclipse seasons: up to {minutes:.1f} min per orbit"
    assert np.allclose(np.asarray(fig.data[0].y), year["eclipse_max_s"].to_numpy() / 60.0)
    zh = translate_figure(fig, "zh")
    assert zh.layout.title.text == f"地影季：每圈最长 {minutes:.1f} 分钟"
    quiet = year.filter(pl.col("eclipse_max_s") == 0.0)
    assert eclipse_season_figure(quiet, eclipse_season_spans(quiet)).layout.title.text == \
        "No eclipse over the span"


def test_bad_arguments_name_the_field():
    c = _shell(1)
    for kwargs, field in (({"days": 0.0}, "days"), ({"every_days": 0.0}, "every_days"),
                          ({"step_s": 500.0}, "step_s")):
        with pytest.raises(ModelError, match=field):
            eclipse_seasons(c, epoch_utc=EPOCH, **kwargs)
    with pytest.raises(ModelError, match="seasons"):
        ltan_drift_min_per_year(eclipse_seasons(c, epoch_utc=EPOCH, days=1.0))
    # a span without eclipses has no season
    assert eclipse_season_spans(eclipse_seasons(c, epoch_utc=EPOCH, days=1.0)).height == 0
