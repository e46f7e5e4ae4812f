"""Every deal area at once: one evaluation per combined authority, and a pooled staggered-adoption estimate.

Pooled estimator: Callaway and Sant'Anna (2021), "Difference-in-differences with multiple time periods",
J. Econometrics 225: 200-230, in its simplest form — never-treated comparison group (areas with no deal
treated inside the window, London excluded), no covariates, a universal base period (the last period ending
before each area's start). For deal area g and period t: ATT(g, t) = (Y_g,t − Y_g,base) − mean over
comparison areas of (Y_c,t − Y_c,base). Each area's effect is the mean of its post-period ATT(g, t); the
pooled effect weights areas equally. Because areas treated at different times are never compared with each
other, the estimate avoids the "forbidden comparisons" of two-way fixed effects (Goodman-Bacon 2021).

Interval: randomisation inference in the spirit of Conley and Taber (2011). The deal areas' start dates are
given to randomly drawn comparison areas, the pooled estimate is recomputed against the remaining ones
(``draws`` times), and the interval is the estimate minus the quantiles of those placebo estimates.

Why not a library: ``differences`` (the Python Callaway–Sant'Anna package) brings statsmodels, formulaic,
polars and joblib into the environment for what is, with no covariates, a handful of group means; the
estimator here is checked against hand-computed 2×2 differences in tests/outcomes/test_staggered.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from devocare import geography
from devocare.errors import DevocareError
from devocare.outcomes import design as dsg
from devocare.outcomes import estimators
from devocare.outcomes.aggregate import aggregate
from devocare.outcomes.catalogue import indicator, load_indicator, published_levels
from devocare.outcomes.deals import EVENTS, deals, treated_from

__all__ = ["att_gt", "pooled", "randomisation_interval", "all_deals", "DRAWS"]

DRAWS = 999  # placebo assignments for the pooled interval


def att_gt(y_treated: np.ndarray, y_controls: np.ndarray, base: int) -> np.ndarray:
    """ATT(g, t) for every period t of one treated series against the comparison areas' mean."""
    change_t = y_treated - y_treated[base]
    change_c = (y_controls - y_controls[base]).mean(axis=1)
    return change_t - change_c


def _post_changes(y_controls: np.ndarray, base: int, post: np.ndarray) -> np.ndarray:
    """Each comparison area's mean post-period change from the base period (one value per area)."""
    return (y_controls[post] - y_controls[base]).mean(axis=0)


def pooled(effects: list[float]) -> float:
    """Equal-weight mean of the areas' effects."""
    return float(np.mean(effects))


def randomisation_interval(
    estimate: float,
    y_controls: np.ndarray,
    cohorts: list[tuple[int, np.ndarray]],
    level: float = 0.9,
    draws: int = DRAWS,
    seed: int = 20141103,
) -> dict[str, float]:
    """Placebo distribution of the pooled estimate: cohorts (base index, post mask) given to random controls."""
    n = y_controls.shape[1]
    k = len(cohorts)
    if n <= k + 1:
        raise DevocareError(f"only {n} comparison areas for {k} deal areas; cannot build a placebo distribution")
    rng = np.random.default_rng(seed)
    picks = np.argsort(rng.random((draws, n)), axis=1)[:, :k]  # k distinct controls per draw
    x = np.stack([_post_changes(y_controls, b, post) for b, post in cohorts])  # (k, n)
    totals = x.sum(axis=1)  # (k,)
    rows = np.arange(k)[None, :]
    drawn = x[rows, picks]  # (draws, k): the placebo area's change for its assigned cohort
    drawn_sum = np.stack([x[i][picks].sum(axis=1) for i in range(k)], axis=1)  # (draws, k)
    comparison = (totals[None, :] - drawn_sum) / (n - k)
    null = (drawn - comparison).mean(axis=1)
    alpha = 1 - level
    hi_q, lo_q = np.quantile(null, [1 - alpha / 2, alpha / 2])
    p = (1 + int(np.sum(np.abs(null) >= abs(estimate)))) / (draws + 1)
    return {
        "lower": float(estimate - hi_q),
        "upper": float(estimate - lo_q),
        "p_value": float(p),
        "level": level,
        "draws": draws,
    }


def _area_series(rows: pd.DataFrame, code: str, unit_level: str) -> pd.Series:
    area = geography.resolve(code)
    m = geography.membership(unit_level, area.level, area.vintage)
    inside = m[(m["to_code"] == area.code) & (m["share"] > 0)]["from_code"]
    agg = aggregate(rows[rows["code"].isin(inside)], unit_level, area.level, area.vintage)
    return agg[agg["code"] == area.code].set_index("year")["value"]


def all_deals(
    indicator_id: str,
    *,
    event: str = "agreement",
    end: int | None = dsg.DEFAULT_END,
    unit_level: str | None = None,
    min_pre: int = dsg.MIN_PRE,
    level: float = estimators.DEFAULT_LEVEL,
    periods: str = "all",
    draws: int = DRAWS,
) -> dict[str, Any]:
    """One row per deal area (synthetic control, generalised SC, DiD) and the pooled staggered estimate."""
    ind = indicator(indicator_id)
    if event not in EVENTS:
        raise DevocareError(f"unknown deal event {event!r}; choose one of {', '.join(EVENTS)}")
    published = published_levels(indicator_id)
    unit_level = unit_level or ("utla" if "utla" in published else "lad")
    rows_out: list[dict[str, Any]] = []
    evaluable: list[tuple[str, str, int]] = []
    for deal in deals():
        date = deal.health if event == "health" and deal.health else deal.agreement
        start = treated_from(date)
        base = {"code": deal.code, "name": deal.name, "date": date, "start": start}
        try:
            d = dsg.build(
                deal.code,
                indicator_id,
                start,
                unit_level=unit_level,
                end=end,
                pool="clean",
                periods=periods,
                min_pre=min_pre,
            )
        except DevocareError as exc:
            rows_out.append(base | {"status": f"not evaluable: {exc}"})
            continue
        res = estimators.run(d, level, placebos=False)
        row = base | {
            "status": "evaluated",
            "n_pre": int(d.pre.sum()),
            "n_post": int(d.post.sum()),
            "n_donors": len(d.codes),
        }
        for m in res["methods"].itertuples():
            row |= {f"{m.method}": m.estimate, f"{m.method}_lower": m.lower, f"{m.method}_upper": m.upper}
        row["pre_rmspe_sc"] = float(res["methods"]["pre_rmspe"].iloc[0])
        rows_out.append(row)
        evaluable.append((deal.code, deal.name, start))
    per_area = pd.DataFrame(rows_out)
    result: dict[str, Any] = {
        "indicator": ind.id,
        "title": ind.title,
        "unit": ind.unit,
        "polarity": ind.polarity,
        "event": event,
        "end": end,
        "unit_level": unit_level,
        "level": level,
        "per_area": per_area,
    }
    if len(evaluable) < 2:
        result["pooled"] = None
        result["pooled_note"] = (
            f"{len(evaluable)} deal area(s) evaluable on {ind.id} with these choices; "
            "a pooled estimate needs at least two"
        )
        return result
    result |= _pooled(indicator_id, unit_level, evaluable, end, level, draws)
    if event == "health":
        result["pooled_caveats"].append("areas with no health devolution date are treated from their agreement")
    if periods != "all":
        result["pooled_caveats"].append(
            "the pooled estimate uses every period (its base periods differ by area); "
            f"periods={periods!r} applies to the per-area rows"
        )
    return result


def _pooled(
    indicator_id: str, unit_level: str, evaluable: list[tuple[str, str, int]], end: int | None, level: float, draws: int
) -> dict[str, Any]:
    rows = load_indicator(indicator_id)
    rows = rows[rows["level"] == unit_level]
    drop: set[str] = set()
    for group in dsg.pool_exclusions("clean", unit_level, "", end).values():
        drop |= group
    wide = rows[~rows["code"].isin(drop)].pivot_table(index="year", columns="code", values="value")
    meta = rows.drop_duplicates("year").set_index("year")[["period", "year_end"]]
    treated = {code: _area_series(rows, code, unit_level) for code, _, _ in evaluable}
    years = wide.index
    for s in treated.values():
        years = years.intersection(s.index)
    if end is not None:
        years = years[meta.loc[years, "year_end"].to_numpy() <= end]
    years = years.sort_values()
    wide = wide.loc[years].dropna(axis=1)
    y_c = wide.to_numpy(float)
    year_end = meta.loc[years, "year_end"].to_numpy()
    yr = np.asarray(years)
    effects, cohorts, event_rows = [], [], []
    for code, name, start in evaluable:
        pre_idx = np.flatnonzero(year_end < start)
        post = yr >= start
        base = int(pre_idx[-1])
        att = att_gt(treated[code].loc[years].to_numpy(float), y_c, base)
        effects.append(float(att[post].mean()))
        cohorts.append((base, post))
        for t in range(len(yr)):
            if t != base:
                event_rows.append(
                    {
                        "code": code,
                        "name": name,
                        "period": meta.loc[yr[t], "period"],
                        "event_time": int(yr[t] - start),
                        "att": float(att[t]),
                    }
                )
    estimate = pooled(effects)
    ci = randomisation_interval(estimate, y_c, cohorts, level, draws)
    events = pd.DataFrame(event_rows)
    by_event = (
        events.groupby("event_time")["att"]
        .agg(["mean", "count"])
        .reset_index()
        .rename(columns={"mean": "att", "count": "n_areas"})
    )
    before = by_event.loc[by_event["event_time"] < 0, "att"]
    trend_note = []
    if len(before) and float(before.abs().max()) > abs(estimate):
        trend_note = [
            f"before their deals the areas' gap from the comparison group moved between "
            f"{float(before.min()):+.3g} and {float(before.max()):+.3g}, more than the pooled estimate "
            f"({estimate:+.3g}): parallel trends is doubtful and the estimate should not be read as an "
            "effect"
        ]
    return {
        "pooled": {
            "estimate": estimate,
            "lower": ci["lower"],
            "upper": ci["upper"],
            "level": level,
            "p_value": ci["p_value"],
            "draws": ci["draws"],
            "n_areas": len(effects),
            "n_comparison": int(y_c.shape[1]),
            "method": "Callaway–Sant'Anna ATT(g,t), never-treated comparison, universal base period, "
            "equal area weights; randomisation (Conley–Taber) interval",
        },
        "event_study": by_event,
        "pooled_caveats": trend_note
        + [
            "deal areas differ in powers and timing; the pooled number averages different interventions",
            "areas with later deals serve as comparisons until their own deal, which the window excludes",
            "parallel trends is assumed in levels; the event-study rows before time 0 are the check",
            "each area counts once regardless of population",
        ],
    }
