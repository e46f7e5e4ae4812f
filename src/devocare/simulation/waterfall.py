"""The change-factor waterfall as an exact Shapley decomposition.

Why Shapley: a factor's effect measured by switching it off alone (its marginal contribution) leaves an
interaction term that can outweigh every factor. The Shapley value averages a factor's marginal
contribution over every order in which the factors could be switched on, so the effects add up to the
whole change with no remainder. The game is ``v(S)`` = the change from the first year to the horizon of a
run with only the factors in ``S`` on; with none on nothing changes (``v(∅) = 0``), so the Shapley values
sum to the change of the full run exactly.

Factors whose switch cannot act in an architecture (no co-financing rule, no hospital input cap, no
incentive fund) are left out of the game: their value is zero by the dummy axiom, and the game needs
``2^k`` runs of the central draw for the ``k`` factors that remain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import combinations
from math import factorial

import pandas as pd

Values = dict[str, float]


def active_factors(factors: Iterable[str], rules: object) -> tuple[str, ...]:
    """The factors whose switch can act under ``rules`` (a :class:`~devocare.simulation.rules.Rules`)."""
    groups = getattr(rules, "groups", [])
    inert = set()
    if not getattr(rules, "cofinancing", None):
        inert.add("co_financing")
    if all(g.hospital_input_cap is None for g in groups):
        inert.add("hospital_caps")
    if all(g.top_slice <= 0 for g in groups):
        inert.add("incentives")
    return tuple(f for f in factors if f not in inert)


def shapley(factors: tuple[str, ...], game: Callable[[frozenset[str]], Values]) -> dict[str, Values]:
    """Shapley value of each factor for every measure of ``game`` (called once per subset of factors)."""
    n = len(factors)
    value = {frozenset(s): game(frozenset(s)) for k in range(n + 1) for s in combinations(factors, k)}
    measures = list(value[frozenset(factors)])
    out: dict[str, Values] = {}
    for f in factors:
        others = [x for x in factors if x != f]
        phi = dict.fromkeys(measures, 0.0)
        for k in range(n):
            weight = factorial(k) * factorial(n - k - 1) / factorial(n)
            for s in combinations(others, k):
                with_f, without = value[frozenset(s) | {f}], value[frozenset(s)]
                for m in measures:
                    phi[m] += weight * (with_f[m] - without[m])
        out[f] = phi
    return out


def frame(
    base: Values,
    horizon: Values,
    effects: dict[str, Values],
    marginal: dict[str, Values],
    factors: Iterable[str],
) -> pd.DataFrame:
    """The waterfall table: per measure, base, each factor's Shapley effect, the remainder (``interaction``,
    zero up to rounding, kept for scripts that read it) and horizon. ``marginal`` is beside it: the old
    one-factor-off effect, for comparison."""
    rows = []
    for m in base:
        rows.append({"measure": m, "step": "base", "value": base[m], "marginal": base[m]})
        total = 0.0
        for f in factors:
            e = effects.get(f, {}).get(m, 0.0)
            total += e
            rows.append({"measure": m, "step": f, "value": e, "marginal": marginal.get(f, {}).get(m, 0.0)})
        rest = horizon[m] - base[m] - total
        old = horizon[m] - base[m] - sum(marginal.get(f, {}).get(m, 0.0) for f in factors)
        rows.append({"measure": m, "step": "interaction", "value": rest, "marginal": old})
        rows.append({"measure": m, "step": "horizon", "value": horizon[m], "marginal": horizon[m]})
    return pd.DataFrame(rows)
