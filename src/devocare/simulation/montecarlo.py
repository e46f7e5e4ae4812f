"""Monte Carlo: per-draw random streams, blocks of draws, and the memory a run needs.

Each uncertain parameter has its own stream, keyed by the run's seed and the parameter's path
(:mod:`devocare.simulation.sampling`): draw ``d`` of a parameter is element ``d`` of that stream, so an
override of one parameter leaves every other parameter's draws unchanged, and any draw can be reproduced
alone. Draw ``d`` also takes its own stream, ``SeedSequence(seed, spawn_key=(d,))``, for the LAD demand
shocks (year × LAD) and then the incentive criteria noise (year × budget × 3). Results therefore do not
depend on how draws are chunked or how many workers run them, and every architecture sees the same draws
(common random numbers make architectures comparable draw by draw).

Draw 0 is the central run (central values, no shocks). The base year is observed: its shocks are zero in
every draw, and base-year parameters (``observed: true``) are never drawn, so every draw starts from the
same 2024/25 and the funding envelope, built from those values, matches each draw's base-year spend.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import numpy as np

from devocare.errors import DevocareError
from devocare.service_lines import LINE_IDS
from devocare.simulation.backend import namespace
from devocare.simulation.engine import ATOM_DRAW_MEASURES, BUDGET_MEASURES, FACTORS, BlockResult, DrawValues, run_block
from devocare.simulation.inputs import Inputs
from devocare.simulation.parameters import ParameterSet
from devocare.simulation.rules import Rules

#: Working arrays the engine holds per (draw, atom, line) at once, for the memory estimate.
WORKING_ARRAYS = 24
#: Memory one block of draws may use; the block size follows from it and the atom count only.
BLOCK_BYTES = 288 * 2**20
#: What a run holds at its peak, measured (``bench/bench_end_to_end.py``; peak resident memory of
#: reform-split-2024 through the CLI to Parquet at LAD level with 10 and 1,000 draws and 3 and 10 years, and at
#: LSOA level with 10 and 100 draws and 3 and 10 years; the estimate is within 7% of each): the interpreter,
#: libraries and national data (about 205 MiB after imports, 365 MiB after a first small run has loaded the
#: allocation engine's data and the fast kernels, and 420–500 MiB at a large run's peak with the kernels' yearly
#: buffers and the libraries' own working memory, depending on the environment's builds of the libraries) ...
BASE_BYTES = 420 * 2**20
#: ... per atom, its heads and rules, and per atom and budget its membership (dense rows, about two float64
#: copies; the runs of atoms with identical rows are found from its CSR parts, not a third dense copy) ...
ATOM_BYTES = 2_000
ATOM_BUDGET_BYTES = 17
#: ... per atom, service line and year: the central run's atom detail, the allocation and block grants per
#: atom, about ten float64 arrays ...
ATOM_LINE_YEAR_BYTES = 77
#: ... the per-draw results, held in the blocks and again merged (1.8 copies measured) ...
KEPT_COPIES = 1.8
#: ... and one row of the tidy table while it is built and written (31 B in the table, the rest Arrow's copy
#: and the writer's buffers).
TABLE_ROW_BYTES = 46
#: Atom count from which a run is at LSOA level (33,755 atoms; LAD runs have 296) and keeps no per-draw atom data.
LSOA_ATOMS = 10_000


def block_size(n_atoms: int) -> int:
    """Draws per block: fixed for a given atom count, never by worker count, so results are identical."""
    per_draw = WORKING_ARRAYS * n_atoms * len(LINE_IDS) * 8
    return int(max(1, min(64, BLOCK_BYTES // per_draw)))


def blocks(n_draws: int, n_atoms: int) -> Iterator[np.ndarray]:
    """Draw numbers 0..n_draws in blocks (draw 0 is the central run)."""
    size = block_size(n_atoms)
    ids = np.arange(n_draws + 1)
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def stream(seed: int, draw: int) -> np.random.Generator:
    """The random stream of one draw."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(int(draw),))))


def draw_values(
    params: ParameterSet, draws: np.ndarray, seed: int, years: int, n_lads: int, n_budgets: int
) -> DrawValues:
    """Sampled inputs for a block of draws."""
    scalars = params.draw(seed, np.asarray(draws))
    shocks = np.zeros((len(draws), years, n_lads))
    noise = np.zeros((len(draws), years, n_budgets, 3))
    for i, d in enumerate(draws):
        if d == 0:
            noise[i, :, :, 1:] = 0.5
            continue
        rng = stream(seed, d)
        shocks[i] = rng.standard_normal((years, n_lads))
        shocks[i, 0] = 0.0  # the base year is observed
        noise[i, :, :, 0] = rng.standard_normal((years, n_budgets))
        noise[i, :, :, 1:] = rng.random((years, n_budgets, 2))
    return DrawValues(np.asarray(draws), scalars, shocks, noise, np.asarray(draws) == 0)


#: Assumed available memory where it cannot be measured (no psutil and no /proc or sysconf): 4 GiB.
FALLBACK_AVAILABLE_BYTES = 4 * 1024**3


def available_bytes() -> int:
    """Memory available to this process, on any platform: psutil's ``available`` (a core dependency);
    without psutil, MemAvailable on Linux, else physical memory (POSIX), else
    :data:`FALLBACK_AVAILABLE_BYTES`."""
    try:
        import psutil
    except ImportError:
        pass
    else:
        return int(psutil.virtual_memory().available)
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):  # no sysconf (Windows) or no such name
        return FALLBACK_AVAILABLE_BYTES


def required_bytes(n_draws: int, years: int, n_atoms: int, n_budgets: int, workers: int = 1) -> int:
    """Bytes a run needs at its peak: libraries and data, per-atom data, the central run's atom detail,
    per-draw budget results kept for every draw (and per-draw atom totals at LAD level, not at LSOA level),
    one block's working arrays per worker, and the tidy table while it is written (see the constants above
    for what each term was measured from)."""
    lad_level = n_atoms < LSOA_ATOMS and n_draws > 0
    kept = (len(BUDGET_MEASURES) * n_budgets + 4 * len(LINE_IDS) + 8) * years * (n_draws + 1) * 8
    if lad_level:
        kept += len(ATOM_DRAW_MEASURES) * years * n_atoms * (n_draws + 1) * 8
    working = block_size(n_atoms) * WORKING_ARRAYS * n_atoms * len(LINE_IDS) * 8
    statistics = 4 if n_draws > 0 else 0  # mean, P5, P50 and P95 over the draws
    table_rows = (
        years * n_atoms * (3 * len(LINE_IDS) + 2)  # central run: three measures per atom and line, two per atom
        + (1 + statistics) * years * n_budgets * len(BUDGET_MEASURES)  # central run and statistics per budget
        + (statistics * len(ATOM_DRAW_MEASURES) * years * n_atoms if lad_level else 0)  # atom statistics
    )
    return int(
        BASE_BYTES
        + (ATOM_BYTES + ATOM_BUDGET_BYTES * n_budgets) * n_atoms
        + ATOM_LINE_YEAR_BYTES * n_atoms * len(LINE_IDS) * years
        + KEPT_COPIES * kept
        + working * max(1, workers)
        + TABLE_ROW_BYTES * table_rows
    )


def check_memory(n_draws: int, years: int, n_atoms: int, n_budgets: int, workers: int = 1) -> int:
    """Refuse a run that would not fit, saying how much it needs."""
    need = required_bytes(n_draws, years, n_atoms, n_budgets, workers)
    have = available_bytes()
    if need > have:
        raise DevocareError(
            f"{n_draws} draws × {years} years × {n_atoms} atoms needs about {need / 2**30:.1f} GiB "
            f"but {have / 2**30:.1f} GiB is available; use fewer draws, fewer years or --atoms lad"
        )
    return need


def central_values(params: ParameterSet, years: int) -> dict[str, Any]:
    """Parameter path → central value of a run's parameters (its base-year value), and ``path@years`` → the
    value in force each year for the parameters whose value changes within the run."""
    return {path: p.value for path, p in params.params.items()} | params.by_year(years)


def run_one_block(
    model: dict[str, Any],
    block: np.ndarray,
    factors: frozenset[str] = frozenset(FACTORS),
    keep_atoms: bool | None = None,
) -> BlockResult:
    """Sample a block's draws from the run's seed and run it (used in process and by Dask workers).
    ``keep_atoms`` (default: the model's ``atom_detail``, True if unset) keeps the central draw's atom
    detail and, at LAD level with draws, every draw's atom totals; without them the block's national and
    per-budget outputs are the same, at less cost."""
    if keep_atoms is None:
        keep_atoms = bool(model.get("atom_detail", True))
    rules: Rules = model["rules"]
    inputs: Inputs = model["inputs"]
    params: ParameterSet = model["params"]
    values = draw_values(params, block, model["seed"], model["years"], len(inputs.lads), rules.n_budgets)
    xp = namespace(model["backend"])
    atom_draws = keep_atoms and rules.atom_level == "lad" and int(model.get("draws", 0)) > 0
    return run_block(
        xp,
        inputs,
        rules,
        central_values(params, model["years"]),
        values,
        model["years"],
        factors,
        keep_atoms,
        atom_draws=atom_draws,
    )
