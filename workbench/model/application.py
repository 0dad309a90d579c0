"""Application scenarios the constellation serves; ``kind`` tells them apart."""
from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, model_validator

from .base import Model
from .errors import FieldValueError
from .fields import quantity
from .hardware import ComputeChip
from .sensor import Sensor


class MeasuredInference(Model):
    """An inference cost as measured: milliseconds per tile at a power on a named chip.

    Denby & Lucia measured their building detector at 44.86 ms per tile and 11.33 W on a
    Jetson TX2 (OEC artifact, ``software/satsim/jetson-tx2/source/JetsonTX2.cpp``). On
    another chip the time is scaled by the ratio of the chips' throughput,
    ``ms × reference TOPS / payload TOPS`` (typical TOPS where the catalog has them, else
    the peak): an approximation that assumes the model runs equally well on both, which
    a different memory system or precision can make untrue by a factor of several.

    >>> from workbench.model.hardware import ComputeChip
    >>> tx2 = ComputeChip(name="TX2", int8_tops=1.33, power_w=11.33, mass_kg=0.085,
    ...                   tid_krad=20, unit_cost_usd=399)
    >>> m = MeasuredInference(ms_per_tile=44.86, power_w=11.33, chip=tx2)
    >>> round(m.equivalent_gop_per_tile, 2), round(m.energy_per_tile_j, 3)
    (59.66, 0.508)
    """

    ms_per_tile: float = quantity(unit="ms", gt=0.0, le=1e7, step=0.1,
                                  label="Measured time per tile",
                                  description="Measured inference time of one tile")
    power_w: float = quantity(unit="W", gt=0.0, le=100000.0, step=0.1,
                              label="Measured power",
                              description="Power drawn while the measurement ran")
    chip: ComputeChip = quantity(label="Measured on chip",
                                 description="The chip the time was measured on (a catalog "
                                             "name in YAML)")
    source: str = quantity("", label="Source",
                           description="Where the measurement comes from")

    @model_validator(mode="after")
    def _chip_has_throughput(self) -> MeasuredInference:
        if self.chip.rated_int8_tops <= 0.0:
            raise FieldValueError("chip", self.chip.name, "a measured time can only be "
                                  "scaled from a chip with INT8 compute above 0 TOPS")
        return self

    @property
    def equivalent_gop_per_tile(self) -> float:
        """Operations the measurement stands for, GOP: ms × the chip's TOPS (1 ms at 1 TOPS is
        1 GOP); the pipeline divides it by a payload's TOPS to get its time per tile."""
        return self.ms_per_tile * self.chip.rated_int8_tops

    @property
    def energy_per_tile_j(self) -> float:
        """Energy of one tile as measured, J: ms / 1000 × W."""
        return self.ms_per_tile / 1000.0 * self.power_w

    def ms_per_tile_on(self, tops: float | np.ndarray) -> np.ndarray:
        """Time per tile on hardware delivering ``tops`` INT8 TOPS, ms (throughput ratio)."""
        with np.errstate(divide="ignore"):
            return self.equivalent_gop_per_tile / np.asarray(tops, dtype=float)


_OPTICS_DEFAULTS: dict[str, float | int] = {"swath_km": 30.0, "gsd_m": 3.0, "bands": 4,
                                             "bit_depth": 12}
"""What an application without a sensor images with, unless it says otherwise."""
_DEFAULT_GOP_PER_TILE = 100.0


class RemoteSensingInference(Model):
    """Onboard analysis of imagery: image, infer in orbit, downlink products not pixels.

    The imagery is given either by a ``sensor`` (optics and detector: GSD and swath follow
    from each satellite's altitude) or, as before, by ``gsd_m``, ``swath_km``, ``bands``
    and ``bit_depth`` directly; not both. The inference cost is either
    ``model_gop_per_tile`` (operations) or ``inference`` (a measured time per tile on a
    named chip); not both. Fields left out take the defaults of the direct form
    (30 km, 3 m, 4 bands, 12 bits, 100 GOP per tile).

    >>> app = RemoteSensingInference(sensor={"pixel_pitch_um": 5.5, "focal_length_mm": 1000,
    ...                                      "pixels_across": 4000, "bands": 4})
    >>> round(float(app.gsd_m_at(500.0)), 2), round(float(app.swath_km_at(500.0)), 1)
    (2.75, 11.0)
    """

    kind: Literal["remote_sensing"] = quantity("remote_sensing", label="Application kind",
                                                 description="Onboard analysis of imagery")
    name: str = quantity("onboard image analysis", label="Application name",
                         description="Name of the application")
    sensor: Sensor | None = quantity(None, label="Sensor",
                                     description="The imager's optics and detector; gives GSD "
                                                 "and swath at each satellite's altitude")
    swath_km: float | None = quantity(None, unit="km", gt=0.0, le=3000.0, step=1.0,
                                      label="Swath width",
                                      description="Imaged swath width across track (empty "
                                                  "with a sensor)")
    gsd_m: float | None = quantity(None, unit="m", gt=0.0, le=10000.0, step=0.1,
                                   label="Ground sampling distance",
                                   description="Ground sampling distance (pixel size on the "
                                               "ground; empty with a sensor)")
    bands: int | None = quantity(None, ge=1, le=1000, label="Spectral bands",
                                 description="Spectral bands (empty with a sensor)")
    bit_depth: int | None = quantity(None, ge=1, le=32, label="Bit depth",
                                     description="Bits per sample (empty with a sensor)")
    imaging_duty_frac: float = quantity(0.2, ge=0.0, le=1.0, step=0.01,
                                        label="Imaging duty",
                                        description="Fraction of the orbit spent imaging")
    tile_px: int = quantity(1024, unit="px", ge=16, le=100000,
                            label="Tile size",
                            description="Tile edge the onboard model processes (pixels)")
    model_gop_per_tile: float | None = quantity(
        None, unit="GOP", gt=0.0, le=1e7, label="Operations per tile",
        description="Operations of one inference on a tile (empty with a measured time)")
    inference: MeasuredInference | None = quantity(
        None, label="Measured inference",
        description="Inference time measured per tile on a chip, instead of operations")
    data_reduction_frac: float = quantity(0.02, gt=0.0, le=1.0, step=0.01,
                                          label="Data reduction",
                                          description="Products' size as a fraction of raw data")

    @model_validator(mode="before")
    @classmethod
    def _one_source_each(cls, data: Any) -> Any:
        """A sensor or direct optics, operations or a measured time: one of each pair;
        what is left out takes the direct form's default."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        pairs = (("sensor", _OPTICS_DEFAULTS),
                 ("inference", {"model_gop_per_tile": _DEFAULT_GOP_PER_TILE}))
        for source, defaults in pairs:
            if data.get(source) is not None:
                for key in defaults:
                    if data.get(key) is not None:
                        raise FieldValueError(
                            key, data[key], "cannot be given together with {source}, which "
                            "sets it; leave {key} out (or empty) or remove {source}",
                            source=source, key=key)
            else:
                for key, value in defaults.items():
                    if data.get(key) is None:
                        data[key] = value
        return data

    @property
    def sample_bands(self) -> int:
        """Spectral bands imaged: the sensor's, else ``bands``."""
        return self.sensor.bands if self.sensor is not None else int(self.bands or 0)

    @property
    def sample_bit_depth(self) -> int:
        """Bits per sample: the sensor's, else ``bit_depth``."""
        return self.sensor.bit_depth if self.sensor is not None else int(self.bit_depth or 0)

    def gsd_m_at(self, altitude_km: float | np.ndarray) -> np.ndarray:
        """Ground sample distance at each altitude, m: the sensor's, else ``gsd_m``."""
        if self.sensor is not None:
            return self.sensor.gsd_m(altitude_km)
        return np.full(np.shape(altitude_km), float(self.gsd_m or 0.0))

    def swath_km_at(self, altitude_km: float | np.ndarray) -> np.ndarray:
        """Swath at each altitude, km: the sensor's, else ``swath_km``."""
        if self.sensor is not None:
            return self.sensor.swath_km(altitude_km)
        return np.full(np.shape(altitude_km), float(self.swath_km or 0.0))

    @property
    def gop_per_tile(self) -> float:
        """Operations per tile the pipeline plans with, GOP: ``model_gop_per_tile``, else the
        measured time's equivalent (:attr:`MeasuredInference.equivalent_gop_per_tile`)."""
        if self.inference is not None:
            return self.inference.equivalent_gop_per_tile
        return float(self.model_gop_per_tile or 0.0)

    @property
    def inference_basis(self) -> str:
        """``"measured"`` (a time per tile on a chip) or ``"operations"`` (GOP per tile)."""
        return "measured" if self.inference is not None else "operations"


class ComputeService(Model):
    """Compute sold to ground users reaching satellites in view."""

    kind: Literal["compute_service"] = quantity("compute_service", label="Application kind",
                                                  description="Compute sold to ground users")
    name: str = quantity("compute for ground users", label="Application name",
                         description="Name of the application")
    n_users: int = quantity(1000, ge=0, le=10**9, label="Users",
                            description="Subscribed users")
    demand_tops_per_user: float = quantity(1.0, unit="TOPS", ge=0.0, le=1e6,
                                           label="Compute per user",
                                           description="Average compute each user draws")
    latency_target_ms: float = quantity(50.0, unit="ms", gt=0.0, le=10000.0,
                                        label="Latency target",
                                        description="Round-trip time users need")


class EventResponse(Model):
    """Low-latency response to events (fires, floods, ships) seen from orbit."""

    kind: Literal["event_response"] = quantity("event_response", label="Application kind",
                                                 description="Low-latency response to events")
    name: str = quantity("event response", label="Application name",
                         description="Name of the application")
    lat_min_deg: float = quantity(-60.0, unit="deg", ge=-90.0, le=90.0,
                                  label="Southern edge",
                                  description="Region of interest: southern edge")
    lat_max_deg: float = quantity(60.0, unit="deg", ge=-90.0, le=90.0,
                                  label="Northern edge",
                                  description="Region of interest: northern edge")
    lon_min_deg: float = quantity(-180.0, unit="deg", ge=-180.0, le=180.0,
                                  label="Western edge",
                                  description="Region of interest: western edge")
    lon_max_deg: float = quantity(180.0, unit="deg", ge=-180.0, le=180.0,
                                  label="Eastern edge",
                                  description="Region of interest: eastern edge")
    events_per_day: float = quantity(10.0, unit="1/day", ge=0.0, le=1e6,
                                     label="Events per day",
                                     description="Events to answer a day")
    deadline_s: float = quantity(600.0, unit="s", gt=0.0, le=1e7,
                                 label="Deadline",
                                 description="Time from event to insight that still has value")
    processing_gop: float = quantity(500.0, unit="GOP", gt=0.0, le=1e9,
                                     label="Processing per event",
                                     description="Operations to turn an observation into an "
                                                 "insight")
    result_size_mb: float = quantity(1.0, unit="MB", gt=0.0, le=1e6,
                                     label="Result size",
                                     description="Size of the insight sent to the user")

    @model_validator(mode="after")
    def _region(self) -> EventResponse:
        if self.lat_min_deg >= self.lat_max_deg:
            raise FieldValueError("lat_min_deg", self.lat_min_deg, "must be below lat_max_deg="
                                  "{north}", north=f"{self.lat_max_deg:g}")
        if self.lon_min_deg >= self.lon_max_deg:
            raise FieldValueError("lon_min_deg", self.lon_min_deg, "must be west of (below) "
                                  "lon_max_deg={east}; a region across the 180° meridian is "
                                  "two applications, one each side",
                                  east=f"{self.lon_max_deg:g}")
        return self


class CollaborativeComputing(Model):
    """A job split across satellites that exchange data over laser ISLs."""

    kind: Literal["collaborative"] = quantity("collaborative", label="Application kind",
                                                description="A job shared over laser ISLs")
    name: str = quantity("inter-satellite collaborative computing",
                         label="Application name",
                         description="Name of the application")
    job_gop: float = quantity(1e6, unit="GOP", gt=0.0, le=1e12,
                              label="Operations per job",
                              description="Operations in one job")
    n_participants: int = quantity(4, ge=2, le=10000, label="Satellites per job",
                                   description="Satellites sharing a job")
    exchange_gb: float = quantity(10.0, unit="GB", ge=0.0, le=1e6,
                                  label="Data exchanged per job",
                                  description="Data exchanged over ISLs per job")
    deadline_s: float = quantity(600.0, unit="s", gt=0.0, le=1e7,
                                 label="Deadline",
                                 description="Time allowed for one job")


Application = Annotated[
    RemoteSensingInference | ComputeService | EventResponse | CollaborativeComputing,
    Field(discriminator="kind"),
]
"""Any application kind; YAML picks one with its ``kind`` key."""
