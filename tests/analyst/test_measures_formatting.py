"""The measure registry and the one number formatter: every output key has words, and no number is shown
in scientific notation, with more than four significant digits of money, or as fractional people."""

from __future__ import annotations

import re

import pytest

from devocare import formatting, measures

pytestmark = pytest.mark.unit

SCI = re.compile(r"(?<![0-9A-Za-z])\d+(?:\.\d+)?[eE][+-]?\d+(?![0-9A-Za-z])")  # not inside hashes


def money_digits(text: str) -> int:
    """Significant digits of a £ figure as printed (£1,234 → 4; £185.5bn → 4)."""
    body = text.split("£", 1)[1].rstrip("bnmk")
    digits = re.sub(r"[^0-9]", "", body).lstrip("0")
    if "." not in body:
        digits = digits.rstrip("0")  # trailing zeros of a whole number are not significant
    return max(len(digits), 1)


@pytest.mark.parametrize(
    ("value", "scale", "expected"),
    [
        (185_487_056_421.3, 1, "£185.5bn"),
        (1_234_567_890, 1, "£1.235bn"),
        (456_712_345, 1, "£456.7m"),
        (123_456, 1, "£123,500"),
        (12.3456, 1, "£12.35"),
        (-580_520_263.9, 1, "-£580.5m"),
        (0, 1, "£0"),
        (185.487, 1e9, "£185.5bn"),
        (5_217_456_685_355, 0.01, "£52.17bn"),
        (0.0235, 1, "£0.0235"),
    ],
)
def test_money_has_at_most_four_significant_digits(value, scale, expected):
    text = formatting.money(value, scale)
    assert text == expected
    assert money_digits(text) <= 4 and not SCI.search(text)


def test_numbers_years_shares_and_counts():
    assert formatting.number(2.0617562888084895e-16) == "≈0"
    assert formatting.number(0.011416348230367836) == "0.01142"  # the whole value, not 0.01
    assert formatting.number(163_700_803_000.0) == "163,700,803,000"
    assert formatting.year(2011) == "2011" and formatting.year(2011.0) == "2011"
    assert formatting.value("year", 2011) == "2011"
    assert formatting.percent(0.39798) == "39.8%"
    assert formatting.count(27_209_479.4) == "27,209,479"  # whole people
    for x in (1e-7, 3.2e-5, 1e15, 123456789.123):
        assert not SCI.search(formatting.number(x))


def test_every_summary_budget_and_metric_key_has_a_label_unit_and_meaning():
    from devocare.atlas import metrics
    from devocare.simulation.engine import BUDGET_MEASURES
    from devocare.simulation.results import SimulationResult

    summary_keys = [m.id for m in measures.SUMMARY]
    for key in (*BUDGET_MEASURES, *summary_keys):
        m = measures.get(key)
        assert m is not None and m.label and m.meaning, key
        assert m.label != key
    from devocare.architecture.loader import load

    keys = metrics(load("status-quo-2023")).keys()
    missing = [k for k in keys if measures.get(k) is None]
    assert missing == []
    assert "summary_draws" in dir(SimulationResult)


def test_labels_for_statistics_and_funnel_positions():
    assert measures.label("spent_gbp_bn_p95") == "Money spent (P95)"
    assert measures.label("fragmentation_pots") == "Budget pots per resident"
    assert measures.funnel_label("worse_998") == "Worse (99.8% limits)"
    assert measures.unit_label("spent_gbp_bn") == "£bn"
    assert formatting.header("funding_per_need_cv") == "Funding-to-need variation"
    assert formatting.header("some_new_column") == "Some new column"


def test_frame_formats_tidy_rows_by_their_measure():
    import pandas as pd

    df = pd.DataFrame(
        {"measure": ["spent_gbp_bn", "acute_share", "bodies_in_intervention"], "value": [185.487, 0.39798, 3.0]}
    )
    shown = formatting.frame(df)
    assert list(shown.columns) == ["Measure", "Value"]
    assert shown["Value"].tolist() == ["£185.5bn", "39.8%", "3"]
    assert shown["Measure"].tolist()[0] == "Money spent"


def test_reference_page_is_generated_from_the_registry():
    from pathlib import Path

    page = Path(__file__).parents[2] / "docs" / "reference" / "measures.md"
    assert page.read_text(encoding="utf-8") == measures.markdown(), (
        'regenerate: python -c "from devocare import measures; '
        "open('docs/reference/measures.md','w').write(measures.markdown())\""
    )
