"""Write the golden snapshots of every built-in architecture's simulation results.

Run on purpose only, when a change is meant to move results (``python tests/simulation/golden/regenerate.py``):
the diff of the JSON files then shows what the change did. Each file holds the 10-year central run at LAD
level: the summary, national totals per year of every per-budget measure and national series, and the
change-factor waterfall.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
YEARS = 10
#: summary keys that describe the run rather than its results
SKIP = {"conservation_max_gap"}


def snapshot(arch_id: str) -> dict[str, Any]:
    """The central 10-year LAD run of one built-in, as plain JSON values."""
    from devocare.simulation.runner import simulate

    result = simulate(arch_id, years=YEARS, draws=0, atoms="lad")
    summary = {k: v for k, v in result.summary.items() if k not in SKIP}
    by_year: dict[str, list[Any]] = {}
    for measure, values in sorted(result.draws.items()):
        by_year[measure] = values[0].sum(axis=1).tolist()
    for measure, values in sorted(result.national.items()):
        central = values[0]
        by_year[f"national.{measure}"] = central.tolist()
    waterfall = [
        {"measure": r.measure, "step": r.step, "value": float(r.value)}
        for r in result.waterfall.itertuples(index=False)
    ]
    return {"years": list(result.years), "summary": summary, "by_year": by_year, "waterfall": waterfall}


def builtin_ids() -> list[str]:
    from devocare.architecture.loader import builtin_ids as ids

    return sorted(ids())


def main(argv: list[str]) -> int:
    ids = argv or builtin_ids()
    for arch_id in ids:
        data = snapshot(arch_id)
        path = HERE / f"{arch_id}.json"
        path.write_text(json.dumps(data, indent=1, default=_plain) + "\n")
        print(f"wrote {path.name}")
    return 0


def _plain(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(type(x))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
