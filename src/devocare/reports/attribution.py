"""The compare report's attribution section: what makes each reform's paired difference from the baseline.

Every number comes from :func:`devocare.simulation.attribution.attribution_table` (Shapley values over the
mechanism groups, draw by draw) and every sentence from :func:`~devocare.simulation.attribution.describe`;
per reform, a chart of the contributions to money spent, the same numbers in a table, and a table of the
central contributions to the other headline measures.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from devocare import formatting, measures
from devocare.reports import charts
from devocare.reports.tables import esc, table
from devocare.simulation.attribution import STRUCTURE, Attribution, attribution_table, describe

#: The measure charted for each reform, with its contributions' P5–P95 and shares of variance.
CHART_MEASURE = "spent_gbp_bn"
#: Headline measures whose central contributions are tabulated beside it (``compare --attribute`` in JSON
#: or CSV gives every summary measure).
OTHER_MEASURES = ("unmet_need_gbp_bn", "admissions_per_1000", "deficit_support_gbp_bn")
TOTAL_LABEL = "Paired difference (total)"


def _shown(attr: Attribution, reform: str) -> list[str]:
    """The rows shown for a reform: the groups that act in it or in the baseline (the others contribute
    nothing by construction), then the budget holders' row."""
    acting = set(attr.acting[reform]) | set(attr.acting[attr.baseline])
    return [m.key for m in attr.mechanisms if m.key in acting] + [STRUCTURE]


def _sample(values: np.ndarray, draws: int) -> np.ndarray:
    return values[1:] if draws > 0 else values[:1]


def contribution_frame(attr: Attribution, reform: str, measure: str = CHART_MEASURE) -> pd.DataFrame:
    """One row per shown group, then the difference itself (``total``): label, central, P5, P50, P95 and
    share of variance (NaN without draws, and for the total row)."""
    t = attribution_table(attr)
    rows = t[(t["architecture"] == reform) & (t["measure"] == measure)].set_index("mechanism")
    parts = rows.loc[_shown(attr, reform)]
    frame = pd.DataFrame(
        {
            "label": parts["label"],
            "central": parts["contribution_central"],
            "p5": parts["contribution_p5"],
            "p50": parts["contribution_p50"],
            "p95": parts["contribution_p95"],
            "share_of_variance": parts["share_of_variance"],
            "total": False,
        }
    ).reset_index(drop=True)
    diff = attr.differences[reform][measure]
    sample = _sample(diff, attr.draws)
    total = {
        "label": TOTAL_LABEL,
        "central": float(diff[0]),
        "p5": float(np.percentile(sample, 5)),
        "p50": float(np.percentile(sample, 50)),
        "p95": float(np.percentile(sample, 95)),
        "share_of_variance": np.nan,
        "total": True,
    }
    frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
    numbers = ["central", "p5", "p50", "p95"]
    frame[numbers] = frame[numbers].mask(frame[numbers].abs() <= _noise(attr, measure), 0.0)
    if attr.draws == 0:  # no Monte Carlo draws: no spread to show
        frame[["p5", "p50", "p95"]] = np.nan
    return frame


def _noise(attr: Attribution, measure: str) -> float:
    """Differences this small beside the baseline's level are rounding, shown as zero (the sums of a
    reform's and the baseline's budgets differ in their last bits even where nothing differs)."""
    base = next((r for r in attr.results if r.architecture == attr.baseline), None)
    level = abs(float(base.summary_draws[measure][0])) if base is not None and measure in base.summary_draws else 0.0
    return 1e-9 * max(1.0, level)


def _unit_text(measure: str) -> str:
    unit = measures.unit_label(measure)
    return f" ({unit})" if unit.startswith("£") else ""  # other units are in the label (per 1,000 people)


def _captioned(html: str, caption: str) -> str:
    """A table with its caption (what the table is, for a screen reader's list of tables)."""
    return html.replace(">", f"><caption>{esc(caption)}</caption>", 1)


def _numbers_table(frame: pd.DataFrame, measure: str, draws: int) -> pd.DataFrame:
    unit = formatting.guess_unit(measure)
    out = pd.DataFrame({"mechanism group": frame["label"], "central run": frame["central"]})
    if draws > 0:
        for column, name in (("p5", "P5"), ("p50", "P50"), ("p95", "P95")):
            out[name] = frame[column]
        out["share of variance"] = [formatting.percent(v) if v == v else "–" for v in frame["share_of_variance"]]
    for column in ("central run", "P5", "P50", "P95"):
        if column in out:
            out[column] = [formatting.by_unit(v, unit) for v in out[column]]
    return out


def _other_measures_table(attr: Attribution, reform: str) -> pd.DataFrame:
    shown = _shown(attr, reform)
    t = attribution_table(attr)
    rows = t[(t["architecture"] == reform)]
    labels = dict(zip(rows["mechanism"], rows["label"], strict=False))
    out = pd.DataFrame({"mechanism group": [labels[k] for k in shown] + [TOTAL_LABEL]})
    for measure in OTHER_MEASURES:
        if measure not in attr.contributions[reform]:
            continue
        unit = formatting.guess_unit(measure)
        parts = attr.contributions[reform][measure]
        values = [float(parts[k][0]) for k in shown] + [float(attr.differences[reform][measure][0])]
        values = [0.0 if abs(v) <= _noise(attr, measure) else v for v in values]
        out[measures.label(measure) + _unit_text(measure)] = [formatting.by_unit(v, unit) for v in values]
    return out


def attribution_html(attr: Attribution, figure: Callable[[go.Figure], str]) -> str:
    """The section's HTML: an introduction, then per reform a sentence, a chart and its table of the
    contributions to money spent, and a table of the central contributions to the other headline measures;
    ``figure`` turns a chart into HTML (the report's, which includes plotly.js once)."""
    table_all = attribution_table(attr)
    spread = (
        f"the line over each bar runs from the 5th to the 95th percentile of that contribution over the "
        f"{attr.draws} Monte Carlo draws (percentiles do not add up; the central values do), and the share of "
        "variance is how much of the difference's spread over the draws moves with that group (the shares add "
        "up to 100%; a negative share damps the spread)"
        if attr.draws > 0
        else "the run has no Monte Carlo draws, so no spread is shown"
    )
    html = [
        f"<p>Each reform's paired difference from {esc(attr.baseline)} (same seed: common random numbers), "
        "split exactly over the mechanism groups: a group's contribution is its Shapley value, its effect "
        "averaged over every order in which the groups could be switched on, so in every draw the "
        "contributions add up to the difference. The last group is what differs with every mechanism "
        f"switched off: who holds which budget. Bars show the central run; {spread}. Groups that cannot act "
        f"in either architecture contribute nothing and are left out. {attr.runs} simulations.</p>"
    ]
    name = measures.label(CHART_MEASURE)
    for reform in attr.contributions:
        frame = contribution_frame(attr, reform)
        title = f"{reform} minus {attr.baseline}"
        html.append(f"<h3>{esc(title)}</h3>")
        html.append(f"<p>{esc(describe(table_all, reform, CHART_MEASURE))}</p>")
        chart = figure(
            charts.contributions(
                frame, f"What makes the difference in {name.lower()}: {title}", measures.unit_label(CHART_MEASURE)
            )
        )
        numbers = _captioned(
            table(_numbers_table(frame, CHART_MEASURE, attr.draws)),
            f"Contributions to the difference in {name.lower()}{_unit_text(CHART_MEASURE)}, {title}",
        )
        html.append(f'<div class="attribution">{chart}{numbers}</div>')
        others = _other_measures_table(attr, reform)
        if len(others.columns) > 1:
            html.append(
                _captioned(
                    table(others), f"Central run: contributions to the differences in other headline measures, {title}"
                )
            )
    return "\n".join(html)
