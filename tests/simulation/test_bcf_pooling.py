"""The Better Care Fund moves only the ICBs' minimum NHS contribution (``bcf.nhs_minimum``) out of NHS budgets,
wherever an architecture pools it: the council grant and the Disabled Facilities Grant are council money
already, so moving the whole £7.2bn fund would move council money out of the NHS twice."""

from __future__ import annotations

import numpy as np
import pytest

from devocare import architecture as A
from devocare.envelope import base_year_gbp
from devocare.simulation import simulate
from devocare.simulation.parameters import defaults
from devocare.simulation.rules import build_rules


@pytest.mark.parametrize("arch_id", A.builtin_ids())
def test_every_pooled_fund_is_the_nhs_minimum_contribution(arch_id: str) -> None:
    rules = build_rules(A.load(arch_id), "lad")
    for rule in rules.pooling:
        assert rule.parameter == "bcf.nhs_minimum", rule.flow
        assert rule.amount == pytest.approx(base_year_gbp("bcf.nhs_minimum"))
        assert rule.amount < 7.2e9 - 1e9  # not the whole fund


def test_the_simulated_transfer_follows_the_parameter() -> None:
    """The pooled transfer in the base year is the parameter's value, and an override moves it with it."""
    base = simulate("status-quo-2023", years=1, waterfall=False)
    lower = simulate("status-quo-2023", years=1, waterfall=False, overrides={"bcf.nhs_minimum": 4.0})
    assert base.draws["transfers_out"][0][0].sum() == pytest.approx(5.403e9, rel=1e-9)
    assert lower.draws["transfers_out"][0][0].sum() == pytest.approx(4.0e9, rel=1e-9)
    # it moves who pays, not what is spent
    np.testing.assert_allclose(base.draws["spent"][0].sum(), lower.draws["spent"][0].sum(), rtol=1e-9)


def test_a_flow_cannot_state_an_amount_that_contradicts_its_parameter() -> None:
    text = "id: bcf-twice\nextends: status-quo-2023\nflows:\n  - {id: better_care_fund, amount_gbp: 7.2e9}\n"
    with pytest.raises(Exception, match="contradicts amount_parameter bcf.nhs_minimum"):
        A.load_text(text, name="bcf.yaml")


def test_a_dated_override_is_read_in_its_year_and_grown_from_then() -> None:
    """``bcf.nhs_minimum@2026=6`` moves £6bn in 2026/27 and £6bn grown by a year of the envelope's growth in
    2027/28; the years before move the base-year value grown as before."""
    years = 4
    growth = 1.0 + float(defaults()["funding.real_growth"])
    base = simulate("status-quo-2023", years=years, waterfall=False)
    dated = simulate("status-quo-2023", years=years, waterfall=False, overrides={"bcf.nhs_minimum@2026": 6.0})
    out_base = base.draws["transfers_out"][0].sum(axis=-1)
    out_dated = dated.draws["transfers_out"][0].sum(axis=-1)
    np.testing.assert_allclose(out_dated[:2], out_base[:2], rtol=1e-12)
    for t, expected in ((2, 6.0e9), (3, 6.0e9 * growth)):
        moved_before = 5.403e9 * growth**t
        assert out_dated[t] - out_base[t] == pytest.approx(expected - moved_before, rel=1e-9)
