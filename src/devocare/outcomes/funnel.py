"""Funnel plots with 95% and 99.8% control limits (Spiegelhalter 2005).

Reference: D. J. Spiegelhalter, "Funnel plots for comparing institutional performance", Statistics in
Medicine 24 (2005) 1185-1202. For a target θ0 and an area's precision the limits are:

* proportion r/n (§3.1, appendix A.1.1): normal θ0 ± z·sqrt(θ0(1−θ0)/n), or exact binomial with the
  paper's interpolation: r_p = the p-quantile of Binomial(n, θ0), α = (F(r_p) − p)/(F(r_p) − F(r_p − 1)),
  limit = (r_p − α)/n;
* standardised ratio O/E (§3.2): normal θ0 ± z·sqrt(θ0/E), or exact Poisson with the same interpolation;
* any estimate y with standard error s (§3.3), e.g. from a published 95% confidence interval
  (s = (upper − lower) / (2 × 1.96)): θ0 ± z·s, plotted against precision 1/s².

z = 1.960 (95%, p = 0.025/0.975) and 3.090 (99.8%, p = 0.001/0.999). Population outcomes are usually
over-dispersed: the additive random-effects adjustment of §4 (τ² by the method of moments on winsorised
z-scores) widens the limits to θ0 ± z·sqrt(s² + τ²).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from devocare.errors import DevocareError
from devocare.outcomes.aggregate import Z95, at_level, source_level
from devocare.outcomes.catalogue import INDICATORS, indicator, published_levels, select_period

__all__ = ["LIMITS", "z_for", "proportion_limits", "ratio_limits", "se_limits", "overdispersion", "classify", "funnel"]

#: Control limits drawn: name → two-sided coverage.
LIMITS: dict[str, float] = {"95": 0.95, "99.8": 0.998}


def _stats() -> Any:
    """``scipy.stats``, loaded when limits are first computed rather than with the package (it takes ~1 s)."""
    from scipy import stats

    return stats


def z_for(coverage: float) -> float:
    """Two-sided normal quantile for a coverage (0.95 → 1.960, 0.998 → 3.090)."""
    return float(_stats().norm.ppf(0.5 + coverage / 2))


def _interpolated_quantile(cdf_at: Any, quantile: np.ndarray, p: float) -> np.ndarray:
    """Spiegelhalter's interpolation between the discrete quantile r_p and r_p − 1."""
    f_r, f_rm1 = cdf_at(quantile), cdf_at(quantile - 1)
    alpha = np.where(f_r > f_rm1, (f_r - p) / np.where(f_r > f_rm1, f_r - f_rm1, 1.0), 0.0)
    return quantile - alpha


def proportion_limits(
    target: float, n: np.ndarray | float, coverage: float, method: Literal["normal", "exact"] = "exact"
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper limits for a proportion with denominator ``n`` around ``target`` (0-1 scale)."""
    n = np.asarray(n, dtype=float)
    if method == "normal":
        half = z_for(coverage) * np.sqrt(target * (1 - target) / n)
        return target - half, target + half
    stats = _stats()
    out = []
    for p in (0.5 - coverage / 2, 0.5 + coverage / 2):
        r = stats.binom.ppf(p, n, target)
        out.append(_interpolated_quantile(lambda k: stats.binom.cdf(k, n, target), r, p) / n)
    return out[0], out[1]


def ratio_limits(
    target: float, expected: np.ndarray | float, coverage: float, method: Literal["normal", "exact"] = "exact"
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper limits for a standardised ratio O/E with ``expected`` count E around ``target``."""
    e = np.asarray(expected, dtype=float)
    if method == "normal":
        half = z_for(coverage) * np.sqrt(target / e)
        return target - half, target + half
    stats = _stats()
    out = []
    mu = e * target
    for p in (0.5 - coverage / 2, 0.5 + coverage / 2):
        r = stats.poisson.ppf(p, mu)
        out.append(_interpolated_quantile(lambda k: stats.poisson.cdf(k, mu), r, p) / e)
    return out[0], out[1]


def se_limits(
    target: float, se: np.ndarray | float, coverage: float, tau2: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Limits θ0 ± z·sqrt(se² + τ²) for an estimate with standard error ``se``."""
    half = z_for(coverage) * np.sqrt(np.asarray(se, dtype=float) ** 2 + tau2)
    return target - half, target + half


def overdispersion(values: np.ndarray, se: np.ndarray, target: float, winsor: float = 0.1) -> dict[str, float]:
    """Spiegelhalter (2005) §4: φ from winsorised z-scores and the additive τ² (0 if not over-dispersed)."""
    y, s = np.asarray(values, dtype=float), np.asarray(se, dtype=float)
    z = (y - target) / s
    lo, hi = np.quantile(z, [winsor, 1 - winsor])
    zw = np.clip(z, lo, hi)
    n = y.size
    phi = float(np.sum(zw**2) / n)
    w = 1 / s**2
    tau2 = max(0.0, float((n * phi - (n - 1)) / (w.sum() - (w**2).sum() / w.sum())))
    return {"phi": phi, "tau2": tau2, "over_dispersed": bool(n * phi > n - 1 + 2 * np.sqrt(2 * (n - 1)))}


def classify(values: np.ndarray, lims: dict[str, tuple[np.ndarray, np.ndarray]], polarity: str) -> np.ndarray:
    """Each area's position: 'high (99.8%)', 'high (95%)', 'within', 'low (95%)', 'low (99.8%)', read
    as better/worse by the indicator's polarity."""
    v = np.asarray(values, dtype=float)
    lo95, hi95 = lims["95"]
    lo998, hi998 = lims["99.8"]
    side = np.select([v > hi998, v > hi95, v < lo998, v < lo95], ["high_998", "high_95", "low_998", "low_95"], "within")
    if polarity == "neither":
        return side
    good, bad = ("low", "high") if polarity == "lower_is_better" else ("high", "low")
    return np.char.replace(np.char.replace(side.astype(str), good, "better"), bad, "worse")


def _count_limits(model: str, target: float, n: np.ndarray, coverage: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact limits on the indicator's scale-free proportion or rate for denominators ``n``."""
    if model == "binomial":
        return proportion_limits(target, n, coverage, "exact")
    lo, hi = ratio_limits(1.0, n * target, coverage, "exact")
    return lo * target, hi * target


def funnel(
    indicator_id: str,
    level: str = "utla",
    period: str | int = "latest",
    vintage: int = 2024,
    adjust: Literal["none", "additive"] = "none",
) -> dict[str, Any]:
    """Funnel plot data for one indicator, level and period: per-area precision and position, and curves.

    The target is the published England value for the period where there is one, else the mean of the
    areas (stated in ``target_source``). Where every area has a count and denominator (and the indicator
    says whether they are binomial or Poisson), precision is the denominator and the limits are exact;
    otherwise precision comes from the published 95% confidence limits. With ``adjust="additive"`` the
    limits are the normal ones widened by τ². Indicators with neither cannot be drawn as a funnel.
    """
    ind = indicator(indicator_id)
    if not ind.ci and not ind.counts:
        usable = [i.id for i in INDICATORS if i.ci or i.counts]
        raise DevocareError(
            f"indicator {indicator_id!r} has no published confidence intervals or counts, so "
            f"no funnel can be drawn; indicators that can: {', '.join(usable)}"
        )
    src = source_level(indicator_id, level)
    label = select_period(indicator_id, period, src)
    rows = at_level(indicator_id, level, label, vintage).dropna(subset=["value"])
    use_counts = bool(
        ind.counts and ind.count_model and len(rows) and rows["count"].notna().all() and rows["denominator"].gt(0).all()
    )
    if not use_counts:
        rows = rows.dropna(subset=["lci", "uci"])
        rows = rows[rows["uci"] > rows["lci"]]
    rows = rows.reset_index(drop=True)
    if len(rows) < 3:
        raise DevocareError(f"only {len(rows)} areas have confidence limits or counts for {indicator_id} at {level!r}")
    has_england = "england" in published_levels(indicator_id)
    england = at_level(indicator_id, "england", label) if has_england else None
    if england is not None and len(england):
        target, target_source = float(england["value"].iloc[0]), f"England value, {label}"
    else:
        target, target_source = float(rows["value"].mean()), f"mean of the {len(rows)} areas (no England value)"
    values = rows["value"].to_numpy()
    if use_counts:
        n = rows["denominator"].to_numpy(dtype=float)
        t0 = target / ind.scale
        var1 = t0 * (1 - t0) if ind.count_model == "binomial" else t0
        se = np.sqrt(var1 / n) * ind.scale
        precision, precision_from = n, f"published denominators ({ind.count_model} model, exact limits)"
    else:
        se = ((rows["uci"] - rows["lci"]) / (2 * Z95)).to_numpy()
        precision = 1 / se**2
        precision_from = "published 95% confidence intervals: se = (uci − lci) / (2 × 1.96)"
    disp = overdispersion(values, se, target)
    tau2 = disp["tau2"] if adjust == "additive" else 0.0
    exact = use_counts and adjust == "none"

    def limits(prec: np.ndarray, cover: float) -> tuple[np.ndarray, np.ndarray]:
        if exact:
            lo, hi = _count_limits(str(ind.count_model), target / ind.scale, prec, cover)
            return lo * ind.scale, hi * ind.scale
        prec_se = np.sqrt(var1 / prec) * ind.scale if use_counts else 1 / np.sqrt(prec)
        return se_limits(target, prec_se, cover, tau2)

    lims = {k: limits(precision, c) for k, c in LIMITS.items()}
    out = rows[["code", "name", "value", "lci", "uci", "approximate"]].assign(
        se=se, precision=precision, z=(values - target) / np.sqrt(se**2 + tau2)
    )
    for k, (lo, hi) in lims.items():
        out[f"lower_{k}"], out[f"upper_{k}"] = lo, hi
    out["position"] = classify(values, lims, ind.polarity)
    grid = np.geomspace(precision.min() * 0.8, precision.max() * 1.2, 200)
    curves = pd.DataFrame({"precision": grid})
    for k, c in LIMITS.items():
        curves[f"lower_{k}"], curves[f"upper_{k}"] = limits(grid, c)
    counts = out["position"].value_counts().to_dict()
    return {
        "indicator": ind.id,
        "title": ind.title,
        "unit": ind.unit,
        "polarity": ind.polarity,
        "level": level,
        "period": label,
        "target": target,
        "target_source": target_source,
        "precision_from": precision_from,
        "adjustment": adjust,
        "overdispersion": disp,
        "positions": {str(k): int(v) for k, v in counts.items()},
        "areas": out,
        "curves": curves,
    }
