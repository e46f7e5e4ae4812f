"""One service line split between pots: specialised services are a national line and a line delegable to
ICBs, so the delegation of April 2025 and the reforms' devolution are in the money, not only in the
functions; files written before the split keep working through the ``specialised`` alias."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from devocare import architecture as A
from devocare.allocation.grants import check_envelope
from devocare.atlas.money import holder_money
from devocare.envelope import alias_shares, default_values, envelope
from devocare.service_lines import ALIASES, LINE_IDS, check_lines, expand

ROOT = Path(__file__).resolve().parents[2]

#: Who holds the delegable specialised line in each built-in (the simulator holds pots from the base year).
DELEGATED_HOLDER = {
    "status-quo-2023": {"nhse"},  # on its as_of (2023-10-01), before the 2025 delegation
    "white-paper-2021": {"nhse"},  # likewise (2022-07-01)
    "place-accountability-2020": {"icb"},
    "ten-year-plan-2025": {"icb"},
    "kingsfund-2017": {"nhse"},  # before the 2025 delegation
    "deloitte-2016": {"regional_care_group"},
    "reform-aco-2024": {"combined_authority", "icb"},  # ICBs outside the deals run the status quo
    "reform-split-2024": {"combined_authority", "icb"},
}

#: Who besides the centre holds part of the national specialised line: the reforms keep only a national
#: remainder of specialised commissioning (10% of it) and devolve the rest of that line too.
NATIONAL_LINE_DEVOLVED_TO = {"reform-aco-2024": {"combined_authority"}, "reform-split-2024": {"combined_authority"}}


def test_the_two_lines_split_the_specialised_total() -> None:
    values = {path: v for path, (v, _) in default_values().items()}
    env = envelope(values)
    assert {"specialised_national", "specialised_delegated"} <= set(LINE_IDS) and "specialised" not in LINE_IDS
    assert env["specialised_national"] + env["specialised_delegated"] == pytest.approx(25.805e9)  # 2023/24 grown
    # the delegable part is NHS England's 2024/25 baseline of the services delegated in 2025 (£15.35bn)
    assert env["specialised_delegated"] == pytest.approx(15.353e9, rel=1e-4)
    assert alias_shares("specialised")["specialised_national"] == pytest.approx(values["specialised.national_share"])


@pytest.mark.parametrize("arch_id", A.builtin_ids())
def test_who_holds_each_specialised_line(arch_id: str) -> None:
    money = holder_money(A.load(arch_id))
    delegated = money[(money["line"] == "specialised_delegated") & (money["gbp"] > 0)]
    national = money[(money["line"] == "specialised_national") & (money["gbp"] > 0)]
    assert set(delegated["holder"]) == DELEGATED_HOLDER[arch_id]
    # the national line stays at the centre, but for the part of it the reforms devolve (line_shares)
    assert set(national["holder"]) <= {"nhse", "dhsc"} | NATIONAL_LINE_DEVOLVED_TO.get(arch_id, set())
    total = money[money["line"].isin(["specialised_national", "specialised_delegated"])]["gbp"].sum()
    # local revenue (deloitte-2016) and fiscal equalisation may move a little money between a pot's lines
    assert total == pytest.approx(25.805e9, rel=5e-3)


def test_the_reforms_hold_the_delegated_part_locally() -> None:
    aco = holder_money(A.load("reform-aco-2024"))
    ca = aco[(aco["holder"] == "combined_authority") & (aco["line"] == "specialised_delegated")]["gbp"].sum()
    assert ca > 0.5 * 15.353e9  # the combined authorities' areas hold 55.9% of residents, more of need
    sq = holder_money(A.load("status-quo-2023"), on=dt.date(2025, 4, 1))  # after the delegation to ICBs
    assert sq[(sq["holder"] == "nhse")]["gbp"].sum() == pytest.approx(25.805e9 - 15.353e9, rel=1e-4)
    before = holder_money(A.load("status-quo-2023"), on=dt.date(2025, 3, 31))  # NHS England holds both lines
    assert before[(before["holder"] == "nhse")]["gbp"].sum() == pytest.approx(25.805e9, rel=1e-4)


def test_a_status_quo_pot_is_dated_from_the_delegation() -> None:
    pot = next(p for p in A.load("status-quo-2023").money.pots if p.id == "icb_specialised")
    assert str(pot.start) == "2025-04-01" and pot.lines == ["specialised_delegated"]


def test_files_written_before_the_split_still_load() -> None:
    """The ``specialised`` alias stands for both lines in pots, flows, envelopes, floors and functions."""
    arch = A.load(str(ROOT / "tests" / "architecture" / "valid" / "minimal.yaml"))
    national = next(p for p in arch.money.pots if p.id == "national")
    assert national.lines[:2] == ["specialised_national", "specialised_delegated"]
    assert expand(["specialised", "acute_elective"]) == [
        "specialised_national",
        "specialised_delegated",
        "acute_elective",
    ]
    assert check_lines(["specialised"]) == list(ALIASES["specialised"])
    split = check_envelope({"specialised": 25.0e9}, ["specialised_national", "specialised_delegated"])
    assert (
        sum(split.values()) == pytest.approx(25.0e9) and split["specialised_delegated"] > split["specialised_national"]
    )


@pytest.mark.parametrize("arch_id", sorted(NATIONAL_LINE_DEVOLVED_TO))
def test_the_reforms_keep_their_functions_national_remainder_in_money(arch_id: str) -> None:
    """In the deal areas the money the centre keeps for specialised care is the share of specialised
    commissioning the functions keep national (commissioning.specialised.national@dhsc), not the whole
    national line (40.5% of specialised spend)."""
    arch = A.load(arch_id)
    remainder = next(f.share for f in arch.functions if f.id == "commissioning.specialised.national@dhsc")
    money = holder_money(arch)
    own = money[(money["architecture"] == arch_id) & money["line"].str.startswith("specialised_")]
    kept = own[own["holder"] == "dhsc"]["gbp"].sum() / own["gbp"].sum()
    # the combined authorities' fiscal equalisation moves a little money between their pot's lines
    assert kept == pytest.approx(remainder, rel=5e-3)
