"""The domain model: every class of bad input gets an error naming field, value and what is
allowed; YAML round trips are exact; field metadata is complete; copies validate."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench import scenarios as wb_scenarios
from workbench.model import (
    CollaborativeComputing,
    ComputeChip,
    ComputePayload,
    ComputeService,
    Constellation,
    Economics,
    EventResponse,
    GroundSegment,
    GroundSite,
    ModelError,
    Platform,
    RemoteSensingInference,
    Scenario,
    TLESet,
    WalkerShell,
    describe,
)
from workbench.model.application import MeasuredInference
from workbench.model.base import Model
from workbench.model.constants import MAX_TIME_STEPS
from workbench.model.sensor import Sensor
from workbench.scenarios import load_scenario

# ISS elements as printed in skyfield's documentation ("Earth Satellites"), checksums valid.
ISS_TLE = """ISS (ZARYA)
1 25544U 98067A   14020.93268519  .00009878  00000-0  18200-3 0  5082
2 25544  51.6498 109.4756 0003572  55.9686 274.8005 15.49815350868473
"""


def _error(make) -> ModelError:
    with pytest.raises(ModelError) as info:
        make()
    return info.value


def _platform(**changes) -> Platform:
    values = dict(name="bus", dry_mass_kg=150.0, bus_power_w=80.0, solar_array_area_m2=2.0,
                  battery_wh=500.0, radiator_area_m2=0.5)
    return Platform(**{**values, **changes})


# ----------------------------------------------------------------------------- bad input

def test_altitude_below_decay_limit_names_field_value_and_limit():
    err = _error(lambda: WalkerShell(altitude_km=120))
    assert "altitude_km=120" in str(err)
    assert "160" in str(err)
    assert [p.field for p in err.problems] == ["altitude_km"]


def test_phasing_must_be_below_planes():
    err = _error(lambda: WalkerShell(planes=4, sats_per_plane=3, phasing=4))
    assert "phasing=4" in str(err)
    assert "planes-1 = 3" in str(err)


def test_negative_area_is_rejected():
    err = _error(lambda: _platform(solar_array_area_m2=-2.0))
    assert "solar_array_area_m2=-2.0" in str(err)
    assert "> 0" in str(err)


def test_efficiency_above_one_is_rejected():
    err = _error(lambda: _platform(battery_efficiency_frac=1.2))
    assert "battery_efficiency_frac=1.2" in str(err)
    assert "≤ 1" in str(err)


def test_unknown_field_is_named():
    err = _error(lambda: WalkerShell(altitude=550.0))
    assert "altitude=550.0" in str(err)
    assert "not a known field" in str(err)


def test_misspelt_field_suggests_the_right_name_even_when_nested():
    err = _error(lambda: Constellation(shells=[{"altitud_km": 500.0}]))
    assert "shells.0.altitud_km=500.0" in str(err)
    assert "did you mean altitude_km?" in str(err)
    err = _error(lambda: WalkerShell(zzz=1))
    assert "known fields: name, altitude_km" in str(err)


def test_bad_role_lists_the_allowed_roles():
    err = _error(lambda: GroundSite(name="x", lat_deg=0, lon_deg=0, role="satellite"))
    text = str(err)
    assert "role='satellite'" in text
    for role in ("gateway", "user", "target", "datacenter"):
        assert role in text


def test_bad_yaml_names_line_and_column():
    text = "name: broken\nepoch_utc: 2026-01-01\nconstellation: [starlink-s1\nplatform: x\n"
    err = _error(lambda: wb_scenarios.from_yaml(text, source="broken.yaml"))
    assert "broken.yaml" in str(err)
    (problem,) = err.problems
    assert re.fullmatch(r"line \d+, column \d+", problem.field)
    assert "not valid YAML" in problem.message


def test_yaml_that_is_not_a_mapping_is_rejected():
    err = _error(lambda: wb_scenarios.from_yaml("- just\n- a list\n"))
    assert "must be a mapping" in str(err)


def test_empty_constellation_is_rejected():
    err = _error(lambda: Constellation(name="nothing"))
    assert "at least one Walker shell or TLE set" in str(err)


def test_duplicate_shell_names_are_rejected():
    shell = WalkerShell(name="a")
    err = _error(lambda: Constellation(shells=(shell, shell)))
    assert "['a']" in str(err) and "unique" in str(err)


def test_duplicate_site_names_are_rejected():
    site = GroundSite(name="Beijing", lat_deg=39.9, lon_deg=116.4)
    err = _error(lambda: GroundSegment(sites=(site, site.replace(lat_deg=40.0))))
    assert "sites=['Beijing']" in str(err)
    assert "unique" in str(err)


def test_naive_epoch_is_taken_as_utc(small_scenario):
    naive = small_scenario.replace(epoch_utc=datetime(2026, 6, 21, 12, 0))
    assert naive.epoch_utc == datetime(2026, 6, 21, 12, 0, tzinfo=UTC)
    assert naive.epoch_utc.utcoffset() == timedelta(0)


def test_aware_epoch_is_converted_to_utc(small_scenario):
    beijing = timezone(timedelta(hours=8))
    moved = small_scenario.replace(epoch_utc=datetime(2026, 6, 21, 20, 0, tzinfo=beijing))
    assert moved.epoch_utc.tzinfo == UTC
    assert moved.epoch_utc == datetime(2026, 6, 21, 12, 0, tzinfo=UTC)


def test_nested_problems_carry_the_full_path_and_all_are_reported(small_scenario):
    data = small_scenario.model_dump(mode="json")
    data["constellation"]["shells"][0]["altitude_km"] = 100.0
    data["ground"]["sites"][1]["lat_deg"] = 91.0
    err = _error(lambda: Scenario.model_validate(data))
    fields = [p.field for p in err.problems]
    assert fields == ["constellation.shells.0.altitude_km", "ground.sites.1.lat_deg"]
    assert "2 problems" in str(err)


def test_too_many_time_steps_is_rejected(small_scenario):
    err = _error(lambda: small_scenario.replace(duration_s=366 * 86400.0, step_s=1.0))
    assert "step_s=1" in str(err)
    assert f"{MAX_TIME_STEPS:,}" in str(err)


def test_event_region_must_have_positive_height():
    err = _error(lambda: EventResponse(lat_min_deg=10.0, lat_max_deg=10.0))
    assert "lat_min_deg=10" in str(err)


def test_bad_tle_checksum_is_rejected():
    broken = ISS_TLE.replace("5082", "5083")
    with pytest.raises(ModelError) as info:
        TLESet(name="iss", text=broken)
    assert "checksum" in str(info.value).lower()


# ----------------------------------------------------------------------------- immutability

def test_models_are_frozen():
    shell = WalkerShell()
    with pytest.raises(ValueError, match="frozen"):
        shell.altitude_km = 600.0  # type: ignore[misc]


def test_replace_validates_where_model_copy_does_not():
    shell = WalkerShell()
    # pydantic's model_copy skips validation: this is why the workbench uses replace()
    assert shell.model_copy(update={"altitude_km": 5.0}).altitude_km == 5.0
    err = _error(lambda: shell.replace(altitude_km=5.0))
    assert "altitude_km=5.0" in str(err)
    assert shell.altitude_km == 550.0
    assert shell.replace(altitude_km=600.0).altitude_km == 600.0


def test_replace_takes_nested_models_as_dicts(small_scenario):
    dumped = small_scenario.constellation.model_dump()
    dumped["shells"][0]["altitude_km"] = 1200.0
    moved = small_scenario.replace(constellation=dumped)
    assert moved.constellation.shells[0].altitude_km == 1200.0
    assert small_scenario.constellation.shells[0].altitude_km == 550.0


# ----------------------------------------------------------------------------- field metadata

def _model_classes() -> list[type[Model]]:
    """Every Model subclass defined in the computing layers (imported here, so the list
    does not depend on which other tests ran first)."""
    import importlib
    import pkgutil

    for name in ("model", "orbits", "analyses"):
        package = importlib.import_module(f"workbench.{name}")
        for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            if not info.name.rsplit(".", 1)[-1].startswith("_"):
                importlib.import_module(info.name)
    found, todo = [], [Model]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("workbench.") and sub not in found:
                found.append(sub)
                todo.append(sub)
    return sorted(found, key=lambda c: c.__name__)


DIMENSIONLESS = {"pue", "radiation_margin"}
"""Float fields that are pure ratios or multipliers although their names do not end in
``_frac`` (power usage effectiveness; a design margin on dose)."""

_UNIT_SUFFIXES = ("_km", "_m", "_s", "_ms", "_deg", "_w", "_wh", "_kg", "_m2", "_k",
                  "_gbps", "_usd", "_cny", "_years", "_tb", "_mb", "_gb", "_gop", "_tops")


@pytest.mark.parametrize("cls", _model_classes(), ids=lambda c: c.__name__)
def test_describe_gives_unit_and_bounds_for_every_numeric_field(cls):
    specs = describe(cls)
    assert [s.name for s in specs] == list(cls.model_fields)
    for spec in specs:
        if spec.kind not in ("float", "int"):
            continue
        where = f"{cls.__name__}.{spec.name}"
        assert spec.minimum is not None and spec.maximum is not None, f"{where}: no bounds"
        assert spec.minimum < spec.maximum, where
        assert spec.description, f"{where}: no description"
        # floats are quantities (a unit, or a fraction); ints are counts unless named for a unit
        is_ratio = spec.name.endswith("_frac") or spec.name in DIMENSIONLESS
        needs_unit = (spec.kind == "float" and not is_ratio) or \
            spec.name.lower().endswith(_UNIT_SUFFIXES)
        if needs_unit:
            assert spec.unit, f"{where}: no unit"


def test_describe_reports_walker_altitude_limits():
    spec = {s.name: s for s in describe(WalkerShell)}["altitude_km"]
    assert (spec.kind, spec.unit, spec.minimum, spec.maximum) == ("float", "km", 160.0, 40000.0)
    assert (spec.label, spec.label_with_unit) == ("Altitude", "Altitude (km)")


# ----------------------------------------------------------------------------- YAML round trip

_NAME = st.text(st.characters(categories=["L", "N", "P", "Zs"]), min_size=1, max_size=20)
# shell and TLE set names are checked as names (model/names.py)
_SHELL_NAME = st.from_regex(r"\A[^\W_][\w\-.,()\[\]+/#&' ]{0,18}[^\W_]\Z")
_TZ = st.one_of(st.none(), st.just(UTC), st.builds(
    lambda minutes: timezone(timedelta(minutes=minutes)), st.integers(-14 * 60, 14 * 60)))


def _numeric(spec) -> st.SearchStrategy:
    if spec.kind == "int":
        return st.integers(int(spec.minimum) + spec.exclusive_minimum,
                           int(spec.maximum) - spec.exclusive_maximum)
    return st.floats(spec.minimum, spec.maximum, allow_nan=False,
                     exclude_min=spec.exclusive_minimum, exclude_max=spec.exclusive_maximum)


def fields_of(cls: type[Model], **fixed: st.SearchStrategy) -> st.SearchStrategy[dict]:
    """A dict of field values for ``cls``, each numeric one drawn within its declared
    bounds (``describe``); optional numbers may be None."""
    parts = {}
    for spec in describe(cls):
        if spec.name in fixed:
            parts[spec.name] = fixed[spec.name]
        elif spec.kind in ("float", "int"):
            parts[spec.name] = _numeric(spec)
            if not spec.required and spec.default is None:
                parts[spec.name] = st.none() | parts[spec.name]
        elif spec.kind == "choice":
            parts[spec.name] = st.sampled_from(spec.choices)
        elif spec.kind == "bool":
            parts[spec.name] = st.booleans()
        elif spec.kind == "text":
            parts[spec.name] = _NAME
        else:
            raise AssertionError(f"no strategy for {cls.__name__}.{spec.name} ({spec.kind})")
    return st.fixed_dictionaries(parts)


@st.composite
def walker_shells(draw, name: str) -> WalkerShell:
    values = draw(fields_of(WalkerShell, name=st.just(name),
                            planes=st.integers(1, 40), sats_per_plane=st.integers(1, 40)))
    values["phasing"] = draw(st.integers(0, values["planes"] - 1))
    return WalkerShell(**values)


@st.composite
def constellations(draw) -> Constellation:
    names = draw(st.lists(_SHELL_NAME, min_size=1, max_size=3, unique=True))
    has_tle = draw(st.booleans())
    shell_names = names[:-1] if has_tle else names
    shells = tuple(draw(walker_shells(n)) for n in shell_names)
    tle_sets = (TLESet(name=names[-1], text=ISS_TLE, source="skyfield docs"),) if has_tle else ()
    return Constellation(name=draw(_NAME), description=draw(st.text(max_size=40)),
                         shells=shells, tle_sets=tle_sets)


sites = st.builds(lambda d: GroundSite(**d), fields_of(GroundSite))
grounds = st.lists(sites, max_size=4, unique_by=lambda s: s.name).map(
    lambda s: GroundSegment(sites=tuple(s)))


@st.composite
def platforms(draw) -> Platform:
    values = draw(fields_of(Platform))
    # the model asks for at least 1 Wh usable: battery_wh · depth_of_discharge_frac ≥ 1
    usable_wh = values["battery_wh"] * values["depth_of_discharge_frac"]
    if usable_wh < 1.0:
        dod = values["depth_of_discharge_frac"] = max(values["depth_of_discharge_frac"], 1e-3)
        values["battery_wh"] = draw(st.floats(1.000001 / dod, 1e7))
    return Platform(**values)


@st.composite
def event_responses(draw) -> EventResponse:
    values = draw(fields_of(EventResponse))
    box = {}
    for axis, limit in (("lat", 90.0), ("lon", 180.0)):
        edges = sorted((values[f"{axis}_min_deg"], values[f"{axis}_max_deg"]))
        if edges[0] == edges[1]:  # the model asks for a region of positive size
            edges = sorted(draw(st.lists(st.floats(-limit, limit), min_size=2, max_size=2,
                                         unique=True)))
        box |= {f"{axis}_min_deg": edges[0], f"{axis}_max_deg": edges[1]}
    return EventResponse(**{**values, **box})


@st.composite
def chips(draw) -> ComputeChip:
    values = draw(fields_of(ComputeChip, typical_int8_tops=st.none()))
    typical = values["int8_tops"] * draw(st.floats(0.0, 1.0))
    if typical > 0.0 and draw(st.booleans()):  # typical compute never above the peak
        values["typical_int8_tops"] = typical
    return ComputeChip(**values)


@st.composite
def remote_sensings(draw) -> RemoteSensingInference:
    """Direct optics or a sensor, operations or a measured time: one of each pair."""
    values = draw(fields_of(RemoteSensingInference, sensor=st.none(), inference=st.none()))
    if draw(st.booleans()):
        values["sensor"] = Sensor(**draw(fields_of(Sensor)))
        values.update(swath_km=None, gsd_m=None, bands=None, bit_depth=None)
    if draw(st.booleans()):
        chip = draw(chips().filter(lambda c: c.rated_int8_tops > 0.0))
        values["inference"] = MeasuredInference(chip=chip, **draw(fields_of(
            MeasuredInference, chip=st.just(None)).map(
                lambda d: {k: v for k, v in d.items() if k != "chip"})))
        values["model_gop_per_tile"] = None
    return RemoteSensingInference(**values)


payloads = st.builds(lambda chip, d: ComputePayload(chip=chip, **d), chips(),
                     fields_of(ComputePayload, chip=st.just(None)).map(
                         lambda d: {k: v for k, v in d.items() if k != "chip"}))
applications = st.one_of(
    remote_sensings(),
    st.builds(lambda d: ComputeService(**d), fields_of(ComputeService)),
    event_responses(),
    st.builds(lambda d: CollaborativeComputing(**d), fields_of(CollaborativeComputing)),
)


@st.composite
def scenarios(draw) -> Scenario:
    duration = draw(_numeric({s.name: s for s in describe(Scenario)}["duration_s"]))
    step = draw(st.floats(min(max(duration / MAX_TIME_STEPS * (1 + 1e-9), 1e-3), duration),
                          min(86400.0, duration)))
    return Scenario(
        name=draw(_NAME), description=draw(st.text(max_size=60)),
        epoch_utc=draw(st.datetimes(datetime(1990, 1, 1), datetime(2052, 1, 1), timezones=_TZ)),
        duration_s=duration, step_s=step, constellation=draw(constellations()),
        platform=draw(platforms()), payload=draw(payloads), ground=draw(grounds),
        applications=tuple(draw(st.lists(applications, max_size=3))),
        economics=Economics(**draw(fields_of(Economics))))


@given(scenarios())
def test_yaml_round_trip_is_exact(scenario):
    text = scenario.to_yaml()
    again = load_scenario(text)
    assert again == scenario
    assert again.to_yaml() == text


def test_round_trip_keeps_application_kinds(small_scenario):
    apps = (RemoteSensingInference(), ComputeService(), EventResponse(),
            CollaborativeComputing())
    scenario = small_scenario.replace(applications=[a.model_dump() for a in apps])
    assert load_scenario(scenario.to_yaml()).applications == apps
