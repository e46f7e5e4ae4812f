"""Minimum service levels a user sets for a run: read from overrides and scenario files, checked, applied.

A floor is the least need-adjusted spend on a service line, as a fraction of the national average for the
area's need (1.0 = the national average; the defaults and their sources are
``devocare.rulebook.minimum_service_levels()``). Users set floors per line, for every architecture or for one:

* ``--set minimum_service_levels.acute_elective=0.97`` (all architectures) or
  ``--set minimum_service_levels.reform-aco-2024.acute_elective=0.97`` (one architecture);
* a scenario file's ``minimum_service_levels:`` mapping, ``{line: floor}`` or ``{architecture: {line: floor}}``;
* the API's and web form's ``overrides`` with the same dotted keys.

Floors are validated before anything runs (unknown line or architecture keys are named, values must lie in
(0, 2]), applied to the run's inputs, and recorded in the run record. This module runs before the simulator
and imports nothing of it; :mod:`devocare.simulation.floors` reads results afterwards.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from devocare.architecture.builtins import builtin_ids
from devocare.errors import DevocareError, UnknownChoiceError
from devocare.service_lines import ALIASES, LINE_IDS, expand

__all__ = ["MAX_FLOOR", "PREFIX", "apply", "split"]

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
    if line not in LINE_IDS and line not in ALIASES:
        raise UnknownChoiceError(f"service line in {key}", line, list(LINE_IDS))
    return line


def split(
    overrides: dict[str, Any] | None, scenario: Any, arch_id: str
) -> tuple[dict[str, Any], Any, dict[str, float]]:
    """Take floor settings out of ``overrides`` and ``scenario``: (other overrides, scenario without floors,
    {line: floor} for ``arch_id``). Architecture-specific settings win over general ones, explicit
    overrides over the scenario file."""
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
        for one in expand([line]):  # an alias (specialised) sets every line it stands for
            new[LINE_IDS.index(one)] = value
    changed = ", ".join(f"{k}={v:g}" for k, v in sorted(floors.items()))
    return dataclasses.replace(inputs, floors=new, floor_source=f"{inputs.floor_source} with {changed}")
