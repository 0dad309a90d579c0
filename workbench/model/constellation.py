"""Constellations: Walker shells and real TLE sets, and the satellites they hold."""
from __future__ import annotations

import html
import math
import warnings
from collections import Counter
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Literal

import polars as pl
from pydantic import field_validator, model_validator

from .base import Model
from .constants import MU_EARTH_KM3_PER_S2, R_EARTH_KM, SECONDS_PER_DAY
from .errors import FieldValueError, ModelError, Problem
from .fields import quantity
from .names import check_name
from .tle import ChecksumRule, InvalidRule, TLERecord, parse_tle, read_tle_file

SATELLITE_SCHEMA = {
    "sat_id": pl.UInt32, "name": pl.String, "shell": pl.String, "plane": pl.Int32,
    "slot": pl.Int32, "norad_id": pl.String, "epoch_utc": pl.Datetime("us", "UTC"),
    "altitude_km": pl.Float64, "inclination_deg": pl.Float64, "raan_deg": pl.Float64,
    "eccentricity": pl.Float64, "arg_perigee_deg": pl.Float64, "mean_anomaly_deg": pl.Float64,
    "mean_motion_rev_per_day": pl.Float64, "bstar": pl.Float64,
}


def period_s(altitude_km: float) -> float:
    """Circular-orbit period T = 2π√(a³/μ) for a = R⊕ + altitude.

    >>> round(period_s(550.0) / 60, 1)
    95.6
    """
    a = R_EARTH_KM + altitude_km
    return 2 * math.pi * math.sqrt(a**3 / MU_EARTH_KM3_PER_S2)


def altitude_from_mean_motion_km(rev_per_day: float) -> float:
    """Mean altitude above the equatorial radius for a mean motion (Kepler's third law)."""
    n_rad_s = rev_per_day * 2 * math.pi / SECONDS_PER_DAY
    return (MU_EARTH_KM3_PER_S2 / n_rad_s**2) ** (1 / 3) - R_EARTH_KM


class WalkerShell(Model):
    """A Walker constellation shell i:T/P/F of circular orbits.

    Delta pattern: planes spread over 360° of RAAN; star pattern: over 180°. Satellite
    ``slot`` of ``plane`` sits at argument of latitude
    ``slot·360/S + plane·F·360/T`` (Walker 1984, J. Brit. Interplanet. Soc. 37).
    """

    name: str = quantity("shell", label="Shell name",
                         description="Name of this shell within its constellation")
    altitude_km: float = quantity(550.0, unit="km", ge=160.0, le=40000.0, step=10.0,
                                  label="Altitude",
                                  description="Circular orbit altitude above the equator",
                                  why={"ge": "below 160 km an orbit decays within days",
                                       "le": "above 40,000 km the orbit is beyond "
                                             "geostationary"})
    inclination_deg: float = quantity(53.0, unit="deg", ge=0.0, le=180.0, step=0.1,
                                      label="Inclination",
                                      description="Orbit inclination to the equator")
    planes: int = quantity(72, ge=1, le=500, label="Orbital planes",
                           description="Number of orbital planes P")
    sats_per_plane: int = quantity(22, ge=1, le=500, label="Satellites per plane",
                                   description="Satellites per plane S")
    phasing: int = quantity(1, ge=0, le=499,
                            label="Phasing (F)",
                            description="Walker phasing F: adjacent planes offset by F·360/T")
    pattern: Literal["delta", "star"] = quantity(
        "delta", label="Walker pattern",
        description="Delta spreads planes over 360° of RAAN, star over 180°")
    raan_offset_deg: float = quantity(0.0, unit="deg", ge=0.0, lt=360.0,
                                      label="RAAN of the first plane",
                                      description="RAAN of the first plane")

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        return check_name(value)

    @model_validator(mode="after")
    def _phasing_below_planes(self) -> WalkerShell:
        if self.phasing >= self.planes:
            raise FieldValueError("phasing", self.phasing, "Walker phasing F must be between 0 "
                                  "and planes-1 = {highest}", highest=self.planes - 1)
        return self

    @property
    def n_sats(self) -> int:
        return self.planes * self.sats_per_plane

    @property
    def period_s(self) -> float:
        return period_s(self.altitude_km)

    @property
    def mean_motion_rev_per_day(self) -> float:
        return SECONDS_PER_DAY / self.period_s

    @property
    def raan_spacing_deg(self) -> float:
        return (360.0 if self.pattern == "delta" else 180.0) / self.planes

    @property
    def slot_spacing_deg(self) -> float:
        return 360.0 / self.sats_per_plane

    @property
    def phase_offset_deg(self) -> float:
        """Along-track offset between adjacent planes, F·360/T."""
        return self.phasing * 360.0 / self.n_sats

    def satellites(self) -> pl.DataFrame:
        """One row per satellite: plane, slot, raan_deg, mean_anomaly_deg (circular orbit,
        argument of perigee 0, so mean anomaly = argument of latitude)."""
        frame = pl.DataFrame({"plane": pl.int_range(0, self.planes, eager=True, dtype=pl.Int32)})
        frame = frame.join(pl.DataFrame({"slot": pl.int_range(0, self.sats_per_plane, eager=True,
                                                               dtype=pl.Int32)}), how="cross")
        return frame.with_columns(
            raan_deg=(self.raan_offset_deg + pl.col("plane") * self.raan_spacing_deg) % 360.0,
            mean_anomaly_deg=(pl.col("slot") * self.slot_spacing_deg
                              + pl.col("plane") * self.phase_offset_deg) % 360.0,
        )


class TLESet(Model):
    """A named set of real two-line element sets, checksum-validated on construction."""

    name: str = quantity(label="TLE set name",
                         description="Name of this TLE set (e.g. its CelesTrak group)")
    text: str = quantity(label="Element sets",
                         description="The element sets, two- or three-line format")
    source: str = quantity("", label="Source",
                           description="Where the elements came from (URL, file, date)")
    checksum: ChecksumRule = quantity(
        "error", label="Checksum rule",
        description="A line whose checksum does not match: error (refuse the set), warn "
                    "(keep the line, with a warning) or skip (do not check)")
    invalid: InvalidRule = quantity(
        "error", label="Invalid element sets",
        description="An element set with problems: error (refuse the whole text) or warn "
                    "(drop that satellite, with a warning)")

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        return check_name(value)

    @model_validator(mode="after")
    def _parses(self) -> TLESet:
        with warnings.catch_warnings(record=True) as caught:  # warned once, by .records
            warnings.simplefilter("always")
            parse_tle(self.text, source=self.name, checksum=self.checksum,
                      invalid=self.invalid)
        del caught
        return self

    @cached_property
    def records(self) -> tuple[TLERecord, ...]:
        return parse_tle(self.text, source=self.source or self.name, checksum=self.checksum,
                         invalid=self.invalid)

    def __len__(self) -> int:
        return len(self.records)

    @classmethod
    def from_file(cls, path: str | Path, *, name: str | None = None,
                  source: str | None = None, checksum: ChecksumRule = "error",
                  invalid: InvalidRule = "error") -> TLESet:
        """A TLE file's element sets (read with :func:`~workbench.model.tle.read_tle_file`:
        a missing, unreadable or oversized file is refused naming it)."""
        path = Path(path).expanduser()
        return cls(name=name or path.stem, text=read_tle_file(path),
                   source=source if source is not None else str(path), checksum=checksum,
                   invalid=invalid)


class PublishedCompute(Model):
    """A constellation's total compute as its operator published it, with the source.

    Operators quote the best satellite's peak and a constellation total that is not the
    product of the two (satellites differ, or the total counts sustained compute).
    Capacity reports use this total while the constellation has ``n_sats`` satellites and
    carries the payload chip named ``chip_name``; otherwise they say they did not.
    """

    int8_tops_total: float = quantity(unit="TOPS", gt=0.0, le=1e12,
                                      label="Published total compute",
                                      description="INT8 TOPS of the whole constellation, as "
                                                  "published")
    n_sats: int = quantity(ge=1, le=1_000_000, label="Satellites counted",
                           description="Satellites the published total covers")
    chip_name: str = quantity("", label="Payload it applies to",
                              description="Name of the payload chip the total was published "
                                          "for; empty: any payload")
    source: str = quantity(label="Source",
                           description="Where the total was published")

    @field_validator("source")
    @classmethod
    def _has_source(cls, value: str) -> str:
        if not value.strip():
            raise FieldValueError("source", value, "a published figure needs its source")
        return value

    def applies_to(self, n_sats: int, chip_name: str) -> str | None:
        """None if the total applies to ``n_sats`` satellites carrying ``chip_name``, else
        the reason it does not (English, for a warning)."""
        if n_sats != self.n_sats:
            return (f"it counts {self.n_sats:,} satellites and the constellation has "
                    f"{n_sats:,}")
        if self.chip_name and chip_name != self.chip_name:
            return f"it was published for the payload {self.chip_name!r}, not {chip_name!r}"
        return None


class Constellation(Model):
    """Walker shells and/or real TLE sets, as one numbered list of satellites.

    Satellites are numbered ``sat_id`` 0…N-1: shells first, in order, then TLE sets.
    Every array the orbit engine returns is indexed in this order.
    """

    name: str = quantity("constellation", label="Constellation name",
                         description="Name of the constellation")
    description: str = quantity("", label="Description",
                                description="What it is and where its figures come from")
    shells: tuple[WalkerShell, ...] = quantity((), label="Walker shells",
                                               description="Walker shells")
    tle_sets: tuple[TLESet, ...] = quantity((), label="TLE sets",
                                            description="Real element sets")
    published_compute: PublishedCompute | None = quantity(
        None, label="Published total compute",
        description="The constellation's total compute as published, with its source")

    @model_validator(mode="after")
    def _not_empty_and_unique(self) -> Constellation:
        if not self.shells and not self.tle_sets:
            raise FieldValueError("shells", (), "a constellation needs at least one Walker "
                                  "shell or TLE set")
        names = Counter([s.name for s in self.shells] + [t.name for t in self.tle_sets])
        dupes = sorted(n for n, k in names.items() if k > 1)
        if dupes:
            raise FieldValueError("shells", dupes[:5], "shell and TLE set names must be unique")
        ids = Counter(r.norad_id for t in self.tle_sets for r in t.records)
        repeated = sorted(n for n, k in ids.items() if k > 1)
        if repeated:
            raise FieldValueError("tle_sets", repeated[:5], "NORAD catalog numbers appear "
                                  "more than once ({count} of them); each satellite may be "
                                  "listed once", count=f"{len(repeated):,}")
        return self

    @classmethod
    def walker(cls, altitude_km: float, inclination_deg: float, planes: int,
               sats_per_plane: int, phasing: int = 1, *, pattern: Literal["delta", "star"] =
               "delta", name: str = "walker", description: str = "") -> Constellation:
        """A one-shell Walker constellation, e.g. ``Constellation.walker(550, 53, 72, 22)``."""
        shell = WalkerShell(name=name, altitude_km=altitude_km, inclination_deg=inclination_deg,
                            planes=planes, sats_per_plane=sats_per_plane, phasing=phasing,
                            pattern=pattern)
        return cls(name=name, description=description, shells=(shell,))

    @classmethod
    def sun_synchronous(cls, altitude_km: float, ltan_h: float, n_planes: int = 1,
                        sats_per_plane: int = 1, *, epoch_utc: datetime, phasing: int = 0,
                        pattern: Literal["delta", "star"] = "star", name: str = "sso",
                        description: str = "") -> Constellation:
        """A one-shell sun-synchronous Walker constellation.

        The inclination makes the J2 nodal precession follow the mean Sun, 0.9856 °/day
        (:func:`~workbench.model.sunsync.sun_synchronous_inclination_deg`, Vallado §9.6);
        the first plane's RAAN puts its ascending node at local solar time ``ltan_h`` at
        ``epoch_utc`` (:func:`~workbench.model.sunsync.raan_for_ltan_deg`); further planes
        follow the Walker ``pattern`` (star: ascending nodes over 180°, i.e. 12 h of local
        time). Dawn–dusk: ``ltan_h=18`` (or 6), one plane.

        >>> from datetime import datetime, UTC
        >>> c = Constellation.sun_synchronous(800, 18.0, epoch_utc=datetime(2026, 6, 21, tzinfo=UTC))
        >>> round(c.shells[0].inclination_deg, 2)
        98.6
        """
        from .sunsync import raan_for_ltan_deg, sun_synchronous_inclination_deg

        try:
            inclination = sun_synchronous_inclination_deg(altitude_km)
        except ValueError as exc:
            raise ModelError("Constellation.sun_synchronous", [Problem(
                "altitude_km", altitude_km, str(exc).split(": ", 1)[1])]) from None
        if not 0.0 <= ltan_h <= 24.0:
            raise ModelError("Constellation.sun_synchronous", [Problem(
                "ltan_h", ltan_h, "must be a local time between 0 and 24 h")])
        shell = WalkerShell(name=name, altitude_km=altitude_km,
                            inclination_deg=round(inclination, 6), planes=n_planes,
                            sats_per_plane=sats_per_plane, phasing=phasing, pattern=pattern,
                            raan_offset_deg=round(raan_for_ltan_deg(ltan_h, epoch_utc), 6)
                            % 360.0)
        return cls(name=name, description=description, shells=(shell,))

    @classmethod
    def from_tle(cls, path_or_text: str | Path, *, name: str | None = None,
                 checksum: ChecksumRule = "error",
                 invalid: InvalidRule = "error") -> Constellation:
        """From a TLE file or TLE text (two- or three-line format).

        A :class:`~pathlib.Path`, or a string of one line, is a file path: it is read (or
        refused naming the file), never parsed as elements. ``checksum`` and ``invalid``
        are :func:`~workbench.model.tle.parse_tle`'s rules.
        """
        text = str(path_or_text)
        if isinstance(path_or_text, Path) or len(text.strip().splitlines()) == 1:
            tle_set = TLESet.from_file(Path(text.strip()), name=name, checksum=checksum,
                                       invalid=invalid)
        else:
            tle_set = TLESet(name=name or "tle", text=text, source="text", checksum=checksum,
                             invalid=invalid)
        return cls(name=name or tle_set.name, tle_sets=(tle_set,))

    def __len__(self) -> int:
        return sum(s.n_sats for s in self.shells) + sum(len(t) for t in self.tle_sets)

    @cached_property
    def satellites(self) -> pl.DataFrame:
        """One row per satellite (schema ``SATELLITE_SCHEMA``); Walker epochs are null
        (a shell takes its epoch from the scenario or time grid)."""
        parts = []
        for shell in self.shells:
            part = shell.satellites().with_columns(
                name=pl.concat_str(pl.lit(shell.name), pl.lit("-P"), pl.col("plane"),
                                   pl.lit("-S"), pl.col("slot")),
                shell=pl.lit(shell.name), norad_id=pl.lit(None, pl.String),
                epoch_utc=pl.lit(None, pl.Datetime("us", "UTC")),
                altitude_km=pl.lit(shell.altitude_km), inclination_deg=pl.lit(
                    shell.inclination_deg),
                eccentricity=pl.lit(0.0), arg_perigee_deg=pl.lit(0.0),
                mean_motion_rev_per_day=pl.lit(shell.mean_motion_rev_per_day),
                bstar=pl.lit(0.0))
            parts.append(part)
        for tle_set in self.tle_sets:
            recs = tle_set.records
            parts.append(pl.DataFrame({
                "name": [r.name for r in recs], "shell": [tle_set.name] * len(recs),
                "plane": pl.Series([None] * len(recs), dtype=pl.Int32),
                "slot": pl.Series([None] * len(recs), dtype=pl.Int32),
                "norad_id": [r.norad_id.strip() for r in recs],
                "epoch_utc": pl.Series([r.epoch_utc for r in recs]).dt.cast_time_unit("us"),
                "altitude_km": [altitude_from_mean_motion_km(r.mean_motion_rev_per_day)
                                for r in recs],
                "inclination_deg": [r.inclination_deg for r in recs],
                "raan_deg": [r.raan_deg for r in recs],
                "eccentricity": [r.eccentricity for r in recs],
                "arg_perigee_deg": [r.arg_perigee_deg for r in recs],
                "mean_anomaly_deg": [r.mean_anomaly_deg for r in recs],
                "mean_motion_rev_per_day": [r.mean_motion_rev_per_day for r in recs],
                "bstar": [r.bstar for r in recs],
            }))
        cols = [c for c in SATELLITE_SCHEMA if c != "sat_id"]
        frame = pl.concat([p.select(cols).cast({c: SATELLITE_SCHEMA[c] for c in cols})
                           for p in parts])
        return frame.with_row_index("sat_id").cast({"sat_id": pl.UInt32})

    def summary(self) -> dict[str, object]:
        sats = self.satellites
        return {"name": self.name, "n_sats": len(self), "n_shells": len(self.shells),
                "n_tle_sets": len(self.tle_sets),
                "altitude_km_min": sats["altitude_km"].min(),
                "altitude_km_max": sats["altitude_km"].max()}

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(s.name)}</td><td>Walker {s.pattern}</td><td>{s.n_sats:,}</td>"
            f"<td>{s.planes} × {s.sats_per_plane}, F={s.phasing}</td><td>{s.altitude_km:g}</td>"
            f"<td>{s.inclination_deg:g}</td><td>{s.period_s / 60:.1f}</td></tr>"
            for s in self.shells)
        for t in self.tle_sets:
            sats = self.satellites.filter(pl.col("shell") == t.name)
            rows += (f"<tr><td>{html.escape(t.name)}</td><td>TLE set</td><td>{len(t):,}</td><td>"
                     f"epochs {sats['epoch_utc'].min():%Y-%m-%d} … "
                     f"{sats['epoch_utc'].max():%Y-%m-%d}</td>"
                     f"<td>{sats['altitude_km'].median():.0f} (median)</td>"
                     f"<td>{sats['inclination_deg'].median():.1f} (median)</td><td>—</td></tr>")
        desc = f"<p>{html.escape(self.description)}</p>" if self.description else ""
        return (f"<div><b>{html.escape(self.name)}</b>: {len(self):,} satellites{desc}"
                "<table><thead><tr><th>shell</th><th>kind</th><th>satellites</th><th>layout</th>"
                "<th>altitude km</th><th>inclination °</th><th>period min</th></tr></thead>"
                f"<tbody>{rows}</tbody></table></div>")



__all__ = ["WalkerShell", "TLESet", "Constellation", "PublishedCompute", "period_s",
           "altitude_from_mean_motion_km",
           "SATELLITE_SCHEMA"]
