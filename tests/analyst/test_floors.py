"""Minimum service levels set by the user: parsed and validated before any run, applied to one architecture
or all, recorded, and the areas and bodies below them listed with the gap."""

from __future__ import annotations

import json

import numpy as np
import pytest

from devocare.errors import DevocareError
from devocare.simulation import simulate
from devocare.simulation.floors import below_minimum, split

pytestmark = pytest.mark.integration


def test_split_general_specific_and_scenario(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: floors\nparameters:\n  prevention.effect: 0.5\nminimum_service_levels:\n"
        "  public_health: 0.9\n  reform-aco-2024:\n    public_health: 0.95\n"
    )
    rest, scen, floors = split(
        {"minimum_service_levels.acute_elective": "97%", "prevention.lag": "2"}, scenario, "reform-aco-2024"
    )
    assert rest == {"prevention.lag": "2"} and floors == {"acute_elective": 0.97, "public_health": 0.95}
    assert "minimum_service_levels" not in scen and scen["parameters"] == {"prevention.effect": 0.5}
    _, _, other = split({"minimum_service_levels.reform-aco-2024.acute_elective": 1.1}, scenario, "status-quo-2023")
    assert other == {"public_health": 0.9}  # the ACO's own floors do not apply to the status quo


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("minimum_service_levels.dentistry", 1.0, "dentistry"),
        ("minimum_service_levels.public_health", 0, "above 0"),
        ("minimum_service_levels.public_health", "lots", "expected a number"),
        ("minimum_service_levels.nowhere-2030.public_health", 1.0, "nowhere-2030"),
        ("minimum_service_levels.a.b.c", 1.0, "LINE=VALUE"),
    ],
)
def test_bad_floors_are_refused_before_running(key, value, message):
    with pytest.raises(DevocareError, match=message):
        simulate("status-quo-2023", years=1, draws=0, overrides={key: value})


def test_raising_a_floor_lists_more_bodies_with_positive_gaps():
    base = simulate("reform-aco-2024", years=2, draws=6, seed=2, waterfall=False)
    high = simulate(
        "reform-aco-2024",
        years=2,
        draws=6,
        seed=2,
        waterfall=False,
        overrides={"minimum_service_levels.acute_elective": 1.02},
    )
    assert high.run_record["floors"]["acute_elective"] == 1.02
    assert high.run_record["overrides"]["minimum_service_levels.acute_elective"] == 1.02
    before, after = below_minimum(base, "body"), below_minimum(high, "body")
    assert len(after) > len(before)
    assert (after["gap_gbp"] > 0).all() and (after["spend_to_need"] < after["floor"]).all()
    assert after["prob_below_minimum_service"].between(0, 1).all()
    # the simulator's own trigger sees the higher floor too: more budgets breach it
    assert high.draws["floor_breached"][0, -1].sum() > base.draws["floor_breached"][0, -1].sum()
    areas = below_minimum(high, "area")
    row = areas.iloc[0]
    assert row["gap_gbp_per_head"] == pytest.approx(row["gap_gbp"] / _pop(row["area"]))
    assert np.isfinite(areas["gap_gbp"]).all() and areas["name"].str.len().gt(0).all()


def _pop(code: str) -> float:
    from devocare import geography

    return float(geography.population("lad").set_index("code").loc[code, "population"])


def test_cli_minimum_service_json_and_errors(cli_in_process):
    r = cli_in_process(
        "minimum-service",
        "reform-aco-2024",
        "--years",
        "1",
        "--draws",
        "0",
        "--by",
        "area",
        "--set",
        "minimum_service_levels.public_health=1.05",
        "--format",
        "json",
    )
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert rows and {"area", "name", "line", "floor", "gap_gbp", "gap_gbp_per_head"} <= set(rows[0])
    assert {row["line"] for row in rows} == {"public_health"}
    bad = cli_in_process("minimum-service", "reform-aco-2024", "--set", "minimum_service_levels.teeth=1")
    assert bad.returncode == 2 and "teeth" in bad.stderr
