"""The indicator catalogue: every outcome indicator in the shipped data, loaded as one tidy shape.

Four source families are read (all through :func:`devocare.data.load`): ONS Explore Local Statistics files
(``els_*``), OHID Fingertips district extracts (``ohid_fingertips_*``), the Oflog adult social care file and
the ONS Health Index underlying indicators (``ons_health_index_*``, one column per indicator).
Each indicator comes out as rows of ``code, name, level, period, year, year_end, value, lci, uci, count,
denominator, approximate, note``, keyed by the codes :mod:`devocare.geography` uses:

* the 2025 LAD recodes (Barnsley, Sheffield) go through :func:`devocare.geography.canonical_code`;
* a code is placed at every level it belongs to, so a unitary authority that a file lists once as a
  "Local Authority District" is both a ``lad`` and a ``utla`` row;
* superseded upper-tier codes (counties that became unitary authorities in 2019-2023, as the Oflog file
  still uses) map to their successors: exactly where the boundary is unchanged, and flagged
  ``approximate`` where a county was split (its value is given to each successor) or lost territory;
  combined-area codes (E67: Hackney with City of London, Cornwall with Isles of Scilly) map to the larger
  area, flagged ``approximate``;
* rows for abolished districts with no single successor are dropped.

``year`` is the first calendar year a period covers and ``year_end`` the last, so a 3-year rolling period
"2022-24" has year 2022 and year_end 2024, and the financial year 2022/23 has year 2022 and year_end 2023.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Literal

import numpy as np
import pandas as pd

from devocare import data, geography
from devocare.errors import DevocareError, UnknownChoiceError

__all__ = [
    "Indicator",
    "INDICATORS",
    "catalogue",
    "indicator",
    "load_indicator",
    "periods",
    "select_period",
    "published_levels",
    "COUNTY_SUCCESSORS",
    "TIDY_COLUMNS",
]

Polarity = Literal["higher_is_better", "lower_is_better", "neither"]
TIDY_COLUMNS = [
    "code",
    "name",
    "level",
    "period",
    "year",
    "year_end",
    "value",
    "lci",
    "uci",
    "count",
    "denominator",
    "approximate",
    "note",
]
#: Levels that outcome data can sit at natively (the local-government hierarchy); NHS levels are aggregated.
NATIVE_LEVELS = ("lad", "utla", "ca", "ons_region", "england")


@dataclass(frozen=True)
class Indicator:
    """One indicator: where it comes from, how to pick its rows, and how to read it."""

    id: str
    title: str
    dataset: str
    unit: str
    polarity: Polarity
    period_type: str
    select: dict[str, str | int] = field(default_factory=dict)
    ci: bool = False
    counts: bool = False
    description: str = ""
    levels: tuple[str, ...] = NATIVE_LEVELS
    zero_is_missing: bool = False
    #: where counts are published: value = count / denominator × scale, modelled as binomial or Poisson
    count_model: Literal["binomial", "poisson"] | None = None
    scale: float = 1.0


_FINGERTIPS = ("lad", "england")  # district extracts: counties are reached by aggregation
_OFLOG = ("utla",)  # social-services authorities
_HEALTH_INDEX = ("lad",)  # lower-tier authorities (2021 codes); counties are reached by aggregation
INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "hle_female",
        "Healthy life expectancy at birth, female",
        "els_ons_healthy_life_expectancy_at_birth",
        "years",
        "higher_is_better",
        "3-year rolling",
        {"indicator": "Female healthy life expectancy"},
        ci=True,
        description="ONS health state life expectancies",
    ),
    Indicator(
        "hle_male",
        "Healthy life expectancy at birth, male",
        "els_ons_healthy_life_expectancy_at_birth",
        "years",
        "higher_is_better",
        "3-year rolling",
        {"indicator": "Male healthy life expectancy"},
        ci=True,
        description="ONS health state life expectancies",
    ),
    Indicator(
        "le_female",
        "Life expectancy at birth, female",
        "ohid_fingertips_life_expectancy_at_birth_lad",
        "years",
        "higher_is_better",
        "3-year rolling",
        {"sex": "Female"},
        description="Fingertips 90366 (PHOF A01b); confidence intervals not in the shipped extract",
        levels=_FINGERTIPS,
    ),
    Indicator(
        "le_male",
        "Life expectancy at birth, male",
        "ohid_fingertips_life_expectancy_at_birth_lad",
        "years",
        "higher_is_better",
        "3-year rolling",
        {"sex": "Male"},
        description="Fingertips 90366 (PHOF A01b); confidence intervals not in the shipped extract",
        levels=_FINGERTIPS,
    ),
    Indicator(
        "u75_preventable_mortality",
        "Under-75 mortality from causes considered preventable, persons",
        "ohid_fingertips_u75_mortality_preventable_lad",
        "rate per 100,000 (age-standardised)",
        "lower_is_better",
        "annual",
        {"sex": "Persons"},
        description="Fingertips 93721 (2019 definition); district level only",
        levels=_FINGERTIPS,
    ),
    Indicator(
        "u75_preventable_cvd_mortality",
        "Under-75 mortality from cardiovascular disease considered preventable",
        "els_preventable_cardiovascular_mortality_under75",
        "rate per 100,000 (age-standardised)",
        "lower_is_better",
        "3-year rolling",
        ci=True,
        description="PHOF 93722",
    ),
    Indicator(
        "cancer_early_stage",
        "Cancers diagnosed at stage 1 or 2",
        "els_cancer_diagnosed_stage_1_2",
        "% of cancers with known stage",
        "higher_is_better",
        "annual",
        ci=True,
        description="PHOF 93671",
    ),
    Indicator(
        "adult_obesity",
        "Adults (18+) living with obesity",
        "els_adult_obesity_prevalence",
        "%",
        "lower_is_better",
        "annual (Nov-Nov)",
        ci=True,
        description="Active Lives survey",
    ),
    Indicator(
        "adult_smoking",
        "Adults (18+) who smoke cigarettes",
        "els_adult_cigarette_smokers",
        "%",
        "lower_is_better",
        "5-year average",
        ci=True,
        description="Annual Population Survey",
    ),
    Indicator(
        "child_poverty_bhc",
        "Children in relative low-income families, before housing costs",
        "els_children_in_relative_poverty",
        "%",
        "lower_is_better",
        "financial year",
        {"indicator": "Children in relative poverty before housing costs"},
        description="DWP",
    ),
    Indicator(
        "child_poverty_ahc",
        "Children in relative low-income families, after housing costs",
        "els_children_in_relative_poverty",
        "%",
        "lower_is_better",
        "financial year",
        {"indicator": "Children in relative poverty after housing costs"},
        description="DWP",
    ),
    Indicator(
        "gdhi_per_head",
        "Gross disposable household income per head",
        "els_gdhi_per_head",
        "£",
        "higher_is_better",
        "annual",
        description="ONS regional accounts; a wider determinant",
    ),
    Indicator(
        "asc_carer_quality_of_life",
        "Carer-reported quality of life (ASCOF)",
        "oflog_adult_social_care_outcomes_utla",
        "score (0-12)",
        "higher_is_better",
        "financial year (biennial survey)",
        {"Code": "ASC1"},
        levels=_OFLOG,
    ),
    Indicator(
        "asc_quality_of_life",
        "Social care-related quality of life: impact of services (ASCOF, adjusted)",
        "oflog_adult_social_care_outcomes_utla",
        "score",
        "higher_is_better",
        "financial year",
        {"Code": "ASC2"},
        levels=_OFLOG,
        zero_is_missing=True,
        description="A published 0 is outside the scale and read as missing",
    ),
    Indicator(
        "asc_information_users",
        "Service users who find it easy to find information (ASCOF)",
        "oflog_adult_social_care_outcomes_utla",
        "%",
        "higher_is_better",
        "financial year",
        {"Code": "ASC3"},
        levels=_OFLOG,
    ),
    Indicator(
        "asc_information_carers",
        "Carers who find it easy to find information (ASCOF)",
        "oflog_adult_social_care_outcomes_utla",
        "%",
        "higher_is_better",
        "financial year (biennial survey)",
        {"Code": "ASC4"},
        levels=_OFLOG,
    ),
    Indicator(
        "asc_short_term_outcome",
        "Short-term services with no further request for support (ASCOF)",
        "oflog_adult_social_care_outcomes_utla",
        "%",
        "higher_is_better",
        "financial year",
        {"Code": "ASC5"},
        levels=_OFLOG,
    ),
    Indicator(
        "asc_requests_to_service",
        "Requests for support resulting in a service",
        "oflog_adult_social_care_outcomes_utla",
        "rate (as published; unit not stated)",
        "neither",
        "financial year",
        {"Code": "ASC6"},
        levels=_OFLOG,
        description="Neither direction is better: the Oflog file gives no rank order",
    ),
    Indicator(
        "hi_life_expectancy",
        "Life expectancy at birth, persons (ONS Health Index input)",
        "ons_health_index_underlying_indicators_ltla21_2015_2021",
        "years",
        "higher_is_better",
        "annual",
        {"column": "life_expectancy"},
        levels=_HEALTH_INDEX,
        description="ONS Health Index underlying data; 'official statistics in development'; some "
        "years carried forward by ONS",
    ),
    Indicator(
        "hi_mortality_all_causes",
        "Mortality from all causes (ONS Health Index input)",
        "ons_health_index_underlying_indicators_ltla21_2015_2021",
        "rate per 100,000 (age-standardised)",
        "lower_is_better",
        "annual",
        {"column": "mortality_from_all_causes"},
        levels=_HEALTH_INDEX,
        description="ONS Health Index underlying data; 'official statistics in development'",
    ),
    Indicator(
        "hi_avoidable_mortality",
        "Avoidable mortality (ONS Health Index input)",
        "ons_health_index_underlying_indicators_ltla21_2015_2021",
        "rate per 100,000 (age-standardised)",
        "lower_is_better",
        "annual",
        {"column": "avoidable_mortality"},
        levels=_HEALTH_INDEX,
        description="ONS Health Index underlying data; 'official statistics in development'",
    ),
    Indicator(
        "asc_workforce_turnover",
        "Adult social care workforce turnover rate",
        "oflog_adult_social_care_outcomes_utla",
        "%",
        "lower_is_better",
        "financial year",
        {"Code": "ASC7"},
        levels=_OFLOG,
        description="Skills for Care; lower turnover read as better (assumption: the Oflog file gives no rank order)",
    ),
)
_BY_ID = {i.id: i for i in INDICATORS}

#: Superseded upper-tier or combined-area code → (successor codes, exact?, why). Applied to every source.
COUNTY_SUCCESSORS: dict[str, tuple[tuple[str, ...], bool, str]] = {
    "E10000023": (("E06000065",), True, "North Yorkshire county became a unitary authority, same area (2023)"),
    "E10000027": (("E06000066",), True, "Somerset county became a unitary authority, same area (2023)"),
    "E10000002": (("E06000060",), True, "Buckinghamshire county became a unitary authority, same area (2020)"),
    "E10000006": (
        ("E06000063", "E06000064"),
        False,
        "Cumbria split into Cumberland and Westmorland and Furness (2023): the county value is given to both",
    ),
    "E10000021": (
        ("E06000061", "E06000062"),
        False,
        "Northamptonshire split into North and West Northamptonshire (2021): the county value is given to both",
    ),
    "E10000009": (("E06000059",), False, "Dorset county, less Christchurch, became Dorset unitary authority (2019)"),
    # Combined-area codes some publishers use where one area is too small to publish alone: the value is
    # given to the larger area only (the small one, ~8,600 or ~2,100 residents, stays without a value).
    "E67000001": (("E09000012",), False, "value for Hackney and City of London combined"),
    "E67000002": (("E06000052",), False, "value for Cornwall and Isles of Scilly combined"),
}


def indicator(indicator_id: str) -> Indicator:
    """One indicator's definition; unknown ids raise with the closest matches and the full list."""
    if indicator_id not in _BY_ID:
        raise UnknownChoiceError("indicator", indicator_id, _BY_ID, show=len(_BY_ID))
    return _BY_ID[indicator_id]


# ---------------------------------------------------------------------------------------------------------
# Period parsing: every family to (period label, first year, last year)


def _els_periods(period: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    parts = period.str.extract(r"^(\d{4})-(\d{2})-\d{2}/P(\d+)Y$")
    start, month, span = parts[0].astype(int), parts[1].astype(int), parts[2].astype(int)
    end = start + span - 1 + (month > 1).astype(int)
    calendar = np.where(span == 1, start.astype(str), start.astype(str) + "-" + (end % 100).map("{:02d}".format))
    split_year = start.astype(str) + "/" + ((start + 1) % 100).map("{:02d}".format)
    label = np.where((month > 1) & (span == 1), split_year, calendar)
    return pd.Series(label, index=period.index), start, end


def _span_periods(period: pd.Series, fiscal: bool) -> tuple[pd.Series, pd.Series, pd.Series]:
    """'2015 - 17' (Fingertips) or '2022-23' (Oflog financial year) or '2014' (single year)."""
    parts = period.astype(str).str.extract(r"^(\d{4})(?:\s*-\s*(\d{2}))?$")
    start = parts[0].astype(int)
    end2 = parts[1].fillna("").map(lambda s: int(s) if s else -1)
    raw_end = np.where(end2 < 0, start, start // 100 * 100 + end2)
    end = pd.Series(np.where(raw_end < start, raw_end + 100, raw_end), index=period.index)
    sep = "/" if fiscal else "-"
    label = np.where(end2 < 0, start.astype(str), start.astype(str) + sep + (end % 100).map("{:02d}".format))
    return pd.Series(label, index=period.index), start, end


# ---------------------------------------------------------------------------------------------------------
# Raw loaders per source family: columns code, name, period, year, year_end, value, lci, uci, note


def _pick(frame: pd.DataFrame, select: dict[str, str | int]) -> pd.DataFrame:
    mask = np.ones(len(frame), dtype=bool)
    for col, value in select.items():
        mask &= (frame[col] == value).to_numpy()
    return frame[mask]


def _raw_els(ind: Indicator) -> pd.DataFrame:
    f = _pick(data.load(ind.dataset), ind.select)
    f = f[f["geography"] != "ITL Level 2"]
    label, start, end = _els_periods(f["period"])
    note = f["status"].astype("string").fillna("").astype(str).replace({"u": "low reliability"})
    return pd.DataFrame(
        {
            "code": f["areacd"],
            "name": f["areanm"],
            "period": label,
            "year": start,
            "year_end": end,
            "value": f["observation"],
            "lci": f["lci_95"],
            "uci": f["uci_95"],
            "note": note,
        }
    )


def _raw_fingertips(ind: Indicator) -> pd.DataFrame:
    f = _pick(data.load(ind.dataset), ind.select)
    label, start, end = _span_periods(f["period"], fiscal=False)
    note = ("compared with England: " + f["compared_to_England"].astype(str)).where(
        f["compared_to_England"] != "Not compared", ""
    )
    return pd.DataFrame(
        {
            "code": f["area_code"],
            "name": f["area_name"],
            "period": label,
            "year": start,
            "year_end": end,
            "value": f["value"],
            "lci": np.nan,
            "uci": np.nan,
            "note": note,
        }
    )


def _raw_oflog(ind: Indicator) -> pd.DataFrame:
    f = _pick(data.load(ind.dataset), ind.select)
    label, start, end = _span_periods(f["Financial year"], fiscal=True)
    return pd.DataFrame(
        {
            "code": f["Local authority code"],
            "name": f["Local authority name"],
            "period": label,
            "year": start,
            "year_end": end,
            "value": f["Value"],
            "lci": np.nan,
            "uci": np.nan,
            "note": "",
        }
    )


def _raw_health_index(ind: Indicator) -> pd.DataFrame:
    """One column of the ONS Health Index wide file (one row per LTLA and year)."""
    f = data.load(ind.dataset)
    column = str(ind.select["column"])
    year = f["year"].astype(np.int64)
    return pd.DataFrame(
        {
            "code": f["ltla21_code"],
            "name": "",
            "period": year.astype(str),
            "year": year,
            "year_end": year,
            "value": f[column],
            "lci": np.nan,
            "uci": np.nan,
            "note": "",
        }
    )


def _raw(ind: Indicator) -> pd.DataFrame:
    if ind.dataset.startswith("ons_health_index_"):
        return _raw_health_index(ind)
    if ind.dataset.startswith("els_"):
        return _raw_els(ind)
    if ind.dataset.startswith("ohid_fingertips_"):
        return _raw_fingertips(ind)
    return _raw_oflog(ind)


# ---------------------------------------------------------------------------------------------------------
# Code normalisation


@cache
def _level_of_code() -> pd.DataFrame:
    """(code, level, name) for every area at the local-government levels outcome data sits at."""
    frames = [geography.areas(level)[["code", "name"]].assign(level=level) for level in NATIVE_LEVELS]
    return pd.concat(frames, ignore_index=True)


def normalise_codes(raw: pd.DataFrame, levels: tuple[str, ...] = NATIVE_LEVELS) -> pd.DataFrame:
    """Map codes to devocare's, place each at every level (of ``levels``) it belongs to, drop the rest.

    Where a superseded code and its successor both have a value for a period, the successor's own value wins.
    """
    raw = raw.assign(code=raw["code"].astype(str).map(geography.canonical_code), approximate=False)
    succ = raw[raw["code"].isin(list(COUNTY_SUCCESSORS))]
    mapped = []
    for old, (new_codes, exact, why) in COUNTY_SUCCESSORS.items():
        rows = succ[succ["code"] == old]
        for new in new_codes:
            mapped.append(rows.assign(code=new, approximate=not exact, successor=1, note=f"from {old}: {why}"))
    frame = pd.concat([raw.assign(successor=0), *mapped], ignore_index=True)
    places = _level_of_code()
    frame = frame.drop(columns="name").merge(places[places["level"].isin(levels)], on="code", how="inner")
    frame = frame.sort_values(["level", "code", "year", "year_end", "successor"])
    frame = frame.drop_duplicates(["level", "code", "period"], keep="first").drop(columns="successor")
    return frame


def _tidy(frame: pd.DataFrame, ind: Indicator) -> pd.DataFrame:
    out = frame.assign(count=np.nan, denominator=np.nan)
    out["note"] = out["note"].fillna("").astype(str)
    if ind.zero_is_missing:
        out.loc[out["value"] == 0, "value"] = np.nan
    out = out.dropna(subset=["value"])
    out = out[TIDY_COLUMNS].sort_values(["level", "code", "year"]).reset_index(drop=True)
    for col in ("year", "year_end"):
        out[col] = out[col].astype(np.int64)
    out["approximate"] = out["approximate"].astype(bool)
    return out


@cache
def _load(indicator_id: str) -> pd.DataFrame:
    ind = indicator(indicator_id)
    return _tidy(normalise_codes(_raw(ind), ind.levels), ind)


def load_indicator(indicator_id: str) -> pd.DataFrame:
    """One indicator as a tidy frame at every level it is published at (a fresh copy).

    Columns: ``code, name, level, period, year, year_end, value, lci, uci, count, denominator,
    approximate, note``. ``lci``/``uci`` are the published 95% confidence limits where given; none of the
    shipped files publishes counts or denominators, so those columns are empty (kept for data that will).
    """
    return _load(indicator_id).copy()


#: A level counts as published when its best-covered period has a value for at least this share of its
#: areas (assumption: below that, e.g. healthy life expectancy for unitary districts only, the level is a
#: partial listing rather than a published level).
MIN_COVERAGE = 0.8


@cache
def _area_counts() -> dict[str, int]:
    return {str(k): int(v) for k, v in _level_of_code().groupby("level").size().items()}


@cache
def _published(indicator_id: str) -> tuple[str, ...]:
    frame = _load(indicator_id)
    best = frame.groupby(["level", "period"]).size().groupby("level").max()
    counts = _area_counts()
    return tuple(lvl for lvl in NATIVE_LEVELS if lvl in best and best[lvl] >= MIN_COVERAGE * counts[lvl])


def published_levels(indicator_id: str) -> list[str]:
    """Levels an indicator is published at in the shipped data (others are reached by aggregation)."""
    return list(_published(indicator_id))


def periods(indicator_id: str, level: str | None = None) -> list[str]:
    """Period labels in time order (optionally only those with data at ``level``)."""
    frame = _load(indicator_id)
    if level is not None:
        frame = frame[frame["level"] == level]
    ordered = frame.drop_duplicates("period").sort_values(["year", "year_end"])
    return list(ordered["period"])


def select_period(indicator_id: str, period: str | int = "latest", level: str | None = None) -> str:
    """Resolve ``latest``, a period label ("2022-24", "2022/23") or a year (first year of the period)."""
    labels = periods(indicator_id, level)
    if not labels:
        raise DevocareError(f"indicator {indicator_id!r} has no data at level {level!r}")
    text = str(period).strip()
    if text == "latest":
        return labels[-1]
    if text in labels:
        return text
    if re.fullmatch(r"\d{4}", text):
        hits = [p for p in labels if p.startswith(text)]
        if hits:
            return hits[-1]
    raise UnknownChoiceError(f"period for {indicator_id}", text, ["latest", *labels], show=40)


def catalogue() -> pd.DataFrame:
    """Every indicator: id, title, unit, polarity, period type, periods, levels, source, licence, CI/counts."""
    cat = data.catalogue()
    rows = []
    for ind in INDICATORS:
        ds = cat[ind.dataset]
        labels = periods(ind.id)
        row = asdict(ind)
        row.pop("select")
        rows.append(
            {
                **row,
                "first_period": labels[0],
                "latest_period": labels[-1],
                "n_periods": len(labels),
                "levels": ", ".join(published_levels(ind.id)),
                "publisher": ds.publisher,
                "licence": ds.licence,
                "source": f"{ds.source} ({ind.dataset})",
            }
        )
    cols = [
        "id",
        "title",
        "unit",
        "polarity",
        "period_type",
        "first_period",
        "latest_period",
        "n_periods",
        "levels",
        "ci",
        "counts",
        "dataset",
        "publisher",
        "licence",
        "source",
        "description",
    ]
    return pd.DataFrame(rows)[cols]
