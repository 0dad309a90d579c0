"""Where the globe loads CesiumJS from: a pinned CDN, or a local build for offline use.

Resolution order of the Cesium base URL (a directory URL ending in ``/`` that holds
``index.js``, ``Widgets/widgets.css`` and ``Assets/``):

1. :func:`set_cesium_url` (a Python setting, for this process);
2. the ``WORKBENCH_CESIUM_URL`` environment variable;
3. inside JupyterLab, the local build served by the workbench server extension at
   ``{base_url}workbench/cesium/`` (if :func:`install_cesium` has been run);
4. the pinned CDN build, :data:`CESIUM_CDN_URL`.

The globe tries these in order and uses the first that loads, so an air-gapped
deployment needs only ``install_cesium()`` (npm registry) or a mirror URL. Under Panel,
:mod:`workbench.dashboard.globe` serves the same local build as a static directory.

Command line (the lead's CLI wraps the same function)::

    python -c "from workbench.widgets.cesium import install_cesium; print(install_cesium())"
"""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import threading
from pathlib import Path

CESIUM_VERSION = "1.145.0"
"""The CesiumJS release the globe is written and tested against."""

CESIUM_CDN_URL = f"https://cdn.jsdelivr.net/npm/cesium@{CESIUM_VERSION}/Build/Cesium/"
"""Pinned CDN build used when nothing local is configured."""

JUPYTER_SERVER_TOKEN = "jupyter-server:"
"""Placeholder the browser turns into ``{base_url}workbench/cesium/`` inside Jupyter."""

JUPYTER_ROUTE = "workbench/cesium"
"""Route under the Jupyter server's base URL where the local build is served."""

ENV_URL = "WORKBENCH_CESIUM_URL"
ENV_DIR = "WORKBENCH_CESIUM_DIR"
ENV_TOKEN = "CESIUM_ION_TOKEN"

_settings: dict[str, str | None] = {"url": None, "ion_token": None}


def cache_dir() -> Path:
    """The workbench cache directory: ``$WORKBENCH_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/workbench``, else ``~/.cache/workbench``."""
    if os.environ.get("WORKBENCH_CACHE_DIR"):
        return Path(os.environ["WORKBENCH_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "workbench"


def _build_dir(dest: Path) -> Path:
    return dest / "node_modules" / "cesium" / "Build" / "Cesium"


def install_cesium(dest: str | Path | None = None, version: str = CESIUM_VERSION, *,
                   force: bool = False, npm: str = "npm") -> Path:
    """Install the CesiumJS build from the npm registry into a local directory.

    Runs ``npm install cesium@VERSION`` into ``dest`` (default
    ``<cache_dir()>/cesium/<version>``); does nothing if that build is already there
    (unless ``force``).

    Parameters
    ----------
    dest : path, optional
        npm prefix directory to install into.
    version : str
        CesiumJS version, default :data:`CESIUM_VERSION`.
    force : bool
        Reinstall even if the build is present.
    npm : str
        The npm executable.

    Returns
    -------
    Path
        The ``Build/Cesium`` directory (holds ``index.js``, ``Assets/``, ``Widgets/``).
    """
    dest = Path(dest) if dest is not None else cache_dir() / "cesium" / version
    build = _build_dir(dest)
    if (build / "index.js").is_file() and not force:
        return build
    exe = shutil.which(npm)
    if exe is None:
        raise RuntimeError(f"npm={npm!r}: not found on PATH; install Node.js/npm (Debian: "
                           "apt-get install -y npm) or set WORKBENCH_CESIUM_URL to a mirror")
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run([exe, "install", "--no-audit", "--no-fund", "--no-save", "--prefix",
                    str(dest), f"cesium@{version}"], check=True, cwd=dest,
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if not (build / "index.js").is_file():
        raise RuntimeError(f"version={version!r}: npm finished but {build}/index.js is missing")
    return build


def local_cesium_dir(version: str = CESIUM_VERSION) -> Path | None:
    """The local ``Build/Cesium`` directory if installed (``$WORKBENCH_CESIUM_DIR`` or the
    cache), else ``None``."""
    if os.environ.get(ENV_DIR):
        path = Path(os.environ[ENV_DIR])
        return path if (path / "index.js").is_file() else None
    build = _build_dir(cache_dir() / "cesium" / version)
    return build if (build / "index.js").is_file() else None


def set_cesium_url(url: str | None) -> None:
    """Load CesiumJS from ``url`` (a directory URL) in globes created from now on;
    ``None`` restores the default resolution order."""
    _settings["url"] = None if url is None else (url if url.endswith("/") else url + "/")


def set_ion_token(token: str | None) -> None:
    """Use a Cesium ion access token (ion imagery); without one, the offline Natural
    Earth II tiles inside the build are used."""
    _settings["ion_token"] = token


def ion_token() -> str:
    """The configured ion token, or ``""`` (also read from ``$CESIUM_ION_TOKEN``)."""
    return _settings["ion_token"] or os.environ.get(ENV_TOKEN, "")


def cesium_urls() -> list[str]:
    """Candidate Cesium base URLs, best first (see the module docstring)."""
    urls: list[str] = []
    configured = _settings["url"] or os.environ.get(ENV_URL)
    if configured:
        urls.append(configured if configured.endswith("/") else configured + "/")
    if local_cesium_dir() is not None:
        urls.append(JUPYTER_SERVER_TOKEN)
    urls.append(CESIUM_CDN_URL)
    return urls


class _CORSHandler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cache-Control", "max-age=3600")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class StaticServer:
    """A localhost HTTP server with CORS headers for a directory (tests, offline notebooks).

    >>> server = StaticServer(".")  # doctest: +SKIP
    >>> server.url                  # doctest: +SKIP
    'http://127.0.0.1:40123/'
    """

    def __init__(self, directory: str | Path, *, port: int = 0, host: str = "127.0.0.1"):
        handler = functools.partial(_CORSHandler, directory=str(directory))
        self._httpd = http.server.ThreadingHTTPServer((host, port), handler)
        self._httpd.daemon_threads = True
        self.url = f"http://{host}:{self._httpd.server_address[1]}/"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> StaticServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve_cesium(directory: str | Path | None = None, *, port: int = 0) -> StaticServer:
    """Serve the local Cesium build over localhost HTTP (with CORS) and point new globes
    at it; returns the server (``.url``, ``.close()``).

    For a plain Jupyter without the server extension, or a script-generated page.
    """
    directory = Path(directory) if directory is not None else local_cesium_dir()
    if directory is None:
        raise RuntimeError("directory=None: no local Cesium build; run "
                           "workbench.widgets.cesium.install_cesium() first")
    server = StaticServer(directory, port=port)
    set_cesium_url(server.url)
    return server


__all__ = ["CESIUM_CDN_URL", "CESIUM_VERSION", "StaticServer", "cache_dir", "cesium_urls",
           "install_cesium", "ion_token", "local_cesium_dir", "serve_cesium",
           "set_cesium_url", "set_ion_token"]
