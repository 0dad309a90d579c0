"""Serve the dashboard: ``pn.serve`` on localhost, one :func:`dashboard_app` per session.

What ``workbench dashboard`` runs. The scenario is loaded (and checked) once, before the
server starts; each browser session then builds its own dashboard from that immutable
scenario. Panel's authentication (``basic_auth``, OAuth) and websocket-origin options pass
through unchanged; the Cesium build is served from the local static directory
(:func:`workbench.dashboard.globe.serve_options`), so nothing is fetched from outside.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..model.scenario import Scenario
from .globe import serve_options

DEFAULT_PORT = 5006


def warm_up() -> None:
    """Import what the first session needs (analyses, figures, forms) before serving, so
    the first visitor does not wait for imports."""
    import plotly.graph_objects as go

    from .. import analyses, viz  # noqa: F401
    from ..viz import dispatch  # noqa: F401

    go.Figure().update_layout(template="plotly_white")  # loads plotly's templates once


def app_factory(scenario: Scenario, *, lang: str | None = None,
                save_path: Path | None = None, globe_quality: str = "full",
                sessions: list | None = None) -> Any:
    """The per-session function ``pn.serve`` calls (a new dashboard every time)."""
    from .app import dashboard_app

    def app() -> Any:
        return dashboard_app(scenario, lang=lang, save_path=save_path,
                             globe_quality=globe_quality, sessions=sessions)

    return app


def serve_dashboard(scenario: Scenario, *, address: str = "127.0.0.1",
                    port: int = DEFAULT_PORT, lang: str | None = None,
                    save_path: Path | None = None, show: bool = True,
                    threaded: bool = False, sessions: list | None = None,
                    globe_quality: str = "full", **panel_options: Any) -> Any:
    """Start the Panel server for ``scenario``; returns the server (``threaded=True``: the
    running server thread, stop it with ``.stop()``; else blocks until interrupted).

    ``panel_options`` go to ``pn.serve`` as they are (``websocket_origin``,
    ``basic_auth``, ``cookie_secret``, ``oauth_provider``, ``oauth_key`` …); options left
    at None are not passed.
    """
    import panel as pn

    warm_up()
    options = serve_options(address=address, port=port, show=show, threaded=threaded,
                            title="Space Computing Workbench")
    options.update({k: v for k, v in panel_options.items() if v is not None})
    app = app_factory(scenario, lang=lang, save_path=save_path, globe_quality=globe_quality,
                      sessions=sessions)
    return pn.serve(app, **options)


__all__ = ["DEFAULT_PORT", "app_factory", "serve_dashboard", "warm_up"]
