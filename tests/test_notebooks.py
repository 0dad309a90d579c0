"""Every tutorial notebook runs top to bottom (nbclient, a python3 kernel of this venv).

Each ``notebooks/*.ipynb`` is one test, run with the notebooks directory as working
directory and 600 s allowed per cell. A cell that raises fails the test with the cell's
traceback; warnings printed by the kernel do not. Each notebook runs from a fresh
interpreter (``RUNNER``), so one notebook's kernel and event loop cannot stall the next,
this process's ``filterwarnings = error`` stays out of Jupyter's own machinery, and a hung
run is killed with its kernel after ``NOTEBOOK_TIMEOUT_S``. The runner polls the kernel's
channels in short slices: see ``SlicedChannel`` for the stall that avoids. Notebooks are committed
without outputs.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT_S = 600
NOTEBOOK_TIMEOUT_S = 1800
KERNEL_NAME = "python3"

RUNNER = """
import re
import sys
import time
from queue import Empty

import nbformat
from jupyter_client import AsyncKernelManager
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from traitlets import Type

POLL_SLICE_S = 0.5


class SlicedChannel(AsyncZMQSocketChannel):
    # Wait for a message in short polls. pyzmq's asyncio poll can miss the wake-up of a
    # message that is already waiting (seen here on 3 of 8 runs of a notebook with
    # ipywidgets): it only finds it when the poll times out, which for nbclient's
    # execute_reply means after the whole cell timeout. Short polls find it within
    # POLL_SLICE_S; the overall timeout is unchanged.
    async def get_msg(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = POLL_SLICE_S if deadline is None else min(POLL_SLICE_S,
                                                             deadline - time.monotonic())
            try:
                return await super().get_msg(timeout=max(left, 0.0))
            except Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise


class SlicedClient(AsyncKernelClient):
    shell_channel_class = Type(SlicedChannel)
    iopub_channel_class = Type(SlicedChannel)


class SlicedManager(AsyncKernelManager):
    client_factory = Type(SlicedClient)


path, cwd, kernel_name, timeout_s = sys.argv[1:5]
notebook = nbformat.read(path, as_version=4)
client = NotebookClient(notebook, kernel_name=kernel_name, timeout=int(timeout_s),
                        allow_errors=False, kernel_manager_class=SlicedManager,
                        resources={"metadata": {"path": cwd}})
try:
    client.execute()
except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
    text = re.sub(r"\\x1b\\[[0-9;]*m", "", str(exc))  # no terminal colours in reports
    sys.stderr.write(f"{type(exc).__name__}: {text}\\n")
    sys.exit(1)
for cell in notebook.cells:
    for output in cell.get("outputs", []):
        if output.get("name") == "stdout":
            sys.stdout.write(output["text"])
"""
"""Executes one notebook; exit status 1 with the failing cell's traceback on stderr."""


@pytest.fixture(scope="module")
def venv_kernel(tmp_path_factory):
    """Environment for the runner: a ``python3`` kernelspec that starts this interpreter,
    first on JUPYTER_PATH so that no user- or system-wide ``python3`` kernel (another
    Python) is picked up."""
    root = tmp_path_factory.mktemp("jupyter")
    spec_dir = root / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    spec_dir.joinpath("kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (workbench venv)", "language": "python",
    }), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    env.update(JUPYTER_PATH=str(root), JUPYTER_PLATFORM_DIRS="1", MPLBACKEND="Agg")
    return env


def execute(path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a notebook in a fresh interpreter; the notebook file is left untouched."""
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(path), str(NOTEBOOK_DIR), KERNEL_NAME,
         str(CELL_TIMEOUT_S)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=NOTEBOOK_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the runner and its kernel
        out, err = proc.communicate()
        pytest.fail(f"{path.name} still running after {NOTEBOOK_TIMEOUT_S} s:\n{err[-3000:]}")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, venv_kernel):
    result = execute(path, venv_kernel)
    if result.returncode != 0:
        pytest.fail(f"{path.name} failed:\n{result.stderr}", pytrace=False)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    dirty = [i for i, cell in enumerate(cells) if cell["cell_type"] == "code"
             and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: clear the outputs of cells {dirty} before committing"


# ----------------------------------------------------------------- the harness itself

def _synthetic(tmp_path: Path, *sources: str) -> Path:
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    path = tmp_path / "synthetic.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.mark.notebook
def test_harness_tolerates_warnings_and_uses_this_venv(tmp_path, venv_kernel):
    path = _synthetic(tmp_path,
                      "import warnings\nwarnings.warn('only a warning', DeprecationWarning)",
                      "import os, sys\nprint(sys.prefix)\nprint(os.getcwd())")
    result = execute(path, venv_kernel)
    assert result.returncode == 0, result.stderr
    prefix, cwd = result.stdout.split()
    assert Path(prefix) == Path(sys.prefix)
    assert Path(cwd) == NOTEBOOK_DIR


@pytest.mark.notebook
def test_harness_fails_on_an_error(tmp_path, venv_kernel):
    path = _synthetic(tmp_path, "x = 1", "raise ValueError('broken tutorial')")
    result = execute(path, venv_kernel)
    assert result.returncode == 1
    assert "CellExecutionError" in result.stderr
    assert "ValueError: broken tutorial" in result.stderr
