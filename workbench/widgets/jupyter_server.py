"""A Jupyter server extension that serves the local CesiumJS build to the globe.

Serves :func:`workbench.widgets.cesium.local_cesium_dir` at
``{base_url}workbench/cesium/`` so the globe loads CesiumJS offline inside JupyterLab, and
the plotly world topojson at ``{base_url}workbench/topojson/`` for the fallback globe, and
plotly.js at ``{base_url}workbench/plotly/`` for the analysis figures.
The files are served by jupyter_server's own ``AuthenticatedFileHandler`` (the handler
behind ``/files/``): a request needs the server's token or login cookie, and is checked by
its authorizer, and no cross-origin (CORS) header is added, so only pages the Jupyter
server itself serves can load them. Enable it once per environment with :func:`enable`
(writes a config file), or per run::

    jupyter lab --ServerApp.jpserver_extensions="{'workbench.widgets.jupyter_server': True}"
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

MODULE = "workbench.widgets.jupyter_server"


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": MODULE}]


def _load_jupyter_server_extension(serverapp) -> None:  # noqa: ANN001 (jupyter's ServerApp)
    from jupyter_server.base.handlers import AuthenticatedFileHandler
    from jupyter_server.utils import url_path_join

    from .cesium import JUPYTER_ROUTE, local_cesium_dir

    _CesiumHandler = AuthenticatedFileHandler  # noqa: N806 (the server's own file handler)

    from ..viz.globe_plotly import JUPYTER_TOPOJSON_ROUTE, TOPOJSON_DIR
    from .plotly_view import JUPYTER_PLOTLY_ROUTE, plotly_js_dir

    base_url = serverapp.web_app.settings.get("base_url", "/")
    handlers = [(url_path_join(base_url, JUPYTER_TOPOJSON_ROUTE, "(.*)"), _CesiumHandler,
                 {"path": str(TOPOJSON_DIR)}),
                (url_path_join(base_url, JUPYTER_PLOTLY_ROUTE, "(.*)"), _CesiumHandler,
                 {"path": str(plotly_js_dir())})]
    directory = local_cesium_dir()
    if directory is None:
        serverapp.log.warning("workbench: no local Cesium build (run install_cesium()); the "
                              "globe will load CesiumJS from the CDN")
    else:
        handlers.append((url_path_join(base_url, JUPYTER_ROUTE, "(.*)"), _CesiumHandler,
                         {"path": str(directory)}))
        serverapp.log.info("workbench: serving CesiumJS from %s", directory)
    serverapp.web_app.add_handlers(".*$", handlers)


def enable(*, prefix: str | Path | None = None) -> Path:
    """Enable the extension for the Jupyter servers of this environment.

    Writes ``<prefix>/etc/jupyter/jupyter_server_config.d/workbench.json``
    (default prefix: ``sys.prefix``) and returns its path.
    """
    prefix = Path(prefix) if prefix is not None else Path(sys.prefix)
    path = prefix / "etc" / "jupyter" / "jupyter_server_config.d" / "workbench.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"ServerApp": {"jpserver_extensions": {MODULE: True}}},
                               indent=2) + "\n", encoding="utf-8")
    return path


__all__ = ["enable"]
