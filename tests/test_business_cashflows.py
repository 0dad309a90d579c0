"""The business model's cash flows: a hand-worked programme, agreement with numpy-financial,
the capacity hand-over and errors that name the field."""
from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import numpy_financial as npf
import polars as pl
import pytest

from workbench.analyses import business
from workbench.analyses.handoff import CapacityYield
from workbench.model import (
    ComputeChip,
    ComputePayload,
    ComputeService,
    Constellation,
    Economics,
    LaunchVehicle,
    ModelError,
    Platform,
    Scenario,
    WalkerShell,
)

ONE_DOLLAR_USD = 1.0
ONE_CENT_USD = 0.01

VEHICLE = LaunchVehicle(name="test rocket", leo_capacity_kg=250.0, cost_usd_per_kg=10_000.0,
                        source="test fixture")


def tiny_scenario(**economics) -> Scenario:
    """Two 100 kg satellites (95 kg bus + 5 kg payload) carrying 2 × 100-TOPS chips,
    100 users of 1 TOPS each, no imaging; a 4-year programme at 10 %."""
    chip = ComputeChip(name="test chip", int8_tops=100.0, power_w=30.0, mass_kg=1.5,
                       tid_krad=20.0, unit_cost_usd=50_000.0, source="test fixture")
    platform = Platform(name="test bus", dry_mass_kg=95.0, bus_power_w=50.0,
                        solar_array_area_m2=1.0, battery_wh=500.0, radiator_area_m2=0.5,
                        design_life_years=5.0, unit_cost_usd=1_000_000.0, source="test fixture")
    values = dict(discount_rate_frac=0.10, horizon_years=4, compute_price_usd_per_tops_hour=2.0,
                  utilisation_frac=0.5, data_price_usd_per_gb=5.0, opex_usd_per_sat_year=50_000,
                  ground_segment_usd=500_000, nre_usd=1_000_000, insurance_frac=0.05,
                  learning_rate_frac=0.9, latency_premium_frac=0.25, cny_per_usd=7.0)
    values.update(economics)
    return Scenario(
        name="tiny", epoch_utc=datetime(2028, 1, 1, tzinfo=UTC),
        constellation=Constellation(name="pair", shells=(WalkerShell(
            name="pair", altitude_km=550.0, inclination_deg=53.0, planes=1, sats_per_plane=2,
            phasing=0),)),
        platform=platform,
        payload=ComputePayload(chip=chip, count=2, overhead_power_w=10.0, structure_mass_kg=2.0),
        applications=(ComputeService(n_users=100, demand_tops_per_user=1.0),),
        economics=Economics(**values))


OPTIONS = dict(launch_vehicle=VEHICLE, useful_life_years=3.0, availability_frac=1.0,
               ramp_years=2.0, data_gb_per_sat_year=1000.0)
KWARGS = {"options": OPTIONS}


def with_options(**changes) -> dict:
    """``KWARGS`` with some business options changed."""
    return {"options": {**OPTIONS, **changes}}


@pytest.fixture(scope="module")
def tiny():
    return business(tiny_scenario(), **KWARGS)


def by_item(result, year: int) -> dict[str, float]:
    rows = (result.cash_flows.filter(pl.col("year") == year).group_by("line_item")
            .agg(pl.col("cash_usd").sum()))
    return dict(rows.iter_rows())


def test_hand_worked_programme(tiny):
    """Two satellites, one launch, four years — every number worked by hand.

    Satellite: 95 kg bus + payload (2 chips × 1.5 kg + 2 kg structure) = 100 kg; the test
    rocket lifts 250 kg → 2 satellites per launch → one launch.
    Learning curve 90 %: unit n costs T1·n^log2(0.9); units 1 and 2 cost T1·(1 + 0.9).
    Life 3 years, lead 1 year: launched in 2028, in service 2029-2031; a replacement would
    launch at t = 3, which is not before the horizon (4) minus the lead (1): none.
    """
    y0 = by_item(tiny, 0)
    assert -y0["nre"] == pytest.approx(1_000_000, abs=ONE_CENT_USD)
    assert -y0["ground_segment"] == pytest.approx(500_000, abs=ONE_CENT_USD)
    # buses: 1,000,000 × (1 + 0.9) = 1,900,000
    assert -y0["satellite_bus"] == pytest.approx(1_900_000, abs=ONE_CENT_USD)
    # payloads: (2 chips × 50,000) × (1 + 0.9) = 190,000
    assert -y0["compute_payload"] == pytest.approx(190_000, abs=ONE_CENT_USD)
    # launch, priced per kg: 10,000 USD/kg × 100 kg × 2 = 2,000,000
    assert -y0["launch"] == pytest.approx(2_000_000, abs=ONE_CENT_USD)
    # insurance: 5 % × (1,900,000 + 190,000 + 2,000,000) = 204,500
    assert -y0["insurance"] == pytest.approx(204_500, abs=ONE_CENT_USD)
    assert y0["replenishment"] == 0.0 and y0["compute_sales"] == 0.0
    # year-0 total: 1,000,000 + 500,000 + 1,900,000 + 190,000 + 2,000,000 + 204,500
    year0 = -5_794_500.0

    # delivered: 2 sats × 200 TOPS × 8,760 h × availability 1 = 3,504,000 TOPS-h a year
    # utilisation 0.5 ramping over 2 years: 0.25 in 2029, then 0.5
    # sold: 876,000 TOPS-h (2029), 1,752,000 (2030, 2031) at 2 USD/TOPS-h
    # latency premium: 100 users × 1 TOPS × 8,760 h = 876,000 TOPS-h a year (≤ sold)
    #   × 2 USD × 25 % = 438,000 a year
    # data: 2 sats × 1,000 GB × 5 USD/GB = 10,000 a year × ramp (0.5, 1, 1)
    # operations: 2 sat-years × 50,000 = 100,000 a year
    y1 = by_item(tiny, 1)
    assert y1["compute_sales"] == pytest.approx(1_752_000, abs=ONE_CENT_USD)
    assert y1["latency_premium"] == pytest.approx(438_000, abs=ONE_CENT_USD)
    assert y1["data_products"] == pytest.approx(5_000, abs=ONE_CENT_USD)
    assert -y1["operations"] == pytest.approx(100_000, abs=ONE_CENT_USD)
    year1 = 1_752_000 + 438_000 + 5_000 - 100_000          # 2,095,000
    year2 = 3_504_000 + 438_000 + 10_000 - 100_000         # 3,852,000
    net = [year0, year1, year2, year2]
    np.testing.assert_allclose(tiny.annual["net_usd"].to_numpy(), net, atol=ONE_CENT_USD)

    s = tiny.summary
    # NPV at 10 %: -5,794,500 + 2,095,000/1.1 + 3,852,000/1.21 + 3,852,000/1.331
    #            = -5,794,500 + 1,904,545.455 + 3,183,471.074 + 2,894,064.613 = 2,187,581.142
    assert s["npv_usd"] == pytest.approx(2_187_581.142, abs=ONE_CENT_USD)
    # cumulative: -5,794,500; -3,699,500; +152,500 → pays back in the third year, 2030
    assert s["payback_year"] == 2030
    # PV of costs: 5,794,500 + 100,000 × (1/1.1 + 1/1.21 + 1/1.331) = 6,043,185.20
    # PV of TOPS-hours: 3,504,000 × 2.486852 = 8,713,930.88 → 0.693506 USD/TOPS-h
    pv_factor = 1 / 1.1 + 1 / 1.21 + 1 / 1.331
    assert s["lcoc_usd_per_tops_hour"] == pytest.approx(
        (5_794_500 + 100_000 * pv_factor) / (3_504_000 * pv_factor), rel=1e-12)
    # per kWh: payload power 2 × 30 W + 10 W = 0.07 kW → 2 × 0.07 × 8,760 = 1,226.4 kWh a year
    assert s["lcoc_usd_per_kwh"] == pytest.approx(
        (5_794_500 + 100_000 * pv_factor) / (1_226.4 * pv_factor), rel=1e-12)
    # break-even compute price: NPV falls by PV(sold + 25 % of premium TOPS-h) per USD:
    # (1,095,000/1.1 + 1,971,000/1.21 + 1,971,000/1.331) = 4,105,221.64
    # 2 − 2,187,581.142 / 4,105,221.64 = 1.467122
    slope = 1_095_000 / 1.1 + 1_971_000 / 1.21 + 1_971_000 / 1.331
    assert s["break_even_compute_price_usd_per_tops_hour"] == pytest.approx(
        2.0 - 2_187_581.142 / slope, rel=1e-9)
    # break-even launch price: 200 kg × (1 + 5 % insurance) = 210 kg-equivalent in year 0:
    # 10,000 + 2,187,581.142 / 210 = 20,417.05 USD/kg
    assert s["break_even_launch_cost_usd_per_kg"] == pytest.approx(20_417.05, abs=0.01)
    assert s["n_satellites_built"] == 2 and s["n_launches"] == 1


def test_metrics_agree_with_numpy_financial(tiny):
    net = tiny.annual["net_usd"].to_numpy()
    s = tiny.summary
    assert s["npv_usd"] == pytest.approx(npf.npv(0.10, net), abs=ONE_CENT_USD)
    assert s["irr_frac"] == pytest.approx(npf.irr(net), abs=1e-9)
    first = next(t for t in range(len(net)) if npf.npv(0.0, net[:t + 1]) >= 0)
    assert s["payback_year"] == 2028 + first
    first_disc = next(t for t in range(len(net)) if npf.npv(0.10, net[:t + 1]) >= 0)
    assert s["discounted_payback_year"] == 2028 + first_disc


def test_break_even_prices_zero_the_npv():
    base = business(tiny_scenario(), **KWARGS).summary
    at_price = business(tiny_scenario(compute_price_usd_per_tops_hour=base[
        "break_even_compute_price_usd_per_tops_hour"]), **KWARGS).summary
    assert at_price["npv_usd"] == pytest.approx(0.0, abs=ONE_DOLLAR_USD)
    at_launch = business(tiny_scenario(launch_cost_usd_per_kg=base[
        "break_even_launch_cost_usd_per_kg"]), **KWARGS).summary
    assert at_launch["npv_usd"] == pytest.approx(0.0, abs=ONE_DOLLAR_USD)


def test_frames_are_consistent(tiny):
    flows = tiny.cash_flows.group_by("year").agg(pl.col("cash_usd").sum()).sort("year")
    np.testing.assert_allclose(flows["cash_usd"].to_numpy(), tiny.annual["net_usd"].to_numpy(),
                               atol=ONE_CENT_USD)
    cny = tiny.cash_flows.select((pl.col("cash_cny") - 7.0 * pl.col("cash_usd")).abs().max())
    assert cny.item() < ONE_CENT_USD
    assert set(tiny.metrics["metric"]) >= {"npv_usd", "irr_frac", "payback_year",
                                           "lcoc_usd_per_tops_hour", "lcoc_usd_per_kwh",
                                           "break_even_compute_price_usd_per_tops_hour",
                                           "break_even_launch_cost_usd_per_kg"}
    assert "<table>" in tiny._repr_html_()


def test_replenishment_and_dedicated_launches():
    # life 1.5 years over a 6-year horizon: launches at t = 0, 1.5, 3, 4.5 (< 6 − 1),
    # booked in years 0, 1, 3, 4 → 3 replacement batches of 2
    r = business(tiny_scenario(horizon_years=6), **with_options(useful_life_years=1.5,
                                                                  launch_pricing="dedicated"))
    np.testing.assert_array_equal(r.annual["sats_launched"].to_numpy(), [2, 2, 0, 2, 2, 0])
    np.testing.assert_array_equal(r.annual["sats_replaced"].to_numpy(), [0, 2, 0, 2, 2, 0])
    # service never lapses: 2 satellite-years in every year after the first
    np.testing.assert_array_equal(r.annual["sat_years"].to_numpy(), [0, 2, 2, 2, 2, 2])
    # dedicated: a whole vehicle (250 kg × 10,000 USD/kg) per launch
    launch = r.cash_flows.filter(pl.col("component") == "launch").group_by("year").agg(
        pl.col("cash_usd").sum()).sort("year")["cash_usd"].to_numpy()
    np.testing.assert_allclose(-launch, [2.5e6, 2.5e6, 0, 2.5e6, 2.5e6, 0], atol=ONE_CENT_USD)
    # unit 3 and 4 (year 1) cost T1·(3^b + 4^b), b = log2 0.9
    b = np.log2(0.9)
    bus1 = r.cash_flows.filter((pl.col("year") == 1) & (pl.col("component") == "satellite_bus"))
    assert -bus1["cash_usd"].sum() == pytest.approx(1e6 * (3**b + 4**b), abs=ONE_CENT_USD)


def test_phased_deployment_and_calendar_years():
    r = business(tiny_scenario(horizon_years=5), **with_options(deployment=[0, 1, 1],
                                                                   start_year=2026))
    assert r.annual["calendar_year"].to_list() == [2026, 2027, 2028, 2029, 2030]
    np.testing.assert_array_equal(r.annual["sat_years"].to_numpy(), [0, 0, 1, 2, 2])
    assert r.summary["start_year"] == 2026


def test_capacity_result_sets_life_and_compute():
    capacity = CapacityYield(n_sats=2, radiation_life_years=2.0, tops_hours_per_sat_year=1.0e6)
    r = business(tiny_scenario(), options={"launch_vehicle": VEHICLE}, capacity=capacity)
    assert r.summary["useful_life_years"] == 2.0            # min(design 5, radiation 2)
    assert r.annual["tops_hours_delivered"][1] == pytest.approx(2.0e6)
    longer = CapacityYield(n_sats=2, radiation_life_years=40.0)
    assert business(tiny_scenario(), options={"launch_vehicle": VEHICLE},
                    capacity=longer).summary["useful_life_years"] == 5.0  # design life wins
    no_capacity = business(tiny_scenario(), options={"launch_vehicle": VEHICLE})
    assert no_capacity.summary["useful_life_years"] == 5.0  # documented fallback
    assert no_capacity.inputs.filter(pl.col("input") == "tops_hours_per_sat_year")[
        "value"].item() == pytest.approx(200 * 8760 * 0.95)


# --- bad input: the error names the field ---------------------------------------------------

@pytest.mark.parametrize("field, value", [
    ("compute_price_usd_per_tops_hour", -0.01), ("launch_cost_usd_per_kg", -100.0),
    ("data_price_usd_per_gb", -1.0), ("opex_usd_per_sat_year", -5.0),
    ("discount_rate_frac", -1.0), ("discount_rate_frac", -2.5),
])
def test_negative_prices_and_impossible_rates_name_the_field(field, value):
    with pytest.raises(ModelError, match=field):
        tiny_scenario(**{field: value})


def test_satellite_heavier_than_every_vehicle():
    heavy = tiny_scenario().replace(platform={**tiny_scenario().platform.model_dump(),
                                              "dry_mass_kg": 100_000.0})
    with pytest.raises(ModelError, match=r"platform\.dry_mass_kg.*heavier than any launch "
                                         r"vehicle.*Starship"):
        business(heavy)


def test_satellite_heavier_than_the_chosen_vehicle_names_the_vehicle():
    big = tiny_scenario(launch_vehicle="Ceres-1").replace(
        platform={**tiny_scenario().platform.model_dump(), "dry_mass_kg": 2000.0})
    with pytest.raises(ModelError, match=r"economics\.launch_vehicle.*Falcon 9"):
        business(big)


@pytest.mark.parametrize("kwargs, field", [
    ({"deployment": [1]}, "deployment"), ({"deployment": [1, 0, 0, 1]}, "deployment"),
    ({"deployment": [2.0]}, "deployment"), ({"useful_life_years": 0.0}, "useful_life_years"),
    ({"availability_frac": 1.5}, "availability_frac"), ({"lead_years": 4.0}, "lead_years"),
    ({"nre_years": 0}, "nre_years"), ({"launch_pricing": "free"}, "launch_pricing"),
    ({"local_share": {"launch": 1.2}}, r"local_share\[launch\]"),
    ({"local_share": {"rockets": 0.5}}, r"local_share\[rockets\]"),
])
def test_bad_keywords_name_the_field(kwargs, field):
    with pytest.raises(ModelError, match=field):
        business(tiny_scenario(), **with_options(**kwargs))


def test_capacity_analysis_hand_over():
    from workbench.analyses.onboard.assessment import capacity

    sc = tiny_scenario().replace(duration_s=3 * 3600.0, step_s=120.0)
    cap = capacity(sc)
    r = business(sc, options={"launch_vehicle": VEHICLE}, capacity=cap)
    assert r.summary["useful_life_years"] == pytest.approx(
        min(5.0, cap.summary["useful_life_years_median"]))
    per_sat_year = cap.summary["tops_hours_per_day_total"] * 365.0 / cap.summary["n_sats"]
    assert r.annual["tops_hours_delivered"][1] == pytest.approx(2 * per_sat_year, rel=1e-12)
    source = r.inputs.filter(pl.col("input") == "tops_hours_per_sat_year")["source"].item()
    assert source.startswith("capacity result")


def test_one_satellite_one_year():
    one = tiny_scenario(horizon_years=1).replace(constellation=Constellation.walker(
        550.0, 53.0, 1, 1, 0, name="one"))
    r = business(one, options=dict(launch_vehicle=VEHICLE, useful_life_years=3.0,
                                   availability_frac=1.0, lead_years=0.0, ramp_years=0.0,
                                   data_gb_per_sat_year=0.0))
    assert r.annual.height == 1
    # in service all of year 0: 200 TOPS × 8,760 h × utilisation 0.5 × 2 USD
    assert r.annual["revenue_usd"][0] == pytest.approx(200 * 8760 * 0.5 * 2.0
                                                       + 100 * 8760 * 2.0 * 0.25)
    assert r.summary["n_launches"] == 1 and r.summary["n_satellites_built"] == 1


def test_progress_is_reported():
    seen = []
    business(tiny_scenario(), **KWARGS, progress=lambda frac, stage: seen.append((frac, stage)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
