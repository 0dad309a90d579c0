"""What an analysis tab shows first: a row of key figures, chart titles in words, and
warnings as a short note that says how many and what to do.

Built from ``result.summary`` (a flat dict of numbers and text); every text is escaped.
"""
from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

Figure = tuple[str, str, str]
"""(label, value with its unit, one-line reason)."""

CHART_TITLES: dict[str, str] = {
    "power": "Power generated and used per orbit",
    "constellation": "Constellation compute at a glance",
    "duty": "Compute duty cycle by satellite",
    "in_view": "Compute in view of each site over time",
    "in_view_stats": "Compute in view of each site (median and spread)",
    "thermal": "Heat to reject against radiator capacity",
    "data_backlog": "Onboard data backlog over time",
    "data_summary": "Data delivered: bent pipe against processing in orbit",
    "radiation": "Radiation dose and useful life",
    "cash_flows": "Cash flows by year and line item",
    "value_chain": "Where the money goes: the value chain",
    "space_vs_ground": "Space against a ground data centre",
    "placement": "Where to compute: RTT by placement",
    "insight_cdf": "Time from event to insight",
    "npv_distribution": "Distribution of the NPV",
}
"""Titles in words for the keys of ``workbench.viz.figures(result)``."""


def chart_title(key: Any) -> str:
    """A chart title in words for a figure key: the table's, else the key as a sentence
    (``"data_backlog"`` → ``"Data backlog"``); titles already in words stay."""
    text = str(key)
    if text in CHART_TITLES:
        return CHART_TITLES[text]
    if "_" in text or text.islower():
        words = text.replace("_", " ").strip()
        return words[:1].upper() + words[1:]
    return text


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _money(value: float) -> str:
    if abs(value) >= 1e9:
        return f"{value / 1e9:,.2f} B USD"
    return f"{value / 1e6:,.1f} M USD"


def _capacity(s: Mapping[str, Any]) -> list[Figure]:
    out = []
    if (v := _num(s.get("effective_tops_total_mean"))) is not None:
        total = _num(s.get("total_compute_tops")) or _num(s.get("peak_tops_total")) or v
        basis = str(s.get("total_compute_basis", "sum of peaks"))
        out.append(("Compute in orbit", f"{v:,.0f} TOPS",
                    f"{v / total:.0%} of the {total:,.0f} TOPS ({basis}) after power and heat "
                    "limits" if total else "effective INT8 TOPS, whole constellation"))
    if (v := _num(s.get("duty_mean_frac"))) is not None:
        limit = str(s.get("limiting_factor", "none"))
        out.append(("Duty cycle", f"{v:.0%}", "nothing limits the compute" if limit == "none"
                    else f"limited by {limit}"))
    if (v := _num(s.get("sunlit_frac_mean"))) is not None:
        eclipse = _num(s.get("eclipse_min_per_orbit_mean"))
        out.append(("In sunlight", f"{v:.0%}", f"{eclipse:.0f} min of eclipse per orbit"
                    if eclipse is not None else "share of the time"))
    if (v := _num(s.get("useful_life_years_median"))) is not None:
        rad = _num(s.get("radiation_life_years_min"))
        out.append(("Useful life", f"{v:.1f} years", f"radiation allows {rad:.1f} years at "
                    "worst" if rad is not None else "design life"))
    return out


def _latency(s: Mapping[str, Any]) -> list[Figure]:
    out = []
    if (v := _num(s.get("rtt_ms_p50"))) is not None:
        p95 = _num(s.get("rtt_ms_p95"))
        out.append(("Round trip", f"{v:.1f} ms", f"median over pairs and time; 95 % under "
                    f"{p95:.1f} ms" if p95 is not None else "median over pairs and time"))
    if (v := _num(s.get("reachable_frac"))) is not None:
        always = _num(s.get("pairs_always_reachable_frac"))
        out.append(("Routes found", f"{v:.1%}", f"of (time, pair) rows; {always:.0%} of pairs never "
                    "lose their route" if always is not None else "of time steps"))
    if (v := _num(s.get("faster_than_fibre_frac"))) is not None:
        fibre = _num(s.get("fibre_rtt_ms_p50"))
        out.append(("Beats fibre", f"{v:.0%} of pairs", f"fibre median {fibre:.1f} ms"
                    if fibre is not None else "median RTT below the fibre route"))
    if (v := _num(s.get("n_path_changes_per_pair_hour"))) is not None:
        out.append(("Route changes", f"{v:.1f} per hour", "per site pair, as satellites move"))
    return out


def _business(s: Mapping[str, Any]) -> list[Figure]:
    out = []
    if (v := _num(s.get("npv_usd"))) is not None:
        rate = _num(s.get("discount_rate_frac"))
        out.append(("NPV", _money(v), f"at {rate:.0%} discount" if rate is not None
                    else "net present value"))
    if (v := _num(s.get("break_even_compute_price_usd_per_tops_hour"))) is not None:
        out.append(("Break-even price", f"{v:.4g} USD/TOPS-h", "compute price for NPV = 0"))
    if (v := _num(s.get("lcoc_usd_per_tops_hour"))) is not None:
        out.append(("Cost of compute", f"{v:.4g} USD/TOPS-h", "levelised over the programme"))
    if (v := _num(s.get("total_spend_usd"))) is not None:
        out.append(("Total spend", _money(v), f"{s.get('n_launches', 0):,.0f} launches, "
                    f"{s.get('n_satellites_built', 0):,.0f} satellites built"))
    return out


_BY_ANALYSIS: dict[str, Callable[[Mapping[str, Any]], list[Figure]]] = {
    "capacity": _capacity, "latency": _latency, "business": _business}
MAX_FIGURES = 4


def headline_figures(name: str, summary: Mapping[str, Any] | None) -> list[Figure]:
    """Up to four key figures of an analysis's summary: chosen ones for capacity, latency
    and business; for others, the first numeric entries with the unit their key states."""
    if not isinstance(summary, Mapping):
        return []
    chosen = _BY_ANALYSIS.get(name)
    if chosen is not None:
        return chosen(summary)[:MAX_FIGURES]
    from ..io.parquet import unit_of

    out = []
    for key, value in summary.items():
        number = _num(value) if not isinstance(value, bool) else None
        if number is None:
            continue
        unit = unit_of(str(key))
        shown = (f"{number:.0%}" if unit == "1" else
                 f"{number:,.4g}" + (f" {unit}" if unit else ""))
        out.append((chart_title(re.sub(r"_(frac|usd|ms|s|km|deg|w|kg)$", "", str(key))),
                    shown, ""))
        if len(out) == MAX_FIGURES:
            break
    return out


def headline_html(figures: Sequence[Figure], *, sentence: str = "") -> str:
    """A row of cards (value large, label and reason small) with an optional sentence
    above; wraps on narrow screens."""
    if not figures and not sentence:
        return ""
    cards = "".join(
        "<div class='wb-figure' style='flex:1 1 150px;min-width:140px;padding:6px 10px;"
        "border:1px solid #d0d7e2;border-radius:6px;background:#f7f9fc'>"
        f"<div style='font-size:11px;color:#556'>{html.escape(label)}</div>"
        f"<div style='font-size:19px;font-weight:600;color:#123'>{html.escape(value)}</div>"
        f"<div style='font-size:11px;color:#667;line-height:1.3'>{html.escape(reason)}</div>"
        "</div>" for label, value, reason in figures)
    lead = (f"<p class='wb-headline-sentence' style='margin:2px 0 6px;font-weight:600'>"
            f"{html.escape(sentence)}</p>" if sentence else "")
    return (f"<div class='wb-headline'>{lead}<div style='display:flex;flex-wrap:wrap;"
            f"gap:8px'>{cards}</div></div>")


_UNREACHABLE = re.compile(r"([\d,]+) of ([\d,]+) \(time, pair\) rows have no route, in "
                          r"([\d,]+) pairs")
_ADVICE = {
    "UnreachableWarning": "Longer laser links (isl_max_range_km), lower elevation masks or "
                          "more satellites close the gaps; result.unreachable lists them.",
}


def warning_note(category: str, message: str) -> str:
    """A short styled note for a warning: the count, what it means and what to do, with
    the full text behind a ``details`` toggle."""
    found = _UNREACHABLE.search(message)
    if category == "UnreachableWarning" and found:
        rows, total, pairs = found.groups()
        share = int(rows.replace(",", "")) / max(int(total.replace(",", "")), 1)
        short = (f"No route for {share:.1%} of time steps ({rows} of {total}), in {pairs} "
                 "site pairs.")
    else:
        first = message.split(";")[0].split(". ")[0]
        short = first if len(first) <= 160 else first[:157] + "…"
    advice = _ADVICE.get(category, "")
    return ("<div class='wb-note' style='border-left:4px solid #e0a100;background:#fff8e1;"
            "padding:4px 10px;margin:4px 0;font-size:12px'>"
            f"<b>{html.escape(short)}</b> {html.escape(advice)}"
            f"<details><summary style='cursor:pointer;color:#666'>details</summary>"
            f"<span style='color:#555'>{html.escape(message)}</span></details></div>")


__all__ = ["CHART_TITLES", "chart_title", "headline_figures", "headline_html",
           "warning_note"]
