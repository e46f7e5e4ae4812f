"""Light coalition runs for the attribution: time against full runs measured in the same process; prints JSON.

:func:`devocare.simulation.attribution.attribute` runs each architecture once per combination of its
mechanism groups, and reads only each run's national summary measures per draw. With ``light=True`` (the
default) every coalition run but the plain ones skips the per-atom detail (the central draw's atoms, each
draw's atom totals and their statistics over draws); ``light=False`` is the earlier behaviour, every run
whole. Both are timed here in alternation (best of ``--repeat``), with one single run each way, and the
attributions are checked to be identical to the last bit.

    python bench/bench_attribution.py [--reform reform-aco-2024] [--draws 20] [--years 10] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from devocare.simulation.attribution import attribute
from devocare.simulation.runner import simulate

BASELINE = "status-quo-2023"


def _best(fn: Callable[[], Any], repeat: int) -> float:
    """The shortest of ``repeat`` timings of ``fn()``, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reform", default="reform-aco-2024")
    ap.add_argument("--draws", type=int, default=20)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--atoms", default="lad")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    opts = {"years": args.years, "draws": args.draws, "seed": args.seed, "atoms": args.atoms}
    archs = [BASELINE, args.reform]
    attribute(archs, BASELINE, **{**opts, "draws": 0, "years": 1})  # load data and rules once, untimed
    times: dict[str, float] = {"full": float("inf"), "light": float("inf")}
    results: dict[str, Any] = {}
    for _ in range(args.repeat):  # alternate, so both see the same machine load
        for mode in ("full", "light"):
            start = time.perf_counter()
            results[mode] = attribute(archs, BASELINE, light=mode == "light", **opts)
            times[mode] = min(times[mode], time.perf_counter() - start)
    full, light = results["full"], results["light"]
    identical = all(
        np.array_equal(full.contributions[r][m][k], light.contributions[r][m][k])
        for r in full.contributions
        for m in full.contributions[r]
        for k in full.contributions[r][m]
    )
    one_full = _best(lambda: simulate(args.reform, waterfall=False, **opts), args.repeat)
    one_light = _best(lambda: simulate(args.reform, waterfall=False, atom_detail=False, **opts), args.repeat)
    print(
        json.dumps(
            {
                "architectures": archs,
                **opts,
                "runs": light.runs,
                "attribute_full_s": round(times["full"], 3),
                "attribute_light_s": round(times["light"], 3),
                "attribute_speedup": round(times["full"] / times["light"], 2),
                "single_run_full_s": round(one_full, 3),
                "single_run_light_s": round(one_light, 3),
                "single_run_speedup": round(one_full / one_light, 2),
                "identical": identical,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
