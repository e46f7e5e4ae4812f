"""What drives the paired differences of the reforms from the status quo; prints one JSON object.

Runs ``compare status-quo-2023 reform-aco-2024 reform-split-2024 ten-year-plan-2025 --baseline
status-quo-2023`` (same seed: common random numbers) and, for each reform, the correlation over the Monte
Carlo draws of its paired spend difference at the horizon with every uncertain parameter (lever) and with
the status quo's funding gap (need − allocation at the horizon). The reforms' differences should be driven
by their mechanisms (left shift, efficiency, caps, capture, prevention), not by the funding gap.

    python bench/bench_drivers.py [--draws 200] [--seed 2024] [--years 10] [--set path=value ...]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from devocare.simulation.paired import drivers, paired_differences
from devocare.simulation.parameters import resolve
from devocare.simulation.runner import simulate

ARCHS = ("status-quo-2023", "reform-aco-2024", "reform-split-2024", "ten-year-plan-2025")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--measure", default="spent_gbp_bn")
    ap.add_argument("--set", action="append", default=[], help="path=value override (repeatable)")
    args = ap.parse_args()
    overrides = dict(s.split("=", 1) for s in args.set)
    overrides = {k: float(v) for k, v in overrides.items()}
    start = time.perf_counter()
    results = [
        simulate(a, years=args.years, draws=args.draws, seed=args.seed, overrides=overrides, waterfall=False)
        for a in ARCHS
    ]
    levers = resolve(overrides).draw(args.seed, np.arange(args.draws + 1))
    table = drivers(results, ARCHS[0], levers, args.measure)
    diffs = paired_differences(results, ARCHS[0])
    out: dict[str, object] = {"draws": args.draws, "seed": args.seed, "years": args.years, "measure": args.measure}
    for arch, group in table.groupby("architecture", sort=False):
        g = group.assign(abs_r=group["pearson"].abs()).sort_values("abs_r", ascending=False)
        gap = g[g["kind"] == "funding gap"].iloc[0]
        row = diffs[(diffs["architecture"] == arch) & (diffs["measure"] == args.measure)].iloc[0]
        out[str(arch)] = {
            "diff_p5": round(float(row["diff_p5"]), 3),
            "diff_p50": round(float(row["diff_p50"]), 3),
            "diff_p95": round(float(row["diff_p95"]), 3),
            "prob_lower": round(float(row["prob_lower"]), 3),
            "funding_gap": {"pearson": round(float(gap["pearson"]), 3), "spearman": round(float(gap["spearman"]), 3)},
            "levers": {
                str(x["driver"]): {"pearson": round(float(x["pearson"]), 3), "spearman": round(float(x["spearman"]), 3)}
                for _, x in g[g["kind"] == "lever"].iterrows()
                if np.isfinite(x["pearson"])
            },
        }
    out["seconds"] = round(time.perf_counter() - start, 1)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
