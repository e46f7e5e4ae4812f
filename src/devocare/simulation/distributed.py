"""Scale-out on Dask: blocks of draws as tasks on a LocalCluster or an existing scheduler.

The model (rules and inputs) is scattered to the workers once per call, compactly (membership matrices as
CSR parts, LSOA heads as their LAD factors: about 5 MB at LSOA level); each task receives only its block's
draw numbers, samples its own draws from the run's seed and returns the block's arrays. Blocks are cut so
that every worker's threads get a share. Each draw has its own random stream and no sum depends on the
BLAS thread count or on which draws share a block, so results are identical whatever the cluster.

One client per scheduler is kept for the life of the process and closed at exit: a LocalCluster takes
seconds to start, so starting one per call would cost more than a small run.
"""

from __future__ import annotations

import atexit
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from devocare.errors import DevocareError
from devocare.simulation.engine import BlockResult
from devocare.simulation.montecarlo import run_one_block


class Cancelled(DevocareError):
    """The caller cancelled the run."""


_CLIENTS: dict[str, Any] = {}
_LOCK = threading.Lock()


def client_for(scheduler: str) -> Any:
    """The Dask client for ``scheduler`` (``'local'`` or an address), started once and reused while it runs."""
    from dask.distributed import Client, LocalCluster

    with _LOCK:
        client = _CLIENTS.get(scheduler)
        if client is not None and client.status not in ("closing", "closed"):
            return client  # running, or reconnecting after a missed heartbeat: keep it, never start a second
        if scheduler == "local":
            cluster = LocalCluster(n_workers=None, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster)
        else:
            try:
                client = Client(scheduler, timeout="5s")
            except (OSError, TimeoutError) as exc:
                raise DevocareError(f"cannot reach Dask scheduler {scheduler!r}: {exc}") from None
        if not _CLIENTS:
            atexit.register(close_clients)
        _CLIENTS[scheduler] = client
        return client


def close_clients() -> None:
    """Close every kept client, and the LocalClusters this process started."""
    with _LOCK:
        for scheduler, client in list(_CLIENTS.items()):
            cluster = client.cluster if scheduler == "local" else None
            client.close()
            if cluster is not None:
                cluster.close()
        _CLIENTS.clear()


def slots(client: Any) -> int:
    """Tasks the cluster runs at once: the threads of all its workers (at least one)."""
    return max(1, sum(client.nthreads().values()))


def split(block_list: list[np.ndarray], n_slots: int) -> list[np.ndarray]:
    """The blocks cut so that there are at least ``n_slots`` tasks where there are that many draws: a block
    is at most the run's draws over the slots, so every worker gets a share (63 draws were one task).
    Results do not depend on how draws are grouped (each draw has its own random stream and sums)."""
    total = sum(len(b) for b in block_list)
    size = max(1, -(-total // max(1, n_slots)))
    return [b[i : i + size] for b in block_list for i in range(0, len(b), size)]


#: On a worker: the first rules and inputs seen per content key, so that later calls with the same model
#: reuse them, and with them the engine's prepared arrays (cached per object): at LSOA level preparing
#: (grants, runs of atoms) costs seconds a call otherwise.
_MODELS: OrderedDict[tuple[Any, ...], tuple[Any, Any]] = OrderedDict()
_MODELS_KEPT = 2


def model_key(model: dict[str, Any]) -> tuple[Any, ...]:
    """What identifies a model's rules and inputs: rule digest and level, floors, and a fingerprint of the
    base year's weighted heads (the data)."""
    rules, inputs = model["rules"], model["inputs"]
    heads = np.ascontiguousarray(inputs.weighted_heads[0])
    return (
        rules.digest,
        rules.atom_level,
        rules.n_budgets,
        inputs.atom_level,
        inputs.weighted_heads.shape,
        hashlib.sha256(heads.tobytes()).hexdigest(),
        np.asarray(inputs.floors, dtype=np.float64).tobytes(),
        inputs.floor_source,
    )


def _task(block: np.ndarray, model: dict[str, Any], key: tuple[Any, ...]) -> BlockResult:
    with _LOCK:
        kept = _MODELS.get(key)
        if kept is None:
            kept = _MODELS[key] = (model["rules"], model["inputs"])
            while len(_MODELS) > _MODELS_KEPT:
                _MODELS.popitem(last=False)
        _MODELS.move_to_end(key)
    return run_one_block({**model, "rules": kept[0], "inputs": kept[1]}, block)


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
    from dask.distributed import as_completed

    client = client_for(scheduler)
    # a fresh key per call: with a reused client, an identical model scattered again would share the key of
    # the previous call's data, which the scheduler may be releasing, and the blocks waiting on it are cancelled.
    # In a list: a dict is scattered value by value under its own keys ('rules', 'params', ...), which two
    # runs at once (a parallel sweep) would overwrite in each other
    [shared] = client.scatter([model], broadcast=True, hash=False)
    key = model_key(model)
    futures = [client.submit(_task, block, shared, key, pure=False) for block in split(block_list, slots(client))]
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
