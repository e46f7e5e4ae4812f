"""Indicator catalogue and loaders: periods, code normalisation across vintages, levels."""

from __future__ import annotations

import pandas as pd
import pytest

from devocare.errors import DevocareError, UnknownChoiceError
from devocare.outcomes.catalogue import (
    INDICATORS,
    TIDY_COLUMNS,
    _els_periods,
    _span_periods,
    catalogue,
    load_indicator,
    normalise_codes,
    published_levels,
    select_period,
)


@pytest.mark.unit
def test_els_period_labels():
    label, start, end = _els_periods(
        pd.Series(["2022-01-01/P3Y", "2024-04-01/P1Y", "2015-11-16/P1Y", "2013-01-01/P1Y", "2020-01-01/P5Y"])
    )
    assert list(label) == ["2022-24", "2024/25", "2015/16", "2013", "2020-24"]
    assert list(start) == [2022, 2024, 2015, 2013, 2020]
    assert list(end) == [2024, 2025, 2016, 2013, 2024]


@pytest.mark.unit
def test_fingertips_and_oflog_period_labels():
    label, start, end = _span_periods(pd.Series(["2015 - 17", "2014", "1999 - 01"]), fiscal=False)
    assert list(label) == ["2015-17", "2014", "1999-01"] and list(end) == [2017, 2014, 2001]
    label, start, end = _span_periods(pd.Series(["2022-23"]), fiscal=True)
    assert list(label) == ["2022/23"] and list(start) == [2022] and list(end) == [2023]


@pytest.mark.unit
def test_code_normalisation_rules():
    raw = pd.DataFrame(
        {
            "code": ["E08000038", "E08000016", "E10000023", "E06000065", "E10000006", "E07000163", "E06000001"],
            "name": ["Barnsley new", "Barnsley old", "N Yorks county", "N Yorks UA", "Cumbria", "Craven", "Hartlepool"],
            "period": ["p"] * 7,
            "year": [2020] * 7,
            "year_end": [2020] * 7,
            "value": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
            "lci": float("nan"),
            "uci": float("nan"),
            "note": "",
        }
    )
    out = normalise_codes(raw).set_index(["level", "code"])
    assert ("lad", "E08000038") not in out.index and out.loc[("lad", "E08000016"), "value"] in (1.0, 2.0)
    assert out.loc[("utla", "E06000065"), "value"] == 4.0  # the successor's own value wins over the county's
    assert out.loc[("utla", "E06000063"), "value"] == 5.0 and out.loc[("utla", "E06000063"), "approximate"]
    assert out.loc[("utla", "E06000064"), "value"] == 5.0
    assert not any(code == "E07000163" for _, code in out.index)  # abolished district dropped
    assert ("lad", "E06000001") in out.index and ("utla", "E06000001") in out.index  # UA at both levels


@pytest.mark.integration
def test_catalogue_lists_every_indicator_with_metadata():
    cat = catalogue()
    assert list(cat["id"]) == [i.id for i in INDICATORS]
    assert cat["polarity"].isin(["higher_is_better", "lower_is_better", "neither"]).all()
    assert cat["licence"].notna().all() and cat["source"].str.contains("PROVENANCE").all()
    assert set(cat.loc[cat["ci"], "id"]) >= {"hle_female", "cancer_early_stage", "u75_preventable_cvd_mortality"}


@pytest.mark.integration
def test_loaded_indicator_is_tidy_and_unique():
    frame = load_indicator("hle_female")
    assert list(frame.columns) == TIDY_COLUMNS
    assert not frame.duplicated(["level", "code", "period"]).any()
    latest = frame[(frame["period"] == "2022-24") & (frame["level"] == "utla")]
    assert 145 <= len(latest) <= 153
    assert "E08000016" in set(latest["code"])  # Barnsley published under its 2025 code, read as 2024's
    assert "E08000038" not in set(frame["code"])


@pytest.mark.integration
def test_oflog_pre_2023_county_codes_map_to_successors():
    frame = load_indicator("asc_short_term_outcome")
    ny = frame[frame["code"] == "E06000065"]
    assert set(ny["period"]) >= {"2016/17", "2022/23"}
    assert not ny["approximate"].any()
    cumberland = frame[frame["code"] == "E06000063"]
    assert cumberland["approximate"].all() and len(cumberland) >= 5
    assert not frame["code"].str.startswith("E10000006").any()
    assert published_levels("asc_short_term_outcome") == ["utla"]


@pytest.mark.integration
def test_select_period_by_label_year_and_latest():
    assert select_period("u75_preventable_cvd_mortality", "latest") == "2022-24"
    assert select_period("u75_preventable_cvd_mortality", "2016") == "2016-18"
    assert select_period("asc_quality_of_life", 2019) == "2019/20"
    with pytest.raises(UnknownChoiceError, match="2011-13"):
        select_period("hle_female", "1990")


@pytest.mark.unit
def test_unknown_indicator_suggests_the_closest():
    with pytest.raises(DevocareError, match="hle_female"):
        load_indicator("hle_femal")
