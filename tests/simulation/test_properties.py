"""Property tests: money is conserved under random money rules and random parameters."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devocare import architecture
from devocare.simulation import montecarlo
from devocare.simulation.backend import namespace
from devocare.simulation.engine import run_block
from devocare.simulation.inputs import load_inputs
from devocare.simulation.parameters import resolve
from devocare.simulation.rules import build_rules

pytestmark = pytest.mark.integration

fraction = st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def scenarios(draw):
    base = architecture.load(draw(st.sampled_from(["status-quo-2023", "reform-aco-2024", "reform-split-2024"])))
    money = base.money.model_copy(
        update={
            "savings_retained": draw(fraction),
            "overspend_borne_locally": draw(fraction),
            "settlement_years": draw(st.integers(1, 5)),
            "indexation": draw(st.floats(-0.02, 0.05)),
            "hospital_input_cap": draw(st.one_of(st.none(), st.floats(-0.01, 0.05))),
        }
    )
    if money.co_financing is not None:
        money.co_financing = money.co_financing.model_copy(
            update={"share": draw(fraction), "hospital_funding_to_local": draw(fraction)}
        )
    if money.incentive_fund is not None:
        money.incentive_fund = money.incentive_fund.model_copy(update={"top_slice": draw(st.floats(0.0, 0.1))})
    arch = base.model_copy(update={"money": money})
    overrides = {
        "prevention.effect": draw(st.floats(0.0, 1.3)),
        "behaviour.left_shift_rate": draw(st.floats(0.0, 0.02)),
        "funding.real_growth": draw(st.floats(-0.02, 0.06)),
        "behaviour.reinvest_share": draw(fraction),
        "demand.area_shock_sd": draw(st.floats(0.0, 0.1)),
    }
    return arch, overrides, draw(st.integers(0, 2**32 - 1))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_money_is_conserved_under_random_rules(case) -> None:
    arch, overrides, seed = case
    params = resolve(overrides)
    rules = build_rules(arch, "lad")
    inputs = load_inputs("lad")
    values = montecarlo.draw_values(params, np.array([0, 1, 2]), seed, 6, len(inputs.lads), rules.n_budgets)
    r = run_block(namespace("numpy"), inputs, rules, {k: p.value for k, p in params.params.items()}, values, 6)
    b = r.budget
    money_in = b["allocated"] - b["incentive_fund"] + b["incentive_paid"] + b["transfers_in"] + b["deficit_support"]
    out = b["spent"] + b["transition_cost"] + b["transfers_out"] + b["reserve_change"] + b["returned"]
    assert (np.abs(money_in - out) / np.maximum(np.abs(money_in), 1.0)).max() <= 1e-9
    assert np.allclose(b["transfers_in"].sum(axis=2), b["transfers_out"].sum(axis=2), rtol=1e-9, atol=1e-3)
    envelope = b["allocated"].sum(axis=2)
    assert np.allclose(envelope, r.national["envelope"], rtol=1e-9)
    # nothing is spent that was not allocated, drawn from reserves or met by the centre
    assert (b["spent"] >= 0).all()
