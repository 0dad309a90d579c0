"""Tabs lead with the answer: key figures from the summary, titles in words, warnings as
a short note with the count."""
from __future__ import annotations

import warnings

import pytest

import workbench as wb
from workbench.widgets.headline import (
    chart_title,
    headline_figures,
    headline_html,
    warning_note,
)


@pytest.fixture(scope="module")
def short_scenario():
    return wb.load_scenario("beijing-etown-demo").replace(duration_s=2 * 3600.0)


def test_latency_headline_restates_the_summary(short_scenario):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", wb.analyses.UnreachableWarning)
        result = wb.analyses.latency(short_scenario)
    figures = dict((label, value) for label, value, _ in
                   headline_figures("latency", result.summary))
    assert figures["Round trip"] == f"{result.summary['rtt_ms_p50']:.1f} ms"
    # the share of rows with a route, recounted from the frame
    assert figures["Routes found"] == f"{result.rtt['is_reachable'].mean():.1%}"


def test_business_tab_leads_with_the_break_even_sentence(short_scenario):
    result = wb.analyses.business(short_scenario)
    figures = headline_figures("business", result.summary)
    assert [f[0] for f in figures][:2] == ["NPV", "Break-even price"]
    page = headline_html(figures, sentence=result.summary["headline"])
    assert "Break-even at" in page and "USD/TOPS-h" in page


@pytest.mark.parametrize("analysis", ["capacity", "business"])
def test_every_chart_title_is_in_words(short_scenario, analysis):
    result = getattr(wb.analyses, analysis)(short_scenario)
    for key in wb.viz.figures(result):
        title = chart_title(key)
        assert "_" not in title and title[0].isupper() and " " in title, (key, title)


def test_unreachable_warning_becomes_a_short_note_with_the_count():
    message = ("21,080 of 51,876 (time, pair) rows have no route, in 26 pairs (only 40 of "
               "288 +Grid links …); e.g. A–B (1441/1441 steps).")
    note = warning_note("UnreachableWarning", message)
    assert "No route for 40.6% of time steps (21,080 of 51,876), in 26 site pairs." in note
    assert "isl_max_range_km" in note and "<details>" in note


def test_headline_text_is_escaped():
    page = headline_html([("<b>x</b>", "1 <i>m</i>", "r & d")])
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page and "r &amp; d" in page
