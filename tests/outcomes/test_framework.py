"""The outcome framework file: floors for every service line, cited, and matching the shipped data."""

from __future__ import annotations

import pytest

from devocare import data
from devocare.outcomes import framework as fw
from devocare.outcomes import minimum_service_levels
from devocare.service_lines import LINE_IDS

pytestmark = pytest.mark.unit


def test_contract_columns_and_every_line_once():
    msl = minimum_service_levels()
    assert list(msl.columns) == ["line", "floor", "unit", "source"]
    assert tuple(msl["line"]) == LINE_IDS
    assert msl["floor"].between(0, 1).all()
    assert msl["source"].str.len().gt(10).all()


def test_every_floor_is_cited_or_labelled_assumption():
    for m in fw.framework().minimum_service_levels:
        assert m.sources
        assert m.dataset or m.assumption, m.line


@pytest.mark.integration
def test_data_derived_floors_match_the_allocation_data():
    """A floor taken from a shipped dataset equals 1 + the lowest post-convergence distance from target."""
    checked = 0
    for m in fw.framework().minimum_service_levels:
        if not m.dataset:
            continue
        table = data.load(m.dataset)
        table = table[table["level"] == "ICB"]
        dft = table["2025/26 Post-convergence distance from target (%)"]
        assert len(table) == 42
        assert m.floor == pytest.approx(1 + dft.min(), abs=0.0005), m.line
        checked += 1
    assert checked >= 3


def test_invalid_framework_is_rejected_with_every_problem():
    raw = fw.framework().model_dump()
    raw["minimum_service_levels"] = raw["minimum_service_levels"][:-1]
    raw["minimum_service_levels"][0]["sources"] = ["no_such_source"]
    with pytest.raises(ValueError) as err:
        fw.Framework.model_validate(raw)
    assert "no_such_source" in str(err.value) and "every service line" in str(err.value)


def test_entitlements_cover_the_lea_package():
    ent = fw.entitlements()
    lea = set(ent.loc[ent["kind"] == "lea_benefit", "id"])
    assert lea == {
        "pharmaceuticals",
        "inpatient_care",
        "preventive_medicine",
        "outpatient_specialist_care",
        "maternity_care",
        "home_care",
        "primary_care",
        "hospice_care",
    }
