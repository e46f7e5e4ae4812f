"""A writer process for the crash tests: saves numbered items forever, printing each acknowledged save.

Usage: ``python crash_writer.py DB_URL RUNS_DIR``. After each save returns it prints ``<kind> <n> <id>`` and
flushes, so the parent knows exactly which saves were acknowledged before it kills this process (or the
database server). When the database is unreachable it prints ``retry`` and tries the same save again.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd


def item(n: int) -> tuple[str, str, dict, dict, pd.DataFrame]:
    """The content of save number ``n`` (the checker rebuilds it from ``n`` alone)."""
    yaml_text = f"id: reform-{n}\nname: Reform {n}\nextends: status-quo-2023\n"
    table = pd.DataFrame({"year": np.arange(20), "draw": n, "value": np.arange(20) * 1.5 + n})
    return f"reform-{n}", yaml_text, {"n": n, "total": n * 2.5}, {"seed": n, "years": 20}, table


def main(url: str, runs_dir: str) -> None:
    """Save an architecture then a run for n = 0, 1, 2 ... until killed."""
    from sqlalchemy.exc import DBAPIError

    from devocare.storage import Store

    store = Store(url, runs_dir=runs_dir)
    n = 0
    while True:
        name, yaml_text, summary, record, table = item(n)
        try:
            arch_id = store.save_architecture(name, yaml_text, validate=False)
            print(f"architecture {n} {arch_id}", flush=True)
            run_id = store.save_run(name, summary, record, table)
            print(f"run {n} {run_id}", flush=True)
            n += 1
        except DBAPIError:
            print("retry", flush=True)
            time.sleep(0.05)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
