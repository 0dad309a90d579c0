"""Imports flow one way: model ← orbits ← analyses ← viz ← widgets ← dashboard ← cli.

A static scan (``ast``) of every module under ``workbench/`` finds every ``import``
statement — at module level, inside functions and under ``TYPE_CHECKING`` alike — and
``importlib.import_module("workbench....")`` calls with a literal name, and checks each
against the layer table with no exceptions: no upward import, not even a lazy one. The same
scan checks that the analysis wings import nothing from one another and that no import
circle exists. Fresh interpreters check that every module imports alone (skyfield's
``design/test_import_loops.py`` is the model), that importing the lower layers really leaves
the drawing libraries unloaded, and that ``import workbench`` is light.
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "workbench"

LAYERS = {
    "locale": 0,        # message catalogs; imports nothing from workbench
    "model": 0,
    "datasets": 1,      # catalogs → model objects
    "scenarios": 1,     # load a scenario by name, path or text; resolve catalog names
    "extensions": 1,    # entry-point registry of hardware, scenarios, analyses
    "orbits": 2,
    "analyses": 3,
    "designspace": 3.5,  # sweeps run registered analyses on Dask; never draw
    "io": 3.5,          # interchange files: Parquet with units, Hypatia (uses the network
                        # wing's +Grid); written atomically
    "viz": 4,
    "widgets": 5,
    "dashboard": 6,
    "cli": 7,
    "__main__": 7,
}
"""A module may import workbench modules of its own layer or below, never above."""

DRAWING = ("ipywidgets", "panel", "plotly", "bokeh", "anywidget", "czml3", "matplotlib")
"""Never imported by the layers that compute: model, datasets, orbits, analyses."""
COMPUTING_LAYERS = {"model", "datasets", "scenarios", "extensions", "orbits", "analyses",
                    "designspace"}
WINGS = ("onboard", "network", "economics", "scheduling")
"""The analysis wings: each imports nothing from another, except as ``WING_USES`` allows."""
WING_USES = {"scheduling": {"onboard", "network"}}
"""The one exception DESIGN.md §2 makes: scheduling uses onboard and network results."""


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "workbench" else None


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    if level == 0:
        return name or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _imports(path: Path) -> list[tuple[str, int, bool]]:
    """(imported module, line, inside a function) for every import in the file; for
    ``from package import name`` the target is ``package.name`` when that is a module."""
    module = _module_name(path)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                      ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                target = _resolve(module, is_package, child.level, child.module)
                for alias in child.names:
                    sub = f"{target}.{alias.name}"
                    is_module = (PACKAGE.parent / Path(*sub.split("."))).with_suffix(
                        ".py").exists() or (PACKAGE.parent / Path(*sub.split("."))).is_dir()
                    found.append((sub if is_module else target, child.lineno, in_function))
            elif (isinstance(child, ast.Call) and getattr(child.func, "attr", getattr(
                    child.func, "id", None)) == "import_module" and child.args
                    and isinstance(child.args[0], ast.Constant)
                    and str(child.args[0].value).startswith("workbench")):
                found.append((str(child.args[0].value), child.lineno, in_function))
            visit(child, inner)

    visit(tree, False)
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_locale_imports_nothing_from_workbench():
    """The catalogs sit under every layer: model errors and every UI use them."""
    for path in sorted((PACKAGE / "locale").rglob("*.py")):
        outside = [t for t, _, _ in _imports(path)
                   if t.startswith("workbench") and not t.startswith("workbench.locale")]
        assert not outside, f"{path.name} imports {outside}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_imports_follow_the_layer_table(path):
    module = _module_name(path)
    layer = _layer_of(module)
    if layer is None:  # workbench/__init__.py: the lazy facade over every layer
        return
    assert layer in LAYERS, f"{module}: add its layer to LAYERS in tests/test_layers.py"
    wrong = []
    for target, line, in_function in _imports(path):
        target_layer = _layer_of(target)
        if target_layer is None and target != "workbench":
            top = target.split(".")[0]
            if layer in COMPUTING_LAYERS and top in DRAWING:
                wrong.append(f"line {line}: {module} ({layer}) imports {target}, a drawing "
                             "library: the computing layers stay UI-free")
            continue
        if target == "workbench" or target_layer not in LAYERS:
            continue
        if LAYERS[target_layer] <= LAYERS[layer]:
            continue
        wrong.append(f"line {line}: {module} ({layer}) imports {target} ({target_layer}), "
                     "a layer above it")
    assert not wrong, "\n".join(wrong)


def _wing(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "analyses" and parts[2] in WINGS else None


@pytest.mark.parametrize("path", [p for p in SOURCES if _wing(_module_name(p))],
                         ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_analysis_wings_import_nothing_from_one_another(path):
    module = _module_name(path)
    wing = _wing(module)
    allowed = WING_USES.get(wing, set())
    crossing = [f"line {line}: {module} ({wing}) imports {target}"
                for target, line, _ in _imports(path)
                if _wing(target) not in (None, wing) and _wing(target) not in allowed]
    assert not crossing, "\n".join(crossing)


def test_only_scheduling_uses_other_wings_and_only_their_public_modules():
    """``WING_USES`` is exactly scheduling → onboard/network, and what scheduling takes
    from them is their public face: functions exported by ``workbench.analyses`` (or the
    result types they return), never a private name."""
    import workbench.analyses as facade

    assert WING_USES == {"scheduling": {"onboard", "network"}}
    public = set(facade.__all__) | {"CapacityResult"}
    for path in sorted((PACKAGE / "analyses" / "scheduling").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level >= 2 and (
                    node.module.split(".")[0] in {"onboard", "network"}):
                names = {alias.name for alias in node.names}
                assert names <= public, f"{path.name} takes {names - public} from " \
                    f"{node.module}: only names workbench.analyses exports"


def _import_graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in SOURCES}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges = set()
        for target, _, _ in _imports(path):
            while target and target not in modules:  # ``from pkg import name`` → pkg
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith("workbench."):
                edges.add(target)
        graph[name] = edges
    return graph


def test_no_import_circle():
    """Every import, lazy ones included, forms a graph without cycles (the facades
    ``workbench`` and the layer packages' ``__init__`` load names lazily by string and are
    not edges)."""
    graph = _import_graph()
    import networkx as nx

    cycles = list(nx.simple_cycles(nx.DiGraph([(a, b) for a, targets in graph.items()
                                               for b in targets])))
    assert not cycles, "import circles:\n" + "\n".join(" → ".join([*c, c[0]])
                                                     for c in cycles[:10])


def test_the_scan_sees_lazy_imports():
    """The scan counts imports inside functions too: a known one in the CLI."""
    cli = PACKAGE / "cli.py"
    lazy = {t for t, _, inside in _imports(cli) if inside}
    assert any(t.startswith("workbench.scenarios") for t in lazy)


MODULES = [_module_name(p) for p in SOURCES if p.name != "__main__.py"]


@pytest.mark.slow
def test_every_module_imports_alone(run_python):
    """Each module imports in a fresh interpreter of its own, so none relies on another
    having been imported first (an order-dependent circle would fail here)."""
    source = f"""
import subprocess, sys
from concurrent.futures import ThreadPoolExecutor

def alone(name):
    proc = subprocess.run([sys.executable, "-c", f"import {{name}}"], capture_output=True,
                          text=True)
    return None if proc.returncode == 0 else name + ": " + proc.stderr.strip().splitlines()[-1]

with ThreadPoolExecutor(4) as pool:
    failed = [f for f in pool.map(alone, {MODULES!r}) if f]
print(repr(failed))
"""
    assert run_python(source, timeout_s=900).stdout.strip().splitlines()[-1] == "[]"


def _loaded_after(run_python, source: str, watch: tuple[str, ...]) -> list[str]:
    probe = (f"{source}\nimport json, sys\n"
             f"print(json.dumps(sorted(m for m in {list(watch)!r} if m in sys.modules)))")
    return json.loads(run_python(probe).stdout.strip().splitlines()[-1])


UI = ("ipywidgets", "panel", "plotly", "bokeh", "anywidget", "czml3")


def test_analyses_import_leaves_drawing_libraries_out(run_python):
    assert _loaded_after(run_python, "import workbench.analyses", UI) == []


def test_orbits_propagate_leaves_drawing_libraries_out(run_python):
    source = "import workbench.orbits\nworkbench.orbits.propagate"
    assert _loaded_after(run_python, source, UI) == []


def test_every_computing_module_leaves_drawing_libraries_out(run_python):
    source = """
import importlib, pkgutil, workbench
for sub in ("model", "orbits", "analyses"):
    package = importlib.import_module(f"workbench.{sub}")
    for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        importlib.import_module(info.name)
importlib.import_module("workbench.datasets")
"""
    assert _loaded_after(run_python, source, UI) == []


def test_bare_import_is_light(run_python):
    heavy = ("polars", "numpy", "skyfield", "pydantic", "scipy", *UI)
    assert _loaded_after(run_python, "import workbench", heavy) == []


def test_cli_help_is_light(run_python):
    source = "import workbench.cli\nworkbench.cli.build_parser()"
    assert _loaded_after(run_python, source, ("polars", "skyfield", "scipy", *UI)) == []


@pytest.mark.parametrize("package", ["workbench.orbits", "workbench.analyses"])
def test_exported_names_stay_functions_after_submodule_imports(run_python, package):
    """An exported name that is also a submodule's name (``orbits.propagate`` once,
    ``analyses.business``) must not turn into the module once that submodule is imported:
    the import system sets the package attribute to the submodule after loading it."""
    source = f"""
import importlib, pkgutil, types
package = importlib.import_module({package!r})
for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
    importlib.import_module(info.name)
print([n for n in package.__all__ if isinstance(getattr(package, n), types.ModuleType)])
"""
    assert run_python(source).stdout.strip() == "[]"
