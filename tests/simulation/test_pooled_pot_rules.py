"""Pots pooled into one budget share one set of risk rules: each pot states the same value or leaves it to
the money section, and a disagreement is a clear error naming the pots and the rule."""

from __future__ import annotations

import pytest

from devocare.errors import DevocareError
from devocare.simulation.rules import _corridor_of, _risk_rule

MONEY = {"savings_retained": 0.25}


def test_a_budget_takes_its_pots_stated_rule_or_the_money_sections() -> None:
    pots = [{"id": "a", "savings_retained": 1.0}, {"id": "b", "savings_retained": 1.0}]
    assert _risk_rule("x", "icb", pots, MONEY, "savings_retained") == 1.0
    assert _risk_rule("x", "icb", [{"id": "a"}, {"id": "b"}], MONEY, "savings_retained") == 0.25
    corridor = {"width": 0.02, "centre_share": 0.5}
    assert _corridor_of("x", "icb", [{"id": "a", "risk_corridor": corridor}] * 2) == (0.02, 0.5)
    assert _corridor_of("x", "icb", [{"id": "a"}, {"id": "b"}]) is None


@pytest.mark.parametrize(
    "pots",
    [
        [{"id": "a", "savings_retained": 1.0}, {"id": "b", "savings_retained": 0.0}],
        [{"id": "a", "savings_retained": 1.0}, {"id": "b"}],  # one states it, one leaves it to the money section
    ],
)
def test_pooled_pots_that_disagree_are_an_error(pots) -> None:
    with pytest.raises(DevocareError, match="pots a, b of 'icb' form one budget and must state the same savings"):
        _risk_rule("x", "icb", pots, MONEY, "savings_retained")


def test_pooled_pots_with_different_corridors_are_an_error() -> None:
    pots = [{"id": "a", "risk_corridor": {"width": 0.02, "centre_share": 0.5}}, {"id": "b"}]
    with pytest.raises(DevocareError, match="must state the same risk_corridor"):
        _corridor_of("x", "icb", pots)
