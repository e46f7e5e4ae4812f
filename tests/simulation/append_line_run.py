"""Run one built-in with or without a test-only service line appended to the registry; save per-line outputs.

Run as ``python append_line_run.py OUT.npz [extended]`` in a fresh interpreter: the registry is extended
before any other devocare module is imported, as a registry entry shipped in the package would be. The extra
line's data (its base-year spend leaf, its minimum service level and a pot that holds it) are added to
copies of the packaged files in memory; nothing on disk changes.
"""

from __future__ import annotations

import copy
import sys
from typing import Any

import numpy as np

ARCH = "status-quo-2023"
EXTRA = "test_extra_line"


def _extend_registry() -> None:
    import devocare.service_lines as sl

    line = sl.ServiceLine(EXTRA, "Test-only extra line", "other", "wp_core_overall", "assumption: test fixture", "nhs")
    sl.REGISTRY = (*sl.REGISTRY, line)
    sl.LINES = {x.id: x for x in sl.REGISTRY}
    sl.SERVICE_LINES = {x.id: (x.title, x.group) for x in sl.REGISTRY}
    sl.LINE_IDS = tuple(sl.LINES)


def _extend_data() -> str:
    """Spend leaf, floor and pot for the extra line; returns the architecture YAML to run."""
    from functools import lru_cache
    from pathlib import Path

    import yaml

    from devocare import envelope, rulebook
    from devocare.architecture.builtins import builtin_text

    parameters = sys.modules["devocare.simulation.parameters"]  # the package re-exports a function by that name

    tree = copy.deepcopy(parameters._raw_tree())
    leaf = copy.deepcopy(tree["demand"]["spend"]["prescribing"])
    leaf["values"] = {k: float(v) * 0.25 for k, v in leaf["values"].items()}
    tree["demand"]["spend"][EXTRA] = leaf
    parameters._raw_tree = lru_cache(maxsize=1)(lambda: tree)  # type: ignore[attr-defined]
    envelope.PARAMETER_FILE = _write(yaml.safe_dump(tree, sort_keys=False))

    raw = yaml.safe_load(Path(rulebook.__file__).with_name("rulebook.yaml").read_text(encoding="utf-8"))
    floor = copy.deepcopy(next(m for m in raw["minimum_service_levels"] if m["line"] == "prescribing"))
    raw["minimum_service_levels"].append({**floor, "line": EXTRA})
    extended = rulebook.Framework.model_validate(raw)
    rulebook.framework = lambda: extended  # type: ignore[assignment]

    arch = yaml.safe_load(builtin_text(ARCH))
    # the new pot joins NHS England's budget, so it states that budget's risk rules
    nhse = next(p for p in arch["money"]["pots"] if p["holder"] == "nhse")
    rules = {k: nhse[k] for k in ("savings_retained", "overspend_borne_locally") if k in nhse}
    arch["money"]["pots"].append(
        {
            "id": "test_extra_pot",
            "holder": "nhse",
            "lines": [EXTRA],
            "ring_fenced": False,
            "tier": "national",
            "sources": ["assumption: test fixture"],
            **rules,
        }
    )
    arch["functions"].append(
        {"id": f"commissioning.{EXTRA}", "holder": "nhse", "sources": ["assumption: test fixture"]}
    )
    return yaml.safe_dump(arch, sort_keys=False)


def _write(text: str) -> Any:
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "parameters.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def main(out: str, extended: bool) -> None:
    if extended:
        _extend_registry()
    import devocare.simulation.parameters  # noqa: F401  (loaded before the data are extended)
    from devocare.architecture import load, load_text
    from devocare.service_lines import LINE_IDS
    from devocare.simulation import simulate

    arch = load_text(_extend_data(), f"{ARCH}.yaml") if extended else load(ARCH)
    result = simulate(arch, years=5, draws=0)
    arrays: dict[str, np.ndarray] = {"lines": np.array(LINE_IDS)}
    for name, values in result.central_atoms.items():
        arrays[f"atoms.{name}"] = values
    for name, values in result.national.items():
        arrays[f"national.{name}"] = values
    for name, values in result.draws.items():
        arrays[f"draws.{name}"] = values
    arrays["budgets"] = np.array([str(p) for p in result.budgets["pots"]])
    np.savez(out, **arrays)  # type: ignore[arg-type]


if __name__ == "__main__":
    main(sys.argv[1], len(sys.argv) > 2 and sys.argv[2] == "extended")
