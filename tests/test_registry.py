"""The analysis registry (workbench/analyses/registry.py): specs from the
``workbench.analyses`` entry points, in run order; ``run`` passes earlier results, options
and the shared geometry by the contract ``f(scenario, *, options=None, geometry=None,
progress=None, **inputs)``; ``workbench analyse`` writes a result's frames and summary
atomically."""
from __future__ import annotations

import inspect
import json

import polars as pl
import pytest

from workbench.analyses import registry
from workbench.analyses.registry import AnalysisSpec, UnknownAnalysisError
from workbench.cli import main

SPY = '''
from pydantic import BaseModel, ConfigDict, Field

class SpyOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    gain_frac: float = Field(0.5, ge=0.0, le=1.0)

class Result:
    def __init__(self, kwargs):
        self.kwargs = kwargs
        self.frames = {}
        self.summary = {}

def spy(scenario, *, options=None, geometry=None, progress=None, **inputs):
    return Result({"options": options, "geometry": geometry, "progress": progress, **inputs})
'''


@pytest.fixture
def spy_module(tmp_path, monkeypatch):
    (tmp_path / "wbtest_spy.py").write_text(SPY, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import importlib

    yield importlib.import_module("wbtest_spy")
    import sys

    sys.modules.pop("wbtest_spy", None)


def test_built_ins_are_listed_in_run_order():
    names = registry.names()
    assert names[:5] == ["capacity", "latency", "placement", "event_to_insight", "business"]
    assert names.index("capacity") < names.index("business")
    assert registry.analysis("business").inputs == ("capacity",)
    assert [s.name for s in registry.requirements("business")] == ["capacity", "business"]
    assert [s.name for s in registry.requirements("latency")] == ["latency"]


def test_unknown_analysis_lists_the_known_names():
    with pytest.raises(UnknownAnalysisError) as info:
        registry.analysis("capacty")
    message = str(info.value)
    assert "'capacty'" in message
    for name in ("capacity", "latency", "business", "park_supply"):
        assert name in message


def test_spec_fields_are_checked():
    with pytest.raises(ValueError, match="identifier"):
        AnalysisSpec("two words", "X", "m:f")
    with pytest.raises(ValueError, match="module:attribute"):
        AnalysisSpec("x", "X", "no_colon")
    with pytest.raises(ValueError, match="itself"):
        AnalysisSpec("x", "X", "m:f", inputs=("x",))
    with pytest.raises(ValueError, match="tuple of analysis names"):
        AnalysisSpec("x", "X", "m:f", inputs="capacity")  # type: ignore[arg-type]


def test_inputs_run_first_even_when_ordered_later():
    late = AnalysisSpec("a_first_by_name", "A", "m:f", inputs=("z_last",), order=1)
    early = AnalysisSpec("z_last", "Z", "m:f", order=99)
    assert [s.name for s in registry._sorted([late, early])] == ["z_last", "a_first_by_name"]
    loop = [AnalysisSpec("p", "P", "m:f", inputs=("q",)),
            AnalysisSpec("q", "Q", "m:f", inputs=("p",))]
    with pytest.raises(ValueError, match="circle"):
        registry._sorted(loop)


def test_run_passes_inputs_options_geometry_and_progress(spy_module, small_scenario):
    spec = AnalysisSpec("spy", "Spy", "wbtest_spy:spy", options="wbtest_spy:SpyOptions",
                        inputs=("capacity", "latency"))
    geometry, progress = object(), (lambda f, m: None)
    result = registry.run(spec, small_scenario, results={
        "capacity": "the capacity result", "latency": RuntimeError("latency failed")},
        options={"gain_frac": 0.25}, geometry=geometry, progress=progress)
    kwargs = result.kwargs
    assert kwargs["capacity"] == "the capacity result"
    assert "latency" not in kwargs  # a failed input is left out, not passed as an error
    assert kwargs["options"] == spy_module.SpyOptions(gain_frac=0.25)
    assert kwargs["geometry"] is geometry and kwargs["progress"] is progress
    bare = registry.run(spec, small_scenario).kwargs
    assert bare == {"options": None, "geometry": None, "progress": None}


def test_options_are_validated_by_the_spec_model(spy_module, small_scenario):
    from pydantic import ValidationError

    spec = AnalysisSpec("spy", "Spy", "wbtest_spy:spy", options="wbtest_spy:SpyOptions")
    with pytest.raises(ValidationError, match="gain_frac"):
        registry.run(spec, small_scenario, options={"gain_frac": 2.0})
    no_options = AnalysisSpec("spy", "Spy", "wbtest_spy:spy")
    with pytest.raises(ValueError, match="takes no options"):
        registry.run(no_options, small_scenario, options={"gain_frac": 0.1})


def test_a_missing_target_is_an_import_error_naming_it():
    spec = AnalysisSpec("gone", "Gone", "workbench.analyses:not_an_analysis")
    with pytest.raises(ImportError, match="not_an_analysis"):
        spec.function()


def test_every_options_model_path_resolves():
    for spec in registry.analyses():
        model = spec.options_model()
        assert model is None or hasattr(model, "model_validate"), spec.name


@pytest.mark.parametrize("spec", registry.analyses(), ids=lambda s: s.name)
def test_every_registered_analysis_follows_the_contract(spec):
    """``f(scenario, *, options=None, geometry=None, progress=None, **inputs)``."""
    parameters = inspect.signature(spec.function()).parameters
    first = next(iter(parameters.values()))
    assert first.kind in (first.POSITIONAL_ONLY, first.POSITIONAL_OR_KEYWORD)
    for keyword in ("options", "geometry", "progress", *spec.inputs):
        assert keyword in parameters or any(
            p.kind is p.VAR_KEYWORD for p in parameters.values()), (spec.name, keyword)
        if keyword in parameters:
            assert parameters[keyword].default is None, (spec.name, keyword)
            assert parameters[keyword].kind in (parameters[keyword].KEYWORD_ONLY,
                                                parameters[keyword].POSITIONAL_OR_KEYWORD)


def test_analyse_writes_each_frame_and_the_summary(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["analyse", "business", "-o", str(out), "--hours", "1", "-q"]) == 0
    stdout = capsys.readouterr().out
    assert "capacity → business" in stdout
    results = registry.run_with_inputs("business", _demo(hours=1))
    for name in ("capacity", "business"):
        frames = registry.result_frames(results[name])
        assert frames, name
        assert sorted(p.stem for p in (out / name).glob("*.parquet")) == sorted(frames)
        for frame_name, frame in frames.items():
            written = pl.read_parquet(out / name / f"{frame_name}.parquet")
            assert written.schema == frame.schema and written.height == frame.height
        summary = json.loads((out / name / "summary.json").read_text(encoding="utf-8"))
        assert set(summary) == set(registry.result_summary(results[name]))
    business = json.loads((out / "business" / "summary.json").read_text(encoding="utf-8"))
    assert business["npv_usd"] == pytest.approx(
        registry.result_summary(results["business"])["npv_usd"])
    assert (out / "scenario.yaml").is_file()


def _demo(*, hours: float):
    import workbench as wb

    return wb.load_scenario("beijing-etown-demo").replace(duration_s=hours * 3600.0)


def test_analyse_is_atomic_and_keeps_a_non_empty_directory(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    assert main(["analyse", "park_supply", "etown-park-constellation", "-o", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert main(["analyse", "park_supply", "etown-park-constellation", "-o", str(out),
                 "--force", "-q"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["park_supply", "scenario.yaml"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging dirs left


def test_analyse_unknown_name_exits_2_listing_names(tmp_path, capsys):
    assert main(["analyse", "capacty", "-o", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "'capacty'" in err and "capacity" in err
    assert not (tmp_path / "x").exists()
