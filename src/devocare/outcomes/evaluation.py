"""Did devolution change outcomes? Several estimators side by side, with intervals and robustness checks.

The design (treated series, donors, window, periods) is built by :mod:`.design`; the methods — synthetic
control with placebo and conformal inference, generalised synthetic control and difference in differences
with placebo intervals — run in :mod:`.estimators`; :mod:`.robustness` re-runs them with one choice changed;
:mod:`.verdict` words the result; :mod:`.staggered` pools every deal area (``--all-deals``).

The published Greater Manchester evaluation this stands beside is Britteon et al. (2022), Lancet Public
Health 7(10): e844-e852 (see docs/background/evaluation.md for the comparison).

Honest reporting: the synthetic-control ``conclusion`` says "cannot conclude" when the pre-period fit is
poor (treated pre-RMSPE above twice the median placebo pre-RMSPE, or the treated area outside the donors'
range for most pre-periods), or when the placebo p-value exceeds 0.10; the ``verdict`` reads every method's
interval and the robustness checks.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from devocare import geography
from devocare.outcomes import design as dsg
from devocare.outcomes import estimators
from devocare.outcomes.deals import deal_for, treated_from
from devocare.outcomes.robustness import robustness as robustness_table
from devocare.outcomes.synth import RMSPE_FLOOR, placebo_ratios, synth_weights, synthetic_control
from devocare.outcomes.verdict import verdict as verdict_text

__all__ = [
    "synth_weights",
    "synthetic_control",
    "placebo_ratios",
    "evaluate",
    "MIN_PRE",
    "MIN_DONORS",
    "POOR_FIT_MULTIPLE",
    "RMSPE_FLOOR",
    "METHOD",
]

MIN_PRE = dsg.MIN_PRE
MIN_DONORS = dsg.MIN_DONORS
POOR_FIT_MULTIPLE = 2.0  # assumption: pre-RMSPE more than twice the median placebo's is a poor fit
METHOD = (
    "synthetic control (Abadie, Diamond and Hainmueller 2010): non-negative donor weights summing to "
    "1 minimising pre-period squared error; placebo-in-space inference on the post/pre RMSPE ratio, "
    "p = rank / (placebos + 1)"
)


def _resolve_start(area: str, start: int | None, event: str) -> tuple[int, dict[str, Any]]:
    target = geography.resolve(area)
    deal = deal_for(target.code)
    info: dict[str, Any] = {"event": None, "date": None, "note": ""}
    if deal is not None:
        info["note"] = deal.note
    if start is not None:
        return int(start), info | {"event": "given"}
    year, date = dsg.start_from_deal(target.code, event)
    return year, info | {"event": event, "date": date}


def _other_start(area_code: str, event: str, start: int) -> tuple[str, int] | None:
    deal = deal_for(area_code)
    if deal is None:
        return None
    for other in ("agreement", "health"):
        date = getattr(deal, other)
        if other != event and date and treated_from(date) != start:
            return f"{other} {date}", treated_from(date)
    return None


def _fit_problems(d: dsg.Design, fit: dict[str, Any], placebos: pd.DataFrame) -> list[str]:
    reasons = []
    median_pre = float(placebos["pre_rmspe"].median())
    if fit["pre_rmspe"] > POOR_FIT_MULTIPLE * median_pre:
        reasons.append(
            f"poor pre-period fit: RMSPE {fit['pre_rmspe']:.3g} is more than {POOR_FIT_MULTIPLE:g}× "
            f"the median placebo's ({median_pre:.3g})"
        )
    y1, y0, pre = d.y1, d.y0, d.pre
    outside = int(np.sum((y1[pre] > y0[pre].max(axis=1)) | (y1[pre] < y0[pre].min(axis=1))))
    if outside > pre.sum() / 2:
        reasons.append(
            f"the treated area lies outside the donors' range in {outside} of {int(pre.sum())} "
            "pre-periods, so no weighted average of donors can match it (try demean=True)"
        )
    return reasons


def evaluate(
    area: str,
    start: int | None = None,
    indicator_id: str = "u75_preventable_cvd_mortality",
    unit_level: str | None = None,
    demean: bool = False,
    exclude: list[str] | tuple[str, ...] = (),
    min_pre: int = MIN_PRE,
    *,
    event: str = "agreement",
    end: int | None = dsg.DEFAULT_END,
    pool: str = "clean",
    periods: str = "all",
    level: float = estimators.DEFAULT_LEVEL,
    robustness: bool = True,
    robust_indicators: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """Estimate the effect of devolution to ``area`` from ``start`` (or its deal's ``event``) on an indicator.

    Units are the indicator's upper-tier authorities where published (else districts). The treated series
    is the area itself if it is a unit, else the population-weighted mean of the units inside it. Returns
    the synthetic-control fit (pre/post RMSPE, path, weights, placebo rank), every method's estimate and
    interval (``methods``), the robustness table and a plain-language ``verdict``.
    """
    if not 0.5 <= level < 1:
        from devocare.errors import DevocareError

        raise DevocareError(f"interval level must be at least 0.5 and below 1, got {level}")
    start, deal_info = _resolve_start(area, start, event)
    d = dsg.build(
        area,
        indicator_id,
        start,
        unit_level=unit_level,
        end=end,
        pool=pool,
        exclude=exclude,
        periods=periods,
        min_pre=min_pre,
    )
    ind, target = d.ind, d.target
    res = estimators.run(d, level, demean)
    fit, placebos, methods = res["sc"], res["placebos"], res["methods"]
    n_extreme = int((placebos["ratio"] >= fit["ratio"]).sum())
    rank = n_extreme + 1
    p_value = rank / (len(placebos) + 1)
    reasons = _fit_problems(d, fit, placebos)
    n_pre = int(d.pre.sum())
    caveats = []
    if n_pre < MIN_PRE:
        caveats.append(
            f"only {n_pre} pre-periods (below the default minimum of {MIN_PRE}): the weights "
            "rest on very little history"
        )
    if fit["pre_rmspe"] <= RMSPE_FLOOR * float(np.mean(np.abs(d.y1[d.pre]))) and len(d.codes) > n_pre:
        caveats.append(
            f"near-exact pre-period fit with {len(d.codes)} donors for {n_pre} pre-periods: "
            "the weights are not unique and the fit alone is no evidence of a good counterfactual"
        )
    if ind.period_type.startswith(("3-year", "5-year")) and periods == "all":
        caveats.append(
            f"{ind.period_type} periods overlap, so neighbouring periods share years: the placebo "
            "and conformal (moving-block) inference account for it, but the periods are not "
            "independent observations"
        )
    if target.level != d.unit_level:
        caveats.append(
            "the treated series is a population-weighted mean of its units; placebo intervals "
            "compare it with single councils, whose series are noisier, so they are conservative"
        )
    if end is None or end >= 2020:
        caveats.append("the post-period includes COVID-19 years (2020 on), which hit areas unequally")
    effect = fit["mean_post_gap"]
    better = (effect < 0) if ind.polarity == "lower_is_better" else (effect > 0)
    direction = "neither" if ind.polarity == "neither" else ("better" if better else "worse")
    if reasons:
        conclusion = "cannot conclude: " + "; ".join(reasons)
    elif p_value <= 0.05:
        conclusion = (
            f"the post-{start} gap ({effect:+.3g} {ind.unit}, {direction} than synthetic control) is "
            f"larger than in {len(placebos) + 1 - rank} of {len(placebos)} placebo areas (p = {p_value:.3f})"
        )
    elif p_value <= 0.10:
        conclusion = f"weak evidence: gap {effect:+.3g} {ind.unit} ({direction}); placebo p = {p_value:.3f}"
    else:
        conclusion = (
            f"cannot conclude: the gap ({effect:+.3g} {ind.unit}) is within the placebo distribution "
            f"(p = {p_value:.3f}); this is not evidence of no effect"
        )
    names = geography.areas(d.unit_level).set_index("code")["name"]
    weights = pd.DataFrame({"code": d.codes, "name": [names.get(c, c) for c in d.codes], "weight": fit["weights"]})
    weights = weights[weights["weight"] > 1e-4].sort_values("weight", ascending=False).reset_index(drop=True)
    phase = np.select([d.pre, d.post], ["pre", "post"], "transition")
    path = pd.DataFrame(
        {
            "period": d.meta["period"].to_numpy(),
            "year": d.meta["year"].to_numpy(),
            "phase": phase,
            "treated": d.y1,
            "synthetic": fit["synthetic"],
            "gap": fit["gap"],
        }
    )
    placebos["name"] = [names.get(c, c) for c in placebos["code"]]
    robust = None
    if robustness:
        robust = robustness_table(
            d,
            fit["weights"],
            level=level,
            demean=demean,
            min_pre=min_pre,
            exclude=tuple(exclude),
            indicators=robust_indicators,
            other_start=_other_start(target.code, deal_info["event"] or "", start),
        )
        robust["name"] = ""
        loo = robust["check"] == "leave-one-out"
        robust.loc[loo, "name"] = [names.get(v.split()[1], "") for v in robust.loc[loo, "variant"]]
    return {
        "area": target.code,
        "area_name": target.name,
        "area_level": target.level,
        "indicator": ind.id,
        "title": ind.title,
        "unit": ind.unit,
        "polarity": ind.polarity,
        "start": int(start),
        "start_event": deal_info["event"],
        "start_date": deal_info["date"],
        "deal_note": deal_info["note"],
        "end": end,
        "pool": pool,
        "periods": periods,
        "excluded_units": d.excluded,
        "unit_level": d.unit_level,
        "treated_series": "published"
        if target.level == d.unit_level
        else f"population-weighted mean of its {d.n_inside} {d.unit_level} units (approximation)",
        "demean": demean,
        "n_pre": n_pre,
        "n_post": int(d.post.sum()),
        "n_transition": int(d.transition.sum()),
        "n_donors": len(d.codes),
        "n_donors_dropped_incomplete": d.n_dropped,
        "pre_rmspe": fit["pre_rmspe"],
        "post_rmspe": fit["post_rmspe"],
        "rmspe_ratio": fit["ratio"],
        "effect_mean_post_gap": effect,
        "effect_direction": direction,
        "placebo_rank": rank,
        "placebo_p_value": p_value,
        "min_attainable_p": 1 / (len(placebos) + 1),
        "conclusion": conclusion,
        "caveats": caveats,
        "level": level,
        "factors": res["factors"],
        "verdict": verdict_text(methods, robust, ind.unit, ind.polarity, reasons),
        "method": METHOD,
        "path": path,
        "weights": weights,
        "placebos": placebos,
        "methods": methods,
        "robustness": robust if robust is not None else pd.DataFrame(),
    }
