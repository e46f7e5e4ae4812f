"""The parameter tree: every default cited, overrides checked for path, unit and range."""

from __future__ import annotations

import importlib

import pytest

from devocare import data
from devocare.errors import DevocareError, UnknownChoiceError
from devocare.simulation.baseyear import COUNCIL_ROLL_FORWARD

# the package exports a parameters() function under the module's name, so import the module by path
P = importlib.import_module("devocare.simulation.parameters")

pytestmark = pytest.mark.unit


def test_every_parameter_has_label_unit_and_a_source_or_assumption_label() -> None:
    table = P.parameters()
    assert len(table) > 30
    for row in table.itertuples():
        assert row.label and row.unit, row.path
        assert row.source.strip() not in ("", "assumption: "), row.path


def test_local_government_spend_defaults_match_the_shipped_outturn() -> None:
    rsx = data.load("mhclg_revenue_outturn_rsx_by_la_2022_23_2023_24")
    england = rsx[(rsx["class"] == "Eng") & (rsx["financial_year"] == "2023-24")].iloc[0]
    params = P.defaults()
    uplift = 1 + COUNCIL_ROLL_FORWARD  # the 2023/24 outturn rolled forward to the 2024/25 base year
    assert params["demand.spend.adult_social_care"] == pytest.approx(
        float(england["RSX-asc-net-cur-exp"]) / 1e6 * uplift, abs=5e-4
    )
    # public health is the ring-fenced grant (£3.603bn in 2024/25), which councils top up from other income
    assert params["demand.spend.public_health"] == pytest.approx(3.603)
    assert params["demand.spend.public_health"] < float(england["RSX-phs-net-cur-exp"]) / 1e6
    wider = float(england["RSX-hous-net-cur-exp"]) + float(england["RSX-cul-net-cur-exp"])
    assert params["demand.spend.wider_determinants"] == pytest.approx(wider / 1e6 * uplift, abs=5e-4)


def test_dated_values_pick_the_latest_before_the_base_year() -> None:
    # the public health grant has 2023/24 and 2024/25 values; the 2024/25 one is in force for 2024/25, and
    # delegated specialised services' 2025/26 value is not yet in force
    assert P.defaults()["demand.spend.public_health"] == pytest.approx(3.603)
    assert P.defaults()["specialised.delegated_to_icbs"] == pytest.approx(5.3)


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        ("prevention.effect", "0.5", 0.5),
        ("funding.real_growth", "2.5%", 0.025),
        ("admissions.unit_cost", "£3.2k", 3200.0),
        ("admissions.count", "6.1m", 6_100_000.0),
        ("demand.spend.public_health", "3900m", 3.9),
    ],
)
def test_override_units(path: str, text: str, expected: float) -> None:
    assert P.resolve({path: text})[path] == pytest.approx(expected)


def test_override_fixes_an_uncertain_value() -> None:
    params = P.resolve({"prevention.effect": "0.5"})
    assert "prevention.effect" not in params.uncertain()
    assert params.digest() != P.defaults().digest()


def test_unknown_path_suggests_the_closest() -> None:
    with pytest.raises(UnknownChoiceError, match="prevention.effect"):
        P.resolve({"prevention.efect": "0.5"})


@pytest.mark.parametrize(
    ("path", "text", "message"),
    [
        ("prevention.effect", "9", "outside its valid range"),
        ("prevention.effect", "30%", "percentage but the unit"),
        ("funding.real_growth", "2bn", "multiplier but the unit"),
        ("admissions.avoidable_share", "abc", "not a number"),
        ("prevention.lag", "[0, 1]", "list of 5"),
    ],
)
def test_bad_override_values_are_refused(path: str, text: str, message: str) -> None:
    with pytest.raises(DevocareError, match=message):
        P.resolve({path: text})


def test_scenario_file_overrides_and_explicit_overrides_win(tmp_path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: optimistic\nparameters:\n  prevention:\n    effect: 0.8\n  funding.real_growth: 2%\n")
    params = P.resolve({"prevention.effect": "0.6"}, scenario)
    assert params["prevention.effect"] == 0.6
    assert params["funding.real_growth"] == pytest.approx(0.02)


def test_scenario_with_unknown_key_is_refused(tmp_path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: x\nparameter:\n  prevention.effect: 0.8\n")
    with pytest.raises(UnknownChoiceError, match="parameters"):
        P.resolve(scenario=scenario)


def test_sampling_respects_range_and_interval() -> None:
    import numpy as np

    params = P.defaults()
    rng = np.random.default_rng(1)
    draws = [params.sample(rng)["demand.population_growth_after_projection"] for _ in range(4000)]
    lo, hi = np.percentile(draws, [10, 90])
    assert lo == pytest.approx(0.005, rel=0.08) and hi == pytest.approx(0.013, rel=0.08)
    effects = [params.sample(rng)["prevention.effect"] for _ in range(2000)]
    assert min(effects) >= 0.0 and max(effects) <= 1.3


def test_parameter_reference_page_is_current() -> None:
    from pathlib import Path

    page = Path(__file__).resolve().parents[2] / "docs" / "reference" / "parameters.md"
    assert page.read_text(encoding="utf-8") == P.reference_markdown()
