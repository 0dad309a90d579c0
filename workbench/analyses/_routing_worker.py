"""Worker processes for routing time chunks in parallel.

Each worker is ``python -m workbench.analyses._routing_worker``: a plain subprocess (as
:mod:`workbench.orbits._sgp4_worker`), not ``multiprocessing``, so nothing re-imports the
caller's ``__main__`` (scripts need no ``if __name__ == "__main__"`` guard) and nothing
forks a parent that holds polars' threads. It imports only numpy, scipy and
:mod:`workbench.analyses.routing`, so it boots in well under a second; pools are started
before the parent propagates, so booting overlaps that work.

Protocol: pickles on stdin and stdout. ``("task", index, kwargs)`` runs
:func:`workbench.analyses.routing.route_chunk(**kwargs)` and is answered
``("ok", index, result)`` or ``("error", index, traceback)``; ``None`` or end of input
ends the worker.
"""
from __future__ import annotations

import os
import pickle
import sys
import traceback
from collections.abc import Callable

from ..orbits._subprocess_pool import SubprocessPool


class RoutingPool(SubprocessPool):
    """``n_workers`` routing processes; :meth:`run` hands out chunk tasks as they free up."""

    worker_name = "routing worker"
    single_process_hint = "latency(..., workers=1) stays in one process"

    def __init__(self, n_workers: int):
        self.processes = []
        try:
            # one busy core per worker
            self._spawn("workbench.analyses._routing_worker", n_workers, env_updates={
                var: "1" for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                     "MKL_NUM_THREADS")})
        except BaseException:
            self.close(kill=True)
            raise

    def run(self, tasks: list[dict], on_done: Callable[[int, dict], None]) -> None:
        """Run every task (``route_chunk`` keyword arguments); ``on_done(index, result)``."""
        import selectors

        pending = list(reversed(range(len(tasks))))
        busy: dict[int, int] = {}
        with selectors.DefaultSelector() as selector:
            for process in self.processes:
                if pending:
                    index = pending.pop()
                    self._send(process, ("task", index, tasks[index]))
                    busy[process.pid] = index
                    selector.register(process.stdout, selectors.EVENT_READ, process)
            while busy:
                for key, _ in selector.select():
                    process = key.data
                    index = busy.pop(process.pid)
                    try:
                        reply = pickle.load(process.stdout)
                    except EOFError:
                        raise RuntimeError(
                            f"routing worker process {process.pid} ended (exit code "
                            f"{process.wait()}) while routing time chunk {index}; "
                            "latency(..., workers=1) stays in one process") from None
                    if reply[0] != "ok":
                        raise RuntimeError(f"routing worker failed on time chunk {index}:\n"
                                           f"{reply[-1]}")
                    on_done(reply[1], reply[2])
                    if pending:
                        nxt = pending.pop()
                        self._send(process, ("task", nxt, tasks[nxt]))
                        busy[process.pid] = nxt
                    else:
                        selector.unregister(process.stdout)

    def __enter__(self) -> RoutingPool:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(kill=exc_type is not None)


def main() -> None:
    """Serve tasks from stdin until it closes (see the module docstring)."""
    source = sys.stdin.buffer
    sink = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints go to stderr, never into the pickle stream
    from workbench.analyses.routing import route_chunk

    while True:
        try:
            message = pickle.load(source)
        except EOFError:
            break
        if message is None:
            break
        _, index, kwargs = message
        try:
            reply = ("ok", index, route_chunk(**kwargs))
        except BaseException:  # report, keep serving
            reply = ("error", index, traceback.format_exc())
        pickle.dump(reply, sink, protocol=pickle.HIGHEST_PROTOCOL)
        sink.flush()


if __name__ == "__main__":
    main()
