"""The 3D globe: an anywidget driving CesiumJS (``globe.js``), with picks back to Python.

Satellites travel as one float32 buffer of ITRS positions in km, shape
``(n_times, n_sats, 3)``, that the browser interpolates between steps; ground sites,
ISLs, coverage and routes travel as CZML (:mod:`workbench.viz.czml`). Clicking a
satellite sets ``selected_sat_id``; clicking the ground with a ``pick_role`` chosen sets
``picked_site``, which becomes a :class:`~workbench.model.GroundSite`.

>>> import workbench as wb
>>> globe = wb.widgets.Globe(wb.Constellation.walker(550, 53, 6, 4))  # doctest: +SKIP
>>> globe.on_ground_click(lambda site: print(site.name))             # doctest: +SKIP
"""
from __future__ import annotations

import html
import math
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import anywidget
import numpy as np
import traitlets

from ..model.constellation import Constellation
from ..model.ground import GroundSegment, GroundSite
from ..model.timegrid import TimeGrid
from ..orbits.geometry import OrbitGeometry
from . import cesium

GLOBE_STATE = (
    "cesium_urls", "ion_token", "quality", "height", "show_clock",
    "epoch_utc", "step_s", "n_times", "n_sats", "positions", "sat_rgba", "point_size",
    "playing", "multiplier", "time_index",
    "czml", "camera",
    "selected_sat_id", "selected_info", "pick_role", "picked_site", "status",
)
"""Every state name the globe syncs with the browser; ``globe.js`` reads exactly these."""

NO_WEBGL_STATUS = "error: no WebGL"
"""``Globe.status`` when the browser cannot draw WebGL (``globe.js`` sets it)."""

PickRole = Literal["none", "user", "gateway", "target", "datacenter"]
PICK_ROLES: tuple[str, ...] = ("none", "user", "gateway", "target", "datacenter")

MAX_POSITION_BYTES = 128 * 2**20
"""Largest position buffer sent to the browser (128 MiB); pick a longer step beyond it."""

SHELL_PALETTE = np.array([[120, 200, 255, 255], [255, 160, 90, 255], [140, 240, 150, 255],
                          [240, 120, 220, 255], [250, 240, 120, 255], [170, 150, 255, 255]],
                         dtype=np.uint8)

_HERE = Path(__file__).parent


def position_buffer(r_km: np.ndarray) -> bytes:
    """Pack positions (n_sats, n_times, 3) km as float32 bytes laid out (n_times, n_sats, 3).

    Time-major so the browser reads one contiguous slab per step.
    """
    r = np.asarray(r_km)
    if r.ndim != 3 or r.shape[2] != 3:
        raise ValueError(f"r_km.shape={r.shape}: expected (n_sats, n_times, 3)")
    return np.ascontiguousarray(r.transpose(1, 0, 2), dtype="<f4").tobytes()


def shell_colors(constellation: Constellation) -> bytes:
    """RGBA bytes (n_sats, 4) colouring each satellite by its shell / TLE set."""
    shells = constellation.satellites["shell"].to_numpy()
    _, index = np.unique(shells, return_inverse=True)
    return SHELL_PALETTE[index % len(SHELL_PALETTE)].tobytes()


def display_grid(start: datetime, *, duration_s: float, step_s: float, n_sats: int,
                 max_bytes: int = MAX_POSITION_BYTES) -> TimeGrid:
    """A display grid no bigger than ``max_bytes`` of float32 positions (step widened)."""
    n_times = int(duration_s // step_s) + 1
    if n_times * n_sats * 12 > max_bytes:
        n_max = max(2, max_bytes // (12 * max(n_sats, 1)))
        step_s = math.ceil(duration_s / (n_max - 1))
    return TimeGrid(start=start, duration_s=duration_s, step_s=step_s)


def _geometry_slice(geometry: OrbitGeometry, span_s: float | None,
                    max_bytes: int = MAX_POSITION_BYTES) -> tuple[TimeGrid, np.ndarray]:
    """The display grid and ITRS positions of a geometry's first ``span_s`` seconds (all of
    it when None), every k-th step with k as small as the byte budget allows."""
    grid = geometry.grid
    n_span = len(grid) if span_s is None else min(len(grid),
                                                  int(span_s // grid.step_s + 1e-9) + 1)
    n_max = max(2, max_bytes // (12 * max(geometry.n_sats, 1)))
    stride = max(1, math.ceil((n_span - 1) / (n_max - 1))) if n_span > 1 else 1
    r_km = geometry.r_itrs_km[:, :n_span:stride]
    display = TimeGrid(start=grid.start, duration_s=(r_km.shape[1] - 1) * stride * grid.step_s,
                       step_s=stride * grid.step_s)
    return display, r_km


class Globe(anywidget.AnyWidget):
    """A CesiumJS globe showing a constellation moving over a time grid.

    Parameters
    ----------
    constellation : Constellation, optional
        Satellites to show (propagated with SGP4 onto ``grid``).
    grid : TimeGrid, optional
        Display grid; default 2 hours at 60 s steps from now (or the TLE epoch).
    ground : GroundSegment, optional
        Sites drawn as CZML points.
    quality : "full" | "cheap"
        "cheap" drops atmosphere, sky, fog and anti-aliasing (software rendering, tests).
    height : int
        Height in CSS pixels.
    """

    _esm = _HERE / "globe.js"
    _css = _HERE / "globe.css"

    cesium_urls = traitlets.List(traitlets.Unicode()).tag(sync=True)
    ion_token = traitlets.Unicode("").tag(sync=True)
    quality = traitlets.Enum(("full", "cheap"), "full").tag(sync=True)
    height = traitlets.Int(480).tag(sync=True)
    show_clock = traitlets.Bool(True).tag(sync=True)

    epoch_utc = traitlets.Unicode("").tag(sync=True)
    step_s = traitlets.Float(60.0).tag(sync=True)
    n_times = traitlets.Int(0).tag(sync=True)
    n_sats = traitlets.Int(0).tag(sync=True)
    positions = traitlets.Bytes(b"").tag(sync=True)
    sat_rgba = traitlets.Bytes(b"").tag(sync=True)
    point_size = traitlets.Float(3.0).tag(sync=True)

    playing = traitlets.Bool(True).tag(sync=True)
    multiplier = traitlets.Float(60.0).tag(sync=True)
    time_index = traitlets.Int(0).tag(sync=True)

    czml = traitlets.List().tag(sync=True)
    camera = traitlets.Dict({"lon_deg": 105.0, "lat_deg": 25.0, "height_km": 16000.0}).tag(
        sync=True)

    selected_sat_id = traitlets.Int(-1).tag(sync=True)
    selected_info = traitlets.Unicode("").tag(sync=True)
    pick_role = traitlets.Enum(PICK_ROLES, "none").tag(sync=True)
    picked_site = traitlets.Dict().tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)

    _lang: str | None = None  # the site legend's language (show_ground's ``lang``)

    def __init__(self, constellation: Constellation | None = None, *,
                 grid: TimeGrid | None = None, ground: GroundSegment | None = None,
                 quality: Literal["full", "cheap"] = "full", height: int = 480,
                 **kwargs: Any) -> None:
        kwargs.setdefault("cesium_urls", cesium.cesium_urls())
        kwargs.setdefault("ion_token", cesium.ion_token())
        super().__init__(quality=quality, height=height, **kwargs)
        self.constellation: Constellation | None = None
        self.grid: TimeGrid | None = None
        self.ground: GroundSegment = GroundSegment()
        self.n_failed_sats = 0
        self._extra_czml: list = []
        self._select_callbacks: list[Callable[[int], None]] = []
        self._ground_callbacks: list[Callable[[GroundSite], None]] = []
        self._info: Callable[[int], str] | None = None
        self._r_km: np.ndarray | None = None
        self._epoch: datetime | None = None
        self.observe(self._on_selected, "selected_sat_id")
        self.observe(self._on_picked, "picked_site")
        if constellation is not None:
            self.show_constellation(constellation, grid)
        if ground is not None:
            self.show_ground(ground)

    # --- what is shown -------------------------------------------------------------
    def show_constellation(self, constellation: Constellation, grid: TimeGrid | None = None,
                           *, epoch: datetime | None = None,
                           geometry: OrbitGeometry | None = None,
                           span_s: float | None = None) -> None:
        """Send ``constellation``'s positions: propagated on ``grid`` (ITRS), or taken from
        an analysis ``geometry`` already propagated (its first ``span_s`` seconds, every
        k-th step so the buffer stays under ``MAX_POSITION_BYTES``) — no second propagation.

        Satellites that fail SGP4 (decayed) are hidden; their count is ``n_failed_sats``.
        """
        if geometry is not None:
            grid, r_km = _geometry_slice(geometry, span_s)
        else:
            from ..orbits.propagation import propagate

            if grid is None:
                grid = default_grid(constellation)
            r_km = propagate(constellation, grid, frame="itrs", epoch=epoch, on_error="ignore")
        self.constellation, self.grid, self._r_km = constellation, grid, r_km
        self._epoch = epoch
        self.n_failed_sats = int((~np.isfinite(r_km).all(axis=(1, 2))).sum())
        with self.hold_sync():
            self.epoch_utc = grid.start.isoformat().replace("+00:00", "Z")
            self.step_s = float(grid.step_s)
            self.n_times = len(grid)
            self.sat_rgba = shell_colors(constellation)
            self.positions = position_buffer(r_km)
            self.n_sats = len(constellation)
            self.time_index = 0
            if self.selected_sat_id >= len(constellation):
                self.selected_sat_id = -1

    def show_ground(self, ground: GroundSegment, *, lang: str | None = None) -> None:
        """Draw the ground sites of ``ground`` (replacing those drawn before), the legend
        in ``lang`` (default: as before, English at first)."""
        self.ground = ground
        if lang is not None:
            self._lang = lang
        self._send_czml()

    def show_czml(self, packets: list) -> None:
        """Draw extra CZML packets (``czml3.Packet`` objects): ISLs, coverage, routes."""
        self._extra_czml = list(packets)
        self._send_czml()

    def _send_czml(self) -> None:
        from ..viz.czml import scene_packets

        self.czml = scene_packets(ground=self.ground, extra=self._extra_czml,
                                  lang=self._lang)

    def show_route(self, latency: Any, source: str, destination: str,
                   time_utc: datetime | int = 0) -> list[int]:
        """Highlight the route ``source`` → ``destination`` of a latency result at one instant.

        ``latency`` is a :class:`workbench.analyses.network.roundtrip.LatencyResult` of the shown
        constellation; ``time_utc`` is a datetime or an index of its time grid. The route
        (site, satellites…, site) is drawn where the satellites are at that instant, and
        replaces any extra CZML shown before. Returns the route's satellites (``[]`` when
        the pair is unreachable then, with ``status`` saying so).
        """
        from ..orbits.frames import geodetic_to_itrs
        from ..orbits.propagation import propagate
        from ..viz.czml import route_packets

        if self.constellation is None:
            raise ValueError("show_route: no constellation is shown yet")
        if isinstance(time_utc, int):
            times = latency.rtt["time_utc"].unique().sort()
            time_utc = times[min(max(time_utc, 0), len(times) - 1)]
        sat_ids = latency.path(source, destination, time_utc)
        if not sat_ids:
            self.show_czml([])
            self.status = f"{source} → {destination}: unreachable at {time_utc:%H:%M:%S} UTC"
            return []
        instant = TimeGrid(start=time_utc, duration_s=0.0, step_s=60.0)
        r_km = propagate(self.constellation, instant, frame="itrs",
                         epoch=self._epoch or (self.grid.start if self.grid else None),
                         on_error="ignore")[sat_ids, 0]
        sites = {row["site"]: row for row in latency.sites.iter_rows(named=True)}
        ends = [geodetic_to_itrs(sites[n]["lat_deg"], sites[n]["lon_deg"],
                                 sites[n]["altitude_m"] / 1000.0) for n in (source, destination)]
        points = np.vstack([ends[0], r_km, ends[1]])
        self.show_czml(route_packets(points, name=f"{source} → {destination}"))
        self.status = (f"{source} → {destination} at {time_utc:%H:%M:%S} UTC: "
                       f"{len(sat_ids)} satellites")
        return list(sat_ids)

    def show_workload(self, result: Any, time_index: int, *,
                      column: str = "utilisation_frac") -> datetime:
        """Colour each satellite by its workload at one step of a scheduling result.

        ``result`` is a :class:`~workbench.analyses.scheduling.result.SchedulingResult` of
        the shown constellation; ``time_index`` counts its steps (its ``satellites``
        frame's ``time_utc``, not the globe's display grid); ``column`` is
        ``"utilisation_frac"`` (grey idle → orange → red saturated) or ``"queue_jobs"``
        (scaled to the run's longest queue). Sets ``sat_rgba`` and ``status`` (with the
        legend, :func:`~workbench.widgets.workload.workload_legend`); returns the step's
        time. :meth:`show_shells` restores the shell colours.
        """
        from .workload import workload_at, workload_legend, workload_rgba, workload_scale

        if self.constellation is None:
            raise ValueError("show_workload: no constellation is shown yet")
        when, values = workload_at(result, time_index, len(self.constellation), column)
        scale = workload_scale(result, column)
        self.sat_rgba = workload_rgba(values / scale).tobytes()
        self.status = f"workload at {when:%Y-%m-%d %H:%M:%S} UTC, {workload_legend(column, scale)}"
        return when

    def show_shells(self) -> None:
        """Colour the satellites by shell again (after :meth:`show_workload`)."""
        if self.constellation is not None:
            self.sat_rgba = shell_colors(self.constellation)

    def positions_at(self, time_index: int | None = None) -> np.ndarray:
        """Positions (n_sats, 3) ITRS km at a step of the display grid (default: current)."""
        if self._r_km is None:
            raise ValueError("positions_at: no constellation is shown yet")
        index = self.time_index if time_index is None else time_index
        return self._r_km[:, min(max(index, 0), self._r_km.shape[1] - 1)]

    def fly_to(self, lon_deg: float, lat_deg: float, height_km: float = 20000.0) -> None:
        """Point the camera straight down at a place from ``height_km``."""
        self.camera = {"lon_deg": float(lon_deg), "lat_deg": float(lat_deg),
                       "height_km": float(height_km)}

    @property
    def bytes_per_animation_s(self) -> float:
        """Bytes sent from Python per second of wall-clock animation at ``multiplier``.

        The whole buffer is sent once; it covers ``(n_times-1)·step_s / multiplier``
        seconds of animation.
        """
        span_s = max(self.n_times - 1, 1) * self.step_s / max(self.multiplier, 1e-9)
        return (len(self.positions) + len(self.sat_rgba)) / span_s

    # --- picks ---------------------------------------------------------------------
    def on_select(self, callback: Callable[[int], None]) -> None:
        """Call ``callback(sat_id)`` when a satellite is clicked (``-1`` clears)."""
        self._select_callbacks.append(callback)

    def on_ground_click(self, callback: Callable[[GroundSite], None]) -> None:
        """Call ``callback(site)`` with a new :class:`GroundSite` when the ground is
        clicked while ``pick_role`` is not ``"none"``."""
        self._ground_callbacks.append(callback)

    def set_info_provider(self, provider: Callable[[int], str] | None) -> None:
        """Use ``provider(sat_id) -> text`` for the selected satellite's info box: plain
        text, ``label<TAB>value`` per line (:func:`satellite_table`); it is never read as
        HTML."""
        self._info = provider
        self._on_selected({"new": self.selected_sat_id})

    def _on_selected(self, change: dict) -> None:
        sat_id = int(change["new"])
        self.selected_info = "" if sat_id < 0 else (self._info or self.default_info)(sat_id)
        for callback in self._select_callbacks:
            callback(sat_id)

    def default_info(self, sat_id: int) -> str:
        """A satellite's name, shell, altitude and inclination (:func:`satellite_table`)."""
        if self.constellation is None or sat_id >= len(self.constellation):
            return ""
        row = self.constellation.satellites.row(sat_id, named=True)
        return satellite_table(row)

    def _on_picked(self, change: dict) -> None:
        pick = change["new"]
        if not pick:
            return
        site = site_from_pick(pick, taken={s.name for s in self.ground.sites})
        for callback in self._ground_callbacks:
            callback(site)

    # --- export --------------------------------------------------------------------
    def synced_state(self) -> tuple[dict, dict[str, bytes]]:
        """The synced state as (JSON-ready dict, {name: bytes}) — what a browser receives."""
        state, buffers = {}, {}
        for name in GLOBE_STATE:
            value = getattr(self, name)
            if isinstance(value, bytes | bytearray | memoryview):
                buffers[name] = bytes(value)
            else:
                state[name] = value
        return state, buffers


def satellite_table(row: dict, extra: dict[str, str] | None = None) -> str:
    """The globe's info box for one satellite: ``label<TAB>value`` lines of plain text.

    The page builds a table from it with ``textContent`` (never as HTML), so names from a
    TLE file or a scenario show exactly as written; :func:`info_table_html` turns it into
    escaped HTML for an ipywidgets ``HTML``.
    """
    items = {"satellite": f"{row['name']} (id {row['sat_id']})", "shell": str(row["shell"]),
             "altitude": f"{row['altitude_km']:.0f} km",
             "inclination": f"{row['inclination_deg']:.1f}°", **(extra or {})}
    return "\n".join(f"{_cell(k)}\t{_cell(v)}" for k, v in items.items())


def _cell(text: object) -> str:
    return " ".join(str(text).split())  # no tabs or line breaks inside a cell


def info_table_html(text: str) -> str:
    """Escaped HTML table of ``label<TAB>value`` lines (see :func:`satellite_table`)."""
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in
                                    line.split("\t")) + "</tr>"
                   for line in text.splitlines() if line)
    return f"<table>{rows}</table>" if rows else ""


def site_from_pick(pick: dict, *, taken: set[str] | frozenset[str] = frozenset()) -> GroundSite:
    """The :class:`GroundSite` a ground click stands for (name ``<role>-<n>``, unique)."""
    role = pick.get("role", "user")
    role = "user" if role == "none" else role
    n = 1
    while f"{role}-{n}" in taken:
        n += 1
    return GroundSite(name=pick.get("name") or f"{role}-{n}",
                      lat_deg=round(float(pick["lat_deg"]), 4),
                      lon_deg=round(float(pick["lon_deg"]), 4), role=role)


def default_grid(constellation: Constellation, *, duration_s: float = 7200.0,
                 step_s: float = 60.0) -> TimeGrid:
    """Two hours at 60 s from the latest TLE epoch (or now, rounded to the minute)."""
    from datetime import UTC

    epochs = constellation.satellites["epoch_utc"].drop_nulls()
    start = (epochs.max() if len(epochs) else datetime.now(UTC)).replace(second=0,
                                                                         microsecond=0)
    return display_grid(start, duration_s=duration_s, step_s=step_s,
                        n_sats=len(constellation))


__all__ = ["GLOBE_STATE", "Globe", "NO_WEBGL_STATUS", "PICK_ROLES", "default_grid",
           "display_grid", "position_buffer", "shell_colors", "site_from_pick"]
