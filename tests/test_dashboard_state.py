"""Dashboard sessions without a browser: state per session, only stale analyses rerun,
one propagation per (constellation, grid), downloads, compare and story mode."""
from __future__ import annotations

import io
import zipfile

import polars as pl
import pytest

from workbench.model import CameraView, Story, StoryStep

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture
def story_scenario(small_scenario):
    story = Story(title_en="Tour", title_zh="导览", steps=(
        StoryStep(caption_en="Start", caption_zh="开始", tab="capacity",
                  camera=CameraView(lon_deg=116.5, lat_deg=39.8, height_km=9000.0)),
        StoryStep(caption_en="Links", caption_zh="链路", tab="latency", time_index=5,
                  highlight_sats=(0, 2), route=("Beijing", "Kashi")),
        StoryStep(caption_en="Money", tab="business"),
    ))
    return small_scenario.replace(story=story.model_dump())


@pytest.fixture
def dashboard(story_scenario):
    from workbench.dashboard.app import Dashboard

    board = Dashboard(story_scenario, globe_quality="cheap")
    assert board.recomputer.wait_idle(120)
    yield board
    board.close()


def _ran(board, edit):
    before = list(board.timeline)
    edit()
    assert board.recomputer.wait_idle(120)
    return [name for _t, name in board.timeline[len(before):] if name not in ("submit", "idle")]


def test_first_run_shows_every_analysis(dashboard):
    names = [spec.name for spec in dashboard.analyses]
    assert set(dashboard.outcomes) == set(names)
    # the fixture has no EventResponse application: that tab says so, the rest run
    assert [n for n, o in dashboard.outcomes.items() if o.failed] == ["event_to_insight"]
    assert "EventResponse" in dashboard._panes["event_to_insight"]["notes"].object
    assert "wb-key-figure" in dashboard._panes["business"]["headline"].object
    assert dashboard._panes["business"]["figures"].objects  # the plotly charts
    assert dashboard.globe.n_sats == 6 and dashboard.globe.czml  # orbits and sites
    assert dashboard.globe.epoch_utc.startswith("2026-03-20T00:00:00")  # the scenario's clock


def test_economics_edit_reruns_only_what_reads_economics(dashboard):
    from workbench.dashboard.recompute import inputs_key

    n = dashboard.recomputer.geometry.n_propagations
    form = dashboard.model_forms["economics"]
    ran = _ran(dashboard, lambda: setattr(form.params, "compute_price_usd_per_tops_hour", 3.0))
    readers = {s.name for s in dashboard.analyses
               if any(k == "economics" for k, _v in inputs_key(s, dashboard.scenario))}
    assert "business" in ran and set(ran) == readers
    assert not {"capacity", "latency", "placement", "event_to_insight"} & set(ran)
    assert dashboard.recomputer.geometry.n_propagations == n  # no second propagation
    assert dashboard.scenario.economics.compute_price_usd_per_tops_hour == 3.0


def test_business_options_edit_reruns_only_business_readers(dashboard):
    form = dashboard.option_forms["business"]
    ran = _ran(dashboard, lambda: setattr(form.params, "ramp_years", 2.0))
    assert "business" in ran and "capacity" not in ran and "latency" not in ran


def test_orbit_edit_propagates_again_and_reruns_everything(dashboard):
    n = dashboard.recomputer.geometry.n_propagations
    ran = _ran(dashboard, lambda: setattr(dashboard.shell_forms[0].params, "altitude_km",
                                          700.0))
    assert set(ran) == {s.name for s in dashboard.analyses}
    assert dashboard.recomputer.geometry.n_propagations == n + 1
    assert dashboard.scenario.constellation.shells[0].altitude_km == 700.0


def test_name_edit_reruns_nothing(dashboard):
    ran = _ran(dashboard, lambda: setattr(dashboard.basics.params, "name_", "renamed"))
    assert ran == [] and dashboard.scenario.name == "renamed"


def test_invalid_edit_keeps_the_last_valid_scenario(dashboard):
    before = dashboard.scenario
    dashboard.basics.params.step_s = 0.5  # 3600 s at 0.5 s is fine; 0 is not
    dashboard.basics.params.step_s = -1.0
    assert dashboard.basics.error and dashboard.scenario.step_s == 0.5
    assert before.constellation == dashboard.scenario.constellation


def test_sessions_share_no_state(story_scenario):
    import panel as pn

    from workbench.dashboard.app import Dashboard

    cache_before = dict(pn.state.cache)
    a = Dashboard(story_scenario, globe_quality="cheap", autostart=False)
    b = Dashboard(story_scenario, globe_quality="cheap", autostart=False)
    try:
        a.model_forms["economics"].params.utilisation_frac = 0.2
        assert a.scenario.economics.utilisation_frac == 0.2
        assert b.scenario.economics.utilisation_frac == story_scenario.economics.utilisation_frac
        assert a.globe is not b.globe and a.recomputer is not b.recomputer
        assert a.recomputer.geometry is not b.recomputer.geometry
        assert a.model_forms["economics"].params is not b.model_forms["economics"].params
        assert dict(pn.state.cache) == cache_before  # nothing per user in the shared cache
    finally:
        a.close()
        b.close()


def test_downloads(dashboard):
    from workbench.scenarios import load_scenario

    text = dashboard._scenario_bytes().getvalue().decode()
    assert load_scenario(text) == dashboard.scenario
    for fmt in ("parquet", "csv"):
        from workbench.dashboard import files

        data = files.results_zip(dashboard.results, fmt=fmt)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            assert f"business/annual.{fmt}" in names and f"latency/rtt.{fmt}" in names
            raw = archive.read(f"business/annual.{fmt}")
        frame = (pl.read_parquet(io.BytesIO(raw)) if fmt == "parquet"
                 else pl.read_csv(io.BytesIO(raw)))
        expected = dashboard.results["business"].frames["annual"]
        assert frame.height == expected.height
        assert frame["net_usd"].to_list() == pytest.approx(expected["net_usd"].to_list())


def test_save_writes_atomically(story_scenario, tmp_path):
    from workbench.dashboard.app import Dashboard
    from workbench.scenarios import load_scenario

    path = tmp_path / "mine.yaml"
    path.write_text(story_scenario.to_yaml(), encoding="utf-8")
    board = Dashboard(story_scenario, save_path=path, autostart=False)
    try:
        board.basics.params.description = "edited"
        board.save()
        assert load_scenario(path).description == "edited"
        assert [p.name for p in tmp_path.iterdir()] == ["mine.yaml"]  # no temporary left
    finally:
        board.close()


def test_upload_opens_a_scenario_and_bad_files_show_an_error(dashboard, story_scenario):
    other = story_scenario.replace(name="uploaded", duration_s=1800.0)
    dashboard.upload.value = other.to_yaml().encode()
    assert dashboard.scenario == other and dashboard.basics.value.name == "uploaded"
    dashboard.upload.value = b"name: [unclosed"
    assert dashboard.scenario == other and "wb-form-error" in dashboard.scenario_error.object


def test_language_switch_keeps_the_scenario(dashboard):
    dashboard.model_forms["economics"].params.utilisation_frac = 0.4
    dashboard.set_language("zh")
    assert dashboard.scenario.economics.utilisation_frac == 0.4
    assert dashboard.model_forms["economics"].widgets["utilisation_frac"].name == "利用率"
    assert dict(dashboard.tabs.objects and [(t, t) for t in dashboard.tabs._names])["容量"]
    assert "在轨算力" in dashboard._panes["capacity"]["headline"].object


def test_story_steps_drive_globe_and_tabs(dashboard):
    story = dashboard.story
    story.step(1)
    assert story.index == 0 and dashboard.globe.camera["height_km"] == 9000.0
    assert dashboard.tabs.active == 0 and story.keys.caption == "Start"
    story.step(1)
    assert story.index == 1 and dashboard.tabs.active == 1
    assert dashboard.globe.time_index == 5 and not dashboard.globe.playing
    rgba = dashboard.globe.sat_rgba
    assert rgba[0 * 4:0 * 4 + 4] == bytes((255, 64, 64, 255)) and rgba[1 * 4 + 3] < 255
    story.step(1)
    story.step(1)  # clamped at the last step
    assert story.index == 2 and story.keys.counter == "3 / 3"
    dashboard.set_language("zh")
    assert story.keys.caption == "Money"  # no Chinese caption: the English one
    story.step(-1)
    assert story.keys.caption == "链路"


def test_compare_two_alternatives(dashboard):
    compare = dashboard.compare
    compare.add_current("baseline")
    dashboard.model_forms["economics"].params.compute_price_usd_per_tops_hour = 5.0
    assert dashboard.recomputer.wait_idle(120)
    compare.add_current("pricier")
    assert [a.ready for a in compare.alternatives] == [True, True]
    html = compare.table.object
    assert "baseline" in html and "pricier" in html and "NPV" in html
    assert [t.name for t in compare.cash.object.data] == ["baseline", "pricier"]
    reachable = [a.name for a in compare.alternatives
                 if a.results["latency"].frames["rtt"]["rtt_ms"].drop_nulls().len()]
    assert [t.name for t in compare.rtt.object.data] == reachable
    for _ in range(3):
        compare.add_current("more")
    assert len(compare.alternatives) == 4  # at most four


def test_story_round_trips_in_yaml(story_scenario):
    from workbench.scenarios import load_scenario

    assert load_scenario(story_scenario.to_yaml()) == story_scenario
    assert "story:" not in story_scenario.replace(story=None).to_yaml()


def test_default_scenario_ships_a_story():
    from workbench.scenarios import load_scenario

    scenario = load_scenario("beijing-etown-demo")
    assert len(scenario.story.steps) >= 5
    assert all(s.caption_en and s.caption_zh for s in scenario.story.steps)
    names = {"capacity", "latency", "placement", "event_to_insight", "business"}
    assert {s.tab for s in scenario.story.steps} <= names
    sites = {site.name for site in scenario.ground.sites}
    assert all(set(s.route) <= sites for s in scenario.story.steps if s.route)


def test_result_tables_fold_under_escaped_names():
    """The tables of a tab are one HTML pane of closed ``<details>``, names escaped (a new
    collapsed card per table per edit made the browser replot every chart twice)."""
    import polars as pl

    from workbench.dashboard.panes import tables_html

    text = tables_html({"<b>sites</b>": pl.DataFrame({"x": [1, 2]}), "links": pl.DataFrame()})
    assert text.count("<details") == 2 and "<details open" not in text
    assert "&lt;b&gt;sites&lt;/b&gt;" in text and "<b>" not in text


def test_figures_speak_the_session_language_and_switch_back(dashboard):
    """The charts of a Chinese session have Chinese titles (issue 14: every figure title in
    both languages); the English originals stay, so switching back shows English again."""
    def titles():
        return {name: [p.object.layout.title.text for p in panes["plots"].values()]
                for name, panes in dashboard._panes.items() if panes["plots"]}

    english = titles()
    assert "Where jobs ran" in english["scheduling"]
    dashboard.set_language("zh")
    chinese = titles()
    assert "作业运行位置" in chinese["scheduling"]
    assert any(t.startswith("覆盖时间占比") for t in chinese["coverage"])
    untranslated = [t for ts in chinese.values() for t in ts
                    if t and not any("\u4e00" <= c <= "\u9fff" for c in t)]
    assert untranslated == []
    dashboard.set_language("en")
    assert titles() == english


def test_every_built_in_tab_has_a_labelled_headline_and_plugins_get_readable_names():
    """A Chinese audience saw ``n_jobs`` and ``n_dropped`` above the scheduling charts: each
    registered built-in analysis now has curated key figures, and a plugin's summary names
    are made readable with their unit read from the suffix."""
    from workbench.analyses import registry
    from workbench.dashboard.headline import KEY_FIGURES, key_figures

    built_in = [s.name for s in registry.analyses() if s.name != "park_supply"]
    assert [n for n in built_in if n not in KEY_FIGURES] == []
    figures = key_figures("a_plugin", {"n_sats": 256, "in_park_share_frac": 0.25,
                                       "fleet_bom_usd": 2.0e9})
    assert [(f.label, f.text) for f in figures] == [
        ("Number of sats", "256"), ("In park share", "25 %"),
        ("Fleet bom", "2,000,000,000 USD")]


def test_globe_legend_speaks_the_session_language(dashboard):
    def legends():
        return sorted({p["properties"]["legend"] for p in dashboard.globe.czml
                       if "properties" in p and "legend" in p["properties"]})

    assert any(t.startswith("gateway · mask") for t in legends())
    dashboard.set_language("zh")
    assert any(t.startswith("信关站 · 仰角门限") for t in legends())
    dashboard.set_language("en")
    assert any(t.startswith("gateway · mask") for t in legends())


def test_progress_messages_coalesce_while_one_is_queued(dashboard, monkeypatch):
    """Served, each progress message used to queue its own redraw (and a walk of the whole
    page's models) ahead of the results; now only the latest waits to be drawn."""
    queued = []

    class Doc:
        def add_next_tick_callback(self, callback):
            queued.append(callback)

    monkeypatch.setattr(dashboard, "_doc", Doc())
    monkeypatch.setattr(dashboard, "_held", lambda callback, freeze=True: callback())
    for i in range(5):
        dashboard._progress_ready(i / 4, f"Capacity: step {i}")
    assert len(queued) == 1
    queued.pop()()
    assert dashboard.progress.value == 100 and "step 4" in dashboard.status.object
    dashboard._progress_ready(0.5, "Latency: pairs")  # nothing queued now: draws again
    assert len(queued) == 1
