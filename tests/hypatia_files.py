"""Hypatia's satellite-network-state files as Hypatia's own generators write them (a helper
module for the tests, not a test file).

Reference: Hypatia (Kassing et al., IMC 2020), github.com/snkas/hypatia at commit
0ac531c313eba2335f6344b46347140c3a0d4230: ``satgenpy/satgen/tles/
generate_tles_from_scratch.py`` (``generate_tles_from_scratch_manual``: RAAN orbit·360/P,
mean anomaly j·360/S plus half a slot in odd orbits when ``phase_diff``, epoch 2000-01-01,
the exact line layout below), ``isls/generate_plus_grid_isls.py`` (sat i·S+j links to
i·S+(j+1) mod S and ((i+1) mod P)·S + (j + isl_shift) mod S; ``isl_shift=0`` in the
paper's ``main_helper.py``) and ``description/generate_description.py``
(``max_gsl_length_m=%.10f``, ``max_isl_length_m=%.10f``). The shells' constants are those
of ``paper/satellite_networks_state/main_starlink_550.py`` and ``main_kuiper_630.py``.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from workbench.model.tle import checksum

WGS72_EARTH_RADIUS_M = 6378135.0
"""Hypatia's Earth radius in its length rules (``main_*.py``)."""


def hypatia_tles(n_orbits: int, n_per_orbit: int, *, name: str = "Starlink-550",
                 inclination_deg: float = 53.0, mean_motion: float = 15.19,
                 phase_diff: bool = True) -> str:
    """tles.txt as Hypatia's generate_tles_from_scratch_manual writes it."""
    lines = [f"{n_orbits} {n_per_orbit}"]
    for orbit in range(n_orbits):
        raan = orbit * 360.0 / n_orbits
        shift = 360.0 / (n_per_orbit * 2.0) if orbit % 2 == 1 and phase_diff else 0.0
        for n_sat in range(n_per_orbit):
            counter = orbit * n_per_orbit + n_sat + 1
            ma = shift + n_sat * 360 / n_per_orbit
            # Hypatia's own format strings, kept as they are
            l1 = ("1 %05dU 00000ABC 00001.00000000  .00000000  00000-0  00000+0 0    0"  # noqa: UP031
                  % counter)
            l2 = "2 %05d %s %s %s %s %s %s    0" % (  # noqa: UP031
                counter, ("%3.4f" % inclination_deg).rjust(8),  # noqa: UP031
                ("%3.4f" % raan).rjust(8), ("%0.7f" % 0.0000001)[2:],  # noqa: UP031
                ("%3.4f" % 0.0).rjust(8), ("%3.4f" % ma).rjust(8),  # noqa: UP031
                ("%2.8f" % mean_motion).rjust(11))  # noqa: UP031
            lines += [f"{name} {counter - 1}", l1 + str(checksum(l1)), l2 + str(checksum(l2))]
    return "\n".join(lines) + "\n"


def hypatia_plus_grid(n_orbits: int, n_per_orbit: int, isl_shift: int = 0) -> np.ndarray:
    """isls.txt as Hypatia's generate_plus_grid_isls writes it, as sorted (a, b) rows."""
    links = set()
    for i in range(n_orbits):
        for j in range(n_per_orbit):
            sat = i * n_per_orbit + j
            for other in (i * n_per_orbit + (j + 1) % n_per_orbit,
                          ((i + 1) % n_orbits) * n_per_orbit + (j + isl_shift) % n_per_orbit):
                links.add((min(sat, other), max(sat, other)))
    return np.array(sorted(links), dtype=np.int64)


def max_isl_length_m(altitude_m: float) -> float:
    """ISLs may not dip below 80 km (``main_*.py``)."""
    r = WGS72_EARTH_RADIUS_M
    return 2 * math.sqrt((r + altitude_m) ** 2 - (r + 80000) ** 2)


def write_state(folder: Path, *, n_orbits: int, n_per_orbit: int, name: str,
                inclination_deg: float, mean_motion: float, max_gsl_length_m: float,
                max_isl_length_m: float, ground_stations_basic: str) -> Path:
    """A satellite-network-state folder as Hypatia's ``main_helper.py`` lays it out, with
    +Grid ISLs and the basic ground-station file (satgenpy extends it itself)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tles.txt").write_text(hypatia_tles(
        n_orbits, n_per_orbit, name=name, inclination_deg=inclination_deg,
        mean_motion=mean_motion), encoding="utf-8")
    (folder / "isls.txt").write_text("".join(
        f"{a} {b}\n" for a, b in hypatia_plus_grid(n_orbits, n_per_orbit).tolist()),
        encoding="utf-8")
    (folder / "ground_stations.basic.txt").write_text(ground_stations_basic, encoding="utf-8")
    (folder / "description.txt").write_text(
        "max_gsl_length_m=%.10f\nmax_isl_length_m=%.10f\n"  # noqa: UP031
        % (max_gsl_length_m, max_isl_length_m),
        encoding="utf-8")
    return folder
