"""Benchmark: need indices for every place of every ICB (places = local authority districts), every year.

Compares devocare's vectorised calculation (``all_place_indices``: segment sums over integer ids) with a
straightforward pandas reference that loops over ICBs and places the way NHS England's tool does (filter
the practice table for each place, sum, divide), in the same run, and checks the results are identical.
Prints one JSON object.

    .venv/bin/python bench/bench_allocation.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
import warnings
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from devocare.allocation.need import TOOL_RULES, NeedIndexWarning, all_place_indices
from devocare.allocation.practices import COMPONENT_IDS, YEARS, practices

VALUES = ["population", *[f"wp_{c}" for c in COMPONENT_IDS]]
INDEX = [f"index_{c}" for c in COMPONENT_IDS]


def _round_sum(x: float, how: str) -> float:
    return {"truncate": float(int(x)), "half_even": float(round(x)), "none": x}[how]


def _round_index(x: float, how: str) -> float:
    if how == "numpy":
        return float(np.round(x, 3))
    return float(Decimal(str(float(x))).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


def reference(year: str, mode: str) -> pd.DataFrame:
    """Per-ICB, per-place loop in plain pandas: one filter of the practice table per place."""
    df = practices(year)
    rule = TOOL_RULES[year] if mode == "nhse-tool" else None
    if rule is not None:
        df[VALUES] = df[VALUES].fillna(rule.blanks_to)
        if rule.zeros_to_one:
            df[VALUES] = df[VALUES].replace(0, 1)
    rows = []
    for icb in sorted(df["icb_code"].unique()):
        icb_sums = df[df["icb_code"] == icb][VALUES].sum()
        if rule is not None:
            icb_sums = icb_sums.map(lambda v: _round_sum(v, rule.sum_rounding))
        for lad in sorted(df.loc[df["icb_code"] == icb, "lad_code"].unique()):
            place = df[(df["icb_code"] == icb) & (df["lad_code"] == lad)]
            sums = place[VALUES].sum()
            if rule is not None:
                sums = sums.map(lambda v: _round_sum(v, rule.sum_rounding))
            row = {"icb_code": icb, "place_code": lad}
            for c in COMPONENT_IDS:
                value = (sums[f"wp_{c}"] / sums["population"]) / (icb_sums[f"wp_{c}"] / icb_sums["population"])
                row[f"index_{c}"] = value if rule is None else _round_index(value, rule.index_rounding)
            rows.append(row)
    return pd.DataFrame(rows)


def timed(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore", NeedIndexWarning)
    runs = []
    for year in YEARS:
        practices(year)  # load and cache the data before timing either side
        for mode in ("nhse-tool", "exact"):
            if mode == "exact" and practices(year)[VALUES].isna().any().any():
                continue  # exact mode refuses blank published values (2022/23 maternity)
            fast_s, fast = timed(lambda y=year, m=mode: all_place_indices(y, "lad", m), args.repeat)
            ref_s, ref = timed(lambda y=year, m=mode: reference(y, m), 1)
            assert isinstance(fast, pd.DataFrame) and isinstance(ref, pd.DataFrame)
            a = fast.set_index(["icb_code", "place_code"]).sort_index()[INDEX]
            b = ref.set_index(["icb_code", "place_code"]).sort_index()[INDEX]
            same_places = a.index.equals(b.index)
            diff = float(np.nanmax(np.abs(a.to_numpy() - b.reindex(a.index).to_numpy())))
            identical = same_places and (
                bool((a.to_numpy() == b.to_numpy()).all()) if mode == "nhse-tool" else diff <= 1e-12
            )
            runs.append(
                {
                    "year": year,
                    "mode": mode,
                    "places": len(a),
                    "practices": len(practices(year)),
                    "vectorised_s": round(fast_s, 5),
                    "reference_s": round(ref_s, 5),
                    "speedup": round(ref_s / fast_s, 1),
                    "identical": identical,
                    "max_abs_diff": diff,
                }
            )
    total_fast = sum(r["vectorised_s"] for r in runs)
    total_ref = sum(r["reference_s"] for r in runs)
    print(
        json.dumps(
            {
                "benchmark": "need indices, all ICBs x LAD places, every shipped year",
                "python": platform.python_version(),
                "numpy": np.__version__,
                "pandas": pd.__version__,
                "runs": runs,
                "total_vectorised_s": round(total_fast, 4),
                "total_reference_s": round(total_ref, 4),
                "speedup": round(total_ref / total_fast, 1),
                "all_identical": all(r["identical"] for r in runs),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
