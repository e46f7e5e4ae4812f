"""Benchmark: validating and measuring the eight built-in architectures.

The expensive structural work is "who covers each resident": the coverage rule (every function covers
England exactly once on every date) and the pathway/coterminosity metrics evaluate every function holding
over the 33,755 LSOAs. devocare does this with one boolean vector per body (``geo.holding_coverage``).
The reference, measured in the same run, answers the same question the straightforward way — for each
function and date, loop over areas and look up which holders cover each one — and the results are checked
to be identical. Also reports the time to load (parse, merge, validate) and measure all eight built-ins.
Prints one JSON object.

    .venv/bin/python bench/bench_architecture.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable

import numpy as np

from devocare import architecture as A
from devocare import atlas
from devocare.architecture import geo, loader
from devocare.architecture.validate import check_dates


def vectorised(arch: A.Architecture) -> dict[tuple[str, str], float]:
    """Largest deviation from "covered exactly once" per (function, date), by LSOA vectors."""
    own = geo.own_coverage(arch)
    out = {}
    for on in check_dates(arch):
        level: dict[str, np.ndarray] = {}
        for i, vec in geo.holding_coverage(arch, on, own):
            key = arch.functions[i].key
            level[key] = level.get(key, 0) + vec
        for key, total in level.items():
            out[(key, on.isoformat())] = float(np.abs(total - 1).max())
    return out


def reference(arch: A.Architecture) -> dict[tuple[str, str], float]:
    """The same by looping over LSOAs and holders in Python (membership looked up per LSOA)."""
    base = geo.lsoa_frame()
    bodies = {b.id: b for b in arch.bodies}
    cov = arch.money.coverage
    covered_codes = None
    if cov is not None:
        col = base[geo.level_column(cov.level, cov.vintage)].tolist()
        covered_codes = col

    def own_at(body_id: str, row: int) -> bool:
        b = bodies[body_id]
        if b.area_level is None or b.area_level == "england":
            return True
        if b.areas == "coverage":
            code = covered_codes[row] if covered_codes is not None else None
            return code is not None and code == code and (cov.devolved == "all" or code in cov.devolved)
        code = cols[(b.area_level, b.area_vintage)][row]
        if code != code or code is None:
            return False
        return b.areas == "all" or code in b.areas

    cols = {}
    for b in arch.bodies:
        if b.area_level not in (None, "england"):
            cols[(b.area_level, b.area_vintage)] = base[geo.level_column(b.area_level, b.area_vintage)].tolist()
    out = {}
    n = len(base)
    for on in check_dates(arch):
        alive = {b.id for b in arch.bodies if b.active(on)}
        level: dict[str, list[float]] = {}
        for f in arch.functions:
            if not f.active(on):
                continue
            totals = level.setdefault(f.key, [0.0] * n)
            holder = bodies[f.holder]
            for row in range(n):
                if not own_at(holder.id, row):
                    continue
                if any(o in alive and own_at(o, row) for o in [*holder.outside, *f.outside]):
                    continue
                if f.within and not any(o in alive and own_at(o, row) for o in f.within):
                    continue
                totals[row] += f.share
        for key, totals in level.items():
            out[(key, on.isoformat())] = max(abs(t - 1) for t in totals)
    return out


def timed(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    """Run and print the JSON report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ids = A.builtin_ids()
    geo.lsoa_frame()  # warm the shared data cache so both sides start equal

    def cold_load() -> None:
        loader._load_builtin.cache_clear()
        loader._builtin_doc.cache_clear()
        for arch_id in ids:
            A.load(arch_id)

    load_s = timed(cold_load, args.repeat)
    archs = [A.load(i) for i in ids]
    metrics_s = timed(lambda: atlas.metrics_table(archs), args.repeat)
    sample = A.load("reform-aco-2024")
    fast = vectorised(sample)
    vec_s = timed(lambda: vectorised(sample), args.repeat)
    start = time.perf_counter()
    slow = reference(sample)
    ref_s = time.perf_counter() - start
    assert fast.keys() == slow.keys() and all(abs(fast[k] - slow[k]) < 1e-9 for k in fast), "results differ"
    print(
        json.dumps(
            {
                "benchmark": "architecture",
                "python": platform.python_version(),
                "builtins": len(ids),
                "load_and_validate_all_s": round(load_s, 3),
                "metrics_all_s": round(metrics_s, 3),
                "coverage_check": {
                    "architecture": sample.id,
                    "function_dates": len(fast),
                    "lsoas": len(geo.lsoa_frame()),
                    "vectorised_s": round(vec_s, 4),
                    "python_loop_reference_s": round(ref_s, 3),
                    "speedup": round(ref_s / vec_s, 1),
                    "identical": True,
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
