"""Population-weighted aggregation to levels an indicator is not published at, flagged as approximate."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from devocare import geography
from devocare.errors import DevocareError
from devocare.outcomes.aggregate import at_level, for_bodies, source_level
from devocare.outcomes.catalogue import load_indicator

pytestmark = pytest.mark.integration


def test_county_from_districts_by_hand():
    """Lancashire (E10000017) preventable mortality 2024 = its districts' rates weighted by mid-2024 population."""
    lads = load_indicator("u75_preventable_mortality")
    lads = lads[(lads["level"] == "lad") & (lads["period"] == "2024")].set_index("code")["value"]
    members = geography.membership("lad", "utla")
    members = members[members["to_code"] == "E10000017"]["from_code"]
    pop = geography.population("lad", 2024).set_index("code")["population"]
    expected = float(np.sum(lads[members] * pop[members]) / np.sum(pop[members]))
    got = at_level("u75_preventable_mortality", "utla", "2024").set_index("code").loc["E10000017"]
    assert got["value"] == pytest.approx(expected)
    assert got["approximate"] and got["n_parts"] == len(members) == 12


def test_unitary_authority_value_passes_through_unchanged():
    got = at_level("u75_preventable_mortality", "utla", "2024").set_index("code").loc["E06000009"]
    assert got["value"] == pytest.approx(283.3) and not got["approximate"]


def test_icb_with_split_districts_is_flagged_and_covered():
    icb = at_level("u75_preventable_cvd_mortality", "icb", "2022-24")
    assert len(icb) == 42 and icb["approximate"].sum() >= 40
    assert icb["coverage"].between(0.95, 1.0).all()
    assert icb["lci"].lt(icb["value"]).all() and icb["uci"].gt(icb["value"]).all()


def test_published_levels_are_not_aggregated():
    ca = at_level("hle_female", "ca", "2022-24")
    assert not ca["approximate"].any() and (ca["n_parts"] == 1).all()


def test_cannot_disaggregate():
    with pytest.raises(DevocareError, match="cannot be shown at level 'lad'"):
        source_level("asc_quality_of_life", "lad")


def test_bodies_get_their_areas_and_coverage():
    bodies = [
        SimpleNamespace(id="cas", area_level="ca", area_vintage=2024, areas=["E47000001", "E47000002"]),
        SimpleNamespace(id="dhsc", area_level=None),
    ]
    out = for_bodies("hle_male", bodies, "2022-24")
    assert set(out["code"]) == {"E47000001", "E47000002"} and set(out["body"]) == {"cas"}
    coverage = SimpleNamespace(devolved=["E47000001"], level="ca", vintage=2024)
    arch = SimpleNamespace(
        money=SimpleNamespace(coverage=coverage), bodies=[SimpleNamespace(id="la", area_level="utla", areas="coverage")]
    )
    out = for_bodies("hle_male", arch, "2022-24")
    assert len(out) == 10 and out["code"].isin(["E08000003", "E08000001"]).sum() == 2  # GM's ten boroughs


def test_architecture_bodies_from_a_builtin():
    architecture = pytest.importorskip("devocare.architecture")
    arch = architecture.load("reform-aco-2024")
    out = for_bodies("hle_female", arch, "2022-24")
    cas = out[out["body"] == "combined_authority"]
    assert len(cas) == 15 and cas["code"].str.match(r"E(47|61)").all()  # 'coverage' = all combined authorities
    assert len(out[out["body"] == "icb"]) == 42


def test_aggregates_from_mostly_suppressed_parts_are_left_out():
    """Cancer stage 2022: most West of England districts are suppressed, so its aggregate covers ~20%."""
    all_rows = at_level("cancer_early_stage", "ca", "2022", min_coverage=0.0).set_index("code")
    assert all_rows.loc["E47000009", "coverage"] < 0.5
    shown = at_level("cancer_early_stage", "ca", "2022")
    assert "E47000009" not in set(shown["code"]) and shown["coverage"].ge(0.5).all()
