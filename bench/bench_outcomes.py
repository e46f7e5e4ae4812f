"""Benchmark: the outcomes monitor's array mechanics against straightforward loops, in the same run.

1. Aggregation of an indicator from districts to the 42 ICBs for every period
   (``aggregate``: one merge and one group-by) against a loop over ICBs and periods that filters, weights and
   divides. The results are checked to be identical.
2. The Gini coefficient over all districts (sorted-rank formula) against the double sum of its definition.
3. Synthetic control for Greater Manchester: one fit, and the full run with every placebo.

Prints one JSON object.

    .venv/bin/python bench/bench_outcomes.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np

from devocare import geography
from devocare.outcomes.aggregate import _population, aggregate
from devocare.outcomes.catalogue import load_indicator
from devocare.outcomes.evaluation import evaluate, synthetic_control
from devocare.outcomes.variation import gini


def _best(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def _loop_aggregate(frame, member):
    """Reference: for each ICB and period, filter its districts, weight by population × share, divide."""
    out = {}
    for icb, parts in member.groupby("to_code"):
        for period, rows in frame.groupby("period"):
            rows = rows.set_index("code")
            codes = [c for c in parts["from_code"] if c in rows.index]
            if not codes:
                continue
            year = int(rows["year_end"].iloc[0])
            pop = _population("lad", year, 2024)
            share = parts.set_index("from_code")["share"]
            w = np.array([pop[c] * share[c] for c in codes])
            out[(icb, period)] = float(np.sum(w * rows.loc[codes, "value"].to_numpy()) / w.sum())
    return out


def main() -> None:
    """Run the three comparisons and print JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat

    frame = load_indicator("u75_preventable_cvd_mortality")
    frame = frame[frame["level"] == "lad"]
    member = geography.membership("lad", "icb")
    member = member[member["share"] > 0]
    aggregate(frame, "lad", "icb")  # warm the population cache for both
    t_vec, vec = _best(lambda: aggregate(frame, "lad", "icb"), repeat)
    t_loop, ref = _best(lambda: _loop_aggregate(frame, member), 1)
    vec_map = {(r.code, r.period): r.value for r in vec.itertuples()}
    max_diff = max(abs(vec_map[k] - v) for k, v in ref.items())

    values = frame[frame["period"] == "2022-24"]["value"].to_numpy()
    t_gini, g = _best(lambda: gini(values), repeat)

    def double_sum() -> float:
        return sum(abs(a - b) for a in values for b in values) / (2 * len(values) ** 2 * values.mean())

    t_gini_ref, g_ref = _best(double_sum, 1)

    gm = evaluate("E47000001", 2016, "u75_preventable_cvd_mortality")
    path = gm["path"]
    pre, post = (path["phase"] == "pre").to_numpy(), (path["phase"] == "post").to_numpy()
    donors = np.random.default_rng(0).normal(40, 5, size=(len(path), gm["n_donors"]))
    t_fit, _ = _best(lambda: synthetic_control(path["treated"].to_numpy(), donors, pre, post), repeat)
    t_full, _ = _best(lambda: evaluate("E47000001", 2016, "u75_preventable_cvd_mortality"), 1)

    print(
        json.dumps(
            {
                "machine": platform.platform(),
                "python": platform.python_version(),
                "aggregate_lad_to_icb_all_periods": {
                    "rows": int(len(frame)),
                    "areas_out": int(vec["code"].nunique()),
                    "periods": int(frame["period"].nunique()),
                    "vectorised_s": round(t_vec, 4),
                    "loop_reference_s": round(t_loop, 4),
                    "speedup": round(t_loop / t_vec, 1),
                    "max_abs_difference": max_diff,
                },
                "gini_all_districts": {
                    "n": int(values.size),
                    "sorted_rank_s": t_gini,
                    "double_sum_s": round(t_gini_ref, 4),
                    "speedup": round(t_gini_ref / t_gini, 1),
                    "difference": abs(g - g_ref),
                },
                "synthetic_control_greater_manchester": {
                    "donors": gm["n_donors"],
                    "periods": int(len(path)),
                    "one_fit_s": round(t_fit, 5),
                    "full_run_with_placebos_s": round(t_full, 3),
                    "full_over_one_fit": round(t_full / t_fit, 1),
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
