"""The workbench Jupyter server extension, against a real ``jupyter server`` on localhost.

Its files (the world topojson, plotly.js, the local Cesium build) must need the server's
token like the server's own ``/files/`` (jupyter_server's ``AuthenticatedFileHandler``),
and must not carry a wildcard ``Access-Control-Allow-Origin`` header, so another site open
in the same browser cannot read them through the user's session.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.slow

TOKEN = "workbench-test-token-0123456789"
TOPOJSON = "workbench/topojson/world_110m.json"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None  # a redirect to the login page is the answer itself


_OPENER = urllib.request.build_opener(_NoRedirect)


def _get(url: str, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``jupyter server`` with a token and the workbench extension; yields its base URL."""
    pytest.importorskip("jupyter_server")
    config = tmp_path_factory.mktemp("jupyter-config")
    root = tmp_path_factory.mktemp("root")
    port = _free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(config),
           "JUPYTER_RUNTIME_DIR": str(config / "runtime"), "JUPYTER_PLATFORM_DIRS": "1"}
    env.pop("PYTHONWARNINGS", None)
    log = (config / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root",
         "--ip=127.0.0.1", f"--port={port}", f"--ServerApp.root_dir={root}",
         f"--IdentityProvider.token={TOKEN}",
         "--ServerApp.jpserver_extensions={'workbench.widgets.jupyter_server': True}"],
        stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 240  # a loaded 2-core machine starts it slowly
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"jupyter server exited: {(config / 'server.log').read_text()}")
            try:
                status, _, _ = _get(f"{base}api/status?token={TOKEN}")
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.25)
        else:
            pytest.fail("jupyter server did not start within 240 s")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _allow_origin(headers: dict[str, str]) -> str | None:
    return {k.lower(): v for k, v in headers.items()}.get("access-control-allow-origin")


def test_files_need_the_token(server):
    status, headers, body = _get(server + TOPOJSON, {"Origin": "http://evil.example"})
    assert status in (302, 401, 403), status  # 302: to the login page
    assert b"arcs" not in body  # no topojson without the token
    assert _allow_origin(headers) is None


def test_files_are_served_with_the_token(server):
    status, _, body = _get(f"{server}{TOPOJSON}?token={TOKEN}")
    assert status == 200 and b'"arcs"' in body
    status, _, body = _get(server + TOPOJSON, {"Authorization": f"token {TOKEN}"})
    assert status == 200 and b'"arcs"' in body


def test_no_wildcard_cors_header(server):
    # Like the server's own /files/: a request that carries the token may be read from the
    # origin that sent it (jupyter_server's rule for token-authenticated requests), but no
    # answer is ever open to every origin.
    for headers in ({"Authorization": f"token {TOKEN}"},
                    {"Authorization": f"token {TOKEN}", "Origin": "http://evil.example"}):
        status, answer, _ = _get(server + TOPOJSON, headers)
        assert status == 200
        assert _allow_origin(answer) in (None, "", headers.get("Origin")), answer


def test_wrong_token_is_refused(server):
    status, _, body = _get(server + TOPOJSON, {"Authorization": "token not-the-token"})
    assert status in (302, 401, 403) and b"arcs" not in body
