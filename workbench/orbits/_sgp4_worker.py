"""The SGP4 kernel, and the worker process that runs it on a share of the satellites.

Both :func:`workbench.orbits.propagation.propagate_state` (in its own process) and the
worker processes call :func:`propagate_block`, so a parallel run gives the same bits as
a single-process one. Imports only the standard library, numpy and sgp4, so a worker
starts in a fraction of a second.

Satellites travel between processes as *elements*: picklable tuples from which
:func:`build_satrecs` rebuilds identical ``Satrec`` objects:

- ``("tle", line1, line2)`` → ``Satrec.twoline2rv(line1, line2)`` (WGS72, as skyfield);
- ``("init", satnum, epoch_days, bstar, ndot, nddot, ecco, argpo, inclo, mo, no_kozai,
  nodeo)`` → ``Satrec().sgp4init(WGS72, "i", ...)`` (angles in rad, mean motion in
  rad/min, epoch in days since 1949 December 31 00:00 UT).

Worker protocol (``python -m workbench.orbits._sgp4_worker``): small pickles on stdin
and stdout; bulk data lives in one shared-memory block (an inherited file descriptor)
laid out by :func:`shared_layout`: the inputs (Julian dates, pickled elements, rotation
matrices) and the outputs (positions, velocities, error codes). ``("init", setup)``
maps the block; ``("task", start, stop)`` fills rows ``start:stop`` and is answered
``("ok", start, seconds)`` or ``("error", start, traceback)``; ``("matrices",)`` says
the rotations are in the block (a task that needs them first waits for it, so SGP4
starts while the parent is still computing them); ``None`` or end of input ends it.
"""
from __future__ import annotations

import mmap
import os
import pickle
import sys
import time
import traceback

import numpy as np

from ._subprocess_pool import SubprocessPool

EARTH_ROTATION_RAD_PER_S = 7.292115146706979e-5
"""Earth's rotation rate (Vallado et al. 2006, AIAA 2006-6753, ``teme2ecef``), for ITRS
velocities relative to the ground."""


def build_satrecs(elements: list[tuple]) -> list:
    """``Satrec`` objects from element tuples (see the module docstring)."""
    from sgp4.api import WGS72, Satrec

    sats = []
    for element in elements:
        if element[0] == "tle":
            sats.append(Satrec.twoline2rv(element[1], element[2]))
        elif element[0] == "init":
            sat = Satrec()
            sat.sgp4init(WGS72, "i", *element[1:])
            sats.append(sat)
        else:
            raise ValueError(f"element kind {element[0]!r}: expected 'tle' or 'init'")
    return sats


def rotate_into(matrices: np.ndarray, xyz: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out[s, t] = matrices[t] @ xyz[s, t]`` for (n_times, 3, 3) and (n_sats, n_times, 3).

    Computed component by component as ``(m0·x + m1·y) + m2·z`` with separate numpy
    multiplies and adds, so every element is rounded the same way whatever the array
    shapes (unlike ``einsum``, whose inner loop depends on them), and about three times
    faster than ``einsum`` on this shape.
    """
    x, y, z = xyz[..., 0], xyz[..., 1], xyz[..., 2]
    scratch = np.empty(x.shape)
    for i in range(3):
        component = out[..., i]
        np.multiply(matrices[:, i, 0], x, out=component)
        np.multiply(matrices[:, i, 1], y, out=scratch)
        component += scratch
        np.multiply(matrices[:, i, 2], z, out=scratch)
        component += scratch
    return out


def sgp4_block(sats: list, jd: np.ndarray, fr: np.ndarray,
               codes_out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """TEME positions (km) and velocities (km/s) of ``sats`` on the Julian dates
    ``jd + fr`` (UTC, split as skyfield feeds SGP4); SGP4's error codes into
    ``codes_out`` (n, n_times)."""
    from sgp4.api import SatrecArray

    codes, r, v = SatrecArray(sats).sgp4(jd, fr)
    codes_out[...] = codes
    return r, v


def rotate_block(r: np.ndarray, v: np.ndarray, matrices: np.ndarray | None, is_itrs: bool,
                 r_out: np.ndarray, v_out: np.ndarray | None) -> None:
    """TEME states into the output frame: ``matrices`` (n_times, 3, 3) TEME→frame, or
    None to stay in TEME. ``is_itrs``: the frame turns with the Earth, so velocities
    become ground-relative, v − ω × r (ω along z). ``v_out`` None skips velocities."""
    if matrices is None:
        r_out[...] = r
        if v_out is not None:
            v_out[...] = v
        return
    rotate_into(matrices, r, r_out)
    if v_out is not None:
        rotate_into(matrices, v, v_out)
        if is_itrs:
            v_out[..., 0] += EARTH_ROTATION_RAD_PER_S * r_out[..., 1]
            v_out[..., 1] -= EARTH_ROTATION_RAD_PER_S * r_out[..., 0]


def propagate_block(sats: list, jd: np.ndarray, fr: np.ndarray, matrices: np.ndarray | None,
                    is_itrs: bool, r_out: np.ndarray, v_out: np.ndarray | None,
                    codes_out: np.ndarray) -> None:
    """SGP4 then rotation (:func:`sgp4_block`, :func:`rotate_block`) into the given rows:
    ``r_out``, ``v_out`` (n, n_times, 3) km and km/s, ``codes_out`` (n, n_times) uint8."""
    r, v = sgp4_block(sats, jd, fr, codes_out)
    rotate_block(r, v, matrices, is_itrs, r_out, v_out)


def shared_layout(n_sats: int, n_times: int, *, with_velocity: bool, has_matrices: bool,
                  n_element_bytes: int) -> dict[str, tuple]:
    """Byte layout of the shared block: name → (offset, shape, dtype); ``"size"`` → total.

    Outputs ``r`` (n_sats, n_times, 3) float64, ``v`` (same, if ``with_velocity``),
    ``codes`` (n_sats, n_times) uint8; inputs ``jd``, ``fr`` (n_times,) float64,
    ``matrices`` (n_times, 3, 3) float64 (if ``has_matrices``), ``elements`` (pickled
    list of element tuples, ``n_element_bytes`` bytes). Offsets are 8-byte aligned.
    """
    parts: list[tuple[str, tuple, str]] = [("r", (n_sats, n_times, 3), "float64")]
    if with_velocity:
        parts.append(("v", (n_sats, n_times, 3), "float64"))
    parts += [("jd", (n_times,), "float64"), ("fr", (n_times,), "float64")]
    if has_matrices:
        parts.append(("matrices", (n_times, 3, 3), "float64"))
    parts += [("codes", (n_sats, n_times), "uint8"), ("elements", (n_element_bytes,), "uint8")]
    layout: dict[str, tuple] = {}
    offset = 0
    for name, shape, dtype in parts:
        layout[name] = (offset, shape, dtype)
        offset += -(-int(np.prod(shape)) * np.dtype(dtype).itemsize // 8) * 8
    layout["size"] = (max(offset, 8), (), "")
    return layout


def views(buffer, layout: dict[str, tuple]) -> dict[str, np.ndarray]:
    """numpy arrays over ``buffer`` for each entry of :func:`shared_layout`."""
    arrays = {}
    for name, (offset, shape, dtype) in layout.items():
        if name == "size":
            continue
        count = int(np.prod(shape))
        arrays[name] = np.frombuffer(buffer, dtype=dtype, count=count,
                                     offset=offset).reshape(shape)
    return arrays


class _Worker:
    """State of one worker process between messages."""

    def __init__(self, setup: dict, source):
        self.source = source
        self.map = mmap.mmap(setup["fd"], setup["layout"]["size"][0])
        self.arrays = views(self.map, setup["layout"])
        self.elements = pickle.loads(self.arrays["elements"].tobytes())
        self.is_itrs, self.chunk_sats = setup["is_itrs"], setup["chunk_sats"]
        self.has_matrices = "matrices" in self.arrays
        self.matrices_ready = False

    def matrices(self) -> np.ndarray | None:
        """The rotations, once the parent has said they are written (None: TEME)."""
        if not self.has_matrices:
            return None
        if not self.matrices_ready:
            message = pickle.load(self.source)
            if message != ("matrices",):
                raise RuntimeError(f"expected the rotation matrices, got {message!r:.60}")
            self.matrices_ready = True
        return self.arrays["matrices"]

    def run(self, start: int, stop: int) -> None:
        a = self.arrays
        sats = build_satrecs(self.elements[start:stop])
        for lo in range(0, stop - start, self.chunk_sats):
            hi = min(stop - start, lo + self.chunk_sats)
            rows = slice(start + lo, start + hi)
            r, v = sgp4_block(sats[lo:hi], a["jd"], a["fr"], a["codes"][rows])
            rotate_block(r, v, self.matrices(), self.is_itrs, a["r"][rows],
                         a["v"][rows] if "v" in a else None)

    def close(self) -> None:
        self.arrays = {}
        try:
            self.map.close()
        except BufferError:  # a view still alive: the OS unmaps at exit anyway
            pass


PARALLEL_SUPPORTED = os.name == "posix" and bool(sys.executable)
"""Worker processes need POSIX (an inherited file descriptor holds the shared block) and
a Python executable to start."""


def _shared_fd(n_bytes: int) -> int:
    """A file descriptor of ``n_bytes`` of zeroed shared memory that has no name."""
    if hasattr(os, "memfd_create"):  # Linux: anonymous, freed with its last user
        fd = os.memfd_create("workbench-sgp4", os.MFD_CLOEXEC)
    else:
        import tempfile

        folder = "/dev/shm" if os.path.isdir("/dev/shm") else None
        with tempfile.TemporaryFile(dir=folder) as f:  # already unlinked
            fd = os.dup(f.fileno())
    try:
        os.ftruncate(fd, n_bytes)
    except BaseException:
        os.close(fd)
        raise
    return fd


class WorkerPool(SubprocessPool):
    """Worker processes sharing one memory block, for one propagation.

    Each worker is ``python -m workbench.orbits._sgp4_worker``: a plain subprocess, not
    ``multiprocessing``, so nothing re-imports the caller's ``__main__`` (scripts need
    no ``if __name__ == "__main__"`` guard) and nothing forks a parent that holds
    polars' threads. The block is an unnamed shared-memory file (``memfd`` on Linux)
    the workers inherit, so nothing is left behind if a process dies; the returned
    arrays keep it alive.

    Use: ``WorkerPool(...)`` (workers boot), ``start(tasks)`` (they begin SGP4),
    ``set_matrices(m)`` (rotations computed meanwhile), ``wait()``, ``close()``.
    """

    worker_name = "SGP4 worker"
    single_process_hint = "propagate(..., workers=1) stays in one process"

    def __init__(self, n_workers: int, layout: dict[str, tuple], elements: bytes, *,
                 is_itrs: bool, chunk_sats: int):
        self.layout, self.processes = layout, []
        self.pending: list = []
        self.busy: dict[int, tuple[int, int]] = {}
        fd = _shared_fd(layout["size"][0])
        try:
            self.map = mmap.mmap(fd, layout["size"][0])
            self.arrays = views(self.map, layout)
            self.arrays["elements"][:] = np.frombuffer(elements, dtype=np.uint8)
            self._spawn("workbench.orbits._sgp4_worker", n_workers, pass_fds=(fd,))
            self.setup = {"fd": fd, "layout": layout, "is_itrs": is_itrs,
                          "chunk_sats": chunk_sats}
        except BaseException:
            self.close(kill=True)
            raise
        finally:
            os.close(fd)  # the workers hold their copies, the map its own

    def start(self, jd: np.ndarray, fr: np.ndarray, tasks: list[tuple[int, int]]) -> None:
        """Write the dates and hand each worker its first (start, stop) row range."""
        self.arrays["jd"][:] = jd
        self.arrays["fr"][:] = fr
        self.pending = list(reversed(tasks))
        for process in self.processes:
            self._send(process, ("init", self.setup))
            self._next(process)

    def set_matrices(self, matrices: np.ndarray) -> None:
        """Write the (n_times, 3, 3) rotations and tell every worker."""
        self.arrays["matrices"][:] = matrices
        for process in self.processes:
            self._send(process, ("matrices",))

    def wait(self) -> dict[str, np.ndarray]:
        """Hand out the remaining tasks as workers finish; the output arrays."""
        import selectors

        with selectors.DefaultSelector() as selector:
            for process in self.processes:
                if process.pid in self.busy:
                    selector.register(process.stdout, selectors.EVENT_READ, process)
            while self.busy:
                for key, _ in selector.select():
                    process = key.data
                    start, stop = self.busy.pop(process.pid)
                    try:
                        reply = pickle.load(process.stdout)
                    except EOFError:
                        raise RuntimeError(
                            f"SGP4 worker process {process.pid} ended (exit code "
                            f"{process.wait()}) while propagating satellites {start}-"
                            f"{stop - 1}; propagate(..., workers=1) stays in one process"
                        ) from None
                    if reply[0] != "ok":
                        raise RuntimeError(f"SGP4 worker process failed on satellites "
                                           f"{start}-{stop - 1}:\n{reply[-1]}")
                    if not self._next(process):
                        selector.unregister(process.stdout)
        return {k: v for k, v in self.arrays.items() if k in ("r", "v", "codes")}

    def _next(self, process) -> bool:
        if not self.pending:
            return False
        task = self.pending.pop()
        self._send(process, ("task", *task))
        self.busy[process.pid] = task
        return True



def main() -> None:
    """Serve tasks from stdin until it closes (see the module docstring)."""
    source = sys.stdin.buffer
    sink = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print goes to stderr, never into the protocol stream
    worker: _Worker | None = None
    init_error = ""
    try:
        while True:
            try:
                message = pickle.load(source)
            except EOFError:
                break
            if message is None:
                break
            if message[0] == "init":
                try:
                    worker = _Worker(message[1], source)
                except Exception:
                    init_error = traceback.format_exc()
                continue
            if message[0] == "matrices":
                if worker is not None:
                    worker.matrices_ready = True
                continue
            _, start, stop = message
            t0 = time.perf_counter()
            try:
                if worker is None:
                    raise RuntimeError(f"worker setup failed:\n{init_error}")
                worker.run(start, stop)
                reply = ("ok", start, time.perf_counter() - t0)
            except Exception:
                reply = ("error", start, traceback.format_exc())
            pickle.dump(reply, sink, protocol=pickle.HIGHEST_PROTOCOL)
            sink.flush()
    finally:
        if worker is not None:
            worker.close()


if __name__ == "__main__":
    main()
