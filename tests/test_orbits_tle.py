"""fetch_celestrak against a local HTTP server on 127.0.0.1 (never the real CelesTrak)."""
from __future__ import annotations

import http.server
import os
import socket
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from workbench.model import Constellation, DatasetError, FetchError, ModelError
from workbench.orbits.tle import (
    CACHE_DIR_ENV,
    CelestrakWarning,
    celestrak_url,
    default_cache_dir,
    fetch_celestrak,
)

# Three records from the shipped Starlink snapshot (CelesTrak group "starlink", 2026-01-31).
SMALL_TLE = """\
STARLINK-1008
1 44714U 19074B   26031.25003471  .00034962  00000+0  11576-2 0  9990
2 44714  53.1572 352.8934 0001355  87.7780 348.0870 15.31011067  5538
STARLINK-1012
1 44718U 19074F   26031.13086365  .00002116  00000+0  83543-4 0  9995
2 44718  53.1592 353.2665 0001766  95.6518 264.4685 15.30204265343110
STARLINK-1017
1 44723U 19074L   26031.12543703  .00042369  00000+0  18739-2 0  9991
2 44723  53.0449 344.3443 0002358  95.5007 264.6257 15.21296612343249
"""

ANSWERS = {  # GROUP → (HTTP status, body)
    "small": (200, SMALL_TLE),
    "nodata": (200, "No GP data found"),
    "html": (200, "<!DOCTYPE html><html><body>Welcome to the hotel Wi-Fi</body></html>"),
    "broken": (500, "Internal Server Error"),
}


class _Handler(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        group = query.get("GROUP", [""])[0]
        self.requests.append(self.path)
        status, body = ANSWERS.get(group, (404, "not found"))
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:  # keep the test output quiet
        pass


@pytest.fixture
def server():
    """A CelesTrak stand-in on an ephemeral port; yields (base_url, list of request paths)."""
    handler = type("Handler", (_Handler,), {"requests": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/NORAD/elements/gp.php", \
            handler.requests
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def dead_url():
    """A URL on 127.0.0.1 where nothing listens (connection refused at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/NORAD/elements/gp.php"


def test_fresh_fetch_returns_constellation_and_caches(server, tmp_path):
    base_url, requests = server
    c = fetch_celestrak("small", cache_dir=tmp_path, base_url=base_url, timeout_s=5)
    assert isinstance(c, Constellation)
    assert len(c) == 3 and c.name == "small"
    assert c.satellites["norad_id"].to_list() == ["44714", "44718", "44723"]
    assert c.tle_sets[0].name == "small"
    assert "GROUP=small&FORMAT=tle" in c.tle_sets[0].source
    assert requests == ["/NORAD/elements/gp.php?GROUP=small&FORMAT=tle"]
    assert (tmp_path / "small.tle").read_text() == SMALL_TLE


def test_fresh_cache_is_used_without_the_server(server, tmp_path, dead_url):
    base_url, requests = server
    fetch_celestrak("small", cache_dir=tmp_path, base_url=base_url)
    again = fetch_celestrak("small", cache_dir=tmp_path, base_url=dead_url)  # no warning
    assert len(again) == 3 and "cached copy" in again.tle_sets[0].source
    fetch_celestrak("small", cache_dir=tmp_path, base_url=base_url)
    assert len(requests) == 1  # the second call at the live server also used the cache


def test_stale_cache_is_refreshed_when_online(server, tmp_path):
    base_url, requests = server
    (tmp_path / "small.tle").write_text(SMALL_TLE)
    old = time.time() - 3 * 86400
    os.utime(tmp_path / "small.tle", (old, old))
    c = fetch_celestrak("small", cache_dir=tmp_path, base_url=base_url, max_age_s=3600)
    assert len(requests) == 1 and "downloaded" in c.tle_sets[0].source
    assert (tmp_path / "small.tle").stat().st_mtime > old + 86400


def test_stale_cache_is_used_with_a_warning_when_offline(tmp_path, dead_url):
    (tmp_path / "small.tle").write_text(SMALL_TLE)
    old = time.time() - 2 * 86400
    os.utime(tmp_path / "small.tle", (old, old))
    with pytest.warns(CelestrakWarning, match=r"could not reach.*cached copy.*48\.0 h old"):
        c = fetch_celestrak("small", cache_dir=tmp_path, base_url=dead_url, max_age_s=60)
    assert len(c) == 3 and "stale" in c.tle_sets[0].source


def test_offline_without_cache_raises_fetch_error(tmp_path, dead_url):
    with pytest.raises(FetchError) as info:
        fetch_celestrak("small", cache_dir=tmp_path, base_url=dead_url, timeout_s=5)
    message = str(info.value)
    assert "could not reach the server" in message  # what failed
    assert dead_url + "?GROUP=small&FORMAT=tle" in message  # the URL
    assert "Constellation.from_tle(path)" in message  # how to work offline
    assert "workbench.datasets.starlink()" in message
    assert isinstance(info.value, OSError)


@pytest.mark.parametrize("group", ["", "star link", "../etc/passwd", "a&FORMAT=json",
                                   "x" * 65, 42])
def test_bad_group_name_is_rejected_before_any_network_use(group, tmp_path, dead_url):
    with pytest.raises(ModelError, match="group=.*letters, digits, '-' or '_'"):
        fetch_celestrak(group, cache_dir=tmp_path, base_url=dead_url)
    assert list(tmp_path.iterdir()) == []


def test_bad_options_are_named(tmp_path):
    with pytest.raises(ModelError, match=r"(?s)max_age_s=-1.*timeout_s=0"):
        fetch_celestrak("small", cache_dir=tmp_path, max_age_s=-1, timeout_s=0)


def test_no_gp_data_names_the_group(server, tmp_path):
    base_url, _ = server
    with pytest.raises(DatasetError, match="no GP data for group 'nodata'"):
        fetch_celestrak("nodata", cache_dir=tmp_path, base_url=base_url)
    assert not (tmp_path / "nodata.tle").exists()


def test_non_tle_answer_is_a_fetch_error_and_not_cached(server, tmp_path):
    base_url, _ = server
    with pytest.raises(FetchError, match=r"(?s)not TLE data.*line 1.*Welcome"):
        fetch_celestrak("html", cache_dir=tmp_path, base_url=base_url)
    assert not (tmp_path / "html.tle").exists()


def test_http_error_is_a_fetch_error_naming_the_status(server, tmp_path):
    base_url, _ = server
    with pytest.raises(FetchError, match="HTTP 500"):
        fetch_celestrak("broken", cache_dir=tmp_path, base_url=base_url)


def test_bad_answer_falls_back_to_an_older_good_copy(server, tmp_path):
    base_url, _ = server
    (tmp_path / "html.tle").write_text(SMALL_TLE)
    old = time.time() - 86400
    os.utime(tmp_path / "html.tle", (old, old))
    with pytest.warns(CelestrakWarning, match="not TLE data"):
        c = fetch_celestrak("html", cache_dir=tmp_path, base_url=base_url)
    assert len(c) == 3
    assert (tmp_path / "html.tle").read_text() == SMALL_TLE  # the good copy is kept


def test_corrupt_cache_is_ignored_and_replaced(server, tmp_path):
    base_url, requests = server
    (tmp_path / "small.tle").write_text("1 garbage\n")
    c = fetch_celestrak("small", cache_dir=tmp_path, base_url=base_url)
    assert len(c) == 3 and len(requests) == 1
    assert (tmp_path / "small.tle").read_text() == SMALL_TLE


def test_cache_dir_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "wb"))
    assert default_cache_dir() == tmp_path / "wb" / "celestrak"
    monkeypatch.delenv(CACHE_DIR_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "workbench" / "celestrak"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_dir() == Path.home() / ".cache" / "workbench" / "celestrak"


def test_env_cache_dir_is_used_by_fetch(server, monkeypatch, tmp_path):
    base_url, _ = server
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path))
    fetch_celestrak("small", base_url=base_url)
    assert (tmp_path / "celestrak" / "small.tle").exists()


def test_url_is_celestraks_gp_query():
    # CelesTrak GP documentation: gp.php?GROUP=<group>&FORMAT=tle
    assert celestrak_url("gps-ops") == \
        "https://celestrak.org/NORAD/elements/gp.php?GROUP=gps-ops&FORMAT=tle"


def test_lazy_export():
    import workbench.orbits as orbits

    assert orbits.fetch_celestrak is fetch_celestrak
