"""The schema of the parameter tree (``parameters.yaml``), checked as a whole: every problem is reported at
once, each with its path, instead of the first one stopping the load.

A leaf is a mapping with ``label``, ``unit`` and ``values``; anything else with mapping values is a group,
except the top-level ``aliases`` (a path → the paths it sets) and ``correlations`` (pairs of uncertain
parameters with their correlation). :func:`tree_problems` returns the problems of a whole tree;
:func:`check_tree` raises one :class:`ParameterTreeError` listing them all.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

from devocare.errors import DevocareError

Unit = Literal["£bn", "£", "admissions", "fraction", "fraction per year", "£ per £", "count", "probability", "years"]
Number = Annotated[float, Field(allow_inf_nan=False)]
LEAF_KEYS = frozenset({"label", "unit", "values"})


class ParameterTreeError(DevocareError):
    """The parameter tree has problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the parameter tree:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )


class Interval(BaseModel):
    """``{dist: uniform|triangular|normal80, low, [mode,] high}``."""

    model_config = ConfigDict(extra="forbid")
    dist: Literal["uniform", "triangular", "normal80"]
    low: Number
    high: Number
    mode: Number | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Interval:
        if self.dist == "triangular" and self.mode is None:
            raise ValueError("a triangular distribution needs mode")
        if self.high < self.low or (self.mode is not None and not self.low <= self.mode <= self.high):
            raise ValueError("bounds out of order (low <= mode <= high)")
        return self


class Leaf(BaseModel):
    """One parameter: what it is, its unit, dated values, valid range, uncertainty and citation."""

    model_config = ConfigDict(extra="forbid")
    label: str = Field(min_length=1)
    unit: Unit
    values: dict[dt.date, Number | list[Number]] = Field(min_length=1)
    range: tuple[Number, Number] = (-math.inf, math.inf)
    source: str | None = None
    assumption: bool = False
    note: str | None = None
    observed: bool = False  # a base-year observation: the same in every draw
    derived: str | None = None  # the name of the rule that computes it from other leaves
    uncertainty: Interval | None = None

    @field_validator("uncertainty", mode="before")
    @classmethod
    def _interval(cls, raw: Any) -> Any:
        """``[lo, hi]`` is the 80% interval of a normal; a mapping names its distribution."""
        if isinstance(raw, list | tuple):
            if len(raw) != 2:
                raise ValueError(f"uncertainty [lo, hi] needs two numbers, got {list(raw)}")
            if not float(raw[1]) > float(raw[0]):
                raise ValueError(f"uncertainty [lo, hi] needs hi > lo, got {list(raw)}")
            return {"dist": "normal80", "low": raw[0], "high": raw[1]}
        return raw

    @model_validator(mode="after")
    def _consistent(self) -> Leaf:
        problems = []
        if not self.source and not self.assumption:
            problems.append("needs a source or assumption: true")
        if self.uncertainty is not None and (self.observed or self.derived):
            problems.append("an observed or derived value has no uncertainty")
        lo, hi = self.range
        if not lo <= hi:
            problems.append(f"range [{lo:g}, {hi:g}] is out of order")
        for date, value in self.values.items():
            for v in value if isinstance(value, list) else [value]:
                if not lo <= v <= hi:
                    problems.append(f"value {v:g} dated {date} is outside its range [{lo:g}, {hi:g}]")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class Correlation(BaseModel):
    """``{between: [path, partner], rho, source | assumption: true, note}``."""

    model_config = ConfigDict(extra="forbid")
    between: tuple[str, str]
    rho: Annotated[float, Field(gt=-1.0, lt=1.0)]
    source: str | None = None
    assumption: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _cited(self) -> Correlation:
        if not self.source and not self.assumption:
            raise ValueError("needs a source or assumption: true")
        return self


#: Top-level sections that are not parameter groups, with the schema of their content.
SECTIONS: dict[str, Any] = {"aliases": dict[str, list[str]], "correlations": list[Correlation]}


def _location(loc: tuple[Any, ...]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)


def _section_problems(name: str, content: Any) -> list[str]:
    try:
        TypeAdapter(SECTIONS[name]).validate_python(content)
    except ValidationError as exc:
        return [
            f"{name}{_location(tuple(e['loc']))}: {str(e['msg']).removeprefix('Value error, ')}" for e in exc.errors()
        ]
    return []


def tree_problems(tree: Any, base_date: dt.date, prefix: str = "") -> list[str]:
    """Every problem of a parameter tree (or sub-tree), each as ``path: what is wrong``."""
    if not isinstance(tree, dict):
        return [f"{prefix.rstrip('.') or 'parameter tree'}: expected a mapping of groups and parameters"]
    problems: list[str] = []
    for key, node in tree.items():
        path = f"{prefix}{key}"
        if not prefix and key in SECTIONS:
            problems.extend(_section_problems(key, node))
        elif isinstance(node, dict) and LEAF_KEYS & set(node):
            try:
                leaf = Leaf.model_validate(node)
            except ValidationError as exc:
                for error in exc.errors():
                    where = _location(tuple(error["loc"]))
                    message = str(error["msg"]).removeprefix("Value error, ")
                    problems.append(f"{path}{where}: {message}")
                continue
            if not any(date <= base_date for date in leaf.values):
                problems.append(f"{path}.values: no value dated on or before {base_date}")
        elif isinstance(node, dict) and node:
            problems.extend(tree_problems(node, base_date, path + "."))
        else:
            problems.append(f"{path}: neither a group nor a parameter (a parameter needs label, unit and values)")
    return problems


def check_tree(tree: Any, base_date: dt.date) -> None:
    """Raise :class:`ParameterTreeError` listing every problem of ``tree``, if it has any."""
    problems = tree_problems(tree, base_date)
    if problems:
        raise ParameterTreeError(problems)
