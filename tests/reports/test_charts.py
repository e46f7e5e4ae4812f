from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from devocare.reports import charts

pytestmark = pytest.mark.unit


def test_fan_chart_line_is_the_central_run_and_bands_the_draws() -> None:
    years = ["2024/25", "2025/26"]
    rows = [
        {"architecture": "a", "year": y, "draw": d, "value": v}
        for y, central in zip(years, (10.0, 20.0), strict=True)
        for d, v in [(0, central), *((k, central + k) for k in range(1, 101))]
    ]
    fig = charts.fan_chart(pd.DataFrame(rows), "t", "£bn")
    outer, inner, line = fig.data
    assert list(line.y) == [10.0, 20.0]  # draw 0, not the median of the draws
    q = np.quantile(np.arange(1, 101), [0.05, 0.25, 0.75, 0.95])
    assert list(outer.y) == pytest.approx([10 + q[3], 20 + q[3], 20 + q[0], 10 + q[0]])
    assert list(inner.y) == pytest.approx([10 + q[2], 20 + q[2], 20 + q[1], 10 + q[1]])


def test_fan_chart_without_draws_is_a_line_only() -> None:
    frame = pd.DataFrame(
        {"architecture": ["a", "a", "b", "b"], "year": ["y1", "y2"] * 2, "draw": 0, "value": [1.0, 2.0, 3.0, 4.0]}
    )
    fig = charts.fan_chart(frame, "t", "u")
    assert [t.name for t in fig.data] == ["a", "b"]
    assert list(fig.data[1].y) == [3.0, 4.0]


def test_sankey_links_by_id_or_index_and_scales_to_bn() -> None:
    nodes = [{"id": "dhsc", "label": "DHSC"}, {"id": "icb", "label": "ICB"}, "acute"]
    links = [{"source": "dhsc", "target": "icb", "value": 2e9}, {"source": 1, "target": 2, "value": 1.5e9}]
    trace = charts.sankey(nodes, links, "t").data[0]
    assert list(trace.node.label) == ["DHSC", "ICB", "acute"]
    assert list(trace.link.source) == [0, 1] and list(trace.link.target) == [1, 2]
    assert list(trace.link.value) == [2.0, 1.5]


def square(code: str, x0: float) -> dict:
    ring = [[x0, 50.0], [x0 + 1, 50.0], [x0 + 1, 51.0], [x0, 51.0], [x0, 50.0]]
    return {
        "type": "Feature",
        "properties": {"CD": code, "NM": f"Area {code}"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def test_area_map_shares_one_scale_and_switches_colours_by_menu() -> None:
    geojson = {"type": "FeatureCollection", "features": [square("A", 0.0), square("B", 2.0)]}
    values = {"today": pd.Series({"A": 1.0, "B": 1.0}), "reform": pd.Series({"A": 0.9, "B": 1.05})}
    fig = charts.area_map(geojson, "CD", "NM", values, "t", "ratio", midpoint=1.0, initial=1)
    areas, scale = fig.data[:2], fig.data[2]
    assert (scale.marker.cmin, scale.marker.cmax) == pytest.approx((0.9, 1.1))  # symmetric about 1
    assert list(areas[0].x[:5]) == [0.0, 1.0, 1.0, 0.0, 0.0] and areas[0].x[5] is None
    assert areas[0].fillcolor == "rgb(103, 0, 31)"  # the low end of RdBu: the reform's 0.9 shown first
    assert "Area A (A): 0.9" in areas[0].text
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == ["today", "reform"] and fig.layout.updatemenus[0].active == 1
    today = buttons[0].args[0]
    assert today["fillcolor"][0] == today["fillcolor"][1]  # both at 1.0: the middle of the scale
    assert list(buttons[0].args[1]) == [0, 1]


def test_contributions_bars_are_the_central_values_with_their_draw_ranges() -> None:
    frame = pd.DataFrame(
        {
            "label": ["raises", "lowers", "total"],
            "central": [2.0, -0.5, 1.5],
            "p5": [1.0, -0.9, 0.2],
            "p95": [3.0, 0.1, 2.5],
            "total": [False, False, True],
        }
    )
    bars, ranges = charts.contributions(frame, "t", "£bn").data
    assert list(bars.y) == ["total", "lowers", "raises"] and list(bars.x) == [1.5, -0.5, 2.0]  # first on top
    assert list(bars.marker.color) == [charts.PALETTE[7], charts.PALETTE[1], charts.PALETTE[0]]
    assert list(ranges.x) == [0.2, 2.5, None, -0.9, 0.1, None, 1.0, 3.0, None]
    shared = charts.contributions(frame.assign(share_of_variance=[0.75, 0.25, np.nan]), "t").data[0]
    assert list(shared.customdata) == ["", "<br>share of variance 25%", "<br>share of variance 75%"]
    without = charts.contributions(frame.assign(p5=np.nan, p95=np.nan), "t").data
    assert len(without) == 1  # no draws: no ranges to draw
