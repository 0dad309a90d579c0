"""First impressions without a browser: decluttered site labels, the legend of roles and
masks, the mass bar's share of a launch, round axis ticks.

(What the page shows is ``test_browser_first_impressions.py``.)
"""
from __future__ import annotations

import math

import pytest

from workbench.model.ground import DEFAULT_MIN_ELEVATION_DEG, GroundSite


def _etown_sites():
    from workbench.scenarios import load_scenario

    return load_scenario("beijing-etown-demo").ground.sites


def test_labels_never_touch_a_higher_priority_label_drawn_at_the_same_distance():
    """For camera distances from 1 km to 40,000 km, every two labels drawn there are far
    enough apart on the narrowest view for their boxes not to meet."""
    from workbench.orbits.frames import geodetic_to_itrs
    from workbench.viz.czml import LABEL_GAP_PX, PIXEL_RAD, label_far_distances_m, label_width_px

    sites = _etown_sites()
    far = label_far_distances_m(sites)
    xyz_m = [geodetic_to_itrs(s.lat_deg, s.lon_deg, s.altitude_m / 1e3) * 1e3 for s in sites]
    for distance_m in [10 ** (3 + k / 10) for k in range(47)]:
        shown = [i for i, f in enumerate(far) if distance_m <= f]
        assert shown  # the top-priority label is always drawn
        for a in shown:
            for b in shown:
                if a < b:
                    apart_px = math.dist(xyz_m[a], xyz_m[b]) / (distance_m * PIXEL_RAD)
                    need_px = (label_width_px(sites[a].name)
                               + label_width_px(sites[b].name)) / 2 + LABEL_GAP_PX
                    assert apart_px >= need_px * (1 - 1e-9), (sites[a].name, sites[b].name)


def test_close_sites_get_their_labels_when_zoomed_in():
    """E-Town's user site is 2.1 km from its computing centre: both labels only within a
    few km, and everything is labelled from 1 km."""
    from workbench.viz.czml import label_far_distances_m

    sites = _etown_sites()
    far = dict(zip([s.name for s in sites], label_far_distances_m(sites), strict=True))
    assert math.isinf(far["Beijing E-Town computing centre"])  # data centres first
    assert 1e3 < far["Beijing E-Town (Yizhuang)"] < 20e3
    assert far["Kashgar (CRSSG)"] > 1e6  # 3,500 km from Beijing: labelled from far out
    assert all(f >= 1e3 for f in far.values())


def test_legend_states_each_roles_mask_from_the_model():
    from workbench.viz.czml import document, ground_site_packets, to_packets

    sites = [GroundSite(name=f"s-{role}", lat_deg=10.0 * i, lon_deg=100.0, role=role)
             for i, role in enumerate(("user", "gateway", "target", "datacenter"))]
    sites.append(GroundSite(name="steep", lat_deg=45.0, lon_deg=10.0, role="user",
                            min_elevation_deg=40.0))
    packets = {p["id"]: p for p in to_packets(document(ground_site_packets(sites)))}
    for role, mask in DEFAULT_MIN_ELEVATION_DEG.items():
        props = packets[f"site/s-{role}"]["properties"]
        assert props["elevation_mask_deg"] == mask
        assert props["legend"].endswith(f"mask {mask:g}°")
    assert packets["site/s-user"]["properties"]["legend"] == "user terminal · mask 25°"
    assert packets["site/s-gateway"]["properties"]["legend"] == "gateway · mask 10°"
    assert packets["site/s-target"]["properties"]["legend"] == "imaging target · mask 0°"
    assert packets["site/steep"]["properties"]["legend"] == "user terminal · mask 40°"


def test_mass_bar_compares_a_satellite_with_its_share_of_a_launch():
    """156 kg satellites on a 22,800 kg launcher: 146 fit one (22,800 / 155.6 = 146.5);
    256 need two launches of 128, a share of 22,800 / 128 = 178.125 kg each."""
    from workbench.widgets.hardware_designer import mass_budget

    budget = mass_budget(155.6, 22_800.0, 256)
    assert budget.available == pytest.approx(178.125)
    assert budget.used_frac == pytest.approx(155.6 / 178.125)
    assert "146 fit one" in budget.note and "2 launches of 128" in budget.note
    alone = mass_budget(155.6, 22_800.0)  # no constellation size: a full launch of 146
    assert alone.available == pytest.approx(22_800.0 / 146)
    assert not mass_budget(30_000.0, 22_800.0, 4).is_feasible


def test_workbench_mass_bar_is_per_satellite():
    import workbench as wb
    from workbench import datasets

    w = wb.Workbench("beijing-etown-demo", auto=False)
    capacity_kg = datasets.launch_vehicle(w.scenario.economics.launch_vehicle).leo_capacity_kg
    mass = {b.name: b for b in w.hardware.budgets()}["mass"]
    n = len(w.scenario.constellation)
    launches = math.ceil(n / math.floor(capacity_kg / mass.needed))
    assert mass.available == pytest.approx(capacity_kg / math.ceil(n / launches))
    assert mass.available < capacity_kg / 2  # not the launcher's whole capacity
    assert "per satellite" in w.hardware.bars["mass"][1].value


@pytest.mark.parametrize(("x", "rounded", "ceiling"), [
    (0.73, 1.0, 1.0), (1.4, 1.0, 2.0), (2.9, 2.0, 5.0), (6.9, 5.0, 10.0), (32.2, 50.0, 50.0),
    (96.6, 100.0, 100.0), (128.8, 100.0, 200.0)])
def test_nice_numbers_follow_heckbert(x, rounded, ceiling):
    from workbench.viz.ticks import nice_number

    assert nice_number(x) == pytest.approx(rounded)
    assert nice_number(x, round_=False) == pytest.approx(ceiling)


@pytest.mark.parametrize(("lo", "hi"), [(0.0, 128.8), (0.0, 96.6), (3.0, 171.0),
                                        (0.0, 0.93), (12.0, 13.5)])
def test_linear_ticks_are_round_and_cover_the_data(lo, hi):
    from workbench.viz.ticks import nice_ticks

    start, stop, step = nice_ticks(lo, hi)
    assert start <= lo and stop >= hi
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 9) in (1.0, 2.0, 5.0)
    assert 3 <= round((stop - start) / step) + 1 <= 11
    assert start / step == pytest.approx(round(start / step))


def test_log_ticks_are_one_two_five():
    from workbench.viz.ticks import log_tick_values

    assert log_tick_values(4.2, 310.0) == [2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0]
    assert log_tick_values(0.3, 2e5) == [0.1, 1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6]
    with pytest.raises(ValueError):
        log_tick_values(0.0, 1.0)


def test_secondary_axes_and_placement_axis_use_round_ticks():
    from datetime import UTC, datetime, timedelta

    import polars as pl

    from workbench.viz.capacity import constellation_figure
    from workbench.viz.latency import placement_figure

    t0 = datetime(2026, 6, 21, tzinfo=UTC)
    frame = pl.DataFrame({"time_utc": [t0 + timedelta(minutes=k) for k in range(3)],
                          "effective_tops": [1.4e5, 1.2e5, 1.3e5], "n_sunlit": [170, 161, 166]})
    right = constellation_figure(frame).layout.yaxis2
    assert right.tickmode == "linear" and right.dtick == 50.0 and right.tick0 == 0.0
    rtt = pl.DataFrame({"user": ["u"] * 4, "option": ["overhead", "overhead", "ground_fibre",
                                                      "ground_fibre"],
                        "rtt_ms": [4.2, 9.0, 40.0, 310.0], "is_reachable": [True] * 4})
    axis = placement_figure(rtt).layout.yaxis
    assert axis.type == "log"
    assert list(axis.tickvals) == [2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0]
    assert list(axis.ticktext) == ["2", "5", "10", "20", "50", "100", "200", "500"]
