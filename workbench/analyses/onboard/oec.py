"""Orbital edge computing: the frame deadline and the frame-parallel pipeline.

Denby & Lucia (*Orbital Edge Computing: Nanosatellite Constellations as a New Class of
Computer System*, ASPLOS 2020) ask whether a satellite can analyse each image frame before
the ground track has moved on by one frame, and, when it cannot, how many satellites a
computational pipeline needs. In their frame-parallel pipeline the satellites fly close
together in one orbit and take frames in turn, so each has ``k`` frame times to analyse
its frame:

- frame deadline t_f = frame length / ground-track speed, where the frame length is the
  sensor's GSD × its rows along track (:class:`~workbench.model.sensor.Sensor`) and the
  ground-track speed v_g = √(μ/a)·R⊕/a (:func:`~.datapipe.ground_speed_km_per_s`; Earth's
  rotation is left out, as in the artifact's ``satsim`` simulator);
- frame processing time t_p = tiles per frame × time per tile on the payload, at full
  power on its compute basis (:func:`~.compute.compute_basis`); for a measured time, the
  measurement scaled by the ratio of the chips' throughput (an approximation);
- satellites needed k = ⌈t_p / t_f⌉.

Their artifact (github.com/CMUAbstract/oec-asplos20-artifact,
``artifacts/csfp-base/source/csfp-base.cpp``) fixes 3,072 tiles per frame, 44.86 ms per tile
on a Jetson TX2 at 11.33 W and 1,642 ground-track frames over half of a 5,580 s orbit at
400 km: t_f = 1.699 s, t_p = 137.8 s, k = 82 (tests/test_oec.py reproduces these).

The power and heat limits on the payload are not applied here (the data pipeline,
:func:`~.datapipe.data_pipeline`, simulates them step by step).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl

from ...model.application import RemoteSensingInference
from ...model.hardware import ComputePayload
from ...model.options import CapacityOptions, require, resolve_options
from ...model.scenario import Scenario
from ...orbits.geometry import OrbitGeometry, Progress
from .compute import compute_basis
from .datapipe import achieved_utilisation, ground_speed_km_per_s, required_remote_sensing_app
from .result import CapacityResult


def frame_rows(app: RemoteSensingInference, altitude_km: float | np.ndarray) -> np.ndarray:
    """Pixels of one frame along track: the sensor's rows; without a sensor, a square frame
    of ``swath_km / gsd_m`` pixels."""
    if app.sensor is not None:
        return np.full(np.shape(altitude_km), float(app.sensor.frame_rows))
    return app.swath_km_at(altitude_km) * 1000.0 / app.gsd_m_at(altitude_km)


def frame_columns(app: RemoteSensingInference, altitude_km: float | np.ndarray) -> np.ndarray:
    """Pixels of one frame across track (the sensor's, else ``swath_km / gsd_m``)."""
    if app.sensor is not None:
        return np.full(np.shape(altitude_km), float(app.sensor.pixels_across))
    return app.swath_km_at(altitude_km) * 1000.0 / app.gsd_m_at(altitude_km)


def tiles_per_frame(app: RemoteSensingInference, altitude_km: float | np.ndarray) -> np.ndarray:
    """Tiles the model runs on per frame: ⌈columns / tile_px⌉ × ⌈rows / tile_px⌉.

    >>> app = RemoteSensingInference(tile_px=64, sensor={"pixel_pitch_um": 1.1,
    ...     "focal_length_mm": 200, "pixels_across": 3072, "along_track_px": 4096})
    >>> int(tiles_per_frame(app, 400.0))
    3072
    """
    tile = float(app.tile_px)
    return (np.ceil(frame_columns(app, altitude_km) / tile)
            * np.ceil(frame_rows(app, altitude_km) / tile))


def frame_length_km(app: RemoteSensingInference, altitude_km: float | np.ndarray
                    ) -> np.ndarray:
    """Ground length of one frame along track, km: GSD × rows."""
    return app.gsd_m_at(altitude_km) * frame_rows(app, altitude_km) / 1000.0


def frame_deadline_s(frame_length_km: float | np.ndarray,
                     altitude_km: float | np.ndarray) -> np.ndarray:
    """Time the ground track takes to advance one frame, s: frame length / v_g.

    >>> round(float(frame_deadline_s(9.0112, 400.0)), 4)
    1.2488
    """
    length = require("frame_deadline_s", "frame_length_km", frame_length_km, gt=0.0,
                     unit="km")
    return length / ground_speed_km_per_s(altitude_km)


def ms_per_tile(app: RemoteSensingInference, tops: float | np.ndarray, *,
                utilisation_frac: float = 1.0) -> np.ndarray:
    """Time of one tile on hardware delivering ``tops`` INT8 TOPS at full power, ms:
    GOP per tile / (TOPS × u) — for a measured time, the measurement × reference TOPS /
    ``tops`` (u = 1, :func:`~.datapipe.achieved_utilisation`)."""
    t = require("ms_per_tile", "tops", tops, gt=0.0, unit="TOPS")
    return app.gop_per_tile / (t * achieved_utilisation(app, utilisation_frac))


def satellites_needed(processing_s: float | np.ndarray,
                      deadline_s: float | np.ndarray) -> np.ndarray:
    """Satellites a frame-parallel pipeline needs to keep up: ⌈t_p / t_f⌉ (at least 1).

    >>> int(satellites_needed(137.8, 1.699))
    82
    """
    t_p = require("satellites_needed", "processing_s", processing_s, ge=0.0, unit="s")
    t_f = require("satellites_needed", "deadline_s", deadline_s, gt=0.0, unit="s")
    # a hair of tolerance so that t_p equal to a whole number of deadlines is not rounded up
    return np.maximum(np.ceil(t_p / t_f * (1.0 - 1e-12)), 1.0)


def oec_frame(app: RemoteSensingInference, payload: ComputePayload, sat_ids: np.ndarray,
              altitude_km: np.ndarray, tops_per_sat: float, *,
              utilisation_frac: float = 1.0) -> pl.DataFrame:
    """The per-satellite OEC figures (schema in :func:`oec_pipeline`)."""
    altitude = np.maximum(np.asarray(altitude_km, dtype=float), 1.0)
    length = frame_length_km(app, altitude)
    deadline = frame_deadline_s(length, altitude)
    tiles = tiles_per_frame(app, altitude)
    per_tile_ms = ms_per_tile(app, tops_per_sat, utilisation_frac=utilisation_frac)
    processing = tiles * per_tile_ms / 1000.0
    needed = satellites_needed(processing, deadline)
    n = len(altitude)
    return pl.DataFrame({
        "sat_id": pl.Series(sat_ids, dtype=pl.UInt32),
        "altitude_km": altitude,
        "gsd_m": app.gsd_m_at(altitude),
        "swath_km": app.swath_km_at(altitude),
        "frame_length_km": length,
        "ground_speed_km_per_s": ground_speed_km_per_s(altitude),
        "frame_deadline_s": deadline,
        "tiles_per_frame": tiles,
        "ms_per_tile": np.full(n, float(per_tile_ms)),
        "frame_processing_s": processing,
        "frame_energy_j": processing * payload.power_w,
        "n_sats_frame_parallel": pl.Series(needed.astype(np.uint32), dtype=pl.UInt32),
        "is_realtime": processing <= deadline,
    })


def oec_summary(frame: pl.DataFrame, app: RemoteSensingInference, n_sats: int
                ) -> dict[str, Any]:
    """Medians of the OEC frame, the largest pipeline any satellite needs, and warnings."""
    needed = int(frame["n_sats_frame_parallel"].max() or 0)
    summary: dict[str, Any] = {
        "oec_frame_length_km": float(frame["frame_length_km"].median() or 0.0),
        "oec_frame_deadline_s": float(frame["frame_deadline_s"].median() or 0.0),
        "oec_frame_processing_s": float(frame["frame_processing_s"].median() or 0.0),
        "oec_tiles_per_frame": float(frame["tiles_per_frame"].median() or 0.0),
        "oec_n_sats_frame_parallel": needed,
        "inference_basis": app.inference_basis,
    }
    warnings = []
    if needed > n_sats:
        warnings.append(
            f"a frame-parallel pipeline needs {needed:,} satellites to analyse every frame "
            f"({summary['oec_frame_processing_s']:.3g} s per frame against a "
            f"{summary['oec_frame_deadline_s']:.3g} s frame deadline); the constellation "
            f"has {n_sats:,}")
    summary["warnings"] = warnings
    return summary


def oec_pipeline(scenario: Scenario, *, application: RemoteSensingInference | None = None,
                 geometry: OrbitGeometry | None = None, progress: Progress | None = None,
                 options: CapacityOptions | Mapping[str, Any] | None = None
                 ) -> CapacityResult:
    """The orbital-edge-computing view of every satellite: frame deadline, time to analyse
    a frame on the payload and the satellites a frame-parallel pipeline needs.

    Parameters
    ----------
    scenario : Scenario
        Its payload and compute basis and, unless ``application`` is given, its first
        remote-sensing application (with a ``sensor``, the frame is the sensor's; without,
        a square frame of the swath).
    application : RemoteSensingInference, optional
    geometry : OrbitGeometry, optional — altitudes from a propagation; by default the
        constellation's nominal altitudes (no propagation is needed)
    progress : callable(fraction, message), optional
    options : CapacityOptions (or a mapping of its fields); ``utilisation_frac`` applies
        to a cost in operations

    Returns
    -------
    CapacityResult with frame ``oec``, one row per satellite: sat_id (u32), altitude_km,
    gsd_m, swath_km, frame_length_km, ground_speed_km_per_s, frame_deadline_s (s),
    tiles_per_frame, ms_per_tile (on the payload at full power), frame_processing_s (s),
    frame_energy_j (J, the payload's full power over that time), n_sats_frame_parallel
    (u32, ⌈processing / deadline⌉), is_realtime (one satellite keeps up); summary
    ``oec_frame_length_km``, ``oec_frame_deadline_s``, ``oec_frame_processing_s``,
    ``oec_tiles_per_frame`` (medians), ``oec_n_sats_frame_parallel`` (the largest),
    ``inference_basis`` (measured or operations), ``warnings``.

    Raises ModelError naming ``applications`` when there is no remote-sensing application.
    """
    opts = resolve_options(CapacityOptions, options, scenario.options.capacity)
    app = required_remote_sensing_app(scenario, application, "oec_pipeline")
    if progress:
        progress(0.0, "orbital edge computing")
    sats = geometry.satellites if geometry is not None else scenario.constellation.satellites
    basis = compute_basis(scenario.payload, scenario.constellation)
    frame = oec_frame(app, scenario.payload, sats["sat_id"].to_numpy(),
                      sats["altitude_km"].to_numpy(), basis.tops_per_sat,
                      utilisation_frac=opts.utilisation_frac)
    if progress:
        progress(1.0, "done")
    return CapacityResult(frames={"oec": frame},
                          summary=oec_summary(frame, app, sats.height),
                          title=f"Orbital edge computing: {scenario.name}")


__all__ = [
    "frame_columns",
    "frame_deadline_s",
    "frame_length_km",
    "frame_rows",
    "ms_per_tile",
    "oec_frame",
    "oec_pipeline",
    "oec_summary",
    "satellites_needed",
    "tiles_per_frame",
]
