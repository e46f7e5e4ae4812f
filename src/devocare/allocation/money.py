"""£ allocations: NHS England's published ICB allocation lines split to practices by need, then summed to
any geography, in whole pence so that nothing is created or lost.

Each ICB's published line (in £ thousands with many decimals) becomes an integer number of pence
(rounded half up); that is split over the ICB's practices in proportion to the line's need weight by
the largest-remainder method, so the practice pence add up to the published figure exactly. Areas are
sums of practices (each practice sits in one ICB and one 2024 LAD), so a LAD split across ICBs simply
receives money from each, and every level adds up to the England total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from devocare import data
from devocare.allocation.need import place_practices
from devocare.allocation.practices import check_year, practices
from devocare.errors import DevocareError, UnknownChoiceError


@dataclass(frozen=True)
class Line:
    """One published allocation line and how it is split below ICB level."""

    title: str
    weight: str  # practice column the line is split by
    weight_source: str  # why that weight (a cited formula, or an assumption)


LINES: dict[str, Line] = {
    "core": Line(
        "ICB core services (total allocation incl. non-recurrent lines)",
        "wp_core_overall",
        "NHS England core formula: the overall core weighted population (PROVENANCE.md, 'Final WP')",
    ),
    "pmc": Line(
        "Primary medical care (delegated GP contracts)",
        "wp_primary_medical_care_final",
        "NHS England primary medical care formula: 'Final PMC WP' (PROVENANCE.md)",
    ),
    "other_primary_care": Line(
        "Other primary care (pharmacy, optometry, dental), 2023/24-2024/25",
        "wp_primary_medical_care_final",
        "assumption: no practice-level weight published; primary medical care need used",
    ),
    "pod": Line(
        "Pharmacy, optometry and dental (POD), 2025/26",
        "population",
        "assumption: no practice-level weight published; registered population used",
    ),
    "specialised": Line(
        "Delegated specialised services (physical + mental health), 2025/26",
        "wp_core_overall",
        "assumption: no practice-level specialised need published; core need used",
    ),
    "running_costs": Line(
        "ICB running-cost allowance",
        "population",
        "assumption: the allowance is set per head; registered population used",
    ),
}
LINE_IDS: tuple[str, ...] = tuple(LINES)

#: (year, line) → (dataset id, £k column) of the ICB rows in NHS England's allocation workbooks.
SOURCES: dict[tuple[str, str], tuple[str, str]] = {
    ("2023/24", "core"): (
        "nhse_icb_allocations_2023_25_icb_core_allocations_2023_24",
        "2023/24 Combined allocation (inc. COVID, additional elective, discharge, and capacity) (£k)",
    ),
    ("2023/24", "pmc"): ("nhse_icb_allocations_2023_25_pmc_allocations_2023_24", "2023/24 Recurrent allocation (£k)"),
    ("2023/24", "other_primary_care"): (
        "nhse_icb_allocations_2023_25_other_primary_care",
        "2023/24 Recurrent allocation £k",
    ),
    ("2023/24", "running_costs"): ("nhse_icb_allocations_2023_25_icb_running_cost_allowance", "2023/24 £k"),
    ("2024/25", "core"): (
        "nhse_icb_allocations_2023_25_icb_core_allocations_2024_25",
        "2024/25 Combined allocation (inc. COVID, additional elective and discharge) (£k)",
    ),
    ("2024/25", "pmc"): ("nhse_icb_allocations_2023_25_pmc_allocations_2024_25", "2024/25 Recurrent allocation (£k)"),
    ("2024/25", "other_primary_care"): (
        "nhse_icb_allocations_2023_25_other_primary_care",
        "2024/25 Recurrent allocation £k",
    ),
    ("2024/25", "running_costs"): ("nhse_icb_allocations_2023_25_icb_running_cost_allowance", "2024/25 £k"),
    ("2025/26", "core"): ("nhse_icb_allocations_2025_26_icb_core_allocations_2025_26", "2025/26 Total allocation (£k)"),
    ("2025/26", "pmc"): ("nhse_icb_allocations_2025_26_pmc_allocation_2025_26", "Revised recurrent allocation (£k)"),
    ("2025/26", "specialised"): (
        "nhse_icb_allocations_2025_26_specialised_allocations_2025_26",
        "2025/26 Physical health services + MH resource allocation (£k)",
    ),
    ("2025/26", "pod"): ("nhse_icb_allocations_2025_26_pod_allocation_2025_26", "2025/26 Total allocation (£k)"),
    ("2025/26", "running_costs"): ("nhse_icb_allocations_2025_26_icb_running_cost_allowance", "2025/26 (£k)"),
}
MONEY_YEARS: tuple[str, ...] = ("2023/24", "2024/25", "2025/26")
MONEY_LEVELS: tuple[str, ...] = ("practice", "lad", "utla", "ca", "ons_region", "icb", "region", "england")
OUTSIDE_CA = ("", "Outside any combined authority")


# --------------------------------------------------------------------------- pure arithmetic


def pence(gbp_thousands: np.ndarray) -> np.ndarray:
    """£ thousands → whole pence, rounded half up (the published figure to the penny)."""
    return np.floor(np.asarray(gbp_thousands, dtype=float) * 100_000 + 0.5).astype(np.int64)


def split_pence(totals: np.ndarray, group: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split integer totals (one per group) over members in proportion to weights, to the penny.

    Largest-remainder method, vectorised over all groups: each member gets the floor of its exact
    share, and the pennies left over go to the largest fractional remainders (ties: first member), so
    every group's parts add up to its total exactly.
    """
    totals = np.asarray(totals, dtype=np.int64)
    group = np.asarray(group, dtype=np.int64)
    weights = np.asarray(weights, dtype=float)
    if (weights < 0).any() or not np.isfinite(weights).all():
        raise DevocareError("split weights must be finite and non-negative")
    wsum = np.bincount(group, weights=weights, minlength=len(totals))
    empty = (wsum <= 0) & (totals != 0)
    if empty.any():
        raise DevocareError(f"cannot split a non-zero total over zero weight (groups {np.flatnonzero(empty).tolist()})")
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = np.where(wsum[group] > 0, totals[group] * (weights / wsum[group]), 0.0)
    base = np.floor(exact).astype(np.int64)
    short = totals - np.bincount(group, weights=base, minlength=len(totals)).astype(np.int64)
    remainder = exact - base
    order = np.lexsort((-remainder, group))  # by group, largest remainder first
    sorted_group = group[order]
    starts = np.searchsorted(sorted_group, sorted_group)  # first position of each member's group
    rank = np.arange(len(order)) - starts
    size = np.bincount(group, minlength=len(totals))[sorted_group]
    s = short[sorted_group]
    adjust = np.where(s >= 0, (rank < s).astype(np.int64), -(rank >= size + s).astype(np.int64))
    out = base.copy()
    out[order] += adjust
    return out


# --------------------------------------------------------------------------- published data


def check_money_year(year: str) -> str:
    """Validate a year with published ICB allocations."""
    year = check_year(year)
    if year not in MONEY_YEARS:
        raise UnknownChoiceError("allocation year", year, MONEY_YEARS)
    return year


def lines_for(year: str) -> list[str]:
    """Allocation lines published for a year."""
    return [line for (y, line) in SOURCES if y == year]


def check_lines(year: str, lines: list[str] | None) -> list[str]:
    """Validate allocation line ids for a year (None: all published lines)."""
    available = lines_for(year)
    if lines is None:
        return available
    for line in lines:
        if line not in LINES:
            raise UnknownChoiceError("allocation line", line, LINE_IDS)
        if line not in available:
            raise UnknownChoiceError(f"allocation line for {year}", line, available)
    return list(dict.fromkeys(lines))


def published(year: str, line: str) -> pd.DataFrame:
    """ICB rows of one published line: icb_code (ODS), icb_name, gbp_k, pence; attrs: region-held £k."""
    dataset, column = SOURCES[(year, line)]
    df = data.load(dataset)
    icb = df[df["level"] == "ICB"]
    out = pd.DataFrame(
        {
            "icb_code": icb["icb_code"].astype(str).to_numpy(),
            "icb_name": icb["icb_name"].to_numpy(),
            "gbp_k": icb[column].astype(float).to_numpy(),
        }
    )
    out["pence"] = pence(out["gbp_k"].to_numpy())
    held = df.loc[df["level"] == "NHSE_region_held", column].astype(float).sum()
    out.attrs.update(
        {
            "region_held_gbp_k": float(held),
            "england_gbp_k": float(df.loc[df["level"] == "England", column].astype(float).sum()),
            "source": f"{dataset}: {column}",
        }
    )
    return out


# --------------------------------------------------------------------------- API


def practice_money(year: str, lines: list[str] | None = None) -> pd.DataFrame:
    """Every practice's pence per line: the ICB lines split by need (long: practice, line, pence)."""
    year = check_money_year(year)
    lines = check_lines(year, lines)
    table = practices(year, as_allocated=True)
    icb_codes, icb_id = np.unique(table["icb_code"].to_numpy(), return_inverse=True)
    frames = []
    for line in lines:  # a handful of lines; the split itself is vectorised over all ICBs and practices
        pub = published(year, line).set_index("icb_code")
        missing = sorted(set(icb_codes) - set(pub.index))
        if missing:
            raise DevocareError(f"{line} {year}: no published allocation for ICB(s) {', '.join(missing)}")
        weights = table[LINES[line].weight].fillna(0.0).to_numpy()
        parts = split_pence(pub.loc[icb_codes, "pence"].to_numpy(), icb_id, weights)
        frames.append(
            pd.DataFrame(
                {
                    "practice_code": table["practice_code"].to_numpy(),
                    "icb_code": table["icb_code"],
                    "lad_code": table["lad_code"],
                    "line": line,
                    "weight": weights,
                    "pence": parts,
                    "population": table["population"].to_numpy(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _area_of(level: str, per_practice: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """Area code of each practice row at ``level`` (all levels used here nest), and area names."""
    from devocare import geography

    if level == "practice":
        names = practices("2024/25")  # names only
        return per_practice["practice_code"], pd.DataFrame({"code": per_practice["practice_code"].unique()}).assign(
            name=lambda d: d["code"].map(names.set_index("practice_code")["practice_name"])
        )
    if level in ("icb", "region"):
        icb = geography.areas("icb", 2024)[["code", "alt_code"]]
        e54 = per_practice["icb_code"].map(icb.set_index("alt_code")["code"])
        if level == "icb":
            return e54, geography.areas("icb", 2024)[["code", "name"]]
        up = geography.membership("icb", "region").set_index("from_code")["to_code"]
        return e54.map(up), geography.areas("region")[["code", "name"]]
    names = geography.areas(level)[["code", "name"]]
    if level == "lad":
        return per_practice["lad_code"], names
    m = geography.membership("lad", level)
    up = m[m["share"] > 0.999999].set_index("from_code")["to_code"]
    code = per_practice["lad_code"].map(up)
    if level == "ca":
        code = code.fillna(OUTSIDE_CA[0])
        names = pd.concat([names, pd.DataFrame([{"code": OUTSIDE_CA[0], "name": OUTSIDE_CA[1]}])], ignore_index=True)
    return code, names


def money(year: str, level: str = "lad", lines: list[str] | None = None) -> pd.DataFrame:
    """£ by area and allocation line: NHS England's published ICB lines split by need and summed up.

    Columns: year, level, code, name, line, population (registered), weighted_population (the line's
    split weight), pence (int), gbp, gbp_per_head. Every line sums over areas to the total of the
    published ICB rows to the penny (NHS England's regionally held budgets are not area-allocated; see
    ``attrs["region_held_gbp_k"]``). At ``ca`` level one extra row holds the areas outside any combined
    authority, so that every level adds up to England.
    """
    if level not in MONEY_LEVELS:
        raise UnknownChoiceError("allocation level", level, MONEY_LEVELS)
    year = check_money_year(year)
    per = practice_money(year, lines)
    code, names = _area_of(level, per)
    if code.isna().any():
        raise DevocareError(f"internal data error: practices without a {level}")
    grouped = (
        per.assign(code=code.to_numpy())
        .groupby(["code", "line"], sort=False)
        .agg(population=("population", "sum"), weighted_population=("weight", "sum"), pence=("pence", "sum"))
    )
    out = grouped.reset_index().merge(names, on="code", how="left")
    out.insert(0, "level", level)
    out.insert(0, "year", year)
    out["gbp"] = out["pence"] / 100.0
    out["gbp_per_head"] = out["gbp"] / out["population"]
    cols = [
        "year",
        "level",
        "code",
        "name",
        "line",
        "population",
        "weighted_population",
        "pence",
        "gbp",
        "gbp_per_head",
    ]
    order = {line: i for i, line in enumerate(LINE_IDS)}
    out = out[cols].sort_values(["line", "code"], key=lambda s: s.map(order) if s.name == "line" else s)
    out.attrs["region_held_gbp_k"] = {
        line: published(year, line).attrs["region_held_gbp_k"] for line in out["line"].unique()
    }
    return out.reset_index(drop=True)


def place_money(
    year: str,
    icb: str,
    places: Mapping[str, Sequence[str]] | None = None,
    place_level: str | None = None,
    lines: list[str] | None = None,
) -> pd.DataFrame:
    """£ by place inside one ICB and allocation line: the ICB's practice pence summed over each place.

    Places as in :func:`devocare.allocation.need.place_indices`: ``places`` (name → practice codes) or
    ``place_level`` (lad, utla, ca, sicb, pcn). Columns: year, icb_code, place_code, place, line, practices,
    population, pence (int), gbp, gbp_per_head. When every practice of the ICB is in a place, each line sums
    to the ICB's published figure to the penny; practices in no place are in ``attrs["uncovered"]``.
    """
    year = check_money_year(year)
    members = place_practices(year, icb, places, place_level, as_allocated=True)
    per = practice_money(year, lines)
    icb_code = members.attrs["icb_code"]
    joined = per[per["icb_code"] == icb_code].merge(
        members[["practice_code", "place_code", "place"]], on="practice_code", how="inner"
    )
    out = joined.groupby(["place_code", "place", "line"], sort=False, as_index=False).agg(
        practices=("practice_code", "size"), population=("population", "sum"), pence=("pence", "sum")
    )
    out.insert(0, "icb_code", icb_code)
    out.insert(0, "year", year)
    out["gbp"] = out["pence"] / 100.0
    out["gbp_per_head"] = out["gbp"] / out["population"]
    out.attrs["uncovered"] = members.attrs["uncovered"]
    return out


def published_targets(year: str, line: str = "core") -> pd.DataFrame:
    """NHS England's published fair-shares targets per ICB (£k) for core or primary medical care."""
    year = check_money_year(year)
    columns = {
        ("2023/24", "core"): "2022/23 Fair Shares Target (£k)",
        ("2024/25", "core"): "2023/24 Fair shares target (inc. COVID)",
        ("2025/26", "core"): "2024/25 Fair shares target (£k)",
        ("2023/24", "pmc"): "2022/23 Fair Shares Target (£k)",
        ("2024/25", "pmc"): "2023/24 Fair Shares Target (£k)",
        ("2025/26", "pmc"): "2024/25 Fair shares target",
    }
    if (year, line) not in columns:
        raise UnknownChoiceError("line with a published target", line, ["core", "pmc"])
    dataset = SOURCES[(year, line)][0]
    df = data.load(dataset)
    icb = df[df["level"] == "ICB"]
    return pd.DataFrame(
        {
            "icb_code": icb["icb_code"].astype(str).to_numpy(),
            "icb_name": icb["icb_name"].to_numpy(),
            "target_gbp_k": icb[columns[(year, line)]].astype(float).to_numpy(),
        }
    )
