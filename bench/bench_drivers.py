"""What drives the paired differences of the reforms from the status quo; prints one JSON object.

Runs ``compare status-quo-2023 reform-aco-2024 reform-split-2024 ten-year-plan-2025 --baseline
status-quo-2023`` (same seed: common random numbers) and, for each reform, the correlation over the Monte
Carlo draws of its paired spend difference at the horizon with every uncertain parameter (lever) and with
the status quo's funding gap (need − allocation at the horizon). The reforms' differences should be driven
by their mechanisms (left shift, efficiency, caps, capture, prevention), not by the funding gap.

It also attributes each reform's difference exactly to the mechanism groups
(:func:`devocare.simulation.attribution.attribute`: Shapley values per draw, one run per combination of
the groups that act) and reports, per group, its contribution (P5, P50, P95), its share of the
difference's variance, its correlation with the funding gap and with the levers that move it most, and the
correlation with the gap of the difference less the deficit-support group's contribution and of the
difference with deficit support off in every architecture (that coalition's runs). ``seconds`` is
the whole run (attribution included), ``runs`` the simulations it took; ``--no-attribute`` runs the four
plain runs only.

    python bench/bench_drivers.py [--draws 200] [--seed 2024] [--years 10] [--set path=value ...]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from devocare.simulation.attribution import attribute, attribution_table
from devocare.simulation.paired import drivers, funding_gap_draws, paired_differences
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
    ap.add_argument("--no-attribute", action="store_true", help="skip the attribution to mechanism groups")
    args = ap.parse_args()
    overrides = dict(s.split("=", 1) for s in args.set)
    overrides = {k: float(v) for k, v in overrides.items()}
    start = time.perf_counter()
    attr = None
    if args.no_attribute:
        results = [
            simulate(a, years=args.years, draws=args.draws, seed=args.seed, overrides=overrides, waterfall=False)
            for a in ARCHS
        ]
    else:
        attr = attribute(ARCHS, ARCHS[0], years=args.years, draws=args.draws, seed=args.seed, overrides=overrides)
        results = attr.results
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
        if attr is not None:
            entry = out[str(arch)]
            entry["attribution"] = _attribution(attr, str(arch), args.measure, results[0], levers)  # type: ignore[index]
            entry["attribution_other_measures"] = _brief(attr, str(arch), args.measure)  # type: ignore[index]
    if attr is not None:
        out["runs"] = attr.runs
    out["seconds"] = round(time.perf_counter() - start, 1)
    print(json.dumps(out, indent=1))


def _r(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson r; NaN where either side does not vary beyond rounding (a contribution that is zero)."""
    if np.ptp(x) <= 1e-9 * max(1.0, float(np.abs(x).max())) or np.ptp(y) <= 1e-9 * max(1.0, float(np.abs(y).max())):
        return float("nan")
    return round(float(np.corrcoef(x, y)[0, 1]), 3)


#: Measures whose attribution the bench summarises beside the main one (same runs, nothing extra to run).
OTHER_MEASURES = ("admissions_per_1000", "unmet_need_gbp_bn", "deficit_support_gbp_bn")


def _brief(attr: object, arch: str, measure: str) -> dict:
    """For the other headline measures: the paired difference (P5/P50/P95) and each group's contribution
    P50 and share of variance, from the same runs."""
    table = attribution_table(attr)  # type: ignore[arg-type]
    out: dict[str, object] = {}
    for m in OTHER_MEASURES:
        if m == measure:
            continue
        diff = attr.differences[arch][m][1:]  # type: ignore[attr-defined]
        rows = table[(table["architecture"] == arch) & (table["measure"] == m)]
        out[m] = {
            "diff_p5": round(float(np.percentile(diff, 5)), 4),
            "diff_p50": round(float(np.percentile(diff, 50)), 4),
            "diff_p95": round(float(np.percentile(diff, 95)), 4),
            "prob_lower": round(float(np.mean(diff < 0)), 3),
            "groups": {
                str(x["mechanism"]): {
                    "contribution_p50": round(float(x["contribution_p50"]), 4),
                    "share_of_variance": round(float(x["share_of_variance"]), 3),
                }
                for _, x in rows.iterrows()
            },
        }
    return out


def _attribution(attr: object, arch: str, measure: str, base: object, levers: dict[str, np.ndarray]) -> dict:
    """Per mechanism group: contribution P5/P50/P95 and share of variance (from the attribution table), and
    the correlation over the draws of its contribution with the funding gap and with the three levers it
    moves with most; and the gap correlation of the difference without the deficit-support group."""
    table = attribution_table(attr)  # type: ignore[arg-type]
    rows = table[(table["architecture"] == arch) & (table["measure"] == measure)]
    parts = attr.contributions[arch][measure]  # type: ignore[attr-defined]
    diff = attr.differences[arch][measure][1:]  # type: ignore[attr-defined]
    gap = funding_gap_draws(base)[1:]  # type: ignore[arg-type]
    out: dict[str, object] = {}
    for _, row in rows.iterrows():
        c = parts[row["mechanism"]][1:]
        lever_r = {p: _r(np.asarray(v, dtype=float)[1:], c) for p, v in levers.items()}
        top = sorted(((p, r) for p, r in lever_r.items() if r == r), key=lambda x: -abs(x[1]))[:3]
        out[str(row["mechanism"])] = {
            "contribution_p5": round(float(row["contribution_p5"]), 3),
            "contribution_p50": round(float(row["contribution_p50"]), 3),
            "contribution_p95": round(float(row["contribution_p95"]), 3),
            "share_of_variance": round(float(row["share_of_variance"]), 3),
            "funding_gap_pearson": _r(gap, c),
            "levers": dict(top),
        }
    out["difference_less_deficit_support_contribution"] = {
        "funding_gap_pearson": _r(gap, diff - parts["deficit_support"][1:])
    }
    # the comparison with every mechanism on but no deficit support in any architecture (a run, not a sum)
    coalitions = attr.coalitions[arch]  # type: ignore[attr-defined]
    no_support = max((s for s in coalitions if "deficit_support" not in s), key=len)
    nd = coalitions[no_support][measure][1:]
    out["no_deficit_support_anywhere"] = {
        "funding_gap_pearson": _r(gap, nd),
        "diff_p50": round(float(np.median(nd)), 3),
        "prob_lower": round(float(np.mean(nd < 0)), 3),
    }
    return out


if __name__ == "__main__":
    main()
