"""Sensitivity from the Monte Carlo draws already run: which uncertain parameters move a result most.

Each draw's uncertain parameters are re-drawn from the run's seed (the draws are a pure function of the
seed, the draw number and the parameter set, so nothing extra is stored during the run), then ranked
against the result per draw. For each parameter the table gives Spearman's rank correlation with the result
and a **swing**: the mean result in the draws where the parameter is in its lowest fifth and in its highest
fifth — the two ends of a tornado bar, in the result's own unit. With a baseline, the result is the paired
difference (reform − baseline), so the tornado says which assumptions the comparison depends on.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from devocare import measures
from devocare.errors import DevocareError
from devocare.simulation.results import SimulationResult

COLUMNS = ("measure", "parameter", "label", "rank_correlation", "low_mean", "high_mean", "swing", "draws")


def parameter_draws(result: SimulationResult) -> pd.DataFrame:
    """The uncertain parameters of each Monte Carlo draw of ``result`` (rows: draws 1..N), from its seed."""
    from devocare.simulation import montecarlo
    from devocare.simulation.parameters import resolve

    record = result.run_record
    params = resolve(record.get("overrides") or None, record.get("scenario") or None)
    if params.digest() != record.get("parameter_hash"):
        raise DevocareError("the run's parameters cannot be rebuilt from its run record (a scenario file changed?)")
    draws = np.arange(1, result.n_draws + 1)
    values = montecarlo.draw_values(params, draws, int(record["seed"]), 1, 1, 1)
    return pd.DataFrame({p: np.asarray(v, dtype=float) for p, v in values.scalars.items()}, index=draws)


def tornado(
    result: SimulationResult, measure: str = "spent_gbp_bn", baseline: SimulationResult | None = None, top: int = 10
) -> pd.DataFrame:
    """Rank correlation and swing of each uncertain parameter with a summary measure (or, with ``baseline``,
    with the paired difference from it), the ``top`` largest by absolute correlation first."""
    if result.n_draws < 10:
        raise DevocareError(f"a tornado needs at least 10 Monte Carlo draws; this run has {result.n_draws}")
    if measure not in result.summary_draws:
        raise DevocareError(f"unknown measure {measure!r}; choose one of {', '.join(result.summary_draws)}")
    y = np.asarray(result.summary_draws[measure], dtype=float)[1:]
    if baseline is not None:
        same = (baseline.run_record.get("seed"), baseline.n_draws, baseline.years)
        if same != (result.run_record.get("seed"), result.n_draws, result.years):
            raise DevocareError("the baseline was not run with the same seed, draws and years")
        y = y - np.asarray(baseline.summary_draws[measure], dtype=float)[1:]
    x = parameter_draws(result)
    n = len(y)
    k = max(1, n // 5)
    ry = rankdata(y)
    rows = []
    for path in x.columns:
        v = x[path].to_numpy()
        if np.ptp(v) == 0 or np.ptp(y) == 0:
            rho = 0.0
        else:
            rho = float(np.corrcoef(rankdata(v), ry)[0, 1])
        order = np.argsort(v, kind="stable")
        low, high = float(y[order[:k]].mean()), float(y[order[-k:]].mean())
        rows.append(
            {
                "measure": measure,
                "parameter": path,
                "label": _label(path),
                "rank_correlation": rho,
                "low_mean": low,
                "high_mean": high,
                "swing": high - low,
                "draws": n,
            }
        )
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    table = table.reindex(table["rank_correlation"].abs().sort_values(ascending=False, kind="stable").index)
    return table.head(top).reset_index(drop=True)


def _label(path: str) -> str:
    from devocare.simulation.parameters import defaults

    p = defaults().params.get(path)
    return str(getattr(p, "label", "") or path)


def describe(table: pd.DataFrame) -> str:
    """One sentence naming the parameter that moves the result most."""
    from devocare import formatting

    if table.empty:
        return "No uncertain parameter moves this result."
    top = table.iloc[0]
    unit = formatting.guess_unit(str(top["measure"]))
    return (
        f"{top['label']} moves {measures.label(str(top['measure'])).lower()} most: rank correlation "
        f"{top['rank_correlation']:+.2f}; in the fifth of draws where it is lowest the result averages "
        f"{formatting.by_unit(top['low_mean'], unit)}, where it is highest "
        f"{formatting.by_unit(top['high_mean'], unit)}."
    )
