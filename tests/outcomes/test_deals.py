"""Deal dates: the treated-year rule, the shipped table, and every deal area known to the geography."""

from __future__ import annotations

import pytest

from devocare import geography
from devocare.errors import DevocareError
from devocare.outcomes.deals import deal_for, deals, treated_from


@pytest.mark.unit
@pytest.mark.parametrize("date, year", [("2014-11", 2015), ("2016-04", 2016), ("2016-06", 2016), ("2016-07", 2017)])
def test_a_year_is_treated_when_most_of_it_follows_the_event(date, year):
    assert treated_from(date) == year


@pytest.mark.unit
def test_greater_manchester_has_both_events():
    gm = deal_for("E47000001")
    assert gm is not None and gm.date("agreement") == "2014-11" and gm.date("health") == "2016-04"
    assert deal_for("E47000004").health is None  # type: ignore[union-attr]
    with pytest.raises(DevocareError, match="no health devolution date"):
        deal_for("E47000004").date("health")  # type: ignore[union-attr]


@pytest.mark.integration
def test_every_deal_area_is_a_combined_authority_with_its_name():
    cas = geography.areas("ca").set_index("code")["name"]
    for d in deals():
        assert d.code in cas.index, d.code
        assert cas[d.code] == d.name
        assert d.earliest <= d.agreement
