"""The simulator's parameter tree: load the cited defaults, apply overrides, draw uncertain values.

Defaults live in ``parameters.yaml`` (one tree, dated values, every leaf with unit, label and a source or an
``assumption`` label). A scenario file or ``--set path=value`` overrides values; every override is checked
(path exists — closest path suggested otherwise —, unit, range) before any is applied.

Values are dated: :meth:`ParameterSet.value_for_year` gives the value in force in a financial year, and an
override can be dated (``--set path@2027-04-01=value``: the value holds from that date on). Base-year
observations (``observed: true``) are identical in every Monte Carlo draw; derived leaves (``derived:``)
are computed from the leaves they are derived from, never drawn; aliases (``funding.real_growth``) set
every path they stand for.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import math
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from devocare.errors import DevocareError, UnknownChoiceError
from devocare.simulation import sampling
from devocare.simulation.parameter_schema import check_tree

#: Values in force for a run are those dated on or before the base year's first day.
BASE_DATE = dt.date(2024, 4, 1)
#: An undated override holds in every year: it is dated at the start of time.
_ALWAYS = dt.date(1900, 1, 1)
#: Key suffix of a parameter's values year by year in a run's central values (only where they change).
YEARS_SUFFIX = "@years"
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
    #: every dated value, (ISO date, value) in date order; the value in force in a year is the latest dated
    #: on or before its first day
    series: tuple[tuple[str, Any], ...] = ()
    observed: bool = False  # a base-year observation: never drawn
    derived: str | None = None  # name of the rule in DERIVED that computes it

    @property
    def distribution(self) -> str:
        """Human-readable distribution ('fixed' where the value is not uncertain). Every distribution has its
        median at the parameter's value (two-piece where the interval is not symmetric around it)."""
        u = self.uncertainty
        if u is None:
            return "derived" if self.derived else "observed (base year)" if self.observed else "fixed"
        if u["dist"] == "normal80":
            return f"normal, 80% interval [{u['low']:g}, {u['high']:g}], median {self.value:g}"
        if u["dist"] == "uniform":
            return f"uniform [{u['low']:g}, {u['high']:g}], median {self.value:g}"
        return f"triangular [{u['low']:g}, {u['high']:g}], mode and median {self.value:g}"

    def value_at(self, when: dt.date) -> Any:
        """The value in force on ``when``: the latest dated on or before it."""
        usable = [v for d, v in self.series if dt.date.fromisoformat(d) <= when]
        if not usable:
            first = self.series[0][0] if self.series else "?"
            raise DevocareError(f"parameter {self.path}: no value dated on or before {when} (first: {first})")
        return usable[-1]


@dataclass(frozen=True)
class ParameterSet:
    """The effective parameters of a run (defaults plus overrides), keyed by dotted path."""

    params: dict[str, Parameter]
    overrides: dict[str, Any] = field(default_factory=dict)
    #: declared correlations: (path, partner, rho), the path's draws follow the partner's stream with rho
    correlations: tuple[tuple[str, str, float], ...] = ()

    def __getitem__(self, path: str) -> Any:
        if path not in self.params:
            raise UnknownChoiceError("parameter path", path, sorted(self.params))
        return self.params[path].value

    def value_for_year(self, path: str, year: int | str) -> Any:
        """The value of ``path`` in force in a financial year (``2027``, ``"2027/28"`` or ``"2027-04-01"``:
        the value dated latest on or before the year's first day, 1 April)."""
        if path not in self.params:
            raise UnknownChoiceError("parameter path", path, sorted(self.params))
        return self.params[path].value_at(year_start(year))

    def series(self, path: str, first: int | str, years: int) -> list[Any]:
        """Values of ``path`` in force in ``years`` consecutive financial years from ``first``."""
        start = year_start(first).year
        return [self.value_for_year(path, start + t) for t in range(years)]

    def by_year(self, years: int) -> dict[str, list[float]]:
        """``{path@years: [value in force in each of the run's years]}`` for every scalar parameter whose
        value changes within ``years`` financial years from the base year (the engine reads these year by
        year; every other parameter holds its base-year value throughout)."""
        out: dict[str, list[float]] = {}
        for path, p in self.params.items():
            if len(p.series) < 2 or isinstance(p.value, list):
                continue
            values = [float(p.value_at(year_start(BASE_DATE.year + t))) for t in range(years)]
            if any(v != values[0] for v in values):
                out[path + YEARS_SUFFIX] = values
        return out

    def uncertain(self) -> list[str]:
        """Paths of uncertain scalar parameters, in the fixed order draws are taken."""
        return sorted(p for p, v in self.params.items() if v.uncertainty is not None)

    def digest(self) -> str:
        """SHA-256 of the effective values and distributions: the parameter hash of a run record."""
        blob: dict[str, Any] = {p: [v.value, v.uncertainty] for p, v in sorted(self.params.items())}
        dated = {p: v.series for p, v in sorted(self.params.items()) if len(v.series) > 1}
        if dated:  # only where a parameter changes over time, so digests of undated trees are unchanged
            blob["__dated__"] = dated
        if self.correlations:
            blob["__correlations__"] = list(self.correlations)
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

    def draw(self, seed: int, draws: np.ndarray) -> dict[str, np.ndarray]:
        """Values of every uncertain parameter for the draw numbers ``draws`` (draw 0: central values). Each
        parameter's draws depend only on ``seed`` and its path (and, for a declared correlation, its
        partner's path), so an override changes what it overrides and nothing else."""
        specs = {}
        for path in self.uncertain():
            p = self.params[path]
            assert p.uncertainty is not None
            specs[path] = (float(p.value), p.uncertainty, p.valid_range)
        return sampling.draw_scalars(specs, list(self.correlations), seed, np.asarray(draws))

    def sample(self, rng: np.random.Generator) -> dict[str, float]:
        """One independent draw of every uncertain parameter from ``rng`` (centred, clipped to its valid
        range); Monte Carlo runs use :meth:`draw`, whose streams are per path."""
        out: dict[str, float] = {}
        for path in self.uncertain():
            p = self.params[path]
            assert p.uncertainty is not None
            x = sampling.quantile(np.array([rng.random()]), float(p.value), p.uncertainty)[0]
            out[path] = float(min(max(x, p.valid_range[0]), p.valid_range[1]))
        return out


def year_start(year: int | str | dt.date) -> dt.date:
    """First day (1 April) of a financial year given as ``2027``, ``"2027/28"`` or an ISO date."""
    if isinstance(year, dt.date):
        return year
    text = str(year).strip()
    if re.fullmatch(r"\d{4}", text):
        return dt.date(int(text), 4, 1)
    if re.fullmatch(r"\d{4}/\d{2}", text):
        return dt.date(int(text[:4]), 4, 1)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DevocareError(f"expected a financial year (2027, 2027/28) or a date (2027-04-01), got {year!r}") from None


def _series(values: dict[Any, Any], path: str) -> tuple[tuple[str, Any], ...]:
    try:
        dated = sorted((dt.date.fromisoformat(str(k)), v) for k, v in values.items())
    except ValueError as exc:
        raise DevocareError(f"parameter {path}: values must be keyed by ISO dates: {exc}") from None
    return tuple((d.isoformat(), v) for d, v in dated)


def _value_at(values: dict[Any, Any], path: str) -> Any:
    dated = _series(values, path)
    usable = [v for d, v in dated if dt.date.fromisoformat(d) <= BASE_DATE]
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
        if not prefix and key in _TOP_LEVEL_NOT_LEAVES:
            continue
        if isinstance(value, dict) and _LEAF_KEYS <= set(value):
            out[path] = value
        elif isinstance(value, dict):
            out.update(_leaves(value, path + "."))
        else:
            raise DevocareError(f"parameter tree: {path} is neither a group nor a parameter leaf")
    return out


#: Top-level keys of the tree that are not parameter groups.
_TOP_LEVEL_NOT_LEAVES = {"correlations", "aliases"}

#: Derived leaves: name → (inputs, rule). A derived leaf is computed from its inputs whenever they change
#: (defaults or overrides) and is never drawn; an explicit override of it wins.
DERIVED: dict[str, tuple[tuple[str, ...], Any]] = {
    # elective and other acute spend = the acute total less emergency admissions × their unit cost
    "acute_less_emergency": (
        ("demand.acute_spend", "admissions.count", "admissions.unit_cost"),
        lambda acute, count, unit: acute - count * unit / 1e9,
    ),
}


def _build(path: str, leaf: dict[str, Any]) -> Parameter:
    if leaf["unit"] not in _UNITS:
        raise DevocareError(f"parameter {path}: unknown unit {leaf['unit']!r}")
    if not leaf.get("source") and not leaf.get("assumption"):
        raise DevocareError(f"parameter {path}: needs a source or assumption: true")
    lo, hi = (float(x) for x in leaf.get("range", [-math.inf, math.inf]))
    source = str(leaf.get("source") or leaf.get("note") or "")
    if leaf.get("assumption") and leaf.get("note") and leaf.get("source"):
        source = f"{leaf['source']} {leaf['note']}"
    observed, derived = bool(leaf.get("observed", False)), leaf.get("derived")
    uncertainty = _parse_uncertainty(leaf.get("uncertainty"), path)
    if uncertainty is not None and (observed or derived):
        kind = "a base-year observation (observed: true)" if observed else "derived"
        raise DevocareError(f"parameter {path}: is {kind}, so it cannot carry an uncertainty")
    if derived is not None and derived not in DERIVED:
        raise UnknownChoiceError(f"derivation of parameter {path}", derived, sorted(DERIVED))
    param = Parameter(
        path=path,
        label=str(leaf["label"]),
        unit=leaf["unit"],
        value=_value_at(leaf["values"], path),
        valid_range=(lo, hi),
        source=source,
        assumption=bool(leaf.get("assumption", False)),
        uncertainty=uncertainty,
        series=_series(leaf["values"], path),
        observed=observed,
        derived=derived,
    )
    _check_range(param, param.value)
    if uncertainty is not None and not uncertainty["low"] <= float(param.value) <= uncertainty["high"]:
        raise DevocareError(
            f"parameter {path}: value {param.value:g} lies outside its uncertainty [{uncertainty['low']:g}, "
            f"{uncertainty['high']:g}]; draws are centred on the value"
        )
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
def _raw_tree() -> dict[str, Any]:
    text = resources.files("devocare.simulation").joinpath("parameters.yaml").read_text(encoding="utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    check_tree(raw, BASE_DATE)  # every problem at once, by path (parameter_schema)
    return raw


@lru_cache(maxsize=1)
def _default_tree() -> dict[str, Parameter]:
    params = {path: _build(path, leaf) for path, leaf in _leaves(_raw_tree()).items()}
    return _derive(params, set())


@lru_cache(maxsize=1)
def _correlations() -> tuple[tuple[str, str, float], ...]:
    """Declared correlations: each ``{between: [path, partner], rho, source | assumption}``."""
    params = _default_tree()
    out = []
    for i, item in enumerate(_raw_tree().get("correlations") or []):
        pair, rho = item.get("between"), item.get("rho")
        if not isinstance(pair, list) or len(pair) != 2 or not isinstance(rho, int | float):
            raise DevocareError(f"correlation {i}: needs between: [path, partner] and rho")
        if not item.get("source") and not item.get("assumption"):
            raise DevocareError(f"correlation {i}: needs a source or assumption: true")
        for path in pair:
            if path not in params or params[path].uncertainty is None:
                raise DevocareError(f"correlation {i}: {path!r} is not an uncertain parameter")
        if not -1.0 < float(rho) < 1.0:
            raise DevocareError(f"correlation {i}: rho must lie strictly between -1 and 1, got {rho}")
        out.append((str(pair[1]), str(pair[0]), float(rho)))  # the second follows the first's stream
    return tuple(out)


@lru_cache(maxsize=1)
def aliases() -> dict[str, tuple[str, ...]]:
    """Convenience paths that set several parameters at once: alias → the paths it sets (the alias itself
    is a parameter too, kept so existing scripts and the engine's readers stay valid)."""
    raw = _raw_tree().get("aliases") or {}
    out = {str(k): tuple(str(p) for p in v) for k, v in raw.items()}
    params = _default_tree()
    for alias, paths in out.items():
        for path in (alias, *paths):
            if path not in params:
                raise DevocareError(f"alias {alias}: unknown parameter path {path!r}")
    return out


def _derive(params: dict[str, Parameter], explicit: set[str]) -> dict[str, Parameter]:
    """Recompute derived leaves from their inputs (base-year value and every dated value), except those
    overridden explicitly."""
    out = dict(params)
    for path, p in params.items():
        if p.derived is None or path in explicit:
            continue
        inputs, rule = DERIVED[p.derived]
        dates = sorted({d for q in inputs for d, _ in out[q].series})
        series = tuple(
            (d, round(float(rule(*(out[q].value_at(dt.date.fromisoformat(d)) for q in inputs))), 9))
            for d in dates
            if all(dt.date.fromisoformat(out[q].series[0][0]) <= dt.date.fromisoformat(d) for q in inputs)
        )
        value = round(float(rule(*(out[q].value for q in inputs))), 9)
        new = replace(p, value=value, uncertainty=None, series=series)
        _check_range(new, value)
        out[path] = new
    return out


def defaults() -> ParameterSet:
    """The cited default parameters."""
    return ParameterSet(dict(_default_tree()), {}, _correlations())


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
    if prefix and set(node) == {"from", "value"}:  # {from: 2027, value: ...}: the value holds from that year on
        return {f"{prefix}@{year_start(node['from']).isoformat()}": node["value"]}
    if node and prefix and all(isinstance(k, dt.date) or re.fullmatch(r"\d{4}(/\d{2})?", str(k)) for k in node):
        # a dated series: {2027-04-01: value, ...} → path@date entries
        return {f"{prefix}@{year_start(k).isoformat()}": v for k, v in node.items()}
    out: dict[str, Any] = {}
    for key, value in node.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        out.update(_flatten(value, path))
    return out


def _split_dated(key: str) -> tuple[str, dt.date | None]:
    """``path@2027-04-01`` / ``path@2027/28`` / ``path@2027`` → (path, date); a plain path → (path, None)."""
    path, sep, when = key.partition("@")
    return path.strip(), (year_start(when) if sep else None)


def with_overrides(base: ParameterSet, overrides: dict[str, Any]) -> ParameterSet:
    """A new set with every override checked (path, unit, range) before any is applied.

    A key ``path@date`` sets the value in force from that date on (earlier values stay; later default
    values are replaced); a plain ``path`` sets the value in every year. An alias sets every path it stands
    for. An overridden parameter is fixed (not drawn); derived leaves follow their overridden inputs.
    """
    params = dict(base.params)
    applied = dict(base.overrides)
    alias = aliases()
    staged: list[tuple[str, dt.date | None, Any, int]] = []
    for key, raw in overrides.items():
        path, when = _split_dated(str(key))
        if path not in params:
            raise UnknownChoiceError("parameter path", path, sorted(params))
        value = parse_value(params[path], raw)
        for target in (path, *alias.get(path, ())):
            _check_range(params[target], value)
            staged.append((target, when, value, int(target == path)))
    # undated overrides first, then dated ones in date order, so each holds from its date on; at the same
    # date, a path named explicitly wins over an alias that also sets it
    staged.sort(key=lambda s: (s[1] is not None, s[1] or _ALWAYS, s[3]))
    for path, when, value, _explicit in staged:
        param = params[path]
        start = when or _ALWAYS
        kept = tuple((d, v) for d, v in param.series if dt.date.fromisoformat(d) < start)
        series = (*kept, (start.isoformat(), value))
        dated = replace(param, series=series)
        in_force = dated.value_at(BASE_DATE) if start <= BASE_DATE or kept else value
        params[path] = replace(dated, value=in_force, uncertainty=None)
        applied[path if when is None else f"{path}@{start.isoformat()}"] = value
    explicit = {k.partition("@")[0] for k in applied}
    return ParameterSet(_derive(params, explicit), applied, base.correlations)


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
        "vary between draws; *observed (base year)* values are 2024/25 observations, identical in every draw;",
        "*derived* values are computed from other rows (never drawn). Every distribution has its median at the",
        "value (two-piece where the interval is not symmetric around it), and each parameter is drawn from its",
        "own random stream, so overriding one leaves the others' draws unchanged. Later-dated values are listed",
        "after the base-year value; the simulator reads every dated value year by year. `--set path@2027=value`",
        "(or `@2027/28`, `@2027-04-01`) overrides from a financial year or date on, and so does",
        "`path: {from: 2027, value: ...}` in a scenario file; a date that is not a year or an ISO date is refused.",
        "Rows marked **assumption** have no direct evidence and are labelled so in every run.",
        "Override any of them with `--set path=value` or a scenario file (see",
        "[simulate-a-reform.md](../guides/simulate-a-reform.md)). `funding.real_growth` is an alias: setting it",
        "sets every `funding.growth.*` line too. Declared correlations between draws: "
        + ("; ".join(f"`{b}` follows `{a}` (rho {r:g})" for b, a, r in _correlations()) or "none")
        + ".",
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
        later = [f"from {d}: {v}" for d, v in p.series if dt.date.fromisoformat(d) > BASE_DATE]
        value = f"{p.value}" + (f" ({'; '.join(later)})" if later else "")
        lines.append(
            f"| `{p.path}` | {cell(value)} | {cell(p.unit)} | {cell(p.distribution)} | {cell(p.label)} "
            f"| {cell(source)} |"
        )
    return "\n".join(lines) + "\n"
