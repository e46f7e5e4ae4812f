"""Scale-out on Dask: blocks of draws as tasks on a LocalCluster or an existing scheduler.

The model (rules and inputs) is scattered to the workers once; each task receives only its block's
draw numbers, samples its own draws from the run's seed and returns the block's arrays. Blocks are the
same as in a single-process run, so results are identical whatever the cluster.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from devocare.errors import DevocareError
from devocare.simulation.engine import BlockResult
from devocare.simulation.montecarlo import run_one_block


class Cancelled(DevocareError):
    """The caller cancelled the run."""


def _task(block: np.ndarray, model: dict[str, Any]) -> BlockResult:
    return run_one_block(model, block)


def run_on_dask(
    model: dict[str, Any],
    block_list: list[np.ndarray],
    scheduler: str,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> list[BlockResult]:
    """Run every block on Dask; ``scheduler`` is ``'local'`` (a LocalCluster) or a scheduler address."""
    from devocare.extras import require

    require("dask", "running on a Dask scheduler")
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    try:
        if scheduler == "local":
            cluster = LocalCluster(n_workers=None, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
        else:
            try:
                client = Client(scheduler, timeout="5s")
            except (OSError, TimeoutError) as exc:
                raise DevocareError(f"cannot reach Dask scheduler {scheduler!r}: {exc}") from None
        with client:
            shared = client.scatter(model, broadcast=True)
            futures = [client.submit(_task, block, shared, pure=False) for block in block_list]
            index = {f.key: i for i, f in enumerate(futures)}
            results: list[BlockResult | None] = [None] * len(futures)
            done = 0
            for fut in as_completed(futures):
                if cancel is not None and cancel.is_set():
                    client.cancel(futures)
                    raise Cancelled("simulation cancelled")
                results[index[fut.key]] = fut.result()
                done += 1
                if progress is not None:
                    progress(done, len(futures))
            return [r for r in results if r is not None]
    finally:
        if cluster is not None:
            cluster.close()
