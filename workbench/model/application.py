"""Application scenarios the constellation serves; ``kind`` tells them apart."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .base import Model
from .fields import quantity


class RemoteSensingInference(Model):
    """Onboard analysis of imagery: image, infer in orbit, downlink products not pixels."""

    kind: Literal["remote_sensing"] = "remote_sensing"
    name: str = quantity("onboard image analysis", description="Name of the application")
    swath_km: float = quantity(30.0, unit="km", gt=0.0, le=3000.0, step=1.0,
                               description="Imaged swath width across track")
    gsd_m: float = quantity(3.0, unit="m", gt=0.0, le=10000.0, step=0.1,
                            description="Ground sampling distance (pixel size on the ground)")
    bands: int = quantity(4, ge=1, le=1000, description="Spectral bands")
    bit_depth: int = quantity(12, ge=1, le=32, description="Bits per sample")
    imaging_duty_frac: float = quantity(0.2, ge=0.0, le=1.0, step=0.01,
                                        description="Fraction of the orbit spent imaging")
    tile_px: int = quantity(1024, ge=16, le=100000,
                            description="Tile edge the onboard model processes (pixels)")
    model_gop_per_tile: float = quantity(100.0, unit="GOP", gt=0.0, le=1e7,
                                         description="Operations of one inference on a tile")
    data_reduction_frac: float = quantity(0.02, gt=0.0, le=1.0, step=0.01,
                                          description="Products' size as a fraction of raw data")


class ComputeService(Model):
    """Compute sold to ground users reaching satellites in view."""

    kind: Literal["compute_service"] = "compute_service"
    name: str = quantity("compute for ground users", description="Name of the application")
    n_users: int = quantity(1000, ge=0, le=10**9, description="Subscribed users")
    demand_tops_per_user: float = quantity(1.0, unit="TOPS", ge=0.0, le=1e6,
                                           description="Average compute each user draws")
    latency_target_ms: float = quantity(50.0, unit="ms", gt=0.0, le=10000.0,
                                        description="Round-trip time users need")


class EventResponse(Model):
    """Low-latency response to events (fires, floods, ships) seen from orbit."""

    kind: Literal["event_response"] = "event_response"
    name: str = quantity("event response", description="Name of the application")
    lat_min_deg: float = quantity(-60.0, unit="deg", ge=-90.0, le=90.0,
                                  description="Region of interest: southern edge")
    lat_max_deg: float = quantity(60.0, unit="deg", ge=-90.0, le=90.0,
                                  description="Region of interest: northern edge")
    lon_min_deg: float = quantity(-180.0, unit="deg", ge=-180.0, le=180.0,
                                  description="Region of interest: western edge")
    lon_max_deg: float = quantity(180.0, unit="deg", ge=-180.0, le=180.0,
                                  description="Region of interest: eastern edge")
    events_per_day: float = quantity(10.0, unit="1/day", ge=0.0, le=1e6,
                                     description="Events to answer a day")
    deadline_s: float = quantity(600.0, unit="s", gt=0.0, le=1e7,
                                 description="Time from event to insight that still has value")
    processing_gop: float = quantity(500.0, unit="GOP", gt=0.0, le=1e9,
                                     description="Operations to turn an observation into an "
                                                 "insight")
    result_size_mb: float = quantity(1.0, unit="MB", gt=0.0, le=1e6,
                                     description="Size of the insight sent to the user")

    @model_validator(mode="after")
    def _region(self) -> EventResponse:
        if self.lat_min_deg >= self.lat_max_deg:
            raise ValueError(f"lat_min_deg={self.lat_min_deg:g}: must be below lat_max_deg="
                             f"{self.lat_max_deg:g}")
        if self.lon_min_deg >= self.lon_max_deg:
            raise ValueError(f"lon_min_deg={self.lon_min_deg:g}: must be west of (below) "
                             f"lon_max_deg={self.lon_max_deg:g}; a region across the 180° "
                             "meridian is two applications, one each side")
        return self


class CollaborativeComputing(Model):
    """A job split across satellites that exchange data over laser ISLs."""

    kind: Literal["collaborative"] = "collaborative"
    name: str = quantity("inter-satellite collaborative computing",
                         description="Name of the application")
    job_gop: float = quantity(1e6, unit="GOP", gt=0.0, le=1e12,
                              description="Operations in one job")
    n_participants: int = quantity(4, ge=2, le=10000, description="Satellites sharing a job")
    exchange_gb: float = quantity(10.0, unit="GB", ge=0.0, le=1e6,
                                  description="Data exchanged over ISLs per job")
    deadline_s: float = quantity(600.0, unit="s", gt=0.0, le=1e7,
                                 description="Time allowed for one job")


Application = Annotated[
    RemoteSensingInference | ComputeService | EventResponse | CollaborativeComputing,
    Field(discriminator="kind"),
]
"""Any application kind; YAML picks one with its ``kind`` key."""
