"""The "postcode lottery" measured: spread statistics, the share associated with deprivation, trends.

The statistic functions at the top are pure (arrays in, numbers out) and each says its formula, so a test
can recompute it by hand. :func:`variation` and :func:`trends` at the bottom assemble them for one indicator,
level and period from the catalogue.

Method for deprivation (stated in every result): an ordinary least-squares line of the indicator on the
Index of Multiple Deprivation 2025 average score of each area (the Census 2021 population-weighted mean of
its LSOA scores, which is how the IoD's own "average score" summaries are built). R² is the share of the
between-area variance associated with deprivation; 1 − R² is the residual share, the candidate
"unwarranted" variation in the GIRFT sense — unexplained by deprivation, not proven to be unwarranted.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from devocare import data, geography
from devocare.errors import DevocareError
from devocare.outcomes.aggregate import at_level, source_level
from devocare.outcomes.catalogue import indicator, select_period

__all__ = [
    "gini",
    "coefficient_of_variation",
    "spread",
    "deprivation_association",
    "area_slopes",
    "imd_score",
    "variation",
    "trends",
    "DEPRIVATION_METHOD",
]

DEPRIVATION_METHOD = (
    "OLS of the indicator on the IoD 2025 IMD average score (Census 2021 population-weighted mean of LSOA "
    "scores); share_deprivation = R², share_residual = 1 − R² (variation not associated with deprivation: "
    "candidate unwarranted variation, not proof of it). Areas weighted equally."
)


# ---------------------------------------------------------------------------------------------------------
# Pure statistics


def gini(values: np.ndarray) -> float:
    """Gini coefficient of positive values, areas weighted equally: sum_ij |x_i − x_j| / (2 n² mean)."""
    x = np.sort(np.asarray(values, dtype=float))
    n = x.size
    # sum_ij |x_i - x_j| = 2 * sum_i (2i - n - 1) x_(i) for sorted x, i = 1..n
    i = np.arange(1, n + 1)
    return float(2 * np.sum((2 * i - n - 1) * x) / (2 * n * n * x.mean()))


def coefficient_of_variation(values: np.ndarray) -> float:
    """Sample standard deviation (n − 1) divided by the mean."""
    x = np.asarray(values, dtype=float)
    return float(x.std(ddof=1) / x.mean())


def spread(values: np.ndarray, codes: list[str], names: list[str], polarity: str) -> dict[str, Any]:
    """Best and worst areas, their ratio and gap, quartiles, IQR, CV and Gini for one set of area values.

    ``ratio_max_min`` = highest / lowest value (the paper's "twice as high"); ``gap`` = best − worst in the
    indicator's unit (positive when best is better; the paper's "more than a decade"). With polarity
    ``neither``, best is the highest value.
    """
    x = np.asarray(values, dtype=float)
    hi, lo = int(np.argmax(x)), int(np.argmin(x))
    best, worst = (lo, hi) if polarity == "lower_is_better" else (hi, lo)
    q1, median, q3 = np.percentile(x, [25, 50, 75])
    return {
        "n_areas": int(x.size),
        "mean": float(x.mean()),
        "median": float(median),
        "min": float(x[lo]),
        "max": float(x[hi]),
        "best": {"code": codes[best], "name": names[best], "value": float(x[best])},
        "worst": {"code": codes[worst], "name": names[worst], "value": float(x[worst])},
        "ratio_max_min": float(x[hi] / x[lo]) if x[lo] != 0 else float("nan"),
        "ratio_worst_best": float(x[worst] / x[best]) if x[best] != 0 else float("nan"),
        "gap": float(abs(x[best] - x[worst])),
        "q1": float(q1),
        "q3": float(q3),
        "iqr": float(q3 - q1),
        "sd": float(x.std(ddof=1)),
        "cv": coefficient_of_variation(x),
        "gini": gini(x),
    }


def deprivation_association(values: np.ndarray, score: np.ndarray) -> dict[str, float]:
    """OLS of values on deprivation score: slope, intercept, R² (share associated) and residual share/SD."""
    y, x = np.asarray(values, dtype=float), np.asarray(score, dtype=float)
    xc, yc = x - x.mean(), y - y.mean()
    slope = float((xc @ yc) / (xc @ xc))
    intercept = float(y.mean() - slope * x.mean())
    resid = y - (intercept + slope * x)
    r2 = float(1 - (resid @ resid) / (yc @ yc))
    return {
        "slope_per_imd_point": slope,
        "intercept": intercept,
        "share_deprivation": r2,
        "share_residual": 1 - r2,
        "residual_sd": float(np.sqrt(resid @ resid / (y.size - 2))),
        "correlation": float(np.sign(slope) * np.sqrt(max(r2, 0.0))),
    }


def area_slopes(frame: pd.DataFrame) -> pd.DataFrame:
    """Per-area OLS slope of value on ``year`` (units per year), first and latest value, all vectorised."""
    f = frame[["code", "name", "year", "value"]].copy()
    g = f.groupby("code")
    f["t"] = f["year"] - g["year"].transform("mean")
    f["y"] = f["value"] - g["value"].transform("mean")
    f["ty"], f["tt"] = f["t"] * f["y"], f["t"] * f["t"]
    s = f.groupby("code").agg(name=("name", "first"), n_periods=("year", "size"), ty=("ty", "sum"), tt=("tt", "sum"))
    ordered = f.sort_values("year").groupby("code")
    s["first_period_year"] = ordered["year"].first()
    s["first_value"] = ordered["value"].first()
    s["latest_value"] = ordered["value"].last()
    s["change"] = s["latest_value"] - s["first_value"]
    s["slope_per_year"] = np.where(s["tt"] > 0, s["ty"] / s["tt"].where(s["tt"] > 0, 1.0), np.nan)
    return s.drop(columns=["ty", "tt"]).reset_index()


# ---------------------------------------------------------------------------------------------------------
# Assembly on the shipped data


@cache
def _imd(level: str, vintage: int) -> pd.Series:
    lsoa = data.load("imd2025_lsoa21_scores_ranks_deciles").set_index("lsoa21_code")["IMD_score"]
    base = geography.lsoa_base()
    col = "icb26" if level == "icb" and vintage == 2026 else level
    w = base["pop21"].astype(float)
    s = base["lsoa"].map(lsoa)
    frame = pd.DataFrame({"area": base[col], "ws": w * s, "w": w})
    g = frame.groupby("area")[["ws", "w"]].sum()
    return g["ws"] / g["w"]


def imd_score(level: str, vintage: int = 2024) -> pd.Series:
    """IoD 2025 IMD average score per area (Census 2021 population-weighted mean of LSOA scores)."""
    return _imd(level, vintage).copy()


def variation(
    indicator_id: str,
    level: str = "utla",
    period: str | int = "latest",
    vintage: int = 2024,
    include_approximate: bool = True,
) -> dict[str, Any]:
    """Variation across ``level`` areas for one indicator and period: spread, deprivation share, flags.

    Areas whose value is an approximation (aggregated, or a split county's value given to its successors)
    are included unless ``include_approximate`` is false; the result says how many there were.
    """
    ind = indicator(indicator_id)
    src = source_level(indicator_id, level)
    label = select_period(indicator_id, period, src)
    rows = at_level(indicator_id, level, label, vintage).dropna(subset=["value"])
    if not include_approximate:
        rows = rows[~rows["approximate"]]
    if len(rows) < 3:
        raise DevocareError(f"only {len(rows)} areas have {indicator_id} at level {level!r} for {label}")
    result: dict[str, Any] = {
        "indicator": ind.id,
        "title": ind.title,
        "unit": ind.unit,
        "polarity": ind.polarity,
        "level": level,
        "period": label,
        "source_level": src,
        "n_approximate": int(rows["approximate"].sum()),
        "approximation": (
            f"population-weighted mean of {src} values"
            if src != level
            else (
                "some values are a former county's value given to its successors" if rows["approximate"].any() else None
            )
        ),
    }
    result.update(spread(rows["value"].to_numpy(), list(rows["code"]), list(rows["name"]), ind.polarity))
    score = rows["code"].map(imd_score(level, vintage))
    ok = score.notna().to_numpy()
    dep: dict[str, Any] = dict(deprivation_association(rows["value"].to_numpy()[ok], score.to_numpy()[ok]))
    fitted = dep["intercept"] + dep["slope_per_imd_point"] * score.to_numpy()[ok]
    resid = rows["value"].to_numpy()[ok] - fitted
    sign = -1 if ind.polarity == "lower_is_better" else 1
    order = np.argsort(sign * resid)
    named = rows[ok].reset_index(drop=True)
    dep["worst_given_deprivation"] = [
        {"code": named.at[int(i), "code"], "name": named.at[int(i), "name"], "residual": float(resid[int(i)])}
        for i in order[:5]
    ]
    dep["best_given_deprivation"] = [
        {"code": named.at[int(i), "code"], "name": named.at[int(i), "name"], "residual": float(resid[int(i)])}
        for i in order[::-1][:5]
    ]
    dep["n_areas"] = int(ok.sum())
    dep["method"] = DEPRIVATION_METHOD
    result["deprivation"] = dep
    return result


def trends(indicator_id: str, level: str = "utla", vintage: int = 2024) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Trends over time: (per-area slopes and change, per-period spread statistics for the country)."""
    ind = indicator(indicator_id)
    rows = at_level(indicator_id, level, None, vintage).dropna(subset=["value"])
    per_area = area_slopes(rows)
    records = []
    for label, grp in rows.groupby("period", sort=False):
        if len(grp) < 3:
            continue
        s = spread(grp["value"].to_numpy(), list(grp["code"]), list(grp["name"]), ind.polarity)
        records.append(
            {
                "period": label,
                "year": int(grp["year"].iloc[0]),
                "n_areas": s["n_areas"],
                "mean": s["mean"],
                "iqr": s["iqr"],
                "cv": s["cv"],
                "gini": s["gini"],
                "ratio_max_min": s["ratio_max_min"],
                "gap": s["gap"],
            }
        )
    per_period = pd.DataFrame(records).sort_values("year").reset_index(drop=True)
    return per_area, per_period
