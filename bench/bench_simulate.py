"""Benchmark of the devolution simulator; prints one JSON object.

Measured in the same run, so ratios do not depend on the machine: the engine's throughput in
atom-line-year-draws per second, a NumPy triad (a = b + s·c) over arrays of the engine's working-set size
as a memory-bandwidth baseline, the engine's fraction of that roofline (its atom-line-year-draws per
second over the triad's elements per second: 1.0 would mean the whole model costs one triad pass per
element), and the speed-up over the per-atom Python reference of the same mechanics. On NumPy, times are
process CPU seconds as well as wall-clock seconds: the development machine is shared, and CPU time is what
the engine costs whatever else runs; the ratios use CPU time on both sides.

    python bench/bench_simulate.py [--draws 100] [--backend numpy|cupy|jax] [--gpu-draws 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np

from devocare import architecture
from devocare.simulation import montecarlo
from devocare.simulation.backend import namespace, to_numpy
from devocare.simulation.engine import FACTORS, prepared, run_block
from devocare.simulation.inputs import load_inputs
from devocare.simulation.parameters import defaults
from devocare.simulation.reference import reference_run
from devocare.simulation.rules import build_rules

YEARS = 10
LINES = 10


def _best(fn, repeat: int = 3) -> tuple[float, float]:
    """Best wall-clock and best CPU (process) seconds over ``repeat`` calls."""
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return min(wall), min(cpu)


def _triad(n: int, xp, repeat: int = 5) -> tuple[float, float]:
    """Wall and CPU seconds for one triad pass a = b + s·c over ``n`` float64 elements (best of ``repeat``)."""
    b, c = xp.ones(n), xp.ones(n) * 2.0
    out = {"a": b + 1.5 * c}

    def triad() -> None:
        out["a"] = b + 1.5 * c
        if xp is not np:
            float(to_numpy(out["a"][:1])[0])  # wait for the device

    return _best(triad, repeat)


def deterministic_lad(params, fixed, xp) -> dict:
    """Every built-in architecture, central values, LAD atoms, 10 years (rules and inputs prepared)."""
    inputs = load_inputs("lad")
    cases = []
    for arch_id in architecture.builtin_ids():
        rules = build_rules(architecture.load(arch_id), "lad")
        values = montecarlo.draw_values(params, np.array([0]), 0, YEARS, len(inputs.lads), rules.n_budgets)
        prepared(inputs, rules, fixed, YEARS, frozenset(FACTORS))
        cases.append((rules, values))

    def all_archs() -> None:
        for rules, values in cases:
            run_block(xp, inputs, rules, fixed, values, YEARS)

    all_archs()
    wall, cpu = _best(all_archs, 7)
    return {
        "architectures": len(cases),
        "seconds_wall": wall,
        "seconds_cpu": cpu,
        "target_seconds": 0.1,
        "meets_target_wall": wall < 0.1,
        "meets_target_cpu": cpu < 0.1,
    }


def reference_speedup(params, fixed, xp, draws: int = 4) -> dict:
    """Engine versus the per-atom reference (CPU time), LAD atoms, 10 years: the central run alone, and a
    block of Monte Carlo draws (the reference runs draws one after another, the engine all at once)."""
    inputs = load_inputs("lad")
    rules = build_rules(architecture.load("reform-split-2024"), "lad")
    out: dict = {"architecture": "reform-split-2024", "target_speedup": 100}
    for label, ids in (("central_run", np.array([0])), (f"monte_carlo_{draws}_draws", np.arange(1, draws + 1))):
        values = montecarlo.draw_values(params, ids, 0, YEARS, len(inputs.lads), rules.n_budgets)
        _, engine = _best(lambda values=values: run_block(xp, inputs, rules, fixed, values, YEARS), 7)

        def reference(values=values, ids=ids) -> None:
            for i, d in enumerate(ids):
                scalars = {k: v[i] for k, v in values.scalars.items()}
                reference_run(inputs, rules, fixed, scalars, values.shocks[i], values.criteria_noise[i], d == 0, YEARS)

        _, ref = _best(reference, 1)
        out[label] = {"engine_cpu_seconds": engine, "reference_cpu_seconds": ref, "speedup": ref / engine}
    out["meets_target"] = out[f"monte_carlo_{draws}_draws"]["speedup"] >= 100
    out["judged_on"] = f"monte_carlo_{draws}_draws"
    return out


def lsoa_monte_carlo(params, fixed, xp, draws: int, backend: str, arch_id: str = "reform-split-2024") -> dict:
    """LSOA atoms × 10 lines × 10 years × ``draws`` draws, in the engine's fixed blocks of draws."""
    inputs = load_inputs("lsoa")
    rules = build_rules(architecture.load(arch_id), "lsoa")
    t = time.perf_counter()
    prepared(inputs, rules, fixed, YEARS, frozenset(FACTORS))
    prepare_s = time.perf_counter() - t
    blocks = list(montecarlo.blocks(draws - 1, len(rules.atoms)))  # draws in all, draw 0 included
    warm = montecarlo.draw_values(params, blocks[0], 0, YEARS, len(inputs.lads), rules.n_budgets)
    run_block(xp, inputs, rules, fixed, warm, 1)

    def run_all() -> None:
        for block in blocks:
            values = montecarlo.draw_values(params, block, 0, YEARS, len(inputs.lads), rules.n_budgets)
            run_block(xp, inputs, rules, fixed, values, YEARS, keep_atoms=False)

    wall, cpu = _best(run_all, 1)
    seconds = cpu if backend == "numpy" else wall
    A = len(rules.atoms)
    elements = A * LINES * YEARS * draws
    block = montecarlo.block_size(A)
    triad_n = block * LINES * A  # one (draw block, line, atom) working array
    triad_wall, triad_cpu = _triad(triad_n, xp)
    triad_s = triad_cpu if backend == "numpy" else triad_wall
    triad_rate = triad_n / triad_s
    return {
        "architecture": arch_id,
        "atoms": A,
        "lines": LINES,
        "years": YEARS,
        "draws": draws,
        "backend": backend,
        "draw_block": block,
        "prepare_seconds": prepare_s,
        "seconds_wall": wall,
        "seconds_cpu": cpu,
        "seconds": seconds,
        "timed_on": "cpu" if backend == "numpy" else "wall",
        "atom_line_year_draws_per_second": elements / seconds,
        "triad": {
            "elements": triad_n,
            "seconds": triad_s,
            "gb_per_second": 24 * triad_n / triad_s / 1e9,
            "elements_per_second": triad_rate,
        },
        "roofline_fraction": (elements / seconds) / triad_rate,
        "target_roofline_fraction": 0.2,
        "target_seconds": 10.0 if draws == 100 else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=100)
    ap.add_argument("--backend", default="numpy")
    ap.add_argument("--skip-lad", action="store_true")
    args = ap.parse_args()
    params = defaults()
    fixed = {k: p.value for k, p in params.params.items()}
    xp = namespace(args.backend)
    out: dict = {
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "numpy": np.__version__,
            "load_average": os.getloadavg(),
        }
    }
    if not args.skip_lad:
        npx = namespace("numpy")
        out["deterministic_lad_all_architectures"] = deterministic_lad(params, fixed, npx)
        out["speedup_over_reference"] = reference_speedup(params, fixed, npx)
    lsoa = lsoa_monte_carlo(params, fixed, xp, args.draws, args.backend)
    lsoa["meets_target_seconds"] = lsoa["target_seconds"] is None or lsoa["seconds"] < lsoa["target_seconds"]
    lsoa["meets_target_roofline"] = lsoa["roofline_fraction"] >= 0.2
    out["lsoa_monte_carlo"] = lsoa
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
