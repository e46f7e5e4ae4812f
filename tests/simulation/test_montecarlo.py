"""Monte Carlo: per-draw streams make results independent of chunking; Dask equals a single process."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from devocare.errors import DevocareError
from devocare.simulation import montecarlo, runner, simulate
from devocare.simulation.engine import FACTORS, run_block
from devocare.simulation.montecarlo import central_values
from devocare.simulation.parameters import defaults

pytestmark = pytest.mark.integration


def test_draw_zero_is_central_and_draws_are_reproducible_alone() -> None:
    params = defaults()
    block = montecarlo.draw_values(params, np.array([0, 5, 9]), 42, 3, 296, 10)
    alone = montecarlo.draw_values(params, np.array([9]), 42, 3, 296, 10)
    assert block.scalars["prevention.effect"][0] == params["prevention.effect"]
    assert (block.shocks[0] == 0).all()
    for k in block.scalars:
        assert block.scalars[k][2] == alone.scalars[k][0]
    assert np.array_equal(block.shocks[2], alone.shocks[0])
    other_seed = montecarlo.draw_values(params, np.array([9]), 43, 3, 296, 10)
    assert other_seed.scalars["prevention.effect"][0] != alone.scalars["prevention.effect"][0]


def test_results_do_not_depend_on_block_size(monkeypatch) -> None:
    whole = simulate("reform-split-2024", years=4, draws=6, seed=3, waterfall=False)
    monkeypatch.setattr(montecarlo, "block_size", lambda n_atoms: 2)
    chunked = simulate("reform-split-2024", years=4, draws=6, seed=3, waterfall=False)
    for m in whole.draws:
        np.testing.assert_array_equal(whole.draws[m], chunked.draws[m])
    for m in whole.national:
        np.testing.assert_array_equal(whole.national[m], chunked.national[m])
    pd.testing.assert_frame_equal(whole.atom_table(), chunked.atom_table())


def test_draws_vary_and_summaries_have_percentiles() -> None:
    r = simulate("reform-aco-2024", years=5, draws=8, seed=1, waterfall=False)
    spent = r.national["spent_by_line"].sum(axis=2)[:, -1]
    assert len(np.unique(spent)) == 9
    s = r.summary
    assert s["acute_share_p5"] <= s["acute_share_p50"] <= s["acute_share_p95"]
    assert set(r.table["statistic"].dropna().unique()) == {"mean", "p5", "p50", "p95"}


def test_memory_check_refuses_runs_that_do_not_fit() -> None:
    with pytest.raises(DevocareError, match="needs about .* GiB"):
        montecarlo.check_memory(10**9, 10, 33755, 400)


def test_dask_local_cluster_gives_identical_results() -> None:
    single = simulate("reform-aco-2024", years=3, draws=4, seed=9, waterfall=False)
    dask = simulate("reform-aco-2024", years=3, draws=4, seed=9, waterfall=False, scheduler="local")
    for m in single.draws:
        np.testing.assert_array_equal(single.draws[m], dask.draws[m])
    for m in single.national:
        np.testing.assert_array_equal(single.national[m], dask.national[m])
    pd.testing.assert_frame_equal(single.atom_table(), dask.atom_table())


def test_waterfall_adds_up_and_switched_off_factors_have_no_effect() -> None:
    r = simulate("status-quo-2023", years=5, draws=0, overrides={"prevention.effect": "0"})
    for measure, rows in r.waterfall.groupby("measure"):
        steps = rows.set_index("step")["value"]
        inner = steps.drop(["base", "horizon"]).sum()
        assert steps["base"] + inner == pytest.approx(steps["horizon"], rel=1e-12)
        # the status quo has no co-financing, incentive fund or cap, and prevention is switched off
        for factor in ("co_financing", "incentives", "hospital_caps", "prevention"):
            assert steps[factor] == pytest.approx(0.0, abs=1e-3), (measure, factor)
        assert steps["demography"] > 0 if measure == "acute_spend" else True


def test_progress_is_reported_and_cancel_stops_the_run() -> None:
    import threading

    from devocare.simulation import Cancelled

    seen = []
    simulate("status-quo-2023", years=2, draws=70, waterfall=False, progress=lambda d, n: seen.append((d, n)))
    assert seen[-1] == (2, 2)
    stop = threading.Event()
    stop.set()
    with pytest.raises(Cancelled):
        simulate("status-quo-2023", years=2, draws=5, waterfall=False, cancel=stop)


def test_large_runs_go_to_a_local_cluster_by_default_where_it_pays(monkeypatch) -> None:
    import os

    from devocare.simulation import runner

    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    assert runner._where(None, 1000, 10, 33755) == "local"
    assert runner._where(None, 100, 10, 33755) == "process"  # the cluster's fixed cost outweighs the gain
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # measured slower there at every size
    assert runner._where(None, 1000, 10, 33755) == "process"
    assert not runner.cluster_pays(10**12, 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    assert runner._where(None, 200, 10, 296) == "process"
    assert runner._where("process", 1000, 10, 33755) == "process"
    assert runner._where("tcp://10.0.0.5:8786", 0, 1, 296) == "tcp://10.0.0.5:8786"


def test_unreachable_scheduler_is_a_clear_error() -> None:
    with pytest.raises(DevocareError, match="cannot reach Dask scheduler"):
        simulate("status-quo-2023", years=1, draws=1, waterfall=False, scheduler="tcp://127.0.0.1:1")


def test_sweep_runs_each_scenario_and_validates_all_first(tmp_path) -> None:
    from devocare.simulation import sweep

    table = sweep(
        "reform-aco-2024",
        {"null prevention": {"prevention.effect": "0"}, "strong prevention": {"prevention.effect": "1.3"}},
        years=6,
        waterfall=False,
    )
    assert list(table["scenario"]) == ["null prevention", "strong prevention"]
    assert table["admissions_per_1000"].iloc[1] < table["admissions_per_1000"].iloc[0]
    with pytest.raises(DevocareError, match="prevention.effect"):
        sweep("reform-aco-2024", {"ok": {"prevention.effect": "0.2"}, "bad": {"prevention.efect": "0.2"}}, years=2)


def test_compare_keeps_the_order_given_and_validates_every_architecture_first(monkeypatch) -> None:
    from devocare.simulation import compare

    ran: list[str] = []
    real = runner.simulate

    def counted(a, **kw):  # noqa: ANN001, ANN003, ANN202 - stands in for simulate
        ran.append(a.id)
        return real(a, **kw)

    monkeypatch.setattr(runner, "simulate", counted)
    with pytest.raises(DevocareError, match="no-such-architecture"):
        compare(["reform-aco-2024", "no-such-architecture"], years=2, waterfall=False)
    assert ran == []  # nothing ran before the bad one was found
    table = compare(["reform-aco-2024", "status-quo-2023"], years=2, waterfall=False)
    assert list(table["architecture"]) == ran == ["reform-aco-2024", "status-quo-2023"]
    with pytest.raises(DevocareError, match="at least one"):
        compare([], years=2)


def test_lad_atoms_have_monte_carlo_statistics() -> None:
    """Each LAD's mean and P5/P50/P95 over the draws: from per-draw atom totals that add up to the national
    and per-budget series, and whose central draw matches the central run's atom detail."""
    r = simulate("reform-split-2024", years=4, draws=12, seed=5, waterfall=False)
    table = r.atom_table()
    assert set(table["measure"]) == {"allocated", "spent", "admissions", "reserves"}
    assert len(table) == 4 * 4 * len(r.atoms) == 4 * 4 * 296
    assert (table["p5"] <= table["p50"] + 1e-6).all() and (table["p50"] <= table["p95"] + 1e-6).all()
    horizon = table[table["year"] == r.years[-1]].groupby("measure")["mean"].sum()
    draws = slice(1, None)
    assert horizon["spent"] == pytest.approx(r.national["spent_by_line"][draws, -1].sum(axis=1).mean(), rel=1e-9)
    assert horizon["admissions"] == pytest.approx(r.national["admissions"][draws, -1].mean(), rel=1e-9)
    assert horizon["reserves"] == pytest.approx(r.draws["reserves"][draws, -1].sum(axis=1).mean(), rel=1e-9)
    assert horizon["allocated"] == pytest.approx(r.national["allocated_by_line"][0, -1].sum(), rel=1e-9)
    spread = table[(table["measure"] == "spent") & (table["year"] != r.years[0])]
    assert (spread["p95"] > spread["p5"]).mean() > 0.9  # draws differ area by area after the base year
    base = table[(table["measure"] == "admissions") & (table["year"] == r.years[0])]
    np.testing.assert_allclose(base["p95"], base["p5"], rtol=1e-12)  # the observed base year is the same in every draw
    # the same per-draw totals, recomputed block by block: the central draw equals the central run's detail
    from devocare import architecture
    from devocare.simulation.inputs import load_inputs
    from devocare.simulation.phases import phased_rules

    params = defaults()
    rules, inputs = phased_rules(architecture.load("reform-split-2024"), "lad"), load_inputs("lad")
    values = montecarlo.draw_values(params, np.arange(13), 5, 4, len(inputs.lads), rules.n_budgets)
    block = run_block(np, inputs, rules, central_values(params, 4), values, 4, frozenset(FACTORS), atom_draws=True)
    np.testing.assert_allclose(block.atom_draws["spent"][0], r.central_atoms["spent"].sum(axis=2), rtol=1e-12)
    np.testing.assert_allclose(block.atom_draws["admissions"][0], r.central_atoms["admissions"], rtol=1e-12)
    p50 = np.percentile(block.atom_draws["admissions"][1:], 50, axis=0).ravel()
    got = table[table["measure"] == "admissions"]["p50"].to_numpy()
    np.testing.assert_allclose(got, p50, rtol=1e-12)
    # rows in the tidy table too
    tidy = r.table[(r.table["statistic"] == "p95") & r.table["atom"].notna() & (r.table["measure"] == "reserves")]
    assert len(tidy) == 4 * 296


def test_lsoa_runs_keep_no_per_draw_atom_data() -> None:
    lad = montecarlo.required_bytes(1000, 10, 296, 400) - montecarlo.required_bytes(0, 10, 296, 400)
    lsoa = montecarlo.required_bytes(1000, 10, 33755, 400) - montecarlo.required_bytes(0, 10, 33755, 400)
    # the only difference: LAD runs keep each draw's atom totals (as merged blocks) and their statistics rows
    atom_totals = montecarlo.KEPT_COPIES * 4 * 10 * 296 * 1001 * 8
    statistics_rows = montecarlo.TABLE_ROW_BYTES * 4 * 4 * 10 * 296
    assert lad - lsoa == pytest.approx(atom_totals + statistics_rows, abs=2)


def test_local_cluster_is_started_once_and_reused() -> None:
    """A second call reuses the running LocalCluster's client instead of starting a new cluster."""
    pytest.importorskip("dask.distributed")
    from devocare.simulation import distributed

    simulate("status-quo-2023", years=2, draws=2, seed=3, waterfall=False, scheduler="local")
    first = distributed._CLIENTS["local"]
    again = simulate("status-quo-2023", years=2, draws=2, seed=3, waterfall=False, scheduler="local")
    assert distributed._CLIENTS["local"] is first
    single = simulate("status-quo-2023", years=2, draws=2, seed=3, waterfall=False, scheduler="process")
    np.testing.assert_array_equal(single.draws["spent"], again.draws["spent"])
    distributed.close_clients()
    assert not distributed._CLIENTS


@pytest.mark.parametrize(("scheduler", "workers"), [("process", 1), ("local", None)])
def test_memory_check_counts_the_local_clusters_workers(monkeypatch, scheduler, workers) -> None:
    """A LocalCluster holds one block's working arrays per CPU, so the memory check is asked for that many."""
    import os

    seen = []

    def refuse(*args, **kwargs):
        seen.append(args[4] if len(args) > 4 else kwargs["workers"])
        raise DevocareError("stop here")

    monkeypatch.setattr(montecarlo, "check_memory", refuse)
    with pytest.raises(DevocareError, match="stop here"):
        simulate("status-quo-2023", years=2, draws=2, waterfall=False, scheduler=scheduler)
    assert seen == [workers or (os.cpu_count() or 1)]
