"""``simulate()`` and ``compare()``: resolve parameters and rules, run blocks of draws (in process or on
Dask), and assemble the result with its waterfall and run record."""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from devocare import extras
from devocare.bounds import MAX_SEED
from devocare.errors import DevocareError
from devocare.service_lines import LINE_IDS, POPULATION_LINE, index
from devocare.simulation import distributed, floor_settings, montecarlo, waterfall
from devocare.simulation.backend import namespace
from devocare.simulation.demand import BASE_YEAR, financial_years
from devocare.simulation.distributed import Cancelled, run_on_dask
from devocare.simulation.engine import FACTORS, BlockResult
from devocare.simulation.inputs import load_inputs
from devocare.simulation.montecarlo import run_one_block
from devocare.simulation.parameters import ParameterSet, resolve
from devocare.simulation.phases import phased_rules
from devocare.simulation.results import SimulationResult, draw_statistics, spend_measures
from devocare.simulation.rules import Rules

MAX_YEARS = 30
#: Atom-year-draws below which a run with ``scheduler=None`` never goes to a Dask LocalCluster.
LOCAL_CLUSTER_WORK = 100_000_000
#: Measured costs behind the automatic choice (status quo, LSOA × 10 years, 40 and 160 draws, wall seconds,
#: a 2-CPU machine shared with other work at load average 9-12; ``docs/guides/scale-out.md``): in process,
#: 2.0e-7 s per atom-year-draw; a warm two-worker LocalCluster, 10 s a call plus 3.4e-7 s per
#: atom-year-draw; starting the cluster, 12-17 s once per process.
PROCESS_SECONDS_PER_WORK = 2.0e-7
CLUSTER_TWO_WORKER_SECONDS_PER_WORK = 3.4e-7
CLUSTER_CALL_SECONDS = 10.0
CLUSTER_START_SECONDS = 15.0
#: The cluster is chosen only when predicted to take at most this share of the in-process time.
CLUSTER_MARGIN = 0.75
MAX_DRAWS = 1_000_000
#: Runs of a sweep or comparison on Dask submitted to the cluster together.
SWEEP_THREADS = 8

T = TypeVar("T")
R = TypeVar("R")


def _load_arch(arch: Any) -> Any:
    """An Architecture from an id or path; built-ins are shared, not copied (a run only reads them)."""
    if isinstance(arch, str):
        from devocare.architecture.loader import builtin_ids, load, shared_builtin

        return shared_builtin(arch) if arch in builtin_ids() else load(arch)
    return arch


def cluster_pays(work: int, cpus: int) -> bool:
    """Whether a LocalCluster (one worker per CPU) is predicted to finish ``work`` atom-year-draws in at most
    :data:`CLUSTER_MARGIN` of the in-process time, from the measured costs above, assuming its throughput
    grows in proportion to its workers (measured only at two). On 4 CPUs or fewer it never pays; on 8 from
    about LSOA × 10 years × 1,140 draws, on 16 from about 690 (a cluster already started: 1,000 and 410)."""
    cluster = CLUSTER_CALL_SECONDS + (0.0 if "local" in distributed._CLIENTS else CLUSTER_START_SECONDS)
    cluster += work * CLUSTER_TWO_WORKER_SECONDS_PER_WORK * 2 / max(cpus, 1)
    return cluster <= CLUSTER_MARGIN * work * PROCESS_SECONDS_PER_WORK


def _check_args(years: int, draws: int, atoms: str) -> None:
    if not isinstance(years, int) or not 1 <= years <= MAX_YEARS:
        raise DevocareError(f"years must be between 1 and {MAX_YEARS}, got {years!r}")
    if not isinstance(draws, int) or not 0 <= draws <= MAX_DRAWS:
        raise DevocareError(f"draws must be between 0 and {MAX_DRAWS}, got {draws!r}")
    if atoms not in ("lad", "lsoa"):
        raise DevocareError(f"atoms must be 'lad' or 'lsoa', got {atoms!r}")


def _where(scheduler: str | None, draws: int, years: int, n_atoms: int) -> str:
    """'process', 'local' (a LocalCluster) or a scheduler address."""
    if scheduler is None:
        work = (draws + 1) * years * n_atoms
        pays = work >= LOCAL_CLUSTER_WORK and cluster_pays(work, os.cpu_count() or 1)
        return "local" if pays and extras.available("dask") else "process"
    return scheduler


def _merge(
    results: list[BlockResult],
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, np.ndarray], float]:
    results = sorted(results, key=lambda r: int(r.draws[0]))
    budget = {m: np.concatenate([r.budget[m] for r in results]) for m in results[0].budget}
    national = {m: np.concatenate([r.national[m] for r in results]) for m in results[0].national}
    atoms = next((r.atoms for r in results if r.atoms), {})  # none where the run keeps no atom detail
    return budget, national, atoms, max(r.max_gap for r in results)


#: Measures whose horizon-year value per Monte Carlo draw and atom a result keeps, so that paired
#: per-area differences have bands (draws × atoms each: about 2.4 MB per measure for 1,000 draws of LADs).
HORIZON_DRAW_MEASURES = ("spent", "admissions")


def _atom_statistics(
    results: list[BlockResult],
) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, np.ndarray]]:
    """Mean and P5/P50/P95 over the Monte Carlo draws (draw 0 left out) of each atom's per-draw totals,
    measure → statistic → (years, atoms), and the horizon year's per-draw totals of
    :data:`HORIZON_DRAW_MEASURES`, measure → (draws, atoms). Empty where the blocks kept none (LSOA atoms,
    central run only). Each block's per-draw totals are dropped from it once read, so they are held only
    until reduced."""
    if not any(r.atom_draws for r in results):
        return {}, {}
    ordered = sorted(results, key=lambda r: int(r.draws[0]))
    out: dict[str, dict[str, np.ndarray]] = {}
    horizon: dict[str, np.ndarray] = {}
    for m in list(ordered[0].atom_draws):
        parts = []
        for r in ordered:
            keep = r.draws > 0
            parts.append(r.atom_draws.pop(m)[keep])
        every = np.concatenate(parts)
        out[m] = draw_statistics(every)
        if m in HORIZON_DRAW_MEASURES:
            horizon[m] = every[:, -1, :].copy()
    return out, horizon


def _waterfall(model: dict[str, Any], full: BlockResult) -> pd.DataFrame:
    """Exact Shapley waterfall of the central run's acute and upstream spend (base year to horizon)."""
    central = np.array([0])
    runs: dict[frozenset[str], BlockResult] = {frozenset(FACTORS): full}

    def result(on: frozenset[str]) -> BlockResult:
        if on not in runs:
            runs[on] = run_one_block(model, central, on, keep_atoms=False)
        return runs[on]

    def change(s: frozenset[str]) -> dict[str, float]:
        spent = result(s | inert).national["spent_by_line"][0]
        first, last = spend_measures(spent[0]), spend_measures(spent[-1])
        return {m: last[m] - first[m] for m in first}

    active = waterfall.active_factors(FACTORS, model["rules"])
    inert = frozenset(FACTORS) - set(active)
    effects = waterfall.shapley(active, change)
    whole = change(frozenset(active))
    marginal = {f: {m: whole[m] - v for m, v in change(frozenset(active) - {f}).items()} for f in active}
    base = spend_measures(full.national["spent_by_line"][0, 0])
    horizon = spend_measures(full.national["spent_by_line"][0, -1])
    return waterfall.frame(base, horizon, effects, marginal, FACTORS)


def simulate(
    arch: Any,
    years: int = 10,
    draws: int = 0,
    seed: int = 0,
    atoms: str = "lad",
    overrides: dict[str, Any] | None = None,
    scenario: str | Path | dict[str, Any] | None = None,
    backend: str = "numpy",
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    waterfall: bool = True,
    atom_detail: bool = True,
) -> SimulationResult:
    """Run an architecture's money rules over real areas for ``years`` years.

    ``arch`` is a built-in id, a YAML path or an Architecture. ``draws=0`` runs the central values only;
    ``draws=N`` adds N Monte Carlo draws (draw 0 stays the central run). ``scheduler`` says where blocks of
    draws run: ``None`` (default) in this process, or on a Dask LocalCluster when the run is large
    (:data:`LOCAL_CLUSTER_WORK` atom-year-draws or more) and :func:`cluster_pays` predicts the cluster
    pays back its cost from measured costs; ``'local'`` always
    on a LocalCluster; ``'process'`` always in this process; anything else is a Dask scheduler address.
    Results are identical wherever the blocks run. ``progress(done,
    total)`` is called after each block; setting ``cancel`` stops the run between blocks.

    ``atom_detail=False`` is a light run for callers that read only national and per-budget results
    (``summary_draws``, ``draws``, ``national``: the same numbers, bit for bit): it keeps no per-atom
    detail or per-atom statistics over draws, so ``central_atoms``, ``atom_statistics`` and
    ``atom_horizon_draws`` are empty and the summary's ``funding_per_need_cv`` is NaN.
    """
    _check_args(years, draws, atoms)
    if not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise DevocareError(f"seed must be an integer from 0 to {MAX_SEED}, got {seed!r}")
    xp_name = backend
    namespace(xp_name)
    architecture = _load_arch(arch)
    param_overrides, param_scenario, floor_set = floor_settings.split(overrides, scenario, str(architecture.id))
    params = resolve(param_overrides, param_scenario)
    rules = phased_rules(architecture, atoms)  # a reform runs its predecessor's rules until its start year
    inputs = floor_settings.apply(load_inputs(atoms), floor_set)
    if tuple(rules.atoms) != inputs.atoms:
        raise DevocareError("atom order of rules and inputs differ")  # pragma: no cover - geography invariant
    where = _where(scheduler, draws, years, len(rules.atoms))
    # a LocalCluster runs one worker per CPU on this machine, each holding a block's working arrays
    workers = (os.cpu_count() or 1) if where == "local" else 1
    montecarlo.check_memory(draws, years, len(rules.atoms), rules.n_budgets, workers)
    model = {
        "rules": rules,
        "inputs": inputs,
        "params": params,
        "seed": seed,
        "years": years,
        "backend": xp_name,
        "draws": draws,
        "atom_detail": atom_detail,
    }
    block_list = list(montecarlo.blocks(draws, len(rules.atoms)))
    if where != "process":
        results = run_on_dask(model, block_list, where, progress, cancel)
    else:
        results = []
        for i, block in enumerate(block_list):
            if cancel is not None and cancel.is_set():
                raise Cancelled("simulation cancelled")
            results.append(run_one_block(model, block))
            if progress is not None:
                progress(i + 1, len(block_list))
    budget, national, central_atoms, gap = _merge(results)
    atom_statistics, horizon_draws = _atom_statistics(results)
    first = next(r for r in results if (r.draws == 0).any())  # the block with the central run
    wf = _waterfall(model, first) if waterfall else pd.DataFrame(columns=["measure", "step", "value"])
    budgets = pd.DataFrame(rules.budget_table())
    budgets["body"] = budgets["holder"] + ":" + budgets["area"].astype(str)
    population = inputs.weighted_heads[0][:, index(POPULATION_LINE)]
    record = run_record(
        rules,
        params,
        {"seed": seed, "draws": draws, "years": years, "atoms": atoms, "backend": xp_name, "scheduler": scheduler},
        scenario,
        gap,
        montecarlo.block_size(len(rules.atoms)),
        inputs.floor_source,
    )
    record["floors"] = dict(zip(LINE_IDS, (float(x) for x in inputs.floors), strict=True))
    if not atom_detail:
        record["atom_detail"] = False  # a light run: national and per-budget results only
    if floor_set:
        floor_keys = {f"{floor_settings.PREFIX}.{k}": v for k, v in floor_set.items()}
        record["overrides"] = {**record["overrides"], **floor_keys}
    return SimulationResult(
        rules.architecture,
        financial_years(BASE_YEAR, years),
        budgets,
        list(rules.atoms),
        atoms,
        budget,
        national,
        central_atoms,
        wf,
        record,
        population,
        atom_statistics,
        horizon_draws,
    )


def run_record(
    rules: Rules,
    params: ParameterSet,
    options: dict[str, Any],
    scenario: Any,
    gap: float,
    block: int,
    floors: str,
) -> dict[str, Any]:
    """What binds a result to its inputs: package version, data, architecture and parameter hashes, seed;
    ``options`` holds the run's seed, draws, years, atoms, backend and scheduler."""
    from devocare import __version__, data

    return {
        "package_version": __version__,
        "data_hash": data.data_hash(),
        "architecture": rules.architecture,
        "architecture_hash": rules.digest,
        "rule_sets": list(rules.weight),
        "parameter_hash": params.digest(),
        "overrides": {k: v for k, v in params.overrides.items()},
        "scenario": scenario if isinstance(scenario, dict) else (str(scenario) if scenario else None),
        "seed": options["seed"],
        "draws": options["draws"],
        "years": options["years"],
        "base_year": BASE_YEAR,
        "atoms": options["atoms"],
        "backend": options["backend"],
        "scheduler": options["scheduler"],
        "draw_block_size": block,
        "conservation_max_gap": gap,
        "minimum_service_levels": floors,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def in_parallel(fn: Callable[[T], R], items: Iterable[T], scheduler: str | None) -> list[R]:
    """``fn`` of each item, in the items' order. In this process (``scheduler`` None or ``'process'``) one
    after another; on Dask all together, up to :data:`SWEEP_THREADS` at once, each in a thread that waits on
    its own blocks, so the cluster works on every run's blocks at the same time. Each run's results are the
    same either way: a run's draws, blocks and sums do not depend on what else is running."""
    items = list(items)
    if scheduler in (None, "process") or len(items) <= 1:
        return [fn(item) for item in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(len(items), SWEEP_THREADS)) as pool:
        return list(pool.map(fn, items))


def simulate_each(
    archs: Iterable[Any], progress: Callable[[int, int], None] | None = None, **same: Any
) -> list[SimulationResult]:
    """:func:`simulate` of each architecture with the same options (``same``), in the architectures' order;
    in parallel on a Dask ``scheduler`` (:func:`in_parallel`). Every architecture is loaded and validated
    before any runs. ``progress(done, total)`` counts the blocks of all the runs together (each run has as
    many blocks as the others: the same draws, atoms and scheduler)."""
    loaded = [_load_arch(a) for a in archs]
    if not loaded:
        raise DevocareError("compare needs at least one architecture")
    done = [0] * len(loaded)
    lock = threading.Lock()

    def run(i: int) -> SimulationResult:
        def step(d: int, total: int) -> None:
            with lock:  # runs on Dask report from their own threads
                done[i] = d
                if progress is not None:
                    progress(sum(done), total * len(loaded))

        return simulate(loaded[i], progress=step, **same)

    return in_parallel(run, range(len(loaded)), same.get("scheduler"))


def compare(archs: Iterable[Any], **same: Any) -> pd.DataFrame:
    """Summaries of several architectures run with the same options, one row per architecture, in the
    order given; with a Dask ``scheduler`` the architectures run in parallel (:func:`simulate_each`)."""
    return pd.DataFrame([r.summary for r in simulate_each(archs, **same)])


def sweep(arch: Any, scenarios: dict[str, dict[str, Any] | str | Path], **same: Any) -> pd.DataFrame:
    """Summaries of one architecture under several scenarios (name → overrides mapping or scenario file),
    one row per scenario; ``same`` is passed to :func:`simulate`. With a Dask ``scheduler`` the scenarios run
    in parallel (up to :data:`SWEEP_THREADS` at once, their blocks on the cluster together); rows keep the
    scenarios' order. Every scenario is validated before any runs."""
    if not scenarios:
        raise DevocareError("sweep needs at least one scenario")
    base = same.pop("overrides", None) or {}
    resolved: dict[str, tuple[dict[str, Any], dict[str, Any] | str | Path | None]] = {}
    for name, given in scenarios.items():
        if isinstance(given, dict) and "parameters" not in given:
            resolved[name] = ({**base, **given}, None)  # a mapping of overrides
        else:
            resolved[name] = (dict(base), given)  # a scenario file or parsed scenario
        resolve(*resolved[name])  # fail early, before any run

    def row(name: str) -> dict[str, Any]:
        overrides, scenario = resolved[name]
        result = simulate(arch, overrides=overrides, scenario=scenario, **same)
        return {"scenario": name, **result.summary, "parameter_hash": result.run_record["parameter_hash"]}

    return pd.DataFrame(in_parallel(row, resolved, same.get("scheduler")))
