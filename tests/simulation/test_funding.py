"""The simulator's block grants are the allocation engine's: for every built-in architecture, each budget's
grant in every year of a deterministic run equals :func:`devocare.allocation.block_grants` for the same
architecture, envelope and growth, to the penny."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from devocare import architecture
from devocare.allocation import block_grants, default_envelope
from devocare.simulation import funding, simulate
from devocare.simulation.parameters import defaults
from devocare.simulation.phases import phased_rules
from devocare.simulation.rules import build_rules

YEARS = 6  # a five-year settlement and the first year of the next


def _builtin_ids() -> list[str]:
    return architecture.builtin_ids()


@pytest.mark.integration
@pytest.mark.parametrize("arch_id", _builtin_ids())
def test_simulator_grants_are_the_allocation_engines(arch_id: str) -> None:
    params = defaults()
    envelope = funding.envelope(params)
    growth = float(params["funding.real_growth"])
    result = simulate(arch_id, years=YEARS, waterfall=False)
    # the allocation engine's defaults are the simulator's: one envelope (the parameter tree), one base year
    default = default_envelope().set_index("line")["gbp"].to_dict()
    assert default == pytest.approx(envelope, rel=1e-15)
    engine = block_grants(arch_id, years=YEARS, growth=growth)
    # the allocation engine's grant per holder, area and year: need + fiscal equalisation, plus the area's
    # part of the top-sliced incentive fund (the simulator holds each budget's slice back itself)
    per_area = engine[engine["component"] != "incentive_fund"]
    kept = per_area.groupby(["year", "body", "pot", "code"])["pence"].sum()
    # the fund top-slices the pots of the tiers it pays (of a line split between pots, their shares only)
    rules_fund = architecture.load(arch_id).money.incentive_fund
    paid = {p.id for p in architecture.load(arch_id).money.pots if rules_fund and rules_fund.criteria_for(p.tier)}
    paid_need = per_area[(per_area["component"] == "need") & per_area["pot"].isin(paid)]
    by_line = paid_need.groupby(["year", "line"])["pence"].sum()
    fund = engine[engine["component"] == "incentive_fund"].set_index(["year", "line"])["pence"]
    need = paid_need.assign(
        sliced=lambda d: (
            d["pence"]
            * pd.Series(fund, dtype=float)
            .reindex(pd.MultiIndex.from_arrays([d["year"], d["line"]]))
            .fillna(0.0)
            .to_numpy()
            / by_line.reindex(pd.MultiIndex.from_arrays([d["year"], d["line"]])).to_numpy()
        )
    )
    sliced = need.groupby(["year", "body", "pot", "code"])["sliced"].sum()

    rules = phased_rules(architecture.load(arch_id), "lad")  # a dated reform's budgets exist from its start
    grant = result.draws["grant"][0]  # (years, budgets), £
    fund_held = result.draws["incentive_fund"][0]
    checked = 0
    for g in rules.groups:
        if g.architecture != arch_id:
            continue
        for j, code in enumerate(g.area_codes):
            if g.H_full is not None and not np.allclose(g.H[:, j], g.H_full[:, j]):
                continue  # part of the area runs the status quo: compared in total below
            b = g.offset + j
            for t in range(YEARS):
                if not rules.active(t)[b]:  # before a reform's start year its budgets get nothing
                    assert grant[t, b] == 0.0
                    continue
                expected = sum(kept[(t + 1, g.holder, pot, code)] for pot in g.pots) / 100.0
                top = sum(sliced.get((t + 1, g.holder, pot, code), 0.0) for pot in g.pots) / 100.0
                assert grant[t, b] == pytest.approx(expected + top, rel=1e-12, abs=0.01)
                assert grant[t, b] - fund_held[t, b] == pytest.approx(expected, rel=1e-12, abs=0.01)
                checked += 1
    assert checked >= 2
    if len(rules.weight) == 1:  # every pound of the envelope reaches a budget or the incentive fund
        total = engine.groupby("year")["pence"].sum().to_numpy() / 100.0
        assert np.allclose(grant.sum(axis=1), total, rtol=1e-12)
    assert np.allclose(grant.sum(axis=1), result.national["envelope"][0], rtol=1e-12)


def test_rules_are_reused_for_the_same_content_and_rebuilt_when_it_changes() -> None:
    first = build_rules(architecture.load("reform-split-2024"), "lad")
    assert build_rules(architecture.load("reform-split-2024"), "lad") is first  # equal content, new object
    changed = architecture.load("reform-split-2024")
    changed.money.savings_retained = 0.5 if changed.money.savings_retained != 0.5 else 0.25
    other = build_rules(changed, "lad")
    assert other is not first and other.digest != first.digest
    assert build_rules(architecture.load("reform-split-2024"), "lsoa") is not first
