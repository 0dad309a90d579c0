"""Ground sites (gateways, user terminals, imaging targets, data centres) and segments."""
from __future__ import annotations

from collections import Counter
from typing import Literal

import polars as pl
from pydantic import model_validator

from .base import Model
from .errors import FieldValueError
from .fields import quantity

Role = Literal["gateway", "user", "target", "datacenter"]

DEFAULT_MIN_ELEVATION_DEG: dict[str, float] = {
    "gateway": 10.0, "user": 25.0, "target": 0.0, "datacenter": 10.0}
"""Typical elevation masks: user terminals 25°, gateways ~10° (the README's design notes)."""


class GroundSite(Model):
    """A place on the ground that talks to, is imaged by, or computes for the constellation."""

    name: str = quantity(label="Site name",
                         description="Unique name of the site")
    lat_deg: float = quantity(unit="deg", ge=-90.0, le=90.0, step=0.01,
                              label="Latitude",
                              description="Geodetic latitude (WGS84), north positive")
    lon_deg: float = quantity(unit="deg", ge=-180.0, le=180.0, step=0.01,
                              label="Longitude",
                              description="Longitude (WGS84), east positive")
    altitude_m: float = quantity(0.0, unit="m", ge=-500.0, le=9000.0, step=10.0,
                                 label="Height",
                                 description="Height above the WGS84 ellipsoid")
    role: Role = quantity("user", label="Role",
                          description="What the site does: gateway, user terminal, "
                                      "imaging target or data centre")
    min_elevation_deg: float | None = quantity(
        None, unit="deg", ge=0.0, le=90.0, step=1.0,
        label="Elevation mask",
        description="Elevation mask; None takes the role's typical value (user 25°, gateway 10°)")
    max_range_km: float | None = quantity(None, unit="km", gt=0.0, le=50000.0,
                                          label="Maximum slant range",
                                          description="Terminal reach: maximum slant range")
    is_relay: bool = quantity(False, label="Relays traffic",
                              description="May traffic transit through this site?")

    @property
    def elevation_mask_deg(self) -> float:
        """The elevation mask in force: the site's own, else the role's default."""
        if self.min_elevation_deg is not None:
            return self.min_elevation_deg
        return DEFAULT_MIN_ELEVATION_DEG[self.role]


SITE_SCHEMA = {"site": pl.String, "lat_deg": pl.Float64, "lon_deg": pl.Float64,
               "altitude_m": pl.Float64, "role": pl.String, "min_elevation_deg": pl.Float64,
               "max_range_km": pl.Float64, "is_relay": pl.Boolean}


class GroundSegment(Model):
    """A set of ground sites with unique names."""

    sites: tuple[GroundSite, ...] = quantity((), label="Ground sites",
                                             description="The ground sites")

    @model_validator(mode="after")
    def _unique_names(self) -> GroundSegment:
        names = Counter(s.name for s in self.sites)
        dupes = sorted(n for n, k in names.items() if k > 1)
        if dupes:
            raise FieldValueError("sites", dupes[:5], "site names must be unique")
        return self

    def __len__(self) -> int:
        return len(self.sites)

    def __iter__(self):  # type: ignore[override]
        return iter(self.sites)

    def __getitem__(self, name: str) -> GroundSite:
        for site in self.sites:
            if site.name == name:
                return site
        raise KeyError(f"no site named {name!r}; sites: {[s.name for s in self.sites]}")

    def by_role(self, role: Role) -> GroundSegment:
        return GroundSegment(sites=tuple(s for s in self.sites if s.role == role))

    def with_site(self, site: GroundSite) -> GroundSegment:
        """A new segment with ``site`` added (replacing a site of the same name)."""
        return GroundSegment(sites=tuple(s for s in self.sites if s.name != site.name) + (site,))

    @property
    def frame(self) -> pl.DataFrame:
        """One row per site (schema ``SITE_SCHEMA``), masks resolved."""
        return pl.DataFrame(
            [{"site": s.name, "lat_deg": s.lat_deg, "lon_deg": s.lon_deg,
              "altitude_m": s.altitude_m, "role": s.role,
              "min_elevation_deg": s.elevation_mask_deg, "max_range_km": s.max_range_km,
              "is_relay": s.is_relay} for s in self.sites], schema=SITE_SCHEMA)
