"""Minimum service levels a user can set, and the areas and bodies that fall below them.

A floor is the least need-adjusted spend on a service line, as a fraction of the national average for the
area's need (1.0 = the national average; the defaults and their sources are
``devocare.outcomes.minimum_service_levels()``). Users set floors per line, for every architecture or for one:

* ``--set minimum_service_levels.acute_elective=0.97`` (all architectures) or
  ``--set minimum_service_levels.reform-aco-2024.acute_elective=0.97`` (one architecture);
* a scenario file's ``minimum_service_levels:`` mapping, ``{line: floor}`` or ``{architecture: {line: floor}}``;
* the API's and web form's ``overrides`` with the same dotted keys.

Floors are validated before anything runs (unknown line or architecture keys are named, values must lie in
(0, 2]), applied to the run's inputs, and recorded in the run record. The same floors and the same
intervention trigger then apply to every budget holder.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from devocare.errors import DevocareError, UnknownChoiceError
from devocare.service_lines import LINE_IDS
from devocare.simulation.results import SimulationResult

PREFIX = "minimum_service_levels"
MAX_FLOOR = 2.0


def _value(key: str, raw: Any) -> float:
    text = str(raw).strip()
    try:
        value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise DevocareError(f"{key}: expected a number such as 0.95 or 95%, got {raw!r}") from None
    if not 0 < value <= MAX_FLOOR:
        raise DevocareError(f"{key}: a minimum service level must be above 0 and at most {MAX_FLOOR}, got {value}")
    return value


def _line(key: str, line: str) -> str:
    if line not in LINE_IDS:
        raise UnknownChoiceError(f"service line in {key}", line, list(LINE_IDS))
    return line


def split(
    overrides: dict[str, Any] | None, scenario: Any, arch_id: str
) -> tuple[dict[str, Any], Any, dict[str, float]]:
    """Take floor settings out of ``overrides`` and ``scenario``: (other overrides, scenario without floors,
    {line: floor} for ``arch_id``). Architecture-specific settings win over general ones, explicit
    overrides over the scenario file."""
    from devocare.architecture.loader import builtin_ids

    general: dict[str, float] = {}
    specific: dict[str, float] = {}
    rest = dict(overrides or {})
    scenario_rest = scenario
    raw_msl: Any = None
    if scenario is not None:
        if isinstance(scenario, dict):
            raw = scenario
        else:
            from devocare.safeyaml import load_file

            raw = load_file(Path(scenario), "scenario file")
        if isinstance(raw, dict) and PREFIX in raw:
            raw_msl = raw[PREFIX]
            scenario_rest = {k: v for k, v in raw.items() if k != PREFIX}
    if raw_msl is not None:
        if not isinstance(raw_msl, dict):
            raise DevocareError(
                f"scenario {PREFIX}: expected a mapping of line: floor or architecture: {{line: floor}}"
            )
        for key, value in raw_msl.items():
            if isinstance(value, dict):
                if key not in builtin_ids() and key != arch_id:
                    raise UnknownChoiceError(f"architecture in scenario {PREFIX}", str(key), builtin_ids())
                if key == arch_id:
                    for line, v in value.items():
                        name = f"{PREFIX}.{key}.{line}"
                        specific[_line(name, str(line))] = _value(name, v)
            else:
                name = f"{PREFIX}.{key}"
                general[_line(name, str(key))] = _value(name, value)
    for key in [k for k in rest if k == PREFIX or k.startswith(PREFIX + ".")]:
        value = rest.pop(key)
        parts = key.split(".")
        if len(parts) == 2:
            general[_line(key, parts[1])] = _value(key, value)
        elif len(parts) == 3:
            if parts[1] not in builtin_ids() and parts[1] != arch_id:
                raise UnknownChoiceError(f"architecture in {key}", parts[1], builtin_ids())
            if parts[1] == arch_id:
                specific[_line(key, parts[2])] = _value(key, value)
        else:
            raise DevocareError(f"{key}: write {PREFIX}.LINE=VALUE or {PREFIX}.ARCHITECTURE.LINE=VALUE")
    return rest, scenario_rest, {**general, **specific}


def apply(inputs: Any, floors: dict[str, float]) -> Any:
    """Inputs with the given lines' floors replaced (the cached inputs are never changed)."""
    if not floors:
        return inputs
    new = np.array(inputs.floors, dtype=float, copy=True)
    for line, value in floors.items():
        new[LINE_IDS.index(line)] = value
    changed = ", ".join(f"{k}={v:g}" for k, v in sorted(floors.items()))
    return dataclasses.replace(inputs, floors=new, floor_source=f"{inputs.floor_source} with {changed}")


def floors_of(result: SimulationResult) -> np.ndarray:
    """The floors a run applied, per line (from its run record)."""
    rec = result.run_record.get("floors")
    if isinstance(rec, dict):
        return np.array([float(rec[line]) for line in LINE_IDS])
    from devocare.outcomes import minimum_service_levels

    return minimum_service_levels().set_index("line").reindex(list(LINE_IDS))["floor"].to_numpy(dtype=float)


def _population(result: SimulationResult) -> np.ndarray:
    from devocare import geography

    if result.atom_level == "lad":
        pop = geography.population("lad").set_index("code")["population"]
    else:
        pop = geography.population("lsoa", 2021).set_index("code")["population"]
    return pop.reindex(list(result.atoms)).fillna(0.0).to_numpy(dtype=float)


def below_minimum(result: SimulationResult, by: str = "area", year: int = -1) -> pd.DataFrame:
    """Areas (``by="area"``) or budget holders (``by="body"``) whose need-adjusted spend on a line falls
    below its floor in ``year`` (default the horizon), central run: the floor, the ratio reached, the gap
    in £ (floor × need − spend) and per head. Bodies also show the share of draws in which any of their
    lines is below its floor that year."""
    if by not in ("area", "body"):
        raise DevocareError(f"by must be 'area' or 'body', got {by!r}")
    floors = floors_of(result)
    spent = result.central_atoms["spent"][year]  # (atoms, lines)
    need = result.central_atoms["need"][year]
    pop = _population(result)
    if by == "area":
        from devocare import geography

        names = (
            geography.areas(result.atom_level, year=2021 if result.atom_level == "lsoa" else 2024)
            .set_index("code")["name"]
            .reindex(list(result.atoms))
            .fillna("")
        )
        codes, labels, S, N, P = list(result.atoms), list(names), spent, need, pop
        holders = [""] * len(codes)
        prob = None
        held = np.ones_like(S, dtype=bool)
    else:
        from devocare.simulation.budget import _area_name
        from devocare.simulation.rules import build_rules
        from devocare.simulation.runner import _load_arch

        rules = build_rules(_load_arch(result.architecture), result.atom_level)
        cols, lines_held = [], []
        for g in rules.groups:
            cols.append(np.asarray(g.H, dtype=float))
            lines_held.append(np.repeat(np.asarray(g.lines, dtype=bool)[None, :], g.n, axis=0))
        H = np.concatenate(cols, axis=1)  # (atoms, budgets)
        held = np.concatenate(lines_held, axis=0)
        S, N, P = H.T @ spent, H.T @ need, H.T @ pop
        b = result.budgets
        codes = list(b["body"].astype(str))
        holders = list(b["holder"].astype(str))
        labels = [_area_name(str(a)) for a in b["area"]]
        fb = result.draws["floor_breached"][:, year, :]
        prob = (fb[1:] if result.n_draws > 0 else fb[:1]).mean(axis=0)
    ratio = np.where(N > 0, S / np.where(N > 0, N, 1.0), 1.0)
    below = (ratio < floors[None, :] - 1e-12) & held & (N > 0)
    i, j = np.nonzero(below)
    gap = floors[j] * N[i, j] - S[i, j]
    out = pd.DataFrame(
        {
            "architecture": result.architecture,
            "year": result.years[year],
            by: [codes[k] for k in i],
            "name": [labels[k] for k in i],
            "line": [LINE_IDS[k] for k in j],
            "floor": floors[j],
            "spend_to_need": ratio[i, j],
            "gap_gbp": gap,
            "gap_gbp_per_head": gap / np.where(P[i] > 0, P[i], np.nan),
        }
    )
    if by == "body":
        out.insert(3, "holder", [holders[k] for k in i])
        out["prob_below_minimum_service"] = [float(prob[k]) for k in i] if prob is not None else np.nan
    return out.sort_values("gap_gbp", ascending=False, kind="stable").reset_index(drop=True)
