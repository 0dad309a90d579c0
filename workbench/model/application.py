"""Application scenarios the constellation serves; ``kind`` tells them apart."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .base import Model
from .errors import FieldValueError
from .fields import quantity


class RemoteSensingInference(Model):
    """Onboard analysis of imagery: image, infer in orbit, downlink products not pixels."""

    kind: Literal["remote_sensing"] = quantity("remote_sensing", label="Application kind",
                                                 description="Onboard analysis of imagery")
    name: str = quantity("onboard image analysis", label="Application name",
                         description="Name of the application")
    swath_km: float = quantity(30.0, unit="km", gt=0.0, le=3000.0, step=1.0,
                               label="Swath width",
                               description="Imaged swath width across track")
    gsd_m: float = quantity(3.0, unit="m", gt=0.0, le=10000.0, step=0.1,
                            label="Ground sampling distance",
                            description="Ground sampling distance (pixel size on the ground)")
    bands: int = quantity(4, ge=1, le=1000, label="Spectral bands",
                          description="Spectral bands")
    bit_depth: int = quantity(12, ge=1, le=32, label="Bit depth",
                              description="Bits per sample")
    imaging_duty_frac: float = quantity(0.2, ge=0.0, le=1.0, step=0.01,
                                        label="Imaging duty",
                                        description="Fraction of the orbit spent imaging")
    tile_px: int = quantity(1024, unit="px", ge=16, le=100000,
                            label="Tile size",
                            description="Tile edge the onboard model processes (pixels)")
    model_gop_per_tile: float = quantity(100.0, unit="GOP", gt=0.0, le=1e7,
                                         label="Operations per tile",
                                         description="Operations of one inference on a tile")
    data_reduction_frac: float = quantity(0.02, gt=0.0, le=1.0, step=0.01,
                                          label="Data reduction",
                                          description="Products' size as a fraction of raw data")


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
