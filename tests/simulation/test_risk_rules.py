"""Risk rules per pot: a pot's own savings_retained and overspend_borne_locally replace the money section's
for its budget only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from devocare import architecture
from devocare.errors import DevocareError
from devocare.simulation import simulate
from devocare.simulation.rules import build_rules

YAML = Path(__file__).resolve().parent / "data" / "status-quo-council-rules.yaml"

pytestmark = pytest.mark.integration


def test_pot_rules_apply_to_their_budget_only() -> None:
    rules = build_rules(architecture.load(str(YAML)), "lad")
    by_holder = {g.holder: (g.savings_retained, g.overspend_borne_locally) for g in rules.groups}
    assert by_holder["utla"] == (1.0, 1.0)
    assert by_holder["icb"] == (0.0, 0.0) and by_holder["nhse"] == (0.0, 0.0)


def test_councils_keep_and_bear_their_own_results() -> None:
    result = simulate(str(YAML), years=4, draws=0, waterfall=False)
    d = {m: v[0] for m, v in result.draws.items()}
    council = (result.budgets["holder"] == "utla").to_numpy()
    assert np.abs(d["returned"][:, council]).max() == 0.0 and np.abs(d["deficit_support"][:, council]).max() == 0.0
    assert np.abs(d["reserves"][:, council]).max() > 0.0  # their results now sit in their reserves
    assert np.abs(d["returned"][:, ~council] + d["deficit_support"][:, ~council]).max() > 0.0  # the NHS's do not
    assert result.summary["conservation_max_gap"] <= 1e-9


def test_pooled_pots_must_agree_on_their_risk_rules(tmp_path) -> None:
    wider = "    - id: la_wider_services\n      savings_retained: "
    text = YAML.read_text().replace(wider + "1.0", wider + "0.5")
    path = tmp_path / "disagree.yaml"
    path.write_text(text)
    with pytest.raises(DevocareError, match="same savings_retained"):
        build_rules(architecture.load(str(path)), "lad")
