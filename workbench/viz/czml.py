"""CZML documents (built with ``czml3``) for the globe's small scenes.

Ground sites, inter-satellite links, coverage footprints and highlighted routes. The
constellation itself is *not* CZML: thousands of satellites travel as a binary position
buffer to a point-primitive collection (see :mod:`workbench.widgets.globe`).

Positions given as ITRS km are written as CZML ``cartesian`` metres in Cesium's fixed
(Earth-fixed) frame, which is ITRS.
"""
from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import numpy as np
import polars as pl
from czml3 import Document, Packet
from czml3.properties import (
    Clock,
    Color,
    DistanceDisplayCondition,
    Ellipse,
    Label,
    Material,
    Point,
    Polyline,
    PolylineGlowMaterial,
    PolylineMaterial,
    Position,
    PositionList,
    SolidColorMaterial,
)
from czml3.types import DistanceDisplayConditionValue

from ..locale import N_, translator
from ..model.constants import R_EARTH_KM
from ..model.ground import GroundSegment, GroundSite
from ..orbits.frames import geodetic_to_itrs

ROLE_RGBA: dict[str, list[int]] = {
    "gateway": [255, 140, 0, 255],      # orange
    "user": [80, 220, 120, 255],        # green
    "target": [230, 60, 80, 255],       # red
    "datacenter": [180, 120, 255, 255],  # violet
}
"""Colour of each ground-site role on the globe (and in the plotly fallback)."""

ISL_RGBA = [90, 170, 255, 150]
ROUTE_RGBA = [255, 221, 0, 255]
COVERAGE_RGBA = [120, 200, 255, 40]


def document(packets: Iterable[Packet], *, name: str = "workbench") -> Document:
    """A CZML document: the preamble packet, then ``packets``."""
    return Document(packets=[Packet(id="document", name=name, version="1.0"), *packets])


def to_packets(doc: Document) -> list[dict]:
    """The document as a list of JSON-ready packet dicts (what the globe's ``czml`` takes)."""
    return json.loads(doc.dumps())


ROLE_WORDS: dict[str, str] = {"gateway": N_("gateway"), "user": N_("user terminal"),
                              "target": N_("imaging target"), "datacenter": N_("data centre")}
"""What the legend calls each role (catalog messages)."""

LABEL_PRIORITY: tuple[str, ...] = ("datacenter", "gateway", "user", "target")
"""Whose label wins where labels would collide: compute and gateways anchor the network."""

LABEL_FONT_PX = 11
LABEL_CHAR_PX = 6.6
"""Width of an average character of the labels' 11 px sans-serif (a measured mean of
Latin names in DejaVu Sans and Noto Sans at 11 px is 6.1–6.5 px; rounded up)."""
LABEL_PADDING_PX = (7, 5)
"""Cesium's default label background padding (x, y) in pixels."""
LABEL_GAP_PX = 6
MIN_VIEW_PX = 400
"""Narrowest globe the labels are laid out for (the Workbench's globe column is at least
420 px): the camera's 60° field of view spans this many pixels."""
PIXEL_RAD = 2.0 * math.tan(math.radians(30.0)) / MIN_VIEW_PX
"""Angle one pixel subtends at the centre of the narrowest view (rad)."""


def label_width_px(text: str) -> float:
    """Estimated width of a site label's box on screen (text plus padding), pixels."""
    return len(text) * LABEL_CHAR_PX + 2 * LABEL_PADDING_PX[0]


def label_far_distances_m(sites: Sequence[GroundSite]) -> list[float]:
    """Farthest camera distance (m) at which each site's label is drawn (``inf``: always).

    Labels are placed greedily in :data:`LABEL_PRIORITY` order (then by name). A label is
    drawn only while the camera is close enough that it stands clear of every
    higher-priority label drawn at the same distance: two sites ``d`` metres apart are
    ``d / (D · PIXEL_RAD)`` pixels apart seen from ``D`` metres, and their labels need
    half their widths plus a gap between centres. A higher-priority label that is itself
    hidden before the two would touch does not count.
    """
    order = sorted(range(len(sites)), key=lambda i: (
        LABEL_PRIORITY.index(sites[i].role) if sites[i].role in LABEL_PRIORITY
        else len(LABEL_PRIORITY), sites[i].name))
    xyz_m = [np.asarray(geodetic_to_itrs(s.lat_deg, s.lon_deg, s.altitude_m / 1000.0),
                        dtype=float).reshape(3) * 1000.0 for s in sites]
    far = [math.inf] * len(sites)
    placed: list[int] = []
    for i in order:
        limit = math.inf
        for j in placed:
            need_px = (label_width_px(sites[i].name) + label_width_px(sites[j].name)) / 2 \
                + LABEL_GAP_PX
            touch_m = float(np.linalg.norm(xyz_m[i] - xyz_m[j])) / (PIXEL_RAD * need_px)
            if far[j] > touch_m:  # j is still drawn where the two would touch
                limit = min(limit, touch_m)
        far[i] = limit
        placed.append(i)
    return far


def legend_text(site: GroundSite, *, lang: str | None = None) -> str:
    """The globe legend's line for a site in ``lang``: its role and elevation mask."""
    _ = translator(lang)
    return _("{role} · mask {mask}°").format(role=_(ROLE_WORDS.get(site.role, site.role)),
                                             mask=f"{site.elevation_mask_deg:g}")


def site_packet(site: GroundSite, *, label_far_m: float = math.inf,
                lang: str | None = None) -> Packet:
    """One ground site: a point coloured by role and a label drawn from ``label_far_m``
    metres of camera distance inwards; id ``site/<name>``. Its ``legend`` property is the
    globe legend's line (:func:`legend_text`)."""
    rgba = ROLE_RGBA.get(site.role, [255, 255, 255, 255])
    shown = None if math.isinf(label_far_m) else DistanceDisplayCondition(
        distanceDisplayCondition=DistanceDisplayConditionValue(values=[0.0, float(label_far_m)]))
    return Packet(
        id=f"site/{site.name}", name=site.name,
        description=f"{site.role} at {site.lat_deg:.3f}°, {site.lon_deg:.3f}° "
                    f"(mask {site.elevation_mask_deg:g}°)",
        properties={"role": site.role, "elevation_mask_deg": site.elevation_mask_deg,
                    "legend": legend_text(site, lang=lang)},
        position=Position(cartographicDegrees=[site.lon_deg, site.lat_deg, site.altitude_m]),
        point=Point(pixelSize=9, color=Color(rgba=rgba),
                    outlineColor=Color(rgba=[0, 0, 0, 255]), outlineWidth=1),
        label=Label(text=site.name, font=f"{LABEL_FONT_PX}px sans-serif",
                    pixelOffset={"cartesian2": [0, -14]},
                    fillColor=Color(rgba=rgba), showBackground=True,
                    backgroundColor=Color(rgba=[11, 16, 32, 180]),
                    distanceDisplayCondition=shown),
    )


def ground_site_packets(segment: GroundSegment | Sequence[GroundSite], *,
                        lang: str | None = None) -> list[Packet]:
    """One packet per site of ``segment`` (see :func:`site_packet`), labels decluttered
    (:func:`label_far_distances_m`), legend lines in ``lang``."""
    sites = segment.sites if isinstance(segment, GroundSegment) else tuple(segment)
    far = label_far_distances_m(sites)
    return [site_packet(s, label_far_m=f, lang=lang) for s, f in zip(sites, far, strict=True)]


def _polyline(packet_id: str, points_m: np.ndarray, rgba: list[int], *, width: float,
              glow: bool = False, name: str | None = None) -> Packet:
    material = (PolylineMaterial(polylineGlow=PolylineGlowMaterial(
        color=Color(rgba=rgba), glowPower=0.25)) if glow
        else PolylineMaterial(solidColor=SolidColorMaterial(color=Color(rgba=rgba))))
    return Packet(id=packet_id, name=name or packet_id,
                  polyline=Polyline(positions=PositionList(
                      cartesian=[float(v) for v in points_m.reshape(-1)]),
                      width=width, material=material, arcType="NONE"))


def isl_packets(links: pl.DataFrame, r_itrs_km: np.ndarray, *,
                rgba: Sequence[int] = ISL_RGBA, width: float = 1.0) -> list[Packet]:
    """Inter-satellite links at one instant as straight lines.

    Parameters
    ----------
    links : polars.DataFrame
        Columns ``sat_a`` and ``sat_b`` (sat_id of each end).
    r_itrs_km : ndarray (n_sats, 3)
        Satellite positions at that instant, ITRS km.
    """
    a = links["sat_a"].to_numpy().astype(np.int64)
    b = links["sat_b"].to_numpy().astype(np.int64)
    ends_m = np.stack([r_itrs_km[a], r_itrs_km[b]], axis=1) * 1000.0  # (n_links, 2, 3)
    ok = np.isfinite(ends_m).all(axis=(1, 2))
    return [_polyline(f"isl/{int(i)}-{int(j)}", seg, list(rgba), width=width)
            for i, j, seg in zip(a[ok], b[ok], ends_m[ok], strict=True)]


def footprint_half_angle_rad(altitude_km: np.ndarray | float,
                             min_elevation_deg: float) -> np.ndarray:
    """Earth-central half-angle of the area that sees a satellite above an elevation mask.

    Notes
    -----
    λ = arccos(R⊕ cos ε / (R⊕ + h)) − ε (Wertz & Larson, *Space Mission Analysis and
    Design*, 3rd ed., §5.2, eq. 5-5 with the spherical Earth).
    """
    eps = math.radians(min_elevation_deg)
    ratio = R_EARTH_KM * math.cos(eps) / (R_EARTH_KM + np.asarray(altitude_km, dtype=float))
    return np.arccos(np.clip(ratio, -1.0, 1.0)) - eps


def coverage_packets(r_itrs_km: np.ndarray, *, min_elevation_deg: float = 25.0,
                     rgba: Sequence[int] = COVERAGE_RGBA,
                     sat_ids: Sequence[int] | None = None) -> list[Packet]:
    """Coverage footprints (ground ellipses) of satellites at one instant.

    Parameters
    ----------
    r_itrs_km : ndarray (n_sats, 3)
        Positions at that instant, ITRS km.
    min_elevation_deg : float
        Elevation mask of the users on the ground.
    """
    r = np.asarray(r_itrs_km, dtype=float)
    ids = np.arange(len(r)) if sat_ids is None else np.asarray(sat_ids)
    norm = np.linalg.norm(r, axis=1)
    lat_deg = np.degrees(np.arcsin(r[:, 2] / norm))
    lon_deg = np.degrees(np.arctan2(r[:, 1], r[:, 0]))
    radius_m = footprint_half_angle_rad(norm - R_EARTH_KM, min_elevation_deg) * R_EARTH_KM * 1e3
    ok = np.isfinite(radius_m) & (radius_m > 0)
    return [Packet(id=f"coverage/{int(i)}",
                   position=Position(cartographicDegrees=[float(lo), float(la), 0.0]),
                   ellipse=Ellipse(semiMajorAxis=float(rad), semiMinorAxis=float(rad),
                                   material=Material(solidColor=SolidColorMaterial(
                                       color=Color(rgba=list(rgba)))),
                                   outline=False))
            for i, la, lo, rad in zip(ids[ok], lat_deg[ok], lon_deg[ok], radius_m[ok],
                                      strict=True)]


def route_packets(points_itrs_km: np.ndarray, *, name: str = "route",
                  rgba: Sequence[int] = ROUTE_RGBA, width: float = 6.0) -> list[Packet]:
    """A highlighted route (e.g. a shortest path from the latency analysis) at one instant.

    Parameters
    ----------
    points_itrs_km : ndarray (n_hops + 1, 3)
        The route's nodes in order (ground site, satellites…, ground site), ITRS km.
    """
    pts_m = np.asarray(points_itrs_km, dtype=float) * 1000.0
    return [_polyline(f"route/{name}", pts_m, list(rgba), width=width, glow=True, name=name)]


def scene_packets(*, ground: GroundSegment | None = None, extra: Iterable[Packet] = (),
                  lang: str | None = None) -> list[dict]:
    """JSON-ready packets of a small scene: ground sites (legend in ``lang``) plus any
    ``extra`` packets."""
    packets = [*(ground_site_packets(ground, lang=lang) if ground is not None else []),
               *extra]
    return to_packets(document(packets))


SAT_RGBA = [235, 240, 255, 255]


def timed_document(packets: Iterable[Packet], start: datetime, end: datetime, *,
                   name: str = "workbench", multiplier: float = 60.0) -> Document:
    """A CZML document whose clock runs from ``start`` to ``end`` (UTC), ``multiplier``
    seconds of scenario time per second, then ``packets``."""
    interval = f"{_iso(start)}/{_iso(end)}"
    clock = Clock(interval=interval, currentTime=_iso(start), multiplier=multiplier,
                  range="LOOP_STOP", step="SYSTEM_CLOCK_MULTIPLIER")
    return Document(packets=[Packet(id="document", name=name, version="1.0", clock=clock),
                             *packets])


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def satellite_packets(names: Sequence[str], epoch: datetime, offsets_s: np.ndarray,
                      r_itrs_km: np.ndarray, *, rgba: Sequence[int] = SAT_RGBA,
                      pixel_size: float = 4.0) -> list[Packet]:
    """Satellites moving over a time grid: sampled Earth-fixed positions (CZML
    ``cartesian`` [t, x, y, z, …] in metres, seconds from ``epoch``, Lagrange degree 5);
    steps SGP4 could not propagate (NaN) are left out. Ids ``sat/<name>``.

    Parameters
    ----------
    names : one name per satellite (``Constellation.satellites["name"]``)
    epoch : datetime, the grid's start (UTC)
    offsets_s : ndarray (n_times,), seconds from ``epoch``
    r_itrs_km : ndarray (n_sats, n_times, 3), ITRS km
    """
    offsets = np.asarray(offsets_s, dtype=float)
    packets = []
    for name, track in zip(names, np.asarray(r_itrs_km, dtype=float), strict=True):
        ok = np.isfinite(track).all(axis=1)
        if not ok.any():
            continue
        samples = np.column_stack([offsets[ok], track[ok] * 1000.0]).ravel()
        packets.append(Packet(
            id=f"sat/{name}", name=str(name),
            position=Position(epoch=_iso(epoch), referenceFrame="FIXED",
                              interpolationAlgorithm="LAGRANGE", interpolationDegree=5,
                              cartesian=[round(float(v), 3) for v in samples]),
            point=Point(pixelSize=pixel_size, color=Color(rgba=list(rgba)))))
    return packets


__all__ = ["LABEL_PRIORITY", "ROLE_RGBA", "ROLE_WORDS", "SAT_RGBA", "coverage_packets",
           "document", "footprint_half_angle_rad", "ground_site_packets",
           "isl_packets", "label_far_distances_m", "label_width_px", "legend_text",
           "route_packets", "satellite_packets", "scene_packets", "site_packet", "timed_document", "to_packets"]
