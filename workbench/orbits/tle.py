"""Current element sets from CelesTrak, kept in an on-disk cache so work goes on offline.

CelesTrak publishes General Perturbations (GP) element sets by group at
``https://celestrak.org/NORAD/elements/gp.php?GROUP=<group>&FORMAT=tle`` (T.S. Kelso,
"A New Way to Obtain GP Data", celestrak.org/NORAD/documentation/gp-data-formats.php).
It asks clients not to download the same data more often than it changes, so
:func:`fetch_celestrak` keeps each group's text on disk and only asks again once the
copy is older than ``max_age_s``. When the network is down a stale copy is used (with a
:class:`CelestrakWarning`); with no copy at all a :class:`~workbench.model.errors.FetchError`
says what failed and how to work offline.

This module is the orbit layer's one deliberate file writer: the cache is its purpose.
"""
from __future__ import annotations

import http.client
import os
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
from datetime import UTC, datetime
from pathlib import Path

from ..model.constellation import Constellation, TLESet
from ..model.errors import DatasetError, FetchError, ModelError, Problem

CELESTRAK_GP_URL = "https://celestrak.org/NORAD/elements/gp.php"
"""CelesTrak's GP query endpoint (``GROUP`` and ``FORMAT`` are appended)."""

CACHE_DIR_ENV = "WORKBENCH_CACHE_DIR"
"""Environment variable naming the workbench cache root; CelesTrak copies go in its
``celestrak/`` folder."""

DEFAULT_MAX_AGE_S = 7200.0
"""A cached copy younger than this (2 h) is used without asking the network."""

DEFAULT_TIMEOUT_S = 30.0
"""Seconds to wait for CelesTrak to connect or send data."""

MAX_RESPONSE_BYTES = 64 * 1024 * 1024
"""Answers larger than this are refused (the largest group, 'active', is a few MB)."""

_GROUP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_NO_DATA = "no gp data found"
_USER_AGENT = "space-computing-workbench (python urllib)"


class CelestrakWarning(UserWarning):
    """A CelesTrak fetch failed and an older cached copy was used, or the cache could not
    be written."""


def default_cache_dir() -> Path:
    """Folder of cached CelesTrak groups.

    ``$WORKBENCH_CACHE_DIR/celestrak`` if that variable is set, else
    ``$XDG_CACHE_HOME/workbench/celestrak``, else ``~/.cache/workbench/celestrak``.
    """
    root = os.environ.get(CACHE_DIR_ENV)
    if root:
        return Path(root).expanduser() / "celestrak"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "workbench" / "celestrak"


def celestrak_url(group: str, *, base_url: str = CELESTRAK_GP_URL) -> str:
    """The GP query URL of a CelesTrak group in TLE format.

    >>> celestrak_url("starlink")
    'https://celestrak.org/NORAD/elements/gp.php?GROUP=starlink&FORMAT=tle'
    """
    _check_group(group)
    return f"{base_url}?{urllib.parse.urlencode({'GROUP': group, 'FORMAT': 'tle'})}"


def _check_group(group: object) -> None:
    if not isinstance(group, str) or not _GROUP.match(group):
        raise ModelError("fetch_celestrak", [Problem(
            "group", group, "must be a CelesTrak group name of 1-64 letters, digits, '-' or "
            "'_' (e.g. 'starlink', 'oneweb', 'stations', 'gps-ops', 'active')")])


def fetch_celestrak(group: str, *, cache_dir: str | Path | None = None,
                    max_age_s: float = DEFAULT_MAX_AGE_S, base_url: str = CELESTRAK_GP_URL,
                    timeout_s: float = DEFAULT_TIMEOUT_S) -> Constellation:
    """A CelesTrak group's current element sets, as a one-TLE-set constellation.

    Parameters
    ----------
    group : str
        CelesTrak group name, e.g. ``"starlink"``, ``"oneweb"``, ``"stations"``
        (letters, digits, ``-`` and ``_``; listed at celestrak.org/NORAD/elements/).
    cache_dir : str or Path, optional
        Where downloaded groups are kept as ``<group>.tle``; default
        :func:`default_cache_dir` (``$WORKBENCH_CACHE_DIR/celestrak`` or
        ``~/.cache/workbench/celestrak``).
    max_age_s : float, s
        A cached copy at most this old is returned without using the network
        (``0`` always asks CelesTrak; ``math.inf`` never does once a copy exists).
    base_url : str
        The GP endpoint; change it for a mirror or a test server.
    timeout_s : float, s
        Socket timeout for connecting and for each read.

    Returns
    -------
    Constellation
        Named ``group``, holding one :class:`~workbench.model.TLESet` named ``group``
        whose ``source`` gives the URL and the download time (UTC).

    Raises
    ------
    ModelError
        ``group``, ``max_age_s`` or ``timeout_s`` is not allowed.
    DatasetError
        CelesTrak answered "No GP data found": it has no group of that name.
    FetchError
        The download failed (no network, HTTP error, an answer that is not TLE text)
        and no cached copy exists. Offline, use ``Constellation.from_tle(path)`` or the
        shipped snapshot ``workbench.datasets.starlink()``.

    Warns
    -----
    CelestrakWarning
        The download failed and an older cached copy was returned instead.

    Notes
    -----
    Copies are written atomically (temporary file, then rename) and only after the
    text makes a valid constellation (:func:`workbench.model.tle.parse_tle` read it
    exactly as ``sgp4`` does, no NORAD id twice), so a failed, garbled or invalid
    download never replaces a good copy; a cached copy that is no longer valid is
    ignored. A copy's age is its file modification time.

    Examples
    --------
    >>> starlink = fetch_celestrak("starlink")  # doctest: +SKIP
    >>> len(starlink) > 5000  # doctest: +SKIP
    True
    """
    _check_group(group)
    problems = []
    if not (isinstance(max_age_s, int | float) and max_age_s >= 0):
        problems.append(Problem("max_age_s", max_age_s, "must be a number of seconds ≥ 0"))
    if not (isinstance(timeout_s, int | float) and timeout_s > 0):
        problems.append(Problem("timeout_s", timeout_s, "must be a number of seconds > 0"))
    if problems:
        raise ModelError("fetch_celestrak", problems)
    folder = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    path = folder / f"{group}.tle"
    url = celestrak_url(group, base_url=base_url)

    cached = _read_cache(path)
    if cached is not None and cached[1] <= max_age_s:
        return _constellation(group, cached[0], f"{url} (cached copy {path}, downloaded "
                              f"{_mtime_utc(path)})")

    text, failure = _download(url, group, timeout_s)
    if text is not None:
        when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        _write_cache(path, text)
        return _constellation(group, text, f"{url} (downloaded {when})")

    if cached is not None:
        warnings.warn(f"{failure}; using the cached copy {path} downloaded {_mtime_utc(path)} "
                      f"({cached[1] / 3600.0:.1f} h old)", CelestrakWarning, stacklevel=2)
        return _constellation(group, cached[0], f"{url} (stale cached copy {path}, "
                              f"downloaded {_mtime_utc(path)})")
    raise FetchError(
        f"could not fetch CelesTrak group {group!r}: {failure}.\n  URL: {url}\n"
        f"  No cached copy at {path}.\n  To work offline, load a TLE file with "
        "Constellation.from_tle(path), or use the shipped Starlink snapshot "
        "workbench.datasets.starlink(); once a fetch succeeds, its copy in "
        f"{folder} is used when the network is down.")


def _download(url: str, group: str, timeout_s: float) -> tuple[str | None, str]:
    """(text, "") on success, (None, what failed) otherwise; raises DatasetError for an
    unknown group."""
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as error:
        detail = ""
        try:
            detail = error.read(200).decode("utf-8", "replace").strip()
        except OSError:
            pass
        finally:
            error.close()
        return None, (f"CelesTrak answered HTTP {error.code} {error.reason}"
                      + (f" ({detail!r})" if detail else ""))
    except urllib.error.URLError as error:
        return None, f"could not reach the server ({error.reason})"
    except (TimeoutError, OSError, http.client.HTTPException, ValueError) as error:
        return None, f"the download failed ({type(error).__name__}: {error})"
    if len(body) > MAX_RESPONSE_BYTES:
        return None, f"the answer is larger than {MAX_RESPONSE_BYTES:,} bytes"
    text = body.decode("utf-8", "replace")
    if _NO_DATA in text[:200].lower():
        raise DatasetError(
            f"CelesTrak has no GP data for group {group!r} ({url} answered "
            f"{text.strip()[:60]!r}). Group names are listed at "
            "https://celestrak.org/NORAD/elements/ (e.g. 'starlink', 'oneweb', 'stations', "
            "'gps-ops', 'active').")
    try:  # the whole constellation, as it would be used: nothing invalid reaches the cache
        _constellation(group, text, url)
    except ModelError as error:
        first = error.problems[0] if error.problems else "no element sets"
        return None, (f"the answer is not TLE data it can use ({len(error.problems)} problem(s), "
                      f"first: {first}; it starts {text.strip()[:40]!r})")
    return text, ""


def _read_cache(path: Path) -> tuple[str, float] | None:
    """(text, age in s) of a cached copy that still parses, else None."""
    try:
        text = path.read_text(encoding="utf-8")
        age_s = max(0.0, datetime.now(UTC).timestamp() - path.stat().st_mtime)
        _constellation(path.stem, text, str(path))
    except (OSError, UnicodeDecodeError, ModelError):
        return None
    return text, age_s


def _write_cache(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as error:
        warnings.warn(f"could not cache the download in {path} ({error}); the next call "
                      "will download again", CelestrakWarning, stacklevel=3)


def _mtime_utc(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _constellation(group: str, text: str, source: str) -> Constellation:
    tle_set = TLESet(name=group, text=text, source=source)
    return Constellation(name=group, description=f"CelesTrak GP group '{group}': "
                         f"{len(tle_set):,} satellites, {source}", tle_sets=(tle_set,))


__all__ = ["fetch_celestrak", "celestrak_url", "default_cache_dir", "CelestrakWarning",
           "CELESTRAK_GP_URL", "CACHE_DIR_ENV", "DEFAULT_MAX_AGE_S"]
