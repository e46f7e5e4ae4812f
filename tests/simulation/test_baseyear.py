"""The 2024/25 base year: every pound of published funding in scope belongs to a service line."""

from __future__ import annotations

from pathlib import Path

import pytest

from devocare.service_lines import LINE_IDS
from devocare.simulation import baseyear
from devocare.simulation.funding import envelope
from devocare.simulation.parameters import defaults, resolve

pytestmark = pytest.mark.unit


def test_each_line_reconciles_with_its_published_figure() -> None:
    table = baseyear.reconciliation()
    assert len(table) >= 10
    for row in table.itertuples(index=False):
        assert row.devocare == pytest.approx(row.published, rel=1e-6), row.line
        assert row.source


def test_icb_lines_add_up_to_every_icb_allocation_line() -> None:
    pub = baseyear.published()
    params = defaults()
    icb_lines = ("acute_elective", "acute_non_elective", "mental_health", "community_health", "prescribing")
    env = envelope({k: v.value for k, v in params.params.items()})
    held = sum(env[x] for x in icb_lines) / 1e9
    assert held == pytest.approx(pub["core"] + pub["running"], rel=1e-6)
    assert env["primary_medical"] / 1e9 == pytest.approx(pub["primary_medical"] + pub["other_primary_care"], rel=1e-6)
    assert params["demand.spend.public_health"] == pytest.approx(3.603)  # the grant, not councils' spending
    assert params.value_for_year("specialised.delegated_to_icbs", "2025/26") == pytest.approx(15.87244)
    # the envelope is exactly the reconciled lines: nothing in no line, nothing counted twice
    rows = baseyear.reconciliation().set_index("line")["devocare"]
    in_lines = rows.iloc[[2, 3, 6, 7, 8]].sum()  # ICB lines, specialised, care, public health, wider
    assert sum(env[x] for x in LINE_IDS) / 1e9 == pytest.approx(in_lines, rel=1e-9)
    # the delegable specialised line is NHS England's 2024/25 baseline of the services delegated in 2025
    assert env["specialised_delegated"] / 1e9 == pytest.approx(baseyear.specialised_delegable(), rel=1e-6)
    # the 2023/24 specialised total rolled forward to 2024/25 by NHS England's base allocation growth (3.22%)
    assert baseyear.nhs_base_growth() == pytest.approx(0.0322)
    spec = (env["specialised_national"] + env["specialised_delegated"]) / 1e9
    assert spec == pytest.approx(baseyear.specialised_2024_25(), rel=1e-9) and spec > 25.0


def test_the_base_year_is_one_vintage() -> None:
    """Council lines are the 2023/24 outturn rolled forward to 2024/25 by the cited uplift, not 2023/24 figures."""
    params = defaults()
    outturn = baseyear.council_outturn_2023_24()
    for line in ("adult_social_care", "wider_determinants"):
        value = params[f"demand.spend.{line}"]
        assert value == pytest.approx(outturn[line] * (1 + baseyear.COUNCIL_ROLL_FORWARD), rel=1e-6), line
        assert value > outturn[line] * 1.05  # not the 2023/24 figure
        assert "mhclg-lgfs-2024" in params.params[f"demand.spend.{line}"].source
    assert baseyear.COUNCIL_ROLL_FORWARD == pytest.approx(0.075)


def test_reconciliation_follows_the_parameters() -> None:
    table = baseyear.reconciliation(resolve({"demand.spend.public_health": 3.9}))
    row = table[table["line"] == "Public health grant"].iloc[0]
    assert row["devocare"] == 3.9 and row["published"] == pytest.approx(3.603)


def test_base_year_page_shows_the_current_table() -> None:
    page = Path(__file__).resolve().parents[2] / "docs" / "background" / "base-year.md"
    assert baseyear.markdown() in page.read_text(encoding="utf-8")
