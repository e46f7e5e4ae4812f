"""Money is conserved: in every architecture, year, budget and draw, money in = spent + transfers out +
change in reserves + returned (national deficit support counted as money in)."""

from __future__ import annotations

import numpy as np
import pytest

from devocare import architecture
from devocare.simulation import simulate

pytestmark = pytest.mark.integration


def _gaps(result) -> float:
    d = result.draws
    money_in = d["allocated"] - d["incentive_fund"] + d["incentive_paid"] + d["transfers_in"] + d["deficit_support"]
    out = d["spent"] + d["transfers_out"] + d["reserve_change"] + d["returned"]
    return float((np.abs(money_in - out) / np.maximum(np.abs(money_in), 1.0)).max())


@pytest.mark.parametrize("arch_id", architecture.builtin_ids())
def test_every_builtin_architecture_conserves_money(arch_id: str) -> None:
    result = simulate(arch_id, years=10, draws=3, seed=7, waterfall=False)
    assert _gaps(result) <= 1e-9
    assert result.run_record["conservation_max_gap"] <= 1e-9
    d = result.draws
    # reserves are the running sum of their changes
    assert np.allclose(d["reserves"], np.cumsum(d["reserve_change"], axis=1), rtol=1e-9, atol=1e-3)
    # co-financing and other transfers net to zero nationally
    assert np.allclose(d["transfers_in"].sum(axis=2), d["transfers_out"].sum(axis=2), rtol=1e-9, atol=1e-3)
    # every pound of the envelope reaches a budget or the incentive fund
    assert np.allclose(d["allocated"].sum(axis=2), result.national["envelope"], rtol=1e-9)
