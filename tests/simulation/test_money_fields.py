"""Honest schema: every field of an architecture's ``money`` section is read when the simulator's rules (and
the rules a dated reform replaces), the allocation engine's grants and the metrics are built for the built-in
architectures, or it is marked
descriptive. A field added to the schema that nothing reads fails here."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from devocare import architecture, atlas
from devocare.allocation.grants import grant_years
from devocare.architecture.schema import Money
from devocare.envelope import BASE_DATE
from devocare.simulation import funding, phases
from devocare.simulation.parameters import defaults
from devocare.simulation.rules import _build_rules, pots_on

#: Fields that describe rather than drive the money rules (shown as such in docs/reference/architecture-format.md).
DESCRIPTIVE = {"sources"}
CORRIDOR = Path(__file__).resolve().parent / "data" / "aco-risk-corridor.yaml"

pytestmark = pytest.mark.integration


def _classes(model: type[BaseModel]) -> Iterator[type[BaseModel]]:
    yield model
    for info in model.model_fields.values():
        for arg in _types(info.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                yield from _classes(arg)


def _types(annotation: object) -> list[object]:
    args = typing.get_args(annotation)
    return [annotation] if not args else [t for a in args for t in _types(a)]


def test_every_money_field_is_read_or_descriptive(monkeypatch) -> None:
    archs = [architecture.load(a) for a in architecture.builtin_ids()] + [architecture.load(str(CORRIDOR))]
    env = funding.envelope({k: p.value for k, p in defaults().params.items()})
    read: set[tuple[str, str]] = set()
    classes = set(_classes(Money))
    for cls in classes:

        def spy(self, name, _cls=cls, _base=object.__getattribute__):
            if name in type(self).model_fields:
                read.add((_cls.__name__, name))
            return _base(self, name)

        monkeypatch.setattr(cls, "__getattribute__", spy, raising=False)
    for arch in archs:  # loaded before the spy: validation reads every field, the question is who runs on it
        arch = pots_on(arch, BASE_DATE)  # the pots of the base year (a dated pot switches within a run)
        _build_rules(arch, "lad", None, BASE_DATE)
        phases.predecessor(arch)  # the simulator's choice of the rules a dated reform replaces
        lines = [line for pot in arch.money.pots for line in pot.lines]
        grant_years(arch, 2, {line: env[line] for line in lines}, growth=0.03)
        atlas.metrics(arch)
    unread = sorted(
        f"{cls.__name__}.{name}"
        for cls in classes
        for name in cls.model_fields
        if name not in DESCRIPTIVE and (cls.__name__, name) not in read
    )
    assert unread == [], f"money fields read by nothing (read them or mark them descriptive): {unread}"
