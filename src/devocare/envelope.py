"""The base year and the national funding envelope, below both the allocation engine and the simulator.

The envelope is each service line's base-year national spend, stated in the simulator's parameter file
(``simulation/parameters.yaml``: ``demand.spend.*`` in £bn, and emergency admissions as ``admissions.count``
× ``admissions.unit_cost``). This module reads those leaves from the file as data — it imports nothing from
the simulator — and applies the one envelope rule of :func:`devocare.service_lines.base_year_spend`, so a
default block grant and a deterministic simulation start from the same pounds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from devocare.errors import DevocareError
from devocare.service_lines import ALIASES, LINE_IDS, base_year_spend, spend_paths

BASE_YEAR = "2024/25"  # the first year of the simulator and of the default envelope
#: Values in force for the base year are those dated on or before its first day.
BASE_DATE = dt.date(2024, 4, 1)
PARAMETER_FILE = Path(__file__).resolve().parent / "simulation" / "parameters.yaml"


def _leaf(tree: Mapping[str, Any], path: str) -> Mapping[str, Any]:
    node: Any = tree
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise DevocareError(f"envelope parameter {path!r} is missing from {PARAMETER_FILE.name}")
        node = node[part]
    return node


@lru_cache(maxsize=1)
def default_values() -> dict[str, tuple[float, str]]:
    """Parameter path → (value in force in the base year, source) for every path the envelope reads."""
    tree = yaml.safe_load(PARAMETER_FILE.read_text(encoding="utf-8"))
    out: dict[str, tuple[float, str]] = {}
    for line in LINE_IDS:
        for path in spend_paths(line):
            leaf = _leaf(tree, path)
            dated = sorted((dt.date.fromisoformat(str(k)), v) for k, v in leaf["values"].items())
            usable = [v for d, v in dated if d <= BASE_DATE]
            if not usable:
                raise DevocareError(f"parameter {path}: no value dated on or before {BASE_DATE}")
            source = str(leaf.get("source") or leaf.get("note") or "")
            if leaf.get("assumption") and leaf.get("note") and leaf.get("source"):
                source = f"{leaf['source']} {leaf['note']}"
            out[path] = (float(usable[-1]), source)
    return out


@lru_cache(maxsize=64)
def base_year_gbp(path: str) -> float:
    """£ of a £bn parameter (``bcf.nhs_minimum``) in force in the base year, read from the parameter file as
    data: how an architecture's flow states an amount that the simulator takes from the parameter tree."""
    tree = yaml.safe_load(PARAMETER_FILE.read_text(encoding="utf-8"))
    leaf = _leaf(tree, path)
    if not isinstance(leaf, Mapping) or leaf.get("unit") != "£bn" or "values" not in leaf:
        raise DevocareError(f"parameter {path!r} is not an amount in £bn")
    dated = sorted((dt.date.fromisoformat(str(k)), v) for k, v in leaf["values"].items())
    usable = [v for d, v in dated if d <= BASE_DATE]
    if not usable:
        raise DevocareError(f"parameter {path}: no value dated on or before {BASE_DATE}")
    return float(usable[-1]) * 1e9


def envelope(values: Mapping[str, Any]) -> dict[str, float]:
    """Base-year national £ per line from parameter values (path → value)."""
    return {line: float(base_year_spend(values, line)) for line in LINE_IDS}


def default_envelope_rows() -> list[tuple[str, float, str]]:
    """(line, £, source) per line from the shipped parameter values."""
    given = default_values()
    values = {path: v for path, (v, _) in given.items()}
    rows = []
    for line in LINE_IDS:
        paths = spend_paths(line)
        how = " × ".join(paths)
        sources = "; ".join(given[p][1] for p in paths)
        rows.append((line, float(base_year_spend(values, line)), f"parameter {how}: {sources}"))
    return rows


def alias_shares(line: str, values: Mapping[str, Any] | None = None) -> dict[str, float]:
    """How an amount given for a line alias (``specialised``) splits between the lines it stands for: their
    base-year spend shares (shipped parameter values unless ``values`` are given). A line is all of itself."""
    if line not in ALIASES:
        return {line: 1.0}
    if values is None:
        values = {path: v for path, (v, _) in default_values().items()}
    spend = {one: float(base_year_spend(values, one)) for one in ALIASES[line]}
    total = sum(spend.values())
    return {one: (v / total if total else 1.0 / len(spend)) for one, v in spend.items()}
