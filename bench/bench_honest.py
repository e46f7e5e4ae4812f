"""Benchmark against honest baselines, measured in the same run; prints one JSON object.

- **Baseline**: the engine (status quo, fixed blocks of draws, no per-atom output) against an independent
  plain NumPy implementation of the status quo's year (:mod:`numpy_status_quo`) on the same inputs, grants
  and draws, at LAD and LSOA level, timed in turn (best of nine each, so both see the same load and the same
  state of the memory allocator); ``engine_over_baseline`` > 1 means the engine is slower (it records all its
  per-budget measures, 21 of them; ``engine_same_outputs_over_baseline`` has it record only the five the
  baseline returns, the same work), and
  ``baseline_max_relative_gap`` shows the two gave the same national spend and need. The earlier, much
  lighter model (one budget group, ``min(need, money)``) is reported beside it as
  ``engine_over_simple_baseline``.
- **Roofline**: a fused triad ``np.add(b, c, out=a)`` (no temporaries) on arrays four times the last-level
  cache, so it streams from memory; the engine's element rate over the triad's element rate, and its
  fraction of the byte floor: the bytes the computation must move, counted as one float64 read of each
  atom-line-year-draw element's need (8 B) against the 24 B per element the triad moves.
- **Shipped to a Dask worker**: the pickled LSOA model (membership as CSR parts, heads as LAD factors)
  against its dense arrays.
- **End to end**: the CLI (``devocare simulate ... --out x.parquet``, a fresh process) beside the engine
  time of the same run. Times are CPU seconds (the machine may be shared), the CLI's from ``getrusage``.

    python bench/bench_honest.py [--draws 100] [--lsoa-draws 20] [--cli-atoms lad]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import numpy_status_quo as sq  # noqa: E402

from devocare import architecture  # noqa: E402
from devocare.simulation import montecarlo  # noqa: E402
from devocare.simulation.backend import namespace  # noqa: E402
from devocare.simulation.engine import FACTORS, prepared, run_block  # noqa: E402
from devocare.simulation.inputs import load_inputs  # noqa: E402
from devocare.simulation.parameters import defaults  # noqa: E402
from devocare.simulation.rules import build_rules  # noqa: E402

ARCH = "status-quo-2023"
YEARS = 10
BYTE_FLOOR_PER_ELEMENT = 8  # one float64 of need read per atom-line-year-draw
TRIAD_BYTES_PER_ELEMENT = 24  # read b, read c, write a
ROUNDS = 9  # the engine and the baselines timed in turn, best of this many


def _cpu(fn) -> float:
    """Best of three process-CPU timings of ``fn`` (the machine may be shared)."""
    best = float("inf")
    for _ in range(3):
        c = time.process_time()
        fn()
        best = min(best, time.process_time() - c)
    return best


def _interleaved(fns: tuple, rounds: int) -> list[float]:
    """Best process-CPU timing of each of ``fns``, run in turn ``rounds`` times: the engine and the baselines
    see the same machine load and the same state of the memory allocator (which a run before changes)."""
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            c = time.process_time()
            fn()
            best[i] = min(best[i], time.process_time() - c)
    return best


def last_level_cache_bytes() -> int:
    """The largest CPU cache, from sysfs where there is one (else 32 MiB)."""
    sizes = []
    for p in Path("/sys/devices/system/cpu/cpu0/cache").glob("index*/size"):
        text = p.read_text().strip()
        mult = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1], 1)
        sizes.append(int(text.rstrip("KMG")) * mult)
    return max(sizes, default=32 * 2**20)


def fused_triad(llc: int) -> dict:
    """Element rate of ``np.add(b, c, out=a)`` over arrays each four times the last-level cache."""
    n = max(4 * llc, 64 * 2**20) // 8
    a, b, c = np.empty(n), np.ones(n), np.full(n, 2.0)
    np.add(b, c, out=a)
    seconds = _cpu(lambda: np.add(b, c, out=a))
    return {
        "elements": n,
        "array_mib": n * 8 / 2**20,
        "last_level_cache_mib": llc / 2**20,
        "cpu_seconds": seconds,
        "elements_per_second": n / seconds,
        "gb_per_second": TRIAD_BYTES_PER_ELEMENT * n / seconds / 1e9,
    }


def engine_vs_baseline(level: str, draws: int) -> dict:
    """CPU seconds of the engine and of the NumPy baselines over the same blocks of draws: the status quo's
    year (:func:`numpy_status_quo.run`, checked here to give the engine's numbers) and the earlier simple
    model (:func:`numpy_status_quo.run_simple`)."""
    params = defaults()
    fixed = montecarlo.central_values(params, YEARS)
    xp = namespace("numpy")
    inputs = load_inputs(level)
    rules = build_rules(architecture.load(ARCH), level)
    prep = prepared(inputs, rules, fixed, YEARS, frozenset(FACTORS))
    model = sq.build(inputs, rules, prep.alloc_b, fixed)  # outside the timing, like the engine's preparation
    blocks = list(montecarlo.blocks(draws - 1, len(rules.atoms)))
    values = [montecarlo.draw_values(params, b, 0, YEARS, len(inputs.lads), rules.n_budgets) for b in blocks]
    group = max(rules.groups, key=lambda g: int(g.lines.sum()))  # the budget that pays for most lines
    lay = sq.layout(np.asarray(group.H).argmax(axis=1), np.tile(group.lines, (group.H.shape[1], 1)))
    heads = inputs.weighted_heads[:YEARS]
    shocks = [np.random.default_rng(int(b[0])).normal(0.0, 0.02, (len(b), YEARS, len(inputs.lads))) for b in blocks]

    def engine() -> None:
        for v in values:
            run_block(xp, inputs, rules, fixed, v, YEARS, keep_atoms=False)

    def engine_same_outputs() -> None:  # recording only the per-budget measures the baseline returns
        for v in values:
            run_block(xp, inputs, rules, fixed, v, YEARS, keep_atoms=False, measures=sq.BUDGET_OUTPUTS)

    def baseline() -> None:
        for v in values:
            sq.run(model, v, YEARS)

    def simple() -> None:
        for s in shocks:
            sq.run_simple(heads, inputs.atom_lad, s, lay)

    first = values[0]
    theirs = run_block(xp, inputs, rules, fixed, first, YEARS, keep_atoms=False)
    ours = sq.run(model, first, YEARS)
    gap = max(
        float(np.max(np.abs(ours["national_spent"] / theirs.national["spent_by_line"].sum(axis=-1) - 1.0))),
        float(np.max(np.abs(ours["national_need"] / theirs.national["need_by_line"].sum(axis=-1) - 1.0))),
    )
    engine_s, same_s, baseline_s, simple_s = _interleaved((engine, engine_same_outputs, baseline, simple), ROUNDS)
    elements = len(rules.atoms) * heads.shape[2] * YEARS * draws
    return {
        "architecture": ARCH,
        "atoms": len(rules.atoms),
        "draws": draws,
        "years": YEARS,
        "draw_block": montecarlo.block_size(len(rules.atoms)),
        "engine_cpu_seconds": engine_s,
        "baseline_cpu_seconds": baseline_s,
        "engine_over_baseline": engine_s / baseline_s,
        "engine_same_outputs_cpu_seconds": same_s,
        "engine_same_outputs_over_baseline": same_s / baseline_s,
        "baseline_max_relative_gap": gap,
        "simple_baseline_cpu_seconds": simple_s,
        "engine_over_simple_baseline": engine_s / simple_s,
        "engine_elements_per_second": elements / engine_s,
        "baseline_elements_per_second": elements / baseline_s,
    }


def shipped_to_a_worker(arch: str) -> dict:
    """Bytes of the LSOA model a Dask worker receives (its pickle) against the same arrays dense."""
    import pickle

    from devocare.simulation import floor_settings

    rules = build_rules(architecture.load(arch), "lsoa")
    inputs = floor_settings.apply(load_inputs("lsoa"), {})
    dense = sum(g.H.nbytes + (0 if g.H_full is None else g.H_full.nbytes) for g in rules.groups)
    dense += inputs.weighted_heads.nbytes
    shipped = len(pickle.dumps({"rules": rules, "inputs": inputs}, protocol=5))
    return {
        "architecture": arch,
        "dense_membership_and_heads_mb": dense / 1e6,
        "pickled_model_mb": shipped / 1e6,
        "pickled_over_dense": shipped / dense,
    }


def cli_end_to_end(level: str, draws: int) -> dict:
    """CPU seconds of ``devocare simulate`` in a fresh process, writing Parquet."""
    with tempfile.TemporaryDirectory() as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from devocare.cli import main; main()",
                "simulate",
                ARCH,
                "--atoms",
                level,
                "--years",
                str(YEARS),
                "--draws",
                str(draws),
                "--scheduler",
                "process",
                "--out",
                str(Path(tmp) / "x.parquet"),
                "--format",
                "json",
            ],
            check=True,
            capture_output=True,
        )
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"atoms": level, "draws": draws, "cpu_seconds": cpu, "wall_seconds": wall}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=100, help="draws at LAD level (draw 0 included)")
    ap.add_argument("--lsoa-draws", type=int, default=20, help="draws at LSOA level (0 skips LSOA)")
    ap.add_argument("--cli-atoms", default="lad", help="atom level of the end-to-end CLI run ('' skips it)")
    args = ap.parse_args()
    out: dict = {"machine": {"cpus": os.cpu_count(), "numpy": np.__version__, "load_average": os.getloadavg()}}
    triad = fused_triad(last_level_cache_bytes())
    out["fused_triad"] = triad
    levels = [("lad", args.draws)] + ([("lsoa", args.lsoa_draws)] if args.lsoa_draws else [])
    for level, draws in levels:
        r = engine_vs_baseline(level, draws)
        rate = r["engine_elements_per_second"]
        r["engine_over_triad_element_rate"] = rate / triad["elements_per_second"]
        r["engine_fraction_of_byte_floor"] = rate * BYTE_FLOOR_PER_ELEMENT / (triad["gb_per_second"] * 1e9)
        out[f"{level}_engine_vs_numpy_baseline"] = r
    if args.lsoa_draws:
        out["lsoa_model_shipped_to_a_dask_worker"] = [shipped_to_a_worker(a) for a in (ARCH, "reform-split-2024")]
    if args.cli_atoms:
        draws = dict(levels).get(args.cli_atoms, args.draws)
        cli = cli_end_to_end(args.cli_atoms, draws)
        engine = out.get(f"{args.cli_atoms}_engine_vs_numpy_baseline", {}).get("engine_cpu_seconds")
        cli["engine_cpu_seconds"] = engine
        cli["engine_share_of_cli"] = None if engine is None else engine / cli["cpu_seconds"]
        out["cli_end_to_end"] = cli
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
