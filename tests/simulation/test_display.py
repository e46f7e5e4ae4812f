"""Notebook and pandas friendliness: short reprs, HTML views, holder/area columns, run record in attrs, plots."""

from __future__ import annotations

import pandas as pd
import pytest

from devocare.architecture import builtin_ids, load
from devocare.errors import UnknownChoiceError
from devocare.simulation import simulate

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def result():
    return simulate("reform-aco-2024", years=3, draws=6, seed=3)


@pytest.mark.parametrize("arch_id", builtin_ids())
def test_architecture_repr_is_one_short_line_and_html_lists_bodies(arch_id):
    arch = load(arch_id)
    text = repr(arch)
    assert "\n" not in text and len(text) < 300 and arch.id in text and f"bodies={len(arch.bodies)}" in text
    page = arch._repr_html_()
    assert page.count("<tr>") >= len(arch.bodies) and all(b.id in page for b in arch.bodies)


def test_result_repr_and_html(result):
    text = repr(result)
    assert "\n" not in text and len(text) < 300
    assert text.startswith("SimulationResult(architecture='reform-aco-2024'") and "draws=6" in text
    page = result._repr_html_()
    assert "Simulation of reform-aco-2024" in page and "P5–P95" in page
    assert f"{result.summary['spent_gbp_bn']:,.3f}" in page


def test_holder_and_area_columns_split_body(result):
    table = result.table
    columns = list(table.columns)
    assert columns[columns.index("body") + 1 : columns.index("body") + 3] == ["holder", "area"]
    budgets = table[table["body"].notna()]
    assert len(budgets) and budgets["holder"].notna().all() and budgets["area"].notna().all()
    rebuilt = budgets["holder"].astype(str) + ":" + budgets["area"].astype(str)
    assert (rebuilt == budgets["body"].astype(str)).all()
    assert table.loc[table["body"].isna(), ["holder", "area"]].isna().all().all()
    assert "combined_authority" in set(budgets["holder"].astype(str))
    expected = set(result.budgets["holder"])
    assert set(budgets["holder"].astype(str)) == expected


def test_parquet_gives_the_run_record_to_pandas_attrs(result, tmp_path):
    path = result.to_parquet(tmp_path / "run.parquet")
    frame = pd.read_parquet(path)
    assert frame.attrs["run_record"]["seed"] == 3
    assert frame.attrs["run_record"]["architecture"] == result.run_record["architecture"]
    assert frame.attrs["summary"]["spent_gbp_bn"] == pytest.approx(result.summary["spent_gbp_bn"])
    assert list(frame.columns) == list(result.table.columns)


def test_plot_methods_return_plotly_figures(result):
    import plotly.graph_objects as go

    fan = result.plot_fan("spent")
    assert isinstance(fan, go.Figure) and [t.name for t in fan.data][-1] == "central run"
    central = result.draws_table().query("draw == 0")["spent"].to_numpy() / 1e9
    assert list(fan.data[-1].y) == pytest.approx(list(central))
    waterfall = result.plot_waterfall("upstream_spend")
    steps = result.waterfall[result.waterfall["measure"] == "upstream_spend"]
    assert list(waterfall.data[0].y) == pytest.approx(list(steps["value"] / 1e9))
    budgets = result.plot_budgets("spent", top=5)
    assert len(budgets.data[0].x) == 5
    with pytest.raises(UnknownChoiceError, match="did you mean 'spent'"):
        result.plot_fan("spnt")
    with pytest.raises(UnknownChoiceError):
        result.plot_budgets("spent", year="1999/00")


def test_plots_without_the_charts_extra_name_it(result, monkeypatch):
    import sys

    from devocare.extras import MissingExtraError

    monkeypatch.setitem(sys.modules, "plotly", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'devocare\[charts\]'"):
        result.plot_fan()
