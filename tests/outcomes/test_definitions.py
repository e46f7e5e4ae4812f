"""Indicator definitions quote the catalogue and the data's own provenance record."""

from __future__ import annotations

import pytest

from devocare.outcomes.catalogue import INDICATORS, periods
from devocare.outcomes.definitions import definition, provenance_note


@pytest.mark.parametrize("ind", INDICATORS, ids=lambda i: i.id)
def test_every_indicator_has_a_definition_with_provenance(ind):
    d = definition(ind.id)
    assert d["unit"] == ind.unit and d["polarity"] == ind.polarity
    assert d["latest_period"] == periods(ind.id)[-1] and d["periods"] == periods(ind.id)
    assert d["licence"] and d["publisher"]
    assert len(d["provenance"]) >= 2, "the provenance record should name the file"
    assert not set(d["published_levels"]) & set(d["aggregated_levels"])


def test_els_file_reads_its_own_table_row():
    note = dict(provenance_note("els_cancer_diagnosed_stage_1_2"))
    assert "93671" in note["indicator"]
    assert definition("cancer_early_stage")["publisher"].startswith("OHID Fingertips")


def test_fingertips_extract_reads_its_bullets():
    note = dict(provenance_note("ohid_fingertips_life_expectancy_at_birth_lad"))
    assert any("90366" in text for text in note.values())


def test_unknown_indicator_names_the_closest():
    from devocare.errors import UnknownChoiceError

    with pytest.raises(UnknownChoiceError, match="hle_female"):
        definition("hle_femal")
