"""The simulator's parameter tree: load the cited defaults, apply overrides, draw uncertain values.

Defaults live in ``parameters.yaml`` (one tree, dated values, every leaf with unit, label and a source or an
``assumption`` label). A scenario file or ``--set path=value`` overrides values; every override is checked
(path exists — closest path suggested otherwise —, unit, range) before any is applied.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from devocare.errors import DevocareError, UnknownChoiceError
from devocare.simulation.parameter_schema import check_tree

#: Values in force for a run are those dated on or before the base year's first day.
BASE_DATE = dt.date(2024, 4, 1)
_Z80 = 1.2815515655446004  # the 90th percentile of a standard normal: [lo, hi] is an 80% interval
_LEAF_KEYS = {"label", "unit", "values"}
_UNITS = {"£bn", "£", "admissions", "fraction", "fraction per year", "£ per £", "count", "probability", "years"}
_FRACTION_UNITS = {"fraction", "fraction per year", "probability"}
_MONEY_SCALE = {
    "£bn": {"bn": 1.0, "m": 1e-3, "k": 1e-6, "": 1.0},
    "£": {"bn": 1e9, "m": 1e6, "k": 1e3, "": 1.0},
    "admissions": {"bn": 1e9, "m": 1e6, "k": 1e3, "": 1.0},
}


@dataclass(frozen=True)
class Parameter:
    """One leaf of the tree: its value in force, unit, range, uncertainty and citation."""

    path: str
    label: str
    unit: str
    value: Any
    valid_range: tuple[float, float]
    source: str
    assumption: bool
    uncertainty: dict[str, Any] | None = None

    @property
    def distribution(self) -> str:
        """Human-readable distribution ('fixed' where the value is not uncertain)."""
        u = self.uncertainty
        if u is None:
            return "fixed"
        if u["dist"] == "normal80":
            return f"normal, 80% interval [{u['low']:g}, {u['high']:g}]"
        if u["dist"] == "uniform":
            return f"uniform [{u['low']:g}, {u['high']:g}]"
        return f"triangular [{u['low']:g}, {u['mode']:g}, {u['high']:g}]"


@dataclass(frozen=True)
class ParameterSet:
    """The effective parameters of a run (defaults plus overrides), keyed by dotted path."""

    params: dict[str, Parameter]
    overrides: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, path: str) -> Any:
        if path not in self.params:
            raise UnknownChoiceError("parameter path", path, sorted(self.params))
        return self.params[path].value

    def uncertain(self) -> list[str]:
        """Paths of uncertain scalar parameters, in the fixed order draws are taken."""
        return sorted(p for p, v in self.params.items() if v.uncertainty is not None)

    def digest(self) -> str:
        """SHA-256 of the effective values and distributions: the parameter hash of a run record."""
        blob = {p: [v.value, v.uncertainty] for p, v in sorted(self.params.items())}
        return hashlib.sha256(json.dumps(blob, sort_keys=True, default=str).encode()).hexdigest()

    def table(self) -> pd.DataFrame:
        """path, value, unit, distribution, source (or assumption label), label."""
        rows = [
            {
                "path": p.path,
                "value": p.value,
                "unit": p.unit,
                "distribution": p.distribution,
                "source": ("assumption: " if p.assumption else "") + p.source,
                "label": p.label,
                "overridden": p.path in self.overrides,
            }
            for p in self.params.values()
        ]
        return pd.DataFrame(rows)

    def sample(self, rng: np.random.Generator) -> dict[str, float]:
        """One draw of every uncertain parameter from ``rng``, clipped to its valid range."""
        out: dict[str, float] = {}
        for path in self.uncertain():
            p = self.params[path]
            u = p.uncertainty
            assert u is not None
            if u["dist"] == "normal80":
                mu, sd = (u["low"] + u["high"]) / 2, (u["high"] - u["low"]) / (2 * _Z80)
                x = rng.normal(mu, sd)
            elif u["dist"] == "uniform":
                x = rng.uniform(u["low"], u["high"])
            else:
                x = rng.triangular(u["low"], u["mode"], u["high"]) if u["high"] > u["low"] else u["mode"]
            out[path] = float(min(max(x, p.valid_range[0]), p.valid_range[1]))
        return out


def _value_at(values: dict[Any, Any], path: str) -> Any:
    dated = sorted((dt.date.fromisoformat(str(k)), v) for k, v in values.items())
    usable = [v for d, v in dated if d <= BASE_DATE]
    if not usable:
        raise DevocareError(f"parameter {path}: no value dated on or before {BASE_DATE}")
    return usable[-1]


def _parse_uncertainty(raw: Any, path: str) -> dict[str, Any] | None:
    if raw is None:
        return None
    if isinstance(raw, list | tuple) and len(raw) == 2:
        lo, hi = float(raw[0]), float(raw[1])
        if not hi > lo:
            raise DevocareError(f"parameter {path}: uncertainty [lo, hi] needs hi > lo, got {list(raw)}")
        return {"dist": "normal80", "low": lo, "high": hi}
    if isinstance(raw, dict) and raw.get("dist") in ("uniform", "triangular", "normal80"):
        need = ("low", "mode", "high") if raw["dist"] == "triangular" else ("low", "high")
        missing = [k for k in need if k not in raw]
        if missing:
            raise DevocareError(f"parameter {path}: uncertainty {raw['dist']} needs {', '.join(missing)}")
        out = {"dist": raw["dist"], **{k: float(raw[k]) for k in need}}
        if out["high"] < out["low"] or ("mode" in out and not out["low"] <= out["mode"] <= out["high"]):
            raise DevocareError(f"parameter {path}: uncertainty bounds out of order: {raw}")
        return out
    raise DevocareError(
        f"parameter {path}: uncertainty must be [lo, hi] or {{dist: uniform|triangular, ...}}, got {raw!r}"
    )


def _leaves(node: dict[str, Any], prefix: str = "") -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key, value in node.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and _LEAF_KEYS <= set(value):
            out[path] = value
        elif isinstance(value, dict):
            out.update(_leaves(value, path + "."))
        else:
            raise DevocareError(f"parameter tree: {path} is neither a group nor a parameter leaf")
    return out


def _build(path: str, leaf: dict[str, Any]) -> Parameter:
    if leaf["unit"] not in _UNITS:
        raise DevocareError(f"parameter {path}: unknown unit {leaf['unit']!r}")
    if not leaf.get("source") and not leaf.get("assumption"):
        raise DevocareError(f"parameter {path}: needs a source or assumption: true")
    lo, hi = (float(x) for x in leaf.get("range", [-math.inf, math.inf]))
    source = str(leaf.get("source") or leaf.get("note") or "")
    if leaf.get("assumption") and leaf.get("note") and leaf.get("source"):
        source = f"{leaf['source']} {leaf['note']}"
    param = Parameter(
        path=path,
        label=str(leaf["label"]),
        unit=leaf["unit"],
        value=_value_at(leaf["values"], path),
        valid_range=(lo, hi),
        source=source,
        assumption=bool(leaf.get("assumption", False)),
        uncertainty=_parse_uncertainty(leaf.get("uncertainty"), path),
    )
    _check_range(param, param.value)
    return param


def _check_range(param: Parameter, value: Any) -> None:
    values = value if isinstance(value, list) else [value]
    lo, hi = param.valid_range
    for v in values:
        if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v):
            raise DevocareError(f"parameter {param.path}: value {v!r} is not a number")
        if not lo <= v <= hi:
            raise DevocareError(
                f"parameter {param.path}: value {v:g} is outside its valid range [{lo:g}, {hi:g}] ({param.unit})"
            )


@lru_cache(maxsize=1)
def _default_tree() -> dict[str, Parameter]:
    text = resources.files("devocare.simulation").joinpath("parameters.yaml").read_text(encoding="utf-8")
    tree = yaml.safe_load(text)
    check_tree(tree, BASE_DATE)  # every problem at once, by path (parameter_schema)
    return {path: _build(path, leaf) for path, leaf in _leaves(tree).items()}


def defaults() -> ParameterSet:
    """The cited default parameters."""
    return ParameterSet(dict(_default_tree()))


def parameters() -> pd.DataFrame:
    """Every default parameter: path, value, unit, distribution, source (or assumption label), label."""
    return defaults().table()


_NUMBER = re.compile(r"^\s*£?\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(%|bn|m|k)?\s*$")


def parse_value(param: Parameter, text: Any) -> Any:
    """Read an override value in the parameter's unit: plain numbers, ``2.5%`` for fractions, ``3.5bn`` /
    ``600m`` for money and counts, lists for list-valued parameters. Wrong units are refused."""
    if isinstance(param.value, list):
        from devocare.safeyaml import loads

        items = loads(text, f"parameter {param.path}") if isinstance(text, str) else text
        if not isinstance(items, list) or len(items) != len(param.value):
            raise DevocareError(f"parameter {param.path}: expected a list of {len(param.value)} numbers, got {text!r}")
        return [
            parse_value(Parameter(param.path, param.label, param.unit, 0.0, param.valid_range, "", False), x)
            for x in items
        ]
    if isinstance(text, bool):
        raise DevocareError(f"parameter {param.path}: value {text!r} is not a number")
    if isinstance(text, int | float):
        return float(text)
    match = _NUMBER.match(str(text))
    if not match:
        raise DevocareError(f"parameter {param.path}: value {text!r} is not a number in {param.unit}")
    number, suffix = float(match.group(1)), match.group(2) or ""
    if "£" in str(text) and not param.unit.startswith("£"):
        raise DevocareError(f"parameter {param.path}: value {text!r} is money but the unit is {param.unit}")
    if suffix == "%":
        if param.unit not in _FRACTION_UNITS:
            raise DevocareError(f"parameter {param.path}: value {text!r} is a percentage but the unit is {param.unit}")
        return number / 100
    if suffix:
        scale = _MONEY_SCALE.get(param.unit)
        if scale is None:
            raise DevocareError(
                f"parameter {param.path}: value {text!r} has a '{suffix}' multiplier but the unit is {param.unit}"
            )
        return number * scale[suffix]
    return number


def _flatten(node: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(node, dict):
        return {prefix: node}
    out: dict[str, Any] = {}
    for key, value in node.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        out.update(_flatten(value, path))
    return out


def with_overrides(base: ParameterSet, overrides: dict[str, Any]) -> ParameterSet:
    """A new set with every override checked (path, unit, range) before any is applied."""
    params = dict(base.params)
    applied = dict(base.overrides)
    for path, raw in overrides.items():
        if path not in params:
            raise UnknownChoiceError("parameter path", path, sorted(params))
        param = params[path]
        value = parse_value(param, raw)
        _check_range(param, value)
        params[path] = Parameter(
            param.path, param.label, param.unit, value, param.valid_range, param.source, param.assumption, None
        )
        applied[path] = value
    return ParameterSet(params, applied)


def parse_set(items: list[str] | None) -> dict[str, str]:
    """``["a.b=1", ...]`` → ``{"a.b": "1"}``; refuses items without ``=``."""
    out: dict[str, str] = {}
    for item in items or []:
        path, sep, value = item.partition("=")
        if not sep or not path.strip() or not value.strip():
            raise DevocareError(f"--set expects path.to.param=value, got {item!r}")
        out[path.strip()] = value.strip()
    return out


def load_scenario(source: str | Path | dict[str, Any]) -> dict[str, Any]:
    """A scenario's parameter overrides from a YAML file (or an already-parsed mapping).

    A scenario is ``{name: ..., description: ..., parameters: {path: value}}``; ``parameters`` may be nested
    or use dotted paths. Unknown top-level keys are refused so a typo does not pass silently.
    """
    if isinstance(source, dict):
        raw: Any = copy.deepcopy(source)
        where = "scenario"
    else:
        from devocare.safeyaml import load_file

        path = Path(source)
        raw = load_file(path, "scenario file")  # missing, unreadable, impossible dates, too deep: named errors
        where = f"scenario file {str(path)!r}"
    if not isinstance(raw, dict):
        raise DevocareError(f"{where}: expected a mapping with a 'parameters' key")
    for key in raw:
        if key not in ("name", "description", "parameters"):
            raise UnknownChoiceError(f"key in {where}", key, ["name", "description", "parameters"])
    params = raw.get("parameters") or {}
    if not isinstance(params, dict):
        raise DevocareError(f"{where}: 'parameters' must be a mapping of path: value")
    flat: dict[str, Any] = {}
    for key, value in params.items():
        for dotted, leaf in (_flatten(value, str(key)) if isinstance(value, dict) else {str(key): value}).items():
            if dotted in flat:
                raise DevocareError(f"{where}: parameter {dotted} is given twice")
            flat[dotted] = leaf
    return flat


def resolve(
    overrides: dict[str, Any] | None = None, scenario: str | Path | dict[str, Any] | None = None
) -> ParameterSet:
    """Defaults, then the scenario's overrides, then explicit overrides (which win)."""
    combined: dict[str, Any] = {}
    if scenario is not None:
        combined.update(load_scenario(scenario))
    combined.update(overrides or {})
    return with_overrides(defaults(), combined)


def reference_markdown() -> str:
    """``docs/reference/parameters.md``: every default parameter with unit, distribution and source."""

    def cell(text: object) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = [
        "# Simulation parameters",
        "",
        "Generated from `src/devocare/simulation/parameters.yaml` by",
        '`python -c "from devocare.simulation.parameters import reference_markdown; print(reference_markdown())"`',
        "(a test keeps this page in step with the file). Values are those in force for the base year 2024/25;",
        "*distribution* is what Monte Carlo draws use (`[lo, hi]` normal = an 80% interval); *fixed* values do not",
        "vary between draws. Rows marked **assumption** have no direct evidence and are labelled so in every run.",
        "Override any of them with `--set path=value` or a scenario file (see",
        "[simulate-a-reform.md](../guides/simulate-a-reform.md)).",
        "",
        "The central `demand.spend.*` values, with emergency admissions as `admissions.count` ×",
        "`admissions.unit_cost`, are the base-year envelope of the block grants: the allocation engine's default",
        "envelope (`devocare.allocation.default_envelope()`) is built from them, so in a deterministic run each",
        "budget holding its whole area gets the grant `devocare allocate grants --growth <funding.real_growth>`",
        "gives it. Grants to pots held by local government",
        "include fiscal equalisation at the allocation engine's rate (`devocare.allocation.grants.default_alpha()`:",
        "adult social care and public health share of councils' net service spending, MHCLG Revenue Outturn",
        "2023-24; **assumption** that this share of above-average tax capacity funds these services).",
        "",
        "| path | value | unit | distribution | label | source |",
        "|---|---|---|---|---|---|",
    ]
    for p in defaults().params.values():
        source = ("**assumption** — " if p.assumption else "") + p.source
        lines.append(
            f"| `{p.path}` | {cell(p.value)} | {cell(p.unit)} | {cell(p.distribution)} | {cell(p.label)} "
            f"| {cell(source)} |"
        )
    return "\n".join(lines) + "\n"
