"""Radiation: the dose table against its sources, life formulas, and monotonicity."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.analyses.onboard.radiation import (
    dose_rate_rad_per_year,
    dose_table,
    radiation_life,
    radiation_life_years,
)
from workbench.model import ModelError

ONE_PERCENT = 0.01


def test_every_row_has_a_source_and_estimates_say_so():
    table = dose_table()
    assert table.height == 5 * 7 * 12  # full altitude × inclination × shielding grid
    assert (table["source"].str.len_chars() > 20).all()
    measured = table.filter(table["altitude_km"] == 550.0)
    assert measured["source"].str.contains("SPENVIS").all()
    assert not measured["source"].str.starts_with("estimate").any()
    assert table.filter(table["altitude_km"] != 550.0)["source"].str.starts_with(
        "estimate:").all()
    assert (table["dose_rad_per_year"] > 0.0).all()


def test_spenvis_value_at_550_km():
    # SPENVIS 4.6.11 SHIELDOSE-2 (AP-8 MIN / AE-8 MAX, centre of Al spheres, Si), 550 km at
    # 55°, 5-year mission (Pfandzelter & Bermbach, LEO-NET 2023, compute-failure/results/
    # 55.txt): 7.6484e2 rad behind 10 mm, 2.5464e3 rad behind 4 mm → ÷ 5 years.
    dose, extrapolated = dose_rate_rad_per_year(550.0, 55.0, [10.0, 4.0])
    np.testing.assert_allclose(dose, [764.84 / 5, 2546.4 / 5], rtol=1e-3)
    assert not extrapolated.any()


def test_dawn_dusk_650_km_matches_the_published_figure():
    # /work/shared/REFERENCES.md: ≈ 150 rad(Si)/yr behind 10 mm Al in a ~650 km dawn-dusk
    # sun-synchronous orbit (Google's Project Suncatcher study) [S]; inclination 97.9°.
    dose, _ = dose_rate_rad_per_year(650.0, 97.9, 10.0)
    assert float(dose) == pytest.approx(150.0, rel=5 * ONE_PERCENT)


def test_interpolation_stays_between_its_neighbours():
    # Starlink's 53° lies between the 45° and 55° SPENVIS runs (1075.0 and 764.84 rad / 5 y)
    dose, _ = dose_rate_rad_per_year(550.0, 53.0, 10.0)
    assert 764.84 / 5 <= float(dose) <= 1075.0 / 5


def test_out_of_table_points_are_flagged():
    _, extrapolated = dose_rate_rad_per_year([300.0, 1200.0, 550.0, 550.0], 53.0,
                                             [3.0, 3.0, 0.1, 40.0])
    assert extrapolated.all()


@given(h=st.floats(300.0, 1300.0), i=st.floats(0.0, 180.0), s1=st.floats(0.0, 50.0),
       s2=st.floats(0.0, 50.0), tid=st.floats(1.0, 1000.0))
def test_more_shielding_never_shortens_radiation_life(h, i, s1, s2, tid):
    thin, thick = sorted((s1, s2))
    dose, _ = dose_rate_rad_per_year(h, i, [thin, thick])
    assert dose[1] <= dose[0] * (1.0 + 1e-12)
    life = radiation_life_years(tid, dose)
    assert life[1] >= life[0] * (1.0 - 1e-12)


def test_radiation_life_formula():
    # 20 krad part, 153 rad/yr, margin 2: 20,000 / (2 × 153) = 65.36 years
    assert float(radiation_life_years(20.0, 153.0, margin=2.0)) == pytest.approx(65.36, abs=0.01)
    with pytest.raises(ModelError, match="margin"):
        radiation_life_years(20.0, 153.0, margin=0.5)
    with pytest.raises(ModelError, match="shielding_mm_al"):
        dose_rate_rad_per_year(550.0, 53.0, -1.0)


def test_useful_life_is_the_shorter_of_design_and_radiation_life(small_scenario):
    # a 0.2 krad part wears out in months; a 1 Mrad part outlives the 5-year design life
    weak = small_scenario.replace(payload=small_scenario.payload.replace(
        chip=small_scenario.payload.chip.replace(tid_krad=0.2)))
    sats = radiation_life(weak)["satellites"]
    assert sats["is_radiation_limited"].all()
    np.testing.assert_allclose(sats["useful_life_years"], sats["radiation_life_years"])
    strong = small_scenario.replace(payload=small_scenario.payload.replace(
        chip=small_scenario.payload.chip.replace(tid_krad=1000.0)))
    result = radiation_life(strong)
    assert (result["satellites"]["useful_life_years"] == 5.0).all()
    assert result["dose_depth"]["is_platform_shielding"].sum() == 1
