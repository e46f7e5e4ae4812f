"""Did devolution change outcomes? A synthetic-control estimator with placebo-in-space inference.

Method (Abadie, Diamond and Hainmueller 2010, "Synthetic control methods for comparative case studies",
JASA 105: 493-505; the Greater Manchester application is Britteon et al. 2022, Lancet Public Health 7(10),
cited in 004 §3.1): the treated area's outcome before the start year is matched by a weighted average of
untreated donor areas (weights ≥ 0, summing to 1, chosen to minimise the pre-period squared error). After
the start, the gap between the treated area and its synthetic control is the estimated effect.

Inference is by placebo in space: every donor in turn is treated as if it had been devolved, and gets its
own synthetic control from the other donors. The treated area's post/pre root-mean-squared prediction
error (RMSPE) ratio is ranked among all of them; p = rank / (number of placebos + 1). With 3-year rolling
periods, a period that straddles the start year is neither pre nor post ("transition") and is not used.

Honest reporting: the result says "cannot conclude" when the pre-period fit is poor (treated pre-RMSPE
above twice the median placebo pre-RMSPE, or the treated area outside the donors' range for most
pre-periods), or when the placebo p-value exceeds 0.10.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from devocare import geography
from devocare.errors import DevocareError
from devocare.outcomes.aggregate import aggregate
from devocare.outcomes.catalogue import indicator, load_indicator, published_levels

__all__ = ["synth_weights", "synthetic_control", "placebo_ratios", "evaluate", "MIN_PRE", "MIN_DONORS",
           "POOR_FIT_MULTIPLE", "RMSPE_FLOOR", "METHOD"]

MIN_PRE = 5  # assumption: fewer pre-periods cannot pin down the weights (ADH 2010 use 19)
MIN_DONORS = 5  # assumption: with fewer, the smallest attainable placebo p-value exceeds 0.15
POOR_FIT_MULTIPLE = 2.0  # assumption: pre-RMSPE more than twice the median placebo's is a poor fit
#: assumption: the RMSPE ratio's denominator is at least this share of the unit's mean pre-period level, so an
#: exact pre-period fit (possible when donors outnumber pre-periods) does not give an infinite ratio.
RMSPE_FLOOR = 1e-3
METHOD = ("synthetic control (Abadie, Diamond and Hainmueller 2010): non-negative donor weights summing to "
          "1 minimising pre-period squared error; placebo-in-space inference on the post/pre RMSPE ratio, "
          "p = rank / (placebos + 1)")


def synth_weights(treated_pre: np.ndarray, donors_pre: np.ndarray) -> np.ndarray:
    """Donor weights w ≥ 0, Σw = 1 minimising ||y1 − Y0 w||² (the sum constraint as a heavy extra row)."""
    y1 = np.asarray(treated_pre, dtype=float)
    y0 = np.asarray(donors_pre, dtype=float)
    scale = max(float(np.abs(y0).max()), 1.0) * 1e3
    a = np.vstack([y0, np.full((1, y0.shape[1]), scale)])
    b = np.concatenate([y1, [scale]])
    from scipy.optimize import nnls  # SciPy loads when an evaluation runs, not with the package

    w, _ = nnls(a, b, maxiter=50 * a.shape[1])
    return w / w.sum()


def synthetic_control(treated: np.ndarray, donors: np.ndarray, pre: np.ndarray, post: np.ndarray,
                      demean: bool = False) -> dict[str, Any]:
    """Fit one synthetic control. ``treated`` (T,), ``donors`` (T, J), ``pre``/``post`` boolean masks (T,).

    With ``demean`` each series is centred on its own pre-period mean before fitting (a level difference
    is then allowed; Ferman and Pinto 2021), which helps when the treated area lies outside the donors.
    """
    y1, y0 = np.asarray(treated, dtype=float), np.asarray(donors, dtype=float)
    shift1 = y1[pre].mean() if demean else 0.0
    shift0 = y0[pre].mean(axis=0) if demean else np.zeros(y0.shape[1])
    w = synth_weights(y1[pre] - shift1, y0[pre] - shift0)
    synthetic = (y0 - shift0) @ w + shift1
    gap = y1 - synthetic
    pre_rmspe = float(np.sqrt(np.mean(gap[pre] ** 2)))
    post_rmspe = float(np.sqrt(np.mean(gap[post] ** 2)))
    floor = RMSPE_FLOOR * float(np.mean(np.abs(y1[pre])))
    return {"weights": w, "synthetic": synthetic, "gap": gap, "pre_rmspe": pre_rmspe, "post_rmspe": post_rmspe,
            "ratio": post_rmspe / max(pre_rmspe, floor, 1e-12),
            "mean_post_gap": float(gap[post].mean())}


def placebo_ratios(donors: np.ndarray, pre: np.ndarray, post: np.ndarray, demean: bool = False) -> pd.DataFrame:
    """Each donor treated in turn against the others: pre/post RMSPE, their ratio and mean post gap."""
    rows = []
    for j in range(donors.shape[1]):
        others = np.delete(donors, j, axis=1)
        fit = synthetic_control(donors[:, j], others, pre, post, demean)
        rows.append((fit["pre_rmspe"], fit["post_rmspe"], fit["ratio"], fit["mean_post_gap"]))
    return pd.DataFrame(rows, columns=["pre_rmspe", "post_rmspe", "ratio", "mean_post_gap"])


def _panel(indicator_id: str, unit_level: str) -> pd.DataFrame:
    """Unit-level rows, one column per period (by first year), only units with every period."""
    rows = load_indicator(indicator_id)
    return rows[rows["level"] == unit_level]


def evaluate(area: str, start: int, indicator_id: str, unit_level: str | None = None, demean: bool = False,
             exclude: list[str] | tuple[str, ...] = (), min_pre: int = MIN_PRE) -> dict[str, Any]:
    """Synthetic-control estimate of the effect of devolution to ``area`` from ``start`` on an indicator.

    Units are the indicator's upper-tier authorities where published (else districts). The treated series
    is the area itself if it is a unit, else the population-weighted mean of the units inside it. Donors are
    all units outside the area with data in every period used, less ``exclude`` (codes, or areas whose
    units are all excluded). Returns fit, per-period gap, donor weights, placebo distribution, rank, p.
    """
    ind = indicator(indicator_id)
    target = geography.resolve(area)
    published = published_levels(indicator_id)
    if unit_level is None:
        unit_level = "utla" if "utla" in published else "lad"
    if unit_level not in published:
        raise DevocareError(f"indicator {indicator_id!r} is not published at unit level {unit_level!r} "
                            f"(published: {', '.join(published)})")
    rows = _panel(indicator_id, unit_level)
    inside = geography.membership(unit_level, target.level, target.vintage)
    inside = inside[(inside["to_code"] == target.code) & (inside["share"] > 0)]
    if target.level == unit_level:
        treated_rows = rows[rows["code"] == target.code]
    else:
        treated_rows = aggregate(rows[rows["code"].isin(inside["from_code"])], unit_level, target.level,
                                 target.vintage)
        treated_rows = treated_rows[treated_rows["code"] == target.code]
    if treated_rows.empty:
        raise DevocareError(f"no {indicator_id} data for {target.name} ({target.code})")
    excluded: set[str] = set(inside["from_code"]) | {target.code}
    for code in exclude:
        other = geography.resolve(code)
        m = geography.membership(unit_level, other.level, other.vintage)
        excluded |= set(m[(m["to_code"] == other.code) & (m["share"] > 0)]["from_code"]) | {other.code}
    donor_rows = rows[~rows["code"].isin(excluded)]
    wide = donor_rows.pivot_table(index="year", columns="code", values="value")
    treated_series = treated_rows.set_index("year")["value"]
    years = wide.index.intersection(treated_series.index).sort_values()
    wide = wide.loc[years].dropna(axis=1)
    meta = rows.drop_duplicates("year").set_index("year").loc[years, ["period", "year_end"]]
    pre = (meta["year_end"] < start).to_numpy()
    post = (meta.index >= start)
    transition = ~pre & ~post
    if wide.shape[1] < MIN_DONORS:
        raise DevocareError(f"only {wide.shape[1]} donor areas with complete {indicator_id} data outside "
                            f"{target.name}; need at least {MIN_DONORS}")
    if min_pre < 2:
        raise DevocareError(f"min_pre must be at least 2, got {min_pre}")
    if pre.sum() < min_pre:
        raise DevocareError(f"too short a pre-period for {target.name} from {start} on {indicator_id}: "
                            f"{int(pre.sum())} periods end before {start} (need at least {min_pre}); "
                            f"periods available: {', '.join(meta['period'])}")
    if post.sum() == 0:
        raise DevocareError(f"no {indicator_id} periods start in or after {start}; latest is {meta['period'].iloc[-1]}")
    y1 = treated_series.loc[years].to_numpy(dtype=float)
    y0 = wide.to_numpy(dtype=float)
    fit = synthetic_control(y1, y0, pre, post, demean)
    placebos = placebo_ratios(y0, pre, post, demean)
    placebos.insert(0, "code", list(wide.columns))
    n_extreme = int((placebos["ratio"] >= fit["ratio"]).sum())
    rank = n_extreme + 1
    p_value = rank / (len(placebos) + 1)
    hull_outside = int(np.sum((y1[pre] > y0[pre].max(axis=1)) | (y1[pre] < y0[pre].min(axis=1))))
    reasons = []
    median_pre = float(placebos["pre_rmspe"].median())
    if fit["pre_rmspe"] > POOR_FIT_MULTIPLE * median_pre:
        reasons.append(f"poor pre-period fit: RMSPE {fit['pre_rmspe']:.3g} is more than {POOR_FIT_MULTIPLE:g}× "
                       f"the median placebo's ({median_pre:.3g})")
    if hull_outside > pre.sum() / 2:
        reasons.append(f"the treated area lies outside the donors' range in {hull_outside} of {int(pre.sum())} "
                       "pre-periods, so no weighted average of donors can match it (try demean=True)")
    caveats = []
    if pre.sum() < MIN_PRE:
        caveats.append(f"only {int(pre.sum())} pre-periods (below the default minimum of {MIN_PRE}): the weights "
                       "rest on very little history")
    if fit["pre_rmspe"] <= RMSPE_FLOOR * float(np.mean(np.abs(y1[pre]))) and wide.shape[1] > pre.sum():
        caveats.append(f"near-exact pre-period fit with {wide.shape[1]} donors for {int(pre.sum())} pre-periods: "
                       "the weights are not unique and the fit alone is no evidence of a good counterfactual")
    if ind.period_type.startswith(("3-year", "5-year")):
        caveats.append(f"{ind.period_type} periods overlap, so gaps in neighbouring periods are not independent")
    effect = fit["mean_post_gap"]
    better = (effect < 0) if ind.polarity == "lower_is_better" else (effect > 0)
    direction = "neither" if ind.polarity == "neither" else ("better" if better else "worse")
    if reasons:
        conclusion = "cannot conclude: " + "; ".join(reasons)
    elif p_value <= 0.05:
        conclusion = (f"the post-{start} gap ({effect:+.3g} {ind.unit}, {direction} than synthetic control) is "
                      f"larger than in {len(placebos) + 1 - rank} of {len(placebos)} placebo areas (p = {p_value:.3f})")
    elif p_value <= 0.10:
        conclusion = (f"weak evidence: gap {effect:+.3g} {ind.unit} ({direction}); placebo p = {p_value:.3f}")
    else:
        conclusion = (f"cannot conclude: the gap ({effect:+.3g} {ind.unit}) is within the placebo distribution "
                      f"(p = {p_value:.3f}); this is not evidence of no effect")
    names = geography.areas(unit_level).set_index("code")["name"]
    weights = pd.DataFrame({"code": wide.columns, "name": [names.get(c, c) for c in wide.columns],
                            "weight": fit["weights"]})
    weights = weights[weights["weight"] > 1e-4].sort_values("weight", ascending=False).reset_index(drop=True)
    phase = np.select([pre, post], ["pre", "post"], "transition")
    path = pd.DataFrame({"period": meta["period"].to_numpy(), "year": years, "phase": phase, "treated": y1,
                         "synthetic": fit["synthetic"], "gap": fit["gap"]})
    placebos["name"] = [names.get(c, c) for c in placebos["code"]]
    return {
        "area": target.code, "area_name": target.name, "area_level": target.level, "indicator": ind.id,
        "title": ind.title, "unit": ind.unit, "polarity": ind.polarity, "start": int(start),
        "unit_level": unit_level, "treated_series": "published" if target.level == unit_level else
        f"population-weighted mean of its {len(inside)} {unit_level} units (approximation)",
        "demean": demean, "n_pre": int(pre.sum()), "n_post": int(post.sum()),
        "n_transition": int(transition.sum()), "n_donors": int(wide.shape[1]),
        "n_donors_dropped_incomplete": int(donor_rows["code"].nunique() - wide.shape[1]),
        "pre_rmspe": fit["pre_rmspe"], "post_rmspe": fit["post_rmspe"], "rmspe_ratio": fit["ratio"],
        "effect_mean_post_gap": effect, "effect_direction": direction, "placebo_rank": rank,
        "placebo_p_value": p_value, "min_attainable_p": 1 / (len(placebos) + 1), "conclusion": conclusion,
        "caveats": caveats,
        "method": METHOD, "path": path, "weights": weights, "placebos": placebos,
    }
