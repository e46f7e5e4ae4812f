"""Paired comparison: each reform minus a baseline, draw by draw, from runs with the same seed.

Runs of different architectures with the same seed, years and options use common random numbers: draw
``d`` of one sees the same uncertain parameters as draw ``d`` of the other, so the difference in each
draw isolates what the architecture changes from what the parameters do. The spread of those
differences (P5, P50, P95) and the share of draws in which the reform is lower or higher are what a
reader needs to say "how sure we are". With no Monte Carlo draws the central run's difference stands
alone (its P5 = P50 = P95).

Per area, the simulator keeps each area's central run, its statistics over draws, and (LAD runs) each
draw's horizon-year spend and admissions: one value per draw and area, so memory grows with draws × areas
for the horizon year only, never with years or lines. Area differences are the central run's difference,
the difference of means (which equals the mean of the paired differences) and P5/P50/P95 of the paired
differences, draw by draw. LSOA runs keep no per-draw area values (33,755 areas × draws would not be
bounded), so their bands are empty.

:func:`drivers` correlates a difference with the levers; :func:`devocare.simulation.attribution.attribute`
splits it exactly over the reform's mechanism groups, draw by draw.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from devocare import measures
from devocare.errors import DevocareError
from devocare.simulation.results import SimulationResult

#: National columns of :func:`paired_differences` (the JSON records' keys are a contract).
COLUMNS = (
    "architecture",
    "baseline",
    "measure",
    "label",
    "unit",
    "baseline_central",
    "diff_central",
    "diff_mean",
    "diff_p5",
    "diff_p50",
    "diff_p95",
    "prob_lower",
    "prob_higher",
    "draws",
)
#: Per-area measures and how each is computed from an area's horizon-year totals.
AREA_MEASURES = ("spent", "spent_per_need", "admissions")
#: Columns of :func:`paired_area_differences` (the CSV/Parquet/JSON columns are a contract).
AREA_COLUMNS = (
    "architecture",
    "baseline",
    "area",
    "area_name",
    "year",
    "measure",
    "baseline_central",
    "reform_central",
    "diff_central",
    "diff_mean",
    "diff_p5",
    "diff_p50",
    "diff_p95",
)


def _check(results: Sequence[SimulationResult], baseline: str) -> tuple[SimulationResult, list[SimulationResult]]:
    by_id = {r.architecture: r for r in results}
    if baseline not in by_id:
        raise DevocareError(f"baseline {baseline!r} is not among the architectures compared: {', '.join(by_id)}")
    base = by_id[baseline]
    others = [r for r in results if r.architecture != baseline]
    for r in others:
        same = (r.run_record.get("seed"), r.n_draws, r.years, r.atom_level)
        if same != (base.run_record.get("seed"), base.n_draws, base.years, base.atom_level):
            raise DevocareError(
                f"{r.architecture} and {baseline} were not run with the same seed, draws, years and areas, "
                "so their draws cannot be paired"
            )
    return base, others


def paired_differences(results: Sequence[SimulationResult], baseline: str) -> pd.DataFrame:
    """For each architecture other than ``baseline`` and each banded summary measure: the paired
    difference (reform − baseline) per draw summarised as central, mean, P5, P50, P95, and the share of
    draws in which the reform is lower / higher (ties count as neither)."""
    base, others = _check(results, baseline)
    rows: list[dict[str, Any]] = []
    base_draws = base.summary_draws
    for r in others:
        reform_draws = r.summary_draws
        for key, b in base_draws.items():
            diff = np.asarray(reform_draws[key], dtype=float) - np.asarray(b, dtype=float)
            sample = diff[1:] if r.n_draws > 0 else diff[:1]
            m = measures.get(key)
            rows.append(
                {
                    "architecture": r.architecture,
                    "baseline": baseline,
                    "measure": key,
                    "label": m.label if m else key,
                    "unit": measures.unit_label(key),
                    "baseline_central": float(b[0]),
                    "diff_central": float(diff[0]),
                    "diff_mean": float(sample.mean()),
                    "diff_p5": float(np.percentile(sample, 5)),
                    "diff_p50": float(np.percentile(sample, 50)),
                    "diff_p95": float(np.percentile(sample, 95)),
                    "prob_lower": float(np.mean(sample < -1e-12 * max(1.0, abs(float(b[0]))))),
                    "prob_higher": float(np.mean(sample > 1e-12 * max(1.0, abs(float(b[0]))))),
                    "draws": int(r.n_draws),
                }
            )
    return pd.DataFrame(rows, columns=list(COLUMNS))


AreaValues = tuple[np.ndarray, np.ndarray | None, np.ndarray | None]
"""Per atom in the horizon year: central value, mean over draws, and every draw's value (draws, atoms)."""


def _area_values(r: SimulationResult) -> dict[str, AreaValues]:
    """measure → (central, mean over draws or None, per-draw values or None) per atom, horizon year; need
    is the central run's (it does not vary by draw), so spend per unit of need scales spend per draw."""
    spent = r.central_atoms["spent"][-1].sum(axis=1)
    need = r.central_atoms["need"][-1].sum(axis=1)
    per_need = 1.0 / np.where(need > 0, need, 1.0)
    adm = r.central_atoms["admissions"][-1]
    stats = r.atom_statistics
    spent_mean = stats["spent"]["mean"][-1] if "spent" in stats else None
    adm_mean = stats["admissions"]["mean"][-1] if "admissions" in stats else None
    ratio_mean = spent_mean * per_need if spent_mean is not None else None
    draws = r.atom_horizon_draws
    spent_draws = draws.get("spent")
    return {
        "spent": (spent, spent_mean, spent_draws),
        "spent_per_need": (spent * per_need, ratio_mean, spent_draws * per_need if spent_draws is not None else None),
        "admissions": (adm, adm_mean, draws.get("admissions")),
    }


def _bands(base: np.ndarray | None, reform: np.ndarray | None, atoms: int) -> dict[str, np.ndarray]:
    """P5/P50/P95 per atom of the paired differences (reform − baseline, draw by draw); NaN without draws."""
    if base is None or reform is None or base.shape != reform.shape or base.shape[0] == 0:
        empty = np.full(atoms, np.nan)
        return {"diff_p5": empty, "diff_p50": empty, "diff_p95": empty}
    diff = reform - base
    p5, p50, p95 = np.percentile(diff, [5, 50, 95], axis=0)
    return {"diff_p5": p5, "diff_p50": p50, "diff_p95": p95}


def paired_area_differences(results: Sequence[SimulationResult], baseline: str) -> pd.DataFrame:
    """Per architecture (other than ``baseline``), area and measure in the horizon year: the baseline's
    central value, the reform's, their difference, the difference of means over the draws (the mean
    paired difference) and P5/P50/P95 of the paired differences draw by draw (empty where the runs kept
    no per-area draws: LSOA runs, or no Monte Carlo draws). Areas are named."""
    from devocare import geography

    base, others = _check(results, baseline)
    base_vals = _area_values(base)
    atoms = list(base.atoms)
    names = _names(atoms, base.atom_level, geography)
    frames = []
    for r in others:
        if list(r.atoms) != atoms:  # pragma: no cover - same atom level means the same atoms
            raise DevocareError("areas of the runs differ")
        vals = _area_values(r)
        for m in AREA_MEASURES:
            (bc, bm, bd), (rc, rm, rd) = base_vals[m], vals[m]
            frames.append(
                pd.DataFrame(
                    {
                        "architecture": r.architecture,
                        "baseline": baseline,
                        "area": atoms,
                        "area_name": names,
                        "year": base.years[-1],
                        "measure": m,
                        "baseline_central": bc,
                        "reform_central": rc,
                        "diff_central": rc - bc,
                        "diff_mean": (rm - bm) if rm is not None and bm is not None else np.nan,
                        **_bands(bd, rd, len(atoms)),
                    }
                )
            )
    if not frames:
        return pd.DataFrame(columns=list(AREA_COLUMNS))
    return pd.concat(frames, ignore_index=True)[list(AREA_COLUMNS)]


def _names(codes: list[str], level: str, geography: Any) -> list[str]:
    """Area names for codes (the code itself where no name is known)."""
    try:
        table = geography.areas(level)
        lookup = dict(zip(table["code"], table["name"], strict=False))
    except Exception:  # noqa: BLE001 - names are a courtesy; codes always identify the area
        lookup = {}
    return [str(lookup.get(c, c)) for c in codes]


def plain_summary(diffs: pd.DataFrame) -> list[str]:
    """One plain-language sentence per reform and headline measure: what differs and how sure we are."""
    from devocare import formatting

    lines = []
    headline = (
        "spent_gbp_bn",
        "admissions_per_1000",
        "upstream_share",
        "deficit_support_gbp_bn",
        "bodies_in_intervention",
    )
    for (arch, base), group in diffs.groupby(["architecture", "baseline"], sort=False):
        for key in headline:
            row = group[group["measure"] == key]
            if row.empty:
                continue
            x = row.iloc[0]
            unit = measures.unit(key)
            scale = {"share": "share"}.get(unit or "", unit)
            mid = formatting.by_unit(abs(x["diff_p50"]), scale)
            lo, hi = formatting.by_unit(x["diff_p5"], scale), formatting.by_unit(x["diff_p95"], scale)
            if unit == "share":
                mid = formatting.significant(abs(x["diff_p50"]) * 100, 3, 2) + " percentage points"
                lo = formatting.significant(x["diff_p5"] * 100, 3, 2)
                hi = formatting.significant(x["diff_p95"] * 100, 3, 2) + " points"
            direction = "higher" if x["diff_p50"] > 0 else "lower" if x["diff_p50"] < 0 else "no different"
            label = str(x["label"])
            label = label[:1].lower() + label[1:] if label[1:2].islower() else label
            if direction == "no different":
                lines.append(f"{arch}: {label} is no different from {base} in the median draw.")
                continue
            if int(x["draws"]) == 0:
                lines.append(
                    f"{arch}: {label} is {mid} {direction} than under {base} in the central run "
                    "(no Monte Carlo draws, so no uncertainty is estimated)."
                )
                continue
            sure = x["prob_higher"] if direction == "higher" else x["prob_lower"]
            lines.append(
                f"{arch}: {label} is {mid} {direction} than under {base} in the median draw "
                f"(90% of paired draws between {lo} and {hi}; {direction} in {formatting.percent(sure)} of draws)."
            )
    return lines


#: National series per draw and year that :func:`difference_fans` can difference.
FAN_SERIES = {
    "spent": ("Money spent", lambda r: r.national["spent_by_line"].sum(axis=2)),
    "admissions": ("Emergency admissions", lambda r: r.national["admissions"]),
    "deficit_support": ("Deficit support from the centre", lambda r: r.draws["deficit_support"].sum(axis=2)),
}


def difference_fans(results: Sequence[SimulationResult], baseline: str, series: str = "spent") -> pd.DataFrame:
    """Per reform and year: P5/P50/P95 of the paired national difference (reform − baseline) in ``series``
    (one of :data:`FAN_SERIES`), and the central run's difference — what a difference fan chart draws."""
    if series not in FAN_SERIES:
        raise DevocareError(f"unknown series {series!r}; choose one of {', '.join(FAN_SERIES)}")
    base, others = _check(results, baseline)
    get = FAN_SERIES[series][1]
    b = get(base)
    frames = []
    for r in others:
        diff = get(r) - b  # (draws+1, years)
        sample = diff[1:] if r.n_draws > 0 else diff[:1]
        frames.append(
            pd.DataFrame(
                {
                    "architecture": r.architecture,
                    "year": r.years,
                    "series": series,
                    "p5": np.percentile(sample, 5, axis=0),
                    "p50": np.percentile(sample, 50, axis=0),
                    "p95": np.percentile(sample, 95, axis=0),
                    "central": diff[0],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


#: Columns of :func:`drivers`.
DRIVER_COLUMNS = ("architecture", "baseline", "measure", "driver", "kind", "pearson", "spearman", "draws")


def _rank(x: np.ndarray) -> np.ndarray:
    """Ranks 0..n−1 (ties broken by order: draws of a continuous parameter do not tie)."""
    r = np.empty(len(x))
    r[np.argsort(x, kind="stable")] = np.arange(len(x))
    return r


def _corr(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson correlation; NaN where either side does not vary."""
    if np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def funding_gap_draws(r: SimulationResult) -> np.ndarray:
    """Per draw, the run's need minus its allocation at the horizon (£bn): what a run would have to find
    (positive) or could leave unspent (negative) if every holder spent its need."""
    need = r.national["need_by_line"][:, -1, :].sum(axis=1)
    alloc = r.national["allocated_by_line"][:, -1, :].sum(axis=1)
    return np.asarray((need - alloc) / 1e9, dtype=float)


def drivers(
    results: Sequence[SimulationResult],
    baseline: str,
    levers: dict[str, np.ndarray],
    measure: str = "spent_gbp_bn",
) -> pd.DataFrame:
    """What drives each reform's paired difference from ``baseline``: over the Monte Carlo draws, the
    Pearson and rank (Spearman) correlation of the difference in ``measure`` with each lever's draws
    (``levers``: path → values for draws 0..N, as :meth:`ParameterSet.draw` gives them) and with the
    baseline's funding gap (:func:`funding_gap_draws`). A comparison whose differences come from the
    reforms shows its largest correlations on the reforms' own levers, not on the funding gap or demand."""
    base, others = _check(results, baseline)
    if base.n_draws < 3:
        raise DevocareError("driver correlations need at least 3 Monte Carlo draws")
    gap = funding_gap_draws(base)[1:]
    rows: list[dict[str, Any]] = []
    for r in others:
        diff = np.asarray(r.summary_draws[measure], dtype=float)[1:] - np.asarray(base.summary_draws[measure])[1:]
        named = [("baseline funding gap", "funding gap", gap)]
        named += [(path, "lever", np.asarray(v, dtype=float)[1:]) for path, v in sorted(levers.items())]
        for name, kind, x in named:
            rows.append(
                {
                    "architecture": r.architecture,
                    "baseline": baseline,
                    "measure": measure,
                    "driver": name,
                    "kind": kind,
                    "pearson": _corr(x, diff),
                    "spearman": _corr(_rank(x), _rank(diff)),
                    "draws": int(r.n_draws),
                }
            )
    return pd.DataFrame(rows, columns=list(DRIVER_COLUMNS))
