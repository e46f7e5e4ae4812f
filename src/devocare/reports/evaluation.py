"""The report's evaluation section: did Greater Manchester's devolution change outcomes?

Runs :func:`devocare.outcomes.evaluate` on the default design (deal date, donors without London or other
deal areas, post-period to 2019) and shows the verdict, every method's estimate and interval, the robustness
table and its chart. Nothing is typed in: every number comes from the run.
"""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go

from devocare.reports.tables import esc as _esc
from devocare.reports.tables import table as _table

__all__ = ["evaluation_html", "AREA", "INDICATOR"]

AREA = "E47000001"  # Greater Manchester: the deal the published evaluations study
INDICATOR = "u75_preventable_cvd_mortality"  # the longest shipped series (2001-03 on)


def evaluation_html(figure: Callable[[go.Figure], str]) -> str:
    """HTML for the section; ``figure`` renders a plotly figure inline (the report's Context.figure)."""
    from devocare.outcomes import charts, evaluate

    r = evaluate(AREA, None, INDICATOR, robust_indicators=())
    level = int(round(100 * r["level"]))
    design = (
        f"{r['area_name']}, {r['title'].lower()} ({r['unit']}); treated from {r['start']} "
        f"({r['start_event']} {r['start_date']}); post-period to {r['end']}; donor pool "
        f"'{r['pool']}' ({r['n_donors']} {r['unit_level']} areas); {r['n_pre']} pre-periods, "
        f"{r['n_post']} post-periods."
    )
    methods = r["methods"][["method", "estimate", "lower", "upper", "p_value", "pre_rmspe", "inference"]]
    methods = methods.rename(
        columns={"lower": f"{level}% lower", "upper": f"{level}% upper", "pre_rmspe": "pre-period RMSPE"}
    )
    robust = r["robustness"][["check", "variant", "method", "estimate", "lower", "upper", "pre_rmspe", "note"]]
    weights = r["weights"].head(8)
    caveats = "".join(f"<li>{_esc(c)}</li>" for c in r["caveats"])
    return (
        f"<p><strong>Verdict:</strong> {_esc(r['verdict'])}</p>"
        f"<p>{_esc(design)}</p>"
        f"<h3>Methods side by side</h3>{_table(methods)}"
        f"<h3>Synthetic-control donors</h3>{_table(weights)}"
        f"<h3>Robustness</h3>{_table(robust)}{figure(charts.robustness_figure(r))}"
        f"<ul>{caveats}</ul>"
        "<p>The published Greater Manchester evaluations, and how these numbers stand beside them, are "
        "compared in the documentation (background: evaluation of devolution).</p>"
    )
