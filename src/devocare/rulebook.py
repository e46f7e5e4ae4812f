"""The reformed centre's rulebook (reform-2024 §4.1.2): outcome targets, core entitlements, minimum service levels.

Everything here is read from ``rulebook.yaml`` beside this module, validated as a whole (every service line
has exactly one floor, every source key exists) before any of it is used. The simulator reads its floors
from :func:`minimum_service_levels` and nowhere else. The module sits just above the service-line registry,
below the simulator and the outcome analyses, so both read one rulebook without importing each other;
:mod:`devocare.outcomes` re-exports its names.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from devocare.errors import DevocareError
from devocare.service_lines import LINE_IDS, check_lines, expand

__all__ = ["Framework", "framework", "minimum_service_levels", "entitlements", "outcome_targets"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Target(_Strict):
    """How an area is judged on one indicator: against a national value, England, or the median area."""

    kind: Literal["absolute", "england", "median"]
    value: float | None = None
    by: int | None = None

    @model_validator(mode="after")
    def _absolute_needs_value(self) -> Target:
        if self.kind == "absolute" and self.value is None:
            raise ValueError("an absolute target needs a value")
        return self


class FrameworkIndicator(_Strict):
    """One indicator of the slimmed national outcome framework."""

    indicator: str
    domain: str
    target: Target
    national_ambition: str | None = None
    sources: list[str] = Field(min_length=1)


class Right(_Strict):
    """An NHS Constitution right or an LEA-style benefit, with the service lines that deliver it."""

    id: str
    text: str | None = None
    lines: list[str]
    sources: list[str] = Field(min_length=1)


class Entitlements(_Strict):
    """The core entitlements package: constitution rights plus LEA-kind benefits."""

    constitution_rights: list[Right]
    lea_benefits: list[Right]


class ServiceLevel(_Strict):
    """The minimum need-adjusted spend on one service line, as a fraction of the national average."""

    line: str
    floor: float = Field(ge=0.0, le=1.0)
    entitlements: list[str]
    sources: list[str] = Field(min_length=1)
    dataset: str | None = None
    assumption: str | None = None


class Framework(_Strict):
    """The whole file, validated."""

    version: int
    sources: dict[str, str]
    outcome_framework: list[FrameworkIndicator]
    entitlements: Entitlements
    unit: str
    minimum_service_levels: list[ServiceLevel]

    @model_validator(mode="after")
    def _consistent(self) -> Framework:
        problems: list[str] = []
        cited = [s for i in self.outcome_framework for s in i.sources]
        rights = self.entitlements.constitution_rights + self.entitlements.lea_benefits
        cited += [s for r in rights for s in r.sources]
        cited += [s for m in self.minimum_service_levels for s in m.sources]
        problems += [f"unknown source key {s!r}" for s in sorted(set(cited) - set(self.sources))]
        right_ids = {r.id for r in rights}
        for r in rights:
            check_lines(r.lines)
        lines = check_lines([m.line for m in self.minimum_service_levels])  # an alias floors every line it names
        if sorted(lines) != sorted(LINE_IDS) or len(lines) != len(self.minimum_service_levels) + sum(
            len(expand([m.line])) - 1 for m in self.minimum_service_levels
        ):
            problems.append(f"minimum_service_levels must list every service line once; got {lines}")
        for m in self.minimum_service_levels:
            problems += [f"{m.line}: unknown entitlement {e!r}" for e in m.entitlements if e not in right_ids]
        if problems:
            raise ValueError("; ".join(problems))
        return self


@lru_cache(maxsize=1)
def framework() -> Framework:
    """The validated framework file (cached)."""
    text = resources.files("devocare").joinpath("rulebook.yaml").read_text(encoding="utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    try:
        return Framework.model_validate(raw)
    except ValueError as exc:  # pydantic.ValidationError is a ValueError
        raise DevocareError(f"rulebook.yaml is invalid: {exc}") from exc


def _cite(keys: list[str]) -> str:
    texts = framework().sources
    return "; ".join(texts[k] for k in keys)


def minimum_service_levels() -> pd.DataFrame:
    """Floors per service line: ``line, floor, unit, source``, in ``service_lines.LINE_IDS`` order.

    ``floor`` is the minimum need-adjusted spend per head on the line as a fraction of the national
    need-adjusted average; ``source`` cites where the number comes from and names any assumption.
    """
    fw = framework()
    by_line = {line: m for m in fw.minimum_service_levels for line in expand([m.line])}
    rows = []
    for line in LINE_IDS:
        m = by_line[line]
        source = _cite(m.sources) + (f" [assumption: {m.assumption}]" if m.assumption else "")
        rows.append({"line": line, "floor": m.floor, "unit": fw.unit, "source": source})
    return pd.DataFrame(rows, columns=["line", "floor", "unit", "source"])


def entitlements() -> pd.DataFrame:
    """The core entitlements package: ``kind, id, text, lines, source`` (one row per right or benefit)."""
    ent = framework().entitlements
    groups = (("constitution_right", ent.constitution_rights), ("lea_benefit", ent.lea_benefits))
    rows = [
        {
            "kind": kind,
            "id": r.id,
            "text": r.text or r.id.replace("_", " "),
            "lines": ", ".join(r.lines),
            "source": _cite(r.sources),
        }
        for kind, items in groups
        for r in items
    ]
    return pd.DataFrame(rows)


def outcome_targets() -> pd.DataFrame:
    """The slimmed outcome framework: indicator, domain, target_kind, target_value, target_year, source."""
    rows = [
        {
            "indicator": i.indicator,
            "domain": i.domain,
            "target_kind": i.target.kind,
            "target_value": i.target.value,
            "target_year": i.target.by,
            "source": _cite(i.sources),
        }
        for i in framework().outcome_framework
    ]
    return pd.DataFrame(rows)
