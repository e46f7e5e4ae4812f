"""The two caps on behaviour are parameters, not constants: overriding them moves results where they bind."""

from __future__ import annotations

import numpy as np
import pytest

from devocare.service_lines import index
from devocare.simulation import behaviour, simulate

pytestmark = pytest.mark.integration


def test_the_planned_cut_is_capped_at_the_parameter() -> None:
    spend = np.array([100.0, 100.0])  # money meets the forecast: only the carried deficit is cut for
    rate, _ = behaviour.plan(np, spend, None, spend, spend, np.array([-80.0, -10.0]), 1.0, np.inf, 1.0, 0.3)
    assert rate.tolist() == pytest.approx([0.3, 0.1])


def test_elective_shift_cap_binds_in_the_aco() -> None:
    runs = {
        cap: simulate(
            "reform-aco-2024", years=5, draws=0, waterfall=False, overrides={"behaviour.max_elective_shift_share": cap}
        )
        for cap in (0.5, 0.0)
    }
    elective = {cap: r.national["spent_by_line"][0, :, index("acute_elective")] for cap, r in runs.items()}
    assert (elective[0.0] >= elective[0.5]).all() and (elective[0.0] > elective[0.5]).any()
    assert runs[0.5].summary["conservation_max_gap"] <= 1e-9 and runs[0.0].summary["conservation_max_gap"] <= 1e-9
