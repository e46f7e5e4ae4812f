"""Systems at their dates: each built-in, evaluated at its own date, shows the bodies, names and flows that
existed then (Public Health England before October 2021, UKHSA and OHID after; DCLG, MHCLG, DLUHC and MHCLG
again; HSIB without a statutory basis until HSSIB in October 2023; the Better Care Fund from 2015; 36 ICBs
from April 2026)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from devocare import architecture as A
from devocare.architecture import geo

MHCLG = "Ministry of Housing, Communities and Local Government"
DLUHC = "Department for Levelling Up, Housing and Communities"


def _facts(arch: A.Architecture, on: date | None = None) -> dict[str, object]:
    on = on or arch.as_of
    alive = {b.id: b for b in arch.bodies_on(on)}
    flows = {f.id: f for f in arch.flows_on(on)}
    icb = alive.get("icb")
    icb_areas = None
    if icb is not None:
        col = geo.lsoa_frame()[geo.level_column("icb", icb.area_vintage)]
        icb_areas = int(pd.unique(col.dropna()).size)
    return {
        "alive": set(alive),
        "local_government_department": arch.body("dluhc").name_on(on),
        "statutory": {b: alive[b].statutory for b in alive},
        "bcf": any(f.id.startswith("better_care_fund") for f in flows.values()),
        "icb_areas": icb_areas,
    }


#: (built-in, bodies that must exist, bodies that must not, the local-government department's name,
#:  statutory status of named bodies, Better Care Fund present, number of ICB areas or None)
CASES = [
    (
        "status-quo-2023",
        {"ukhsa", "ohid", "hssib", "nhse", "icb"},
        {"phe", "hsib", "ccg"},
        DLUHC,
        {"hssib": True},
        True,
        42,
    ),
    ("white-paper-2021", {"ukhsa", "ohid", "hsib", "icb"}, {"phe", "hssib", "ccg"}, DLUHC, {"hsib": False}, True, 42),
    (
        "kingsfund-2017",
        {"phe", "hsib", "ccg", "nhsi", "nhse"},
        {"ukhsa", "ohid", "hssib", "icb"},
        MHCLG,
        {"hsib": False},
        True,
        None,
    ),
    ("deloitte-2016", {"regional_care_group", "ukhsa", "hssib"}, {"phe", "hsib"}, MHCLG, {}, False, 42),
    (
        "place-accountability-2020",
        {"joint_commissioning_committee", "place_scrutiny", "hssib"},
        {"phe", "hsib"},
        MHCLG,
        {"place_scrutiny": False, "joint_commissioning_committee": False},
        True,
        42,
    ),
    ("reform-aco-2024", {"combined_authority", "dhsc", "ukhsa"}, {"nhse", "nhse_region", "phe"}, MHCLG, {}, True, 42),
    ("reform-split-2024", {"combined_authority", "hwb", "ukhsa"}, {"nhse", "phe"}, MHCLG, {}, True, 42),
    ("ten-year-plan-2025", {"iho", "icb", "dhsc"}, {"nhse", "phe"}, MHCLG, {}, True, 36),
]


@pytest.mark.parametrize(
    ("arch_id", "present", "absent", "department", "statutory", "bcf", "icbs"), CASES, ids=[c[0] for c in CASES]
)
def test_builtin_at_its_date(arch_id, present, absent, department, statutory, bcf, icbs) -> None:
    facts = _facts(A.load(arch_id))
    assert present <= facts["alive"], present - facts["alive"]
    assert not (absent & facts["alive"]), absent & facts["alive"]
    assert facts["local_government_department"] == department
    for body, expected in statutory.items():
        assert facts["statutory"][body] is expected, body
    assert facts["bcf"] is bcf
    assert facts["icb_areas"] == icbs


def test_the_department_is_renamed_on_its_dates() -> None:
    dept = A.load("status-quo-2023").body("dluhc")
    assert dept.name_on(date(2017, 12, 31)) == "Department for Communities and Local Government"
    assert dept.name_on(date(2018, 1, 8)) == MHCLG
    assert dept.name_on(date(2021, 9, 19)) == DLUHC
    assert dept.name_on(date(2024, 7, 8)) == MHCLG


def test_public_health_england_hands_over_on_1_october_2021() -> None:
    sq = A.load("status-quo-2023")
    before = A.function_matrix(sq, date(2021, 9, 30))
    after = A.function_matrix(sq, date(2021, 10, 1))
    assert set(before.loc[before["function"] == "health_protection", "holder"]) == {"phe"}
    assert set(after.loc[after["function"] == "health_protection", "holder"]) == {"ukhsa"}


def test_the_better_care_fund_runs_from_2015_through_the_ccg_years() -> None:
    wp = A.load("white-paper-2021")
    assert not _facts(wp, date(2015, 3, 31))["bcf"]
    assert _facts(wp, date(2015, 4, 1))["bcf"] and _facts(wp, date(2019, 4, 1))["bcf"]


def test_greater_manchester_devolution_answers_upward() -> None:
    # the 2015 deal's partnership (April 2016 to June 2022) answered to NHS England, not to local voters
    sq = A.load("status-quo-2023")
    assert "gm_partnership" in {b.id for b in sq.bodies_on(date(2019, 4, 1))}
    assert "gm_partnership" not in {b.id for b in sq.bodies_on()}
    summary = A.chain_summary(sq, "gm_partnership", date(2019, 4, 1))
    assert summary["devolved"] is False and summary["chain"][-1]["to"] == "national_electorate"
