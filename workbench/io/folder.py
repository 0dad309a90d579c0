"""Folders of output files that appear whole: written beside the target, then swapped in.

``workbench run`` writes its Parquet tables this way, and so does the Hypatia export
(:mod:`workbench.io.hypatia`): a reader of the folder sees the previous complete set or the
new complete set, never a mix, whatever moment the writer is killed at.
"""
from __future__ import annotations

import ctypes
import os
import shutil
import sys
import tempfile
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..model.errors import WorkbenchError

_PARTIAL = ".partial-"
_OLD = ".old-"


class OutputFolderError(WorkbenchError, OSError):
    """An output folder that cannot be replaced: not a folder, or holding other files."""


@contextmanager
def atomic_folder(target: str | os.PathLike[str], *, owned: Collection[str],
                  writer: str = "a run") -> Iterator[Path]:
    """A temporary folder beside ``target`` that replaces it, complete, on success.

    Files written into the yielded folder become ``target`` in one step when the block
    ends without an error: on Linux an atomic exchange of the two folders
    (``renameat2(RENAME_EXCHANGE)``), elsewhere two renames (a writer killed between them
    leaves the old set as ``.<name>.old-*``, restored by the next call). On an error or
    Ctrl-C the temporary folder is removed and ``target`` is untouched.

    Parameters
    ----------
    target : path
        The folder to (re)place; its parent is created if missing.
    owned : collection of str
        File names the writer produces: ``target`` must be missing, empty, or hold only
        these, since the swap replaces the whole folder
        (:class:`OutputFolderError` otherwise).
    writer : str
        Who writes, for the messages ("a run", "the Hypatia export").
    """
    target = Path(os.path.abspath(Path(target).expanduser()))
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    _tidy(parent, target)
    if target.exists():
        if not target.is_dir():
            raise OutputFolderError(f"{target} exists and is not a directory")
        foreign = sorted(p.name for p in target.iterdir() if p.name not in owned)
        if foreign:
            raise OutputFolderError(
                f"{target} holds files {writer} did not write ({', '.join(foreign[:3])}"
                f"{' …' if len(foreign) > 3 else ''}); {writer} replaces its whole output "
                "directory, so choose an empty or new one")
    work = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}{_PARTIAL}"))
    try:
        yield work
        for path in work.iterdir():
            _fsync(path)
        _fsync(work)
        _swap(work, target)
        _fsync(parent)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # after an exchange it holds the old set


def _tidy(parent: Path, target: Path) -> None:
    """Remove what killed writers left beside ``target``; restore an old set the
    two-rename swap was interrupted in the middle of."""
    for path in parent.glob(f".{target.name}{_PARTIAL}*"):
        shutil.rmtree(path, ignore_errors=True)
    olds = sorted(parent.glob(f".{target.name}{_OLD}*"))
    if olds and not target.exists():
        os.rename(olds.pop(), target)
    for path in olds:
        shutil.rmtree(path, ignore_errors=True)


def _fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _swap(new: Path, target: Path) -> None:
    """Put folder ``new`` at ``target``; afterwards ``new`` holds the old set (if any)."""
    if not target.exists():
        os.rename(new, target)
        return
    if _exchange(new, target):
        return
    old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}{_OLD}"))
    os.rmdir(old)
    os.rename(target, old)
    os.rename(new, target)
    os.rename(old, new)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux ``renameat2`` with ``RENAME_EXCHANGE``)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b),
                     rename_exchange) == 0


__all__ = ["OutputFolderError", "atomic_folder"]
