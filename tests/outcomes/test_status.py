"""Each area against the framework's targets."""

from __future__ import annotations

import numpy as np
import pytest

from devocare.outcomes.status import status

pytestmark = pytest.mark.integration


def test_status_rules_by_hand():
    table = status("utla")
    cvd = table[table["indicator"] == "u75_preventable_cvd_mortality"]
    assert (cvd["target_kind"] == "england").all()
    for _, row in cvd.iterrows():
        if row["lci"] <= row["target"] <= row["uci"]:
            assert row["status"] == "overlaps"
        else:  # lower is better
            assert row["status"] == ("meets" if row["value"] <= row["target"] else "misses")
    asc = table[table["indicator"] == "asc_quality_of_life"]
    assert asc["target"].iloc[0] == pytest.approx(np.median(asc["value"]))


def test_indicators_not_at_a_level_are_skipped_and_named():
    table = status("lad")
    assert "hle_female" not in set(table["indicator"])
    assert any(note.startswith("hle_female") for note in table.attrs["skipped"])
