"""The shipped catalogs and their loader (workbench.datasets)."""
from __future__ import annotations

import doctest

import polars as pl
import pytest

from workbench import datasets
from workbench.model import (
    ComputeChip,
    Constellation,
    DatasetError,
    Economics,
    GroundSegment,
    GroundSite,
    LaunchVehicle,
    Platform,
)
from workbench.model.constants import SOLAR_CONSTANT_W_PER_M2
from workbench.scenarios import load_scenario

CATALOGS = {  # frame function, lookup function, model class
    "chips": (datasets.chips, datasets.chip, ComputeChip),
    "platforms": (datasets.platforms, datasets.platform, Platform),
    "ground_stations": (datasets.ground_stations, datasets.ground_site, GroundSite),
    "launch_vehicles": (datasets.launch_vehicles, datasets.launch_vehicle, LaunchVehicle),
    "constellations": (datasets.constellations, datasets.constellation, Constellation),
}


# --- sizes, sources, models -----------------------------------------------------------------

@pytest.mark.parametrize(("frame", "minimum"), [
    (datasets.chips, 12), (datasets.platforms, 4), (datasets.constellations, 10),
    (datasets.ground_stations, 20), (datasets.launch_vehicles, 6)])
def test_catalog_sizes(frame, minimum):
    assert frame().height >= minimum


@pytest.mark.parametrize("catalog", sorted(CATALOGS))
def test_every_row_has_a_source(catalog):
    frame = CATALOGS[catalog][0]()
    assert frame["source"].null_count() == 0
    assert (frame["source"].str.strip_chars().str.len_chars() > 0).all()


@pytest.mark.parametrize("catalog", sorted(CATALOGS))
def test_every_row_builds_its_model(catalog):
    frame_fn, lookup, model = CATALOGS[catalog]
    for row in frame_fn().iter_rows(named=True):
        by_id = lookup(row["id"])
        assert isinstance(by_id, model)
        assert lookup(row["name"].upper()) == by_id  # names work too, any case


@pytest.mark.parametrize("catalog", sorted(CATALOGS))
def test_ids_and_names_are_unambiguous(catalog):
    frame = CATALOGS[catalog][0]()
    assert frame["id"].n_unique() == frame.height
    assert frame["name"].n_unique() == frame.height
    slugs = {}
    for row in frame.iter_rows(named=True):
        for key in {datasets._slug(row["id"]), datasets._slug(row["name"])}:
            assert slugs.setdefault(key, row["id"]) == row["id"], key


@pytest.mark.parametrize(("frame", "schema"), [
    (datasets.platforms, datasets.PLATFORM_SCHEMA),
    (datasets.ground_stations, datasets.GROUND_STATION_SCHEMA),
    (datasets.constellations, datasets.CONSTELLATION_SCHEMA),
    (datasets.hypatia_ground_stations, datasets.HYPATIA_SCHEMA),
    (datasets.cities, datasets.CITY_SCHEMA)])
def test_frames_have_the_documented_schema(frame, schema):
    assert dict(frame().schema) == dict(schema)


def test_chip_and_vehicle_frames_add_derived_columns():
    chips = datasets.chips()
    assert dict(chips.schema) == {**datasets.CHIP_SCHEMA, "tops_per_w": pl.Float64()}
    vehicles = datasets.launch_vehicles()
    assert dict(vehicles.schema) == {**datasets.LAUNCH_VEHICLE_SCHEMA, "price_usd": pl.Float64()}


def test_csv_columns_are_id_plus_the_model_fields():
    assert list(datasets.CHIP_SCHEMA) == ["id", *ComputeChip.model_fields]
    assert list(datasets.PLATFORM_SCHEMA) == ["id", *Platform.model_fields]
    assert list(datasets.LAUNCH_VEHICLE_SCHEMA) == ["id", *LaunchVehicle.model_fields]


def test_frames_are_fresh_on_every_call():
    first = datasets.chips()
    first.drop_in_place("source")
    first.insert_column(0, pl.Series("junk", range(first.height)))
    assert datasets.chips().columns[0] == "id"
    assert "source" in datasets.chips().columns


def test_catalog_covers_cots_to_rad_hard():
    classes = set(datasets.chips()["radiation_class"])
    assert classes == {"cots", "tolerant", "hardened"}
    for required in ("jetson-agx-orin", "jetson-orin-nx", "jetson-orin-nano-super", "jetson-tx2",
                     "versal-xqrvc1902", "rad750", "rad5545", "ascend-310", "tpu-v6e",
                     "three-body-payload"):
        datasets.chip(required)


def test_chip_reference_figures():
    # REFERENCES.md: Ascend 310 16 INT8 TOPS / 8 TFLOPS FP16 / 8 W (HiSilicon 2018-10-10);
    # Versal XQRVC1902 133 TOPS; TPU v6e 1,836 TOPS and no hard failures up to 15 krad(Si)
    # (Suncatcher); Three-Body best satellite 744 TOPS; RAD750 266 MIPS used as a TOPS proxy.
    ascend = datasets.chip("ascend-310")
    assert (ascend.int8_tops, ascend.fp16_tflops, ascend.power_w) == (16.0, 8.0, 8.0)
    assert datasets.chip("versal-xqrvc1902").int8_tops == 133.0
    tpu = datasets.chip("tpu-v6e")
    assert (tpu.int8_tops, tpu.tid_krad) == (1836.0, 15.0)
    assert datasets.chip("three-body-payload").int8_tops == 744.0
    assert datasets.chip("rad750").int8_tops == pytest.approx(266e6 / 1e12)
    assert datasets.chip("jetson-tx2").power_w == pytest.approx(11.33)  # Denby & Lucia artifact


def test_starlink_v2_mini_class_array_matches_quoted_power():
    # Suncatcher study (via REFERENCES.md): V2-mini-class bus ≈ 28 kW from ≈ 105 m² of array.
    bus = datasets.platform("starlink-v2-mini-class")
    generated_w = SOLAR_CONSTANT_W_PER_M2 * bus.solar_array_area_m2 * bus.cell_efficiency_frac
    assert bus.solar_array_area_m2 == 105.0
    assert generated_w == pytest.approx(28_000.0, rel=0.05)


def test_platforms_span_cubesat_to_one_ton():
    masses = datasets.platforms()["dry_mass_kg"]
    assert masses.min() <= 12.0  # a 6U CubeSat (CDS rev. 14: ≤ 12 kg)
    assert masses.max() >= 1000.0


# --- constellation presets ------------------------------------------------------------------

def _one_shell(name):
    constellation = datasets.constellation(name)
    assert len(constellation.shells) == 1
    return constellation.shells[0]


def test_starlink_s1_preset():
    # FCC SAT-MOD-20190830-00087 (as used in Hypatia's main_starlink_550.py):
    # 72 planes × 22 satellites at 550 km, 53°.
    shell = _one_shell("starlink-s1")
    assert (shell.planes, shell.sats_per_plane) == (72, 22)
    assert shell.altitude_km == 550.0
    assert shell.inclination_deg == 53.0
    assert len(datasets.constellation("Starlink Gen1 shell 1")) == 1584


def test_kuiper_k1_preset():
    # StarPerf config/XML_constellation/Kuiper.xml (Amazon Kuiper FCC filing):
    # 34 planes × 34 satellites at 630 km, 51.9°.
    shell = _one_shell("kuiper-k1")
    assert (shell.planes, shell.sats_per_plane) == (34, 34)
    assert shell.altitude_km == 630.0
    assert shell.inclination_deg == 51.9


@pytest.mark.parametrize(("preset", "planes", "per_plane", "altitude_km", "inclination_deg"), [
    ("starlink-s2", 72, 22, 540.0, 53.2),   # FCC SAT-MOD-20190830-00087
    ("starlink-s3", 36, 20, 570.0, 70.0),
    ("starlink-s4", 6, 58, 560.0, 97.6),
    ("kuiper-k2", 36, 36, 610.0, 42.0),     # StarPerf Kuiper.xml
    ("kuiper-k3", 28, 28, 590.0, 33.0),
])
def test_published_single_shells(preset, planes, per_plane, altitude_km, inclination_deg):
    shell = _one_shell(preset)
    assert (shell.planes, shell.sats_per_plane, shell.altitude_km, shell.inclination_deg) == (
        planes, per_plane, altitude_km, inclination_deg)


def test_multi_shell_presets():
    # StarPerf Telesat.xml: T1 27 × 13 at 1015 km, 98.98°; T2 40 × 33 at 1325 km, 50.88°.
    t1, t2 = datasets.constellation("telesat").shells
    assert (t1.planes, t1.sats_per_plane, t1.altitude_km, t1.inclination_deg) == (
        27, 13, 1015.0, 98.98)
    assert (t2.planes, t2.sats_per_plane, t2.altitude_km, t2.inclination_deg) == (
        40, 33, 1325.0, 50.88)
    assert len(datasets.constellation("kuiper")) == 34 * 34 + 36 * 36 + 28 * 28  # 3,236
    assert len(datasets.constellation("starlink-gen1")) == 4408
    assert len(datasets.constellation("guowang")) == 12992  # Xinhua 2024-09-03 / ITU filings
    assert len(datasets.constellation("qianfan-phase1")) == 1296
    assert len(datasets.constellation("three-body")) == 12


def test_preset_phasing_below_planes_and_description_says_idealised():
    frame = datasets.constellations()
    for preset_id in frame["id"]:
        constellation = datasets.constellation(preset_id)
        assert all(s.phasing < s.planes for s in constellation.shells)
        assert "Source:" in constellation.description
    for row in frame.filter(pl.col("source").str.contains("FCC|ITU|StarPerf")).iter_rows(
            named=True):
        assert "idealis" in row["description"], row["id"]


def test_constellations_summary_matches_models():
    for row in datasets.constellations().iter_rows(named=True):
        constellation = datasets.constellation(row["id"])
        assert row["n_sats"] == len(constellation)
        assert row["n_shells"] == len(constellation.shells)
        assert row["altitude_km_min"] == min(s.altitude_km for s in constellation.shells)
        assert row["inclination_deg_max"] == max(s.inclination_deg for s in constellation.shells)


# --- ground, launch, cities, Hypatia, TLE ---------------------------------------------------

def test_ground_stations_include_chinese_and_global_sites():
    names = set(datasets.ground_stations()["id"])
    for site in ("beijing", "beijing-etown", "kashgar", "sanya", "jiamusi", "miyun", "kunming",
                 "xian", "svalsat", "troll", "fairbanks", "wallops", "kiruna", "hartebeesthoek",
                 "santiago", "perth", "singapore", "awarua", "ashburn-dc"):
        assert site in names
    assert set(datasets.ground_stations()["role"]) == {"gateway", "user", "target", "datacenter"}


def test_ground_segment_by_names_and_role():
    segment = datasets.ground_segment(["Beijing", "KASHGAR", "sanya"])
    assert isinstance(segment, GroundSegment)
    assert [s.name for s in segment] == ["Beijing", "Kashgar (CRSSG)", "Sanya (CRSSG)"]
    assert len(datasets.ground_segment()) == datasets.ground_stations().height
    gateways = datasets.ground_segment(role="gateway")
    assert {s.role for s in gateways} == {"gateway"}
    assert len(datasets.ground_segment(["beijing", "beijing-etown"], role="user")) == 1
    assert len(datasets.ground_segment("kashgar")) == 1
    with pytest.raises(DatasetError, match="role='relay'"):
        datasets.ground_segment(role="relay")  # type: ignore[arg-type]


def test_economics_default_vehicle_is_in_the_catalog():
    vehicle = datasets.launch_vehicle(Economics().launch_vehicle)
    # SpaceX list price ≈ $67 M for 22,800 kg to LEO ≈ $2,900/kg (REFERENCES.md)
    assert vehicle.leo_capacity_kg == 22800.0
    assert vehicle.price_usd == pytest.approx(67e6, rel=0.02)


def test_chinese_launch_prices_are_estimates():
    frame = datasets.launch_vehicles().filter(
        pl.col("id").is_in(["long-march-6a", "long-march-2d", "zhuque-2", "zhuque-3", "ceres-1"]))
    assert frame.height == 5
    assert frame["source"].str.contains("estimate").all()


def test_cities_sorted_by_population():
    frame = datasets.cities(100)
    assert frame.height == 100
    assert (frame["population"] > 0).all()
    assert frame["population"].is_sorted(descending=True)
    assert frame["lat_deg"].is_between(-90, 90).all()
    assert frame["source"].str.contains("GeoNames").all()
    assert datasets.cities(5)["name"].to_list() == frame["name"].head(5).to_list()


@pytest.mark.parametrize("n", [0, -1, 2.5, True])
def test_cities_rejects_bad_n(n):
    with pytest.raises(ValueError, match="n="):
        datasets.cities(n)


def test_hypatia_ground_stations():
    frame = datasets.hypatia_ground_stations()
    assert frame.height == 100
    assert frame["id"].to_list() == list(range(100))
    assert frame.row(0, named=True)["name"] == "Tokyo"  # Hypatia's top-100 file, line 1
    assert frame["source"].str.contains("Hypatia").all()


def test_starlink_snapshot_has_9489_satellites():
    # datasets/tle/README: CelesTrak group "starlink", 2026-01-31, 9,489 satellites
    assert datasets.starlink_tle_path().is_file()
    constellation = datasets.starlink()
    assert len(constellation) == 9489
    assert len(constellation.tle_sets) == 1
    assert constellation.tle_sets[0].source


# --- errors ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("lookup", "wrong", "suggestion", "lister"), [
    (datasets.chip, "jetson-orin-agx", "jetson-agx-orin", "chips()"),
    (datasets.platform, "smallsat-15O", "smallsat-150", "platforms()"),
    (datasets.constellation, "starlink-s7", "starlink-s", "constellations()"),
    (datasets.ground_site, "Kashgr", "kashgar", "ground_stations()"),
    (datasets.launch_vehicle, "Falcon 8", "falcon-9", "launch_vehicles()"),
    (datasets.scenario_path, "beijing-etown", "beijing-etown-demo", "scenarios()"),
])
def test_unknown_names_list_suggestions(lookup, wrong, suggestion, lister):
    with pytest.raises(DatasetError) as info:
        lookup(wrong)
    message = str(info.value)
    assert repr(wrong) in message
    assert suggestion in message
    assert lister in message


def test_unknown_name_with_no_close_match():
    with pytest.raises(DatasetError, match="no close match"):
        datasets.chip("zzzzzzzz")
    with pytest.raises(DatasetError):
        datasets.chip(42)  # type: ignore[arg-type]


def test_scenario_with_an_unknown_catalog_name_suggests_the_right_one():
    data = load_scenario("beijing-etown-demo").model_dump(mode="json")
    with pytest.raises(DatasetError, match="jetson-agx-orin"):
        load_scenario({**data, "payload": {"chip": "jetson-agx-orln"}})
    with pytest.raises(DatasetError, match="smallsat-150"):
        load_scenario({**data, "platform": "smallsat-105"})
    assert load_scenario({**data, "platform": "smallsat-150"}).platform == (
        datasets.platform("smallsat-150"))


# --- scenarios ------------------------------------------------------------------------------

def test_default_scenario_loads_and_round_trips_exactly():
    assert "beijing-etown-demo" in datasets.scenarios()
    scenario = load_scenario("beijing-etown-demo")
    assert load_scenario(scenario.to_yaml()) == scenario
    assert load_scenario(datasets.scenario_path("Beijing-ETown-Demo")) == scenario
    # the demo stays small enough to analyse in seconds
    assert len(scenario.constellation) <= 500
    assert scenario.constellation == datasets.constellation("beijing-compute-256")
    assert 150.0 <= scenario.platform.dry_mass_kg <= 500.0
    assert scenario.payload.chip == datasets.chip("jetson-agx-orin")
    assert (scenario.duration_s, scenario.step_s) == (86400.0, 60.0)
    assert scenario.epoch_utc.isoformat() == "2026-06-21T00:00:00+00:00"
    assert {a.kind for a in scenario.applications} == {
        "remote_sensing", "compute_service", "event_response", "collaborative"}
    roles = {s.role for s in scenario.ground}
    assert roles == {"gateway", "user", "datacenter", "target"}


def test_default_scenario_sites_match_the_catalog():
    scenario = load_scenario("beijing-etown-demo")
    for site in scenario.ground:
        assert datasets.ground_site(site.name) == site


def test_round_trip_survives_computed_satellite_frames():
    scenario = load_scenario("beijing-etown-demo")
    again = load_scenario(scenario.to_yaml())
    assert scenario.constellation.satellites.height == again.constellation.satellites.height
    assert again == scenario  # equality ignores cached frames (they cannot be compared)


# --- files and docs -------------------------------------------------------------------------

def test_data_dir_and_readme_cover_every_file():
    folder = datasets.data_dir()
    readme = (folder / "README.md").read_text(encoding="utf-8")
    shipped = [p for p in folder.rglob("*") if p.is_file() and p.name != "README.md"]
    assert len(shipped) >= 8
    for path in shipped:
        assert path.relative_to(folder).as_posix() in readme, path


def test_docstring_examples():
    failures, attempted = doctest.testmod(datasets, optionflags=doctest.ELLIPSIS)
    assert attempted > 10
    assert failures == 0
