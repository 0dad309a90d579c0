"""A notebook view of a design-space sweep: its Pareto front filling in as batches land.

:class:`SweepView` runs :func:`workbench.designspace.sweep` in a background thread. The
sweep writes each finished batch to its own Parquet part under ``out``; after every batch
the view reads the parts it has not read yet, marks the front
(:func:`workbench.designspace.pareto_front`) and redraws
:func:`workbench.viz.sweep.pareto_figure`. Stop ends the sweep after the batch in flight
(its progress callback raises, the sweep cancels the rest and closes its own cluster);
what finished stays on disk, so Run again computes only the missing points.

>>> view = wb.widgets.SweepView(base, space, ["business", "coverage"],  # doctest: +SKIP
...     {"business_lcoc_usd_per_tops_hour": "min", "coverage_covered_frac_mean": "max"})
"""
from __future__ import annotations

import html
import math
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import polars as pl

from ..designspace import PART_GLOB, SweepProgress, design_points, pareto_front, sweep
from ..model.errors import ModelError
from .forms import error_html
from .plotly_view import PlotlyView


class _Stopped(Exception):
    """Raised from the sweep's progress callback when Stop was pressed."""


class SweepView(widgets.VBox):
    """Run a sweep from the notebook and watch its Pareto front fill in.

    Parameters
    ----------
    base, space, analyses : as for :func:`workbench.designspace.sweep`
    objectives : column → "min" or "max", as for :func:`workbench.designspace.pareto_front`
    client : dask.distributed.Client, scheduler address or None (the sweep's own
        ``LocalCluster``)
    out : directory of the Parquet parts; default a new temporary directory (kept, so a
        stopped sweep resumes when Run is pressed again)
    batch_size : points per task (default: sized by the sweep)

    Attributes
    ----------
    frame : polars.DataFrame or None, the rows so far with ``is_pareto``
    figure : plotly Figure or None, the last figure drawn
    status : ipywidgets.HTML, points done / rate / ETA
    error : ipywidgets.HTML, the error text of a failed sweep (empty otherwise)
    """

    def __init__(self, base: Any, space: Any, analyses: str | Sequence[str],
                 objectives: Mapping[str, str], *, client: Any = None,
                 out: str | Path | None = None, batch_size: int | None = None) -> None:
        self.base, self.space, self.analyses = base, space, analyses
        self.objectives = dict(objectives)
        self.client, self.batch_size = client, batch_size
        self.out = Path(out) if out is not None else Path(
            tempfile.mkdtemp(prefix="workbench-sweep-"))
        self.frame: pl.DataFrame | None = None
        self.figure: Any = None
        self._parts: dict[str, pl.DataFrame] = {}
        self._wanted: pl.Series | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.run_button = widgets.Button(description="Run", button_style="primary",
                                         icon="play")
        self.stop_button = widgets.Button(description="Stop", icon="stop", disabled=True)
        self.run_button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop())
        self.status = widgets.HTML(_text("Press Run to start the sweep."))
        self.error = widgets.HTML()
        self.plot = PlotlyView()
        super().__init__([widgets.HBox([self.run_button, self.stop_button, self.status]),
                          self.error, self.plot])

    # ------------------------------------------------------------------ control

    @property
    def running(self) -> bool:
        """Whether a sweep thread is running."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the sweep in a background thread (what Run does); no-op while running."""
        if self.running:
            return
        self._stop.clear()
        self.error.value = ""
        self.run_button.disabled, self.stop_button.disabled = True, False
        self.status.value = _text("starting…")
        self._thread = threading.Thread(target=self._run, name="workbench-sweep",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop after the batch in flight (what Stop does); finished batches stay on disk."""
        if self.running:
            self._stop.set()
            self.stop_button.disabled = True
            self.status.value = _text("stopping after the batch in flight…")

    def join(self, timeout: float | None = None) -> None:
        """Wait for the sweep thread to end."""
        if self._thread is not None:
            self._thread.join(timeout)

    # ------------------------------------------------------------------ the thread

    def _run(self) -> None:
        try:
            self._wanted = design_points(self.base, self.space)["point_id"]
            final = sweep(self.base, self.space, self.analyses, client=self.client,
                          out=self.out, batch_size=self.batch_size, progress=self._progress)
            self._show(final)
            n = final.height
            failed = final["error"].is_not_null().sum() if "error" in final.columns else 0
            self.status.value = _text(f"done: {n}/{n} points"
                                      + (f", {failed} failed" if failed else ""))
        except _Stopped:
            done = self.frame.height if self.frame is not None else 0
            total = self._wanted.len() if self._wanted is not None else 0
            self.status.value = _text(f"stopped at {done}/{total} points; Run continues "
                                      "from there")
        except ModelError as exc:
            self._fail(exc.render())
        except Exception as exc:  # noqa: BLE001 - shown as text, never a traceback
            self._fail(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
        finally:
            self.run_button.disabled, self.stop_button.disabled = False, True

    def _fail(self, text: str) -> None:
        self.error.value = error_html(text)
        self.status.value = _text("the sweep failed")

    def _progress(self, state: SweepProgress) -> None:
        if self._stop.is_set():
            raise _Stopped
        self.status.value = _text(progress_text(state))
        rows = self._read_new_parts()
        if rows is not None and all(c in rows.columns for c in self.objectives):
            self._show(rows)

    def _read_new_parts(self) -> pl.DataFrame | None:
        for part in sorted(self.out.glob(PART_GLOB)):
            if part.name not in self._parts:
                self._parts[part.name] = pl.read_parquet(part)
        if not self._parts:
            return None
        rows = pl.concat(list(self._parts.values()), how="diagonal_relaxed")
        if self._wanted is not None:  # parts of another sweep in the same folder
            rows = rows.filter(pl.col("point_id").is_in(self._wanted.implode()))
        return rows.unique("point_id", keep="first", maintain_order=True)

    def _show(self, rows: pl.DataFrame) -> None:
        from ..viz.sweep import pareto_figure

        self.frame = pareto_front(rows, self.objectives)
        hover = [c for c in rows.columns if "." in c]  # the swept dotted paths
        self.figure = pareto_figure(self.frame, self.objectives, hover=hover)
        self.plot.show(self.figure)


def progress_text(state: SweepProgress) -> str:
    """``12/40 points (4 resumed) · 3.1 points/s · ETA 9 s``."""
    text = f"{state.n_done}/{state.n_total} points"
    if state.n_skipped:
        text += f" ({state.n_skipped} resumed)"
    rate = state.rate_per_s
    text += f" · {rate:.3g} points/s" if rate > 0 else " · timing the first point"
    if math.isfinite(state.eta_s) and state.n_done < state.n_total:
        text += f" · ETA {_duration(state.eta_s)}"
    return text


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _text(text: str) -> str:
    return f"<span style='color:#555'>{html.escape(text)}</span>"


__all__ = ["SweepView", "progress_text"]
