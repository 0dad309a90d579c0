"""ISL topology as data: an explicit link list in NetworkOptions.isl (validated, YAML
round trip), the links a run used as a frame, and +Grid inference on a TLE set built like
Hypatia's (odd planes shifted by half a slot) giving the designer's +Grid.

Reference: Hypatia (Kassing et al., IMC 2020), its TLE and +Grid generators as
``tests/hypatia_files.py`` restates them (sources cited there), Starlink-550: 72 × 22, 53°,
15.19 rev/day, e = 1e-7."""
from __future__ import annotations

import warnings
from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest
import yaml
from hypatia_files import hypatia_plus_grid, hypatia_tles

from workbench import datasets
from workbench.analyses.network.roundtrip import UnreachableWarning, latency
from workbench.analyses.network.topology import plus_grid
from workbench.model import Constellation, ModelError, Scenario
from workbench.model.options import NetworkOptions
from workbench.model.yaml_io import load_yaml

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
CITIES = ["London", "New-York-Newark", "Tokyo", "Sydney", "Singapore"]


def tle_constellation(n_orbits: int, n_per_orbit: int) -> Constellation:
    text = hypatia_tles(n_orbits, n_per_orbit).split("\n", 1)[1]  # drop the P S header
    return Constellation.from_tle(text, name="starlink-550")


@pytest.mark.parametrize("shape", [(72, 22), (12, 8), (6, 5)])
def test_inferred_plus_grid_is_the_designers_for_hypatia_sets(shape):
    c = tle_constellation(*shape)
    inferred = plus_grid(c, epoch=EPOCH)
    np.testing.assert_array_equal(inferred, hypatia_plus_grid(*shape))


def hypatia_scenario(isl) -> Scenario:
    cities = datasets.hypatia_ground_segment()
    ground = type(cities)(sites=tuple(s for s in cities.sites if s.name in CITIES))
    return Scenario(name="hypatia-550", epoch_utc=EPOCH, duration_s=600.0, step_s=60.0,
                    constellation=tle_constellation(72, 22),
                    platform=datasets.platform("starlink-v1-class"),
                    payload={"chip": datasets.chip("jetson-agx-orin")}, ground=ground,
                    options={"network": {"isl": isl, "keep_paths": False}})


def test_explicit_link_list_equal_to_the_inferred_grid_gives_identical_rtts():
    inferred = latency(hypatia_scenario("+grid"))
    links = tuple(map(tuple, hypatia_plus_grid(72, 22).tolist()))
    given = latency(hypatia_scenario(links))
    assert given.info["isl"] == "links" and given.info["n_isl_links"] == 2 * 72 * 22
    assert inferred.rtt["rtt_ms"].is_not_null().all()
    np.testing.assert_array_equal(given.rtt["rtt_ms"].to_numpy(),
                                  inferred.rtt["rtt_ms"].to_numpy())
    assert given.frames["isl_links"].equals(inferred.frames["isl_links"])
    used = inferred.frames["isl_links"]
    assert used.height == 2 * 72 * 22 and (used["n_steps_usable"] == 11).all()
    assert used["name_a"][0] == "Starlink-550 0"
    # names work as well as ids
    named = tuple((f"Starlink-550 {a}", f"Starlink-550 {b}") for a, b in links)
    by_name = latency(hypatia_scenario(named))
    np.testing.assert_array_equal(by_name.rtt["rtt_ms"].to_numpy(),
                                  inferred.rtt["rtt_ms"].to_numpy())


def test_a_different_grid_gives_different_rtts():
    shifted = tuple(map(tuple, hypatia_plus_grid(72, 22, isl_shift=1).tolist()))
    a = latency(hypatia_scenario("+grid")).rtt["rtt_ms"].to_numpy()
    b = latency(hypatia_scenario(shifted)).rtt["rtt_ms"].to_numpy()
    assert np.abs(a - b).max() > 0.1  # ms: the topology is really used


def test_every_latency_result_has_its_links():
    for isl in ("nearest", "none"):
        with warnings.catch_warnings():  # bent pipe: far pairs have no route
            warnings.simplefilter("ignore", UnreachableWarning)
            result = latency(hypatia_scenario(isl))
        frame = result.frames["isl_links"]
        assert frame.columns == ["sat_a", "sat_b", "name_a", "name_b", "n_steps_usable",
                                 "length_km_min", "length_km_max"]
        assert (frame.height == 0) == (isl == "none")


def test_link_lists_are_validated_naming_the_field():
    with pytest.raises(ModelError, match=r"isl=\(3, 3\): link 1 joins a satellite to itself"):
        NetworkOptions(isl=[(0, 1), (3, 3)])
    with pytest.raises(ModelError, match="link 2 repeats link 0"):
        NetworkOptions(isl=[(0, 1), (1, 2), (1, 0)])
    with pytest.raises(ModelError, match="link 0 must be a pair"):
        NetworkOptions(isl=[(0, 1, 2)])
    with pytest.raises(ModelError, match="must be '\\+grid', 'nearest', 'none' or a list"):
        NetworkOptions(isl="grid")
    with pytest.raises(ModelError, match="isl=.*'Starlink-550 9999'.*is no satellite"):
        latency(hypatia_scenario((("Starlink-550 0", "Starlink-550 9999"),)))
    with pytest.raises(ModelError, match="link 1 repeats link 0"):  # by id, then by name
        latency(hypatia_scenario(((0, 1), ("Starlink-550 1", "Starlink-550 0"))))
    with pytest.raises(ModelError, match="1584 is no satellite"):
        latency(hypatia_scenario(((0, 1584),)))


def test_link_list_from_a_frame_and_through_yaml():
    frame = pl.DataFrame({"sat_a": [0, 1], "sat_b": [1, 2]})
    options = NetworkOptions(isl=frame)
    assert options.isl == ((0, 1), (1, 2))
    data = load_yaml(yaml.safe_dump(options.model_dump(mode="json")))
    assert NetworkOptions.model_validate(data) == options
    with pytest.raises(ModelError, match="needs columns sat_a and sat_b"):
        NetworkOptions(isl=pl.DataFrame({"a": [0], "b": [1]}))
