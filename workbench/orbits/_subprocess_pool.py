"""Plumbing shared by the worker pools: ``python -m MODULE`` subprocesses that take
pickled messages on stdin. Standard library only, so workers that import it stay light.

Plain subprocesses rather than ``multiprocessing``: nothing re-imports the caller's
``__main__`` (scripts need no ``if __name__ == "__main__"`` guard) and nothing forks a
parent that holds polars' threads.
"""
from __future__ import annotations

import os
import pickle
import sys


class SubprocessPool:
    """Base of a pool of worker processes; subclasses say what the workers are called."""

    worker_name = "worker"
    """Named in errors, e.g. "SGP4 worker"."""
    single_process_hint = ""
    """How to avoid worker processes, quoted when one dies."""

    processes: list

    def _spawn(self, module: str, n_workers: int, *, pass_fds: tuple[int, ...] = (),
               env_updates: dict[str, str] | None = None) -> None:
        """Start ``n_workers`` × ``python -m module`` with this package importable."""
        import subprocess

        package_root = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_root, env.get("PYTHONPATH", "")) if p)
        env.update(env_updates or {})
        for _ in range(n_workers):
            self.processes.append(subprocess.Popen(
                [sys.executable, "-m", module], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, pass_fds=pass_fds, env=env,
                # its own session: a Ctrl-C in the terminal reaches only the parent,
                # which stops the workers itself (no traceback from each of them)
                start_new_session=True))

    def _send(self, process, message) -> None:
        try:
            pickle.dump(message, process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            process.stdin.flush()
        except (BrokenPipeError, ConnectionResetError):
            raise RuntimeError(f"{self.worker_name} process {process.pid} ended (exit code "
                               f"{process.wait()}) before its work was done; "
                               f"{self.single_process_hint}") from None

    def close(self, *, kill: bool = False) -> None:
        """End the workers: closing their input ends them; ``kill`` stops them at once."""
        import subprocess

        for process in self.processes:
            if kill:
                process.kill()
            try:
                process.stdin.close()
            except OSError:
                pass
        for process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stdout.close()
        self.processes = []
