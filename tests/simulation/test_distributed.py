"""Scale-out keeps its promise: identical results on a cluster of separate processes at LAD and LSOA level,
every worker gets a share of the draws, and a worker receives a compact model."""

from __future__ import annotations

import os
import pickle
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from devocare.simulation import distributed, floor_settings
from devocare.simulation.inputs import load_inputs
from devocare.simulation.rules import build_rules
from devocare.simulation.runner import _load_arch, compare, simulate, simulate_each, sweep

SRC = Path(__file__).resolve().parents[2] / "src"


def test_blocks_are_cut_so_every_slot_gets_a_share() -> None:
    one = [np.arange(64)]
    parts = distributed.split(one, 2)
    assert [len(p) for p in parts] == [32, 32]
    assert np.array_equal(np.concatenate(parts), one[0])
    few = distributed.split([np.arange(3)], 8)  # never below one draw a task
    assert [len(p) for p in few] == [1, 1, 1]
    many = [np.arange(0, 64), np.arange(64, 100)]
    assert np.array_equal(np.concatenate(distributed.split(many, 1)), np.arange(100))


@pytest.mark.integration
@pytest.mark.parametrize("arch", ["status-quo-2023", "reform-split-2024"])
def test_a_worker_receives_a_quarter_of_the_dense_model_or_less_and_the_same_values(arch: str) -> None:
    """At LSOA level the membership matrices travel as CSR parts and the weighted heads as their LAD factors."""
    rules = build_rules(_load_arch(arch), "lsoa")
    inputs = floor_settings.apply(load_inputs("lsoa"), {})
    dense = sum(g.H.nbytes + (0 if g.H_full is None else g.H_full.nbytes) for g in rules.groups)
    dense += inputs.weighted_heads.nbytes
    shipped = pickle.dumps({"rules": rules, "inputs": inputs}, protocol=5)
    assert len(shipped) <= dense / 4, (len(shipped), dense)
    back = pickle.loads(shipped)
    assert back["inputs"].weighted_heads.tobytes() == inputs.weighted_heads.tobytes()
    for g, h in zip(rules.groups, back["rules"].groups, strict=True):
        assert g.H.tobytes() == h.H.tobytes()
        assert (g.H_full is None and h.H_full is None) or g.H_full.tobytes() == h.H_full.tobytes()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def loopback_cluster() -> Iterator[str]:
    """A Dask scheduler and two one-thread workers, each a separate process on 127.0.0.1, stopped after."""
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client

    dask = [sys.executable, "-m", "dask", "scheduler"]  # the `dask scheduler` and `dask worker` commands
    worker = [sys.executable, "-m", "dask", "worker"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))}
    address = f"tcp://127.0.0.1:{_free_port()}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    procs = [
        subprocess.Popen([*dask, "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1], "--no-dashboard"], **quiet)
    ]
    try:
        time.sleep(1.0)
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [*worker, address, "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"], **quiet
                )
            )
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        client_of_run = distributed._CLIENTS.pop(address, None)
        if client_of_run is not None:
            client_of_run.close()
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:  # pragma: no cover - a worker that ignores SIGTERM
                p.kill()
                p.wait()


def _identical(a, b) -> None:
    for m in a.draws:
        np.testing.assert_array_equal(a.draws[m], b.draws[m], err_msg=m)
    for m in a.national:
        np.testing.assert_array_equal(a.national[m], b.national[m], err_msg=m)
    for m in a.central_atoms:
        np.testing.assert_array_equal(a.central_atoms[m], b.central_atoms[m], err_msg=m)


@pytest.mark.integration
def test_lad_run_on_separate_worker_processes_equals_the_in_process_run(loopback_cluster: str) -> None:
    from dask.distributed import get_task_stream

    client = distributed.client_for(loopback_cluster)
    with get_task_stream(client) as stream:
        remote = simulate("reform-aco-2024", years=3, draws=5, seed=9, waterfall=False, scheduler=loopback_cluster)
    local = simulate("reform-aco-2024", years=3, draws=5, seed=9, waterfall=False, scheduler="process")
    _identical(local, remote)
    pd.testing.assert_frame_equal(local.atom_table(), remote.atom_table())
    # six draws fit one block in process; on two one-thread workers they are cut into a task per worker thread
    # (which worker runs which is the scheduler's choice: on a busy machine one may take both)
    blocks = [t for t in stream.data if str(t["key"]).startswith("_task")]
    assert len(blocks) >= 2


@pytest.mark.integration
@pytest.mark.slow
def test_lsoa_run_on_separate_worker_processes_equals_the_in_process_run(loopback_cluster: str) -> None:
    """Bit for bit at LSOA level: no sum depends on the BLAS thread count (a worker runs one)."""
    remote = simulate(
        "reform-split-2024", years=2, draws=3, seed=4, atoms="lsoa", waterfall=False, scheduler=loopback_cluster
    )
    local = simulate("reform-split-2024", years=2, draws=3, seed=4, atoms="lsoa", waterfall=False, scheduler="process")
    _identical(local, remote)


@pytest.mark.integration
def test_a_sweep_on_the_cluster_runs_scenarios_together_with_the_same_rows(loopback_cluster: str) -> None:
    scenarios = {"low": {"prevention.effect": "0"}, "high": {"demand.ageing_growth": "0.02"}}
    same = {"years": 2, "draws": 2, "seed": 1, "waterfall": False}
    remote = sweep("status-quo-2023", scenarios, scheduler=loopback_cluster, **same)
    local = sweep("status-quo-2023", scenarios, scheduler="process", **same)
    assert list(remote["scenario"]) == ["low", "high"]
    pd.testing.assert_frame_equal(local, remote)


@pytest.mark.integration
def test_a_comparison_on_the_cluster_runs_architectures_together_with_the_same_results(
    loopback_cluster: str,
) -> None:
    """compare() submits its architectures to the cluster together (one thread each) and gets the rows, and
    every draw of every result, of the one-after-another run in this process, in the order given."""
    from dask.distributed import get_task_stream

    archs = ["status-quo-2023", "reform-aco-2024", "reform-split-2024"]
    same: dict[str, Any] = {"years": 3, "draws": 3, "seed": 2, "waterfall": False}
    calls: list[tuple[int, int]] = []
    client = distributed.client_for(loopback_cluster)
    with get_task_stream(client) as stream:
        remote = simulate_each(archs, scheduler=loopback_cluster, progress=lambda d, t: calls.append((d, t)), **same)
    local = simulate_each(archs, scheduler="process", **same)
    assert [r.architecture for r in remote] == archs
    for a, b in zip(local, remote, strict=True):
        _identical(a, b)
    # every architecture's blocks went to the cluster, and the progress counts all of them together
    assert len([t for t in stream.data if str(t["key"]).startswith("_task")]) >= 2 * len(archs)
    assert calls[-1][0] == calls[-1][1] and {t for _, t in calls} == {calls[-1][1]}
    pd.testing.assert_frame_equal(
        compare(archs, scheduler=loopback_cluster, **same), compare(archs, scheduler="process", **same)
    )
