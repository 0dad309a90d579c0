"""Figures of the business analyses take frames and draw them; the analyses stay free of
plotly."""
from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
from test_business_cashflows import KWARGS, tiny_scenario

from workbench.analyses import business, monte_carlo, tornado
from workbench.viz import business as viz
from workbench.viz import figures


def test_business_figures_draw_the_frames():
    r = business(tiny_scenario(), **KWARGS)
    figs = figures(r)
    assert set(figs) == {"cash_flows", "value_chain", "space_vs_ground"}
    assert all(isinstance(f, go.Figure) for f in figs.values())
    cash = figs["cash_flows"]
    bars = {t.name: t for t in cash.data if t.type == "bar"}
    # the launch bar is year 0's launch cost in millions
    launch = r.cash_flows.filter(pl.col("line_item") == "launch", pl.col("year") == 0)
    assert bars["launch"].y[0] == launch["cash_usd"].item() / 1e6
    lines = [t for t in cash.data if t.type == "scatter"]
    assert [t.name for t in lines] == ["cumulative net", "cumulative discounted"]
    chain = figs["value_chain"]
    local = next(t for t in chain.data if t.name == "local cluster")
    assert abs(sum(local.x) * 1e6 - r.value_chain["local_cny"].sum()) < 0.01   # CNY default
    assert "local share" in chain.layout.title.text


def test_cash_flows_in_cny():
    r = business(tiny_scenario(), **KWARGS)
    fig = viz.cash_flow_figure(r.cash_flows, r.annual, currency="cny")
    assert fig.layout.yaxis.title.text == "million CNY"


def test_space_vs_ground_figure_marks_the_crossing():
    r = business(tiny_scenario(), **KWARGS).space_vs_ground
    fig = figures(r)["space_vs_ground"]
    assert {t.name for t in fig.data if t.type == "scatter"} == {"terrestrial", "orbital"}


def test_tornado_and_npv_distribution_figures():
    t = tornado(tiny_scenario(), **KWARGS)
    fig = viz.tornado_figure(t)
    assert len(fig.data) == 2 and list(fig.data[0].y) == t.sort("swing")["input"].to_list()
    mc = monte_carlo(tiny_scenario(), n_draws=200, seed=0, **KWARGS)
    hist = figures(mc)["npv_distribution"]
    assert len(hist.data[0].x) == 200
    assert "P(NPV > 0)" in hist.layout.title.text


def test_analyses_do_not_import_plotly(run_python):
    proc = run_python(
        "import sys\n"
        "import workbench as wb\n"
        "from workbench.analyses import business, monte_carlo, tornado, space_vs_ground\n"
        "import workbench.analyses.economics.case, workbench.analyses.economics.uncertainty\n"
        "assert callable(wb.analyses.business)\n"
        "bad = [m for m in ('plotly', 'ipywidgets', 'panel', 'bokeh') if m in sys.modules]\n"
        "print(bad)\n")
    assert proc.stdout.strip() == "[]"
