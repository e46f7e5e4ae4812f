"""Area levels, codes, membership and populations for England: the one place geography lives.

Every level is built from the same base, the 33,755 LSOAs (2021) with their Census 2021 residents, each
assigned to one area at every level. Membership between any two levels is therefore a population
cross-tabulation: exact (0/1) where areas nest, population-weighted where they do not (13 LADs are split
across ICBs). Populations for years other than 2021 come from the ONS mid-year estimates for LADs,
summed up the local-government hierarchy (exact) or spread to NHS geographies by the Census 2021 overlap
shares (an approximation, flagged as such).

Levels: ``lsoa``, ``sicb`` (sub-ICB location), ``icb`` (42 ICBs of 2024, or the 36 of April 2026 with
``vintage=2026``), ``region`` (7 NHS England regions), ``lad``, ``utla``, ``ca`` (combined authorities and
the GLA), ``ons_region`` (9), ``england``.

Code changes handled explicitly (:data:`CODE_ALIASES`): the 2025 LAD recodes of Barnsley and Sheffield,
the April 2024 ICB recodes of Surrey Heartlands and Sussex; ODS codes (QWO, Y63, 02P...) are accepted for
NHS bodies. The April 2026 ICB mergers are the ``vintage=2026`` ICB level: sub-ICB locations are assigned
to the new ICB that holds their practices' registered patients (NHS England 2026/27 place-based tool), and
the one sub-ICB that the mergers split (Frimley, D4U1Y) is split by local authority district.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Literal

import numpy as np
import pandas as pd

from devocare import data
from devocare.errors import DevocareError, UnknownChoiceError

LEVELS: tuple[str, ...] = ("lsoa", "sicb", "icb", "region", "lad", "utla", "ca", "ons_region", "england")
LEVEL_TITLES: dict[str, str] = {
    "lsoa": "Lower layer super output area (2021)",
    "sicb": "Sub-ICB location (2024)",
    "icb": "Integrated care board",
    "region": "NHS England region",
    "lad": "Local authority district (2024)",
    "utla": "Upper-tier local authority (2025 set, 2024 codes)",
    "ca": "Combined authority (incl. Greater London Authority, 2025)",
    "ons_region": "Region (ONS)",
    "england": "England",
}
VINTAGES: tuple[int, ...] = (2024, 2026)
ENGLAND = "E92000001"
Vintage = Literal[2024, 2026]

#: Old or alternative code → canonical code, with the reason. Applied wherever a code is read.
CODE_ALIASES: dict[str, tuple[str, str]] = {
    "E08000038": ("E08000016", "Barnsley: 2025 LAD code; 2024 code used throughout"),
    "E08000039": ("E08000019", "Sheffield: 2025 LAD code; 2024 code used throughout"),
    "E54000052": ("E54000063", "Surrey Heartlands ICB: recoded April 2024"),
    "E54000053": ("E54000064", "Sussex ICB: recoded April 2024"),
}

# The level column in the LSOA base frame for each level/vintage.
_COLUMN = {
    "lsoa": "lsoa",
    "sicb": "sicb",
    "icb": "icb",
    "region": "region",
    "lad": "lad",
    "utla": "utla",
    "ca": "ca",
    "ons_region": "ons_region",
    "england": "england",
}
_NESTS_IN_LAD = {"lad", "utla", "ca", "ons_region", "england"}


def _col(level: str, vintage: int) -> str:
    return "icb26" if level == "icb" and vintage == 2026 else _COLUMN[level]


def check_level(level: str) -> str:
    """Validate an area level name."""
    if level not in LEVELS:
        raise UnknownChoiceError("area level", level, LEVELS)
    return level


def check_vintage(vintage: int | str) -> int:
    """Validate an ICB vintage (2024: 42 ICBs; 2026: 36 ICBs)."""
    try:
        value = int(vintage)
    except (TypeError, ValueError):
        raise UnknownChoiceError("vintage", vintage, VINTAGES) from None
    if value not in VINTAGES:
        raise UnknownChoiceError("vintage", vintage, VINTAGES)
    return value


def canonical_code(code: str) -> str:
    """Map a superseded or alternative code to the code devocare uses (see :data:`CODE_ALIASES`)."""
    code = str(code).strip()
    return CODE_ALIASES.get(code.upper(), (code, ""))[0]


@lru_cache(maxsize=1)
def _icb26_of_practices() -> pd.DataFrame:
    """Practices with their 2024 sub-ICB, 2024 LAD and 2026 ICB, weighted by registered patients."""
    p26 = data.load("icbtool_2026_27")[["Practice_Code", "ICB", "ICBname", "RCode", "Registered Patients"]]
    p24 = data.load("aif_2024_25")[["Practice_Code", "CCG21"]]
    lad = data.load("gp_practices_icb_region_lad_2025_26")[["practice_code", "lad24cd"]]
    sicb = data.load("sicbl24_icb24_nhser24_england")[["sicbl24cd", "sicbl24cdh"]]
    df = (
        p26.merge(p24, on="Practice_Code", how="inner")
        .merge(lad, left_on="Practice_Code", right_on="practice_code", how="left")
        .merge(sicb, left_on="CCG21", right_on="sicbl24cdh", how="inner")
    )
    return df.rename(columns={"ICB": "icb26", "Registered Patients": "patients"})


def _assign_icb26(base: pd.DataFrame) -> pd.Series:
    """2026 ICB for each LSOA: majority ICB of practices in its (sub-ICB, LAD) cell, else its sub-ICB."""
    prac = _icb26_of_practices()
    by_cell = (
        prac.groupby(["sicbl24cd", "lad24cd", "icb26"])["patients"]
        .sum()
        .reset_index()
        .sort_values("patients")
        .drop_duplicates(["sicbl24cd", "lad24cd"], keep="last")
    )
    by_sicb = (
        prac.groupby(["sicbl24cd", "icb26"])["patients"]
        .sum()
        .reset_index()
        .sort_values("patients")
        .drop_duplicates("sicbl24cd", keep="last")
    )
    cell = base.merge(by_cell, left_on=["sicb", "lad"], right_on=["sicbl24cd", "lad24cd"], how="left")["icb26"]
    fallback = base.merge(by_sicb, left_on="sicb", right_on="sicbl24cd", how="left")["icb26"]
    result = cell.fillna(fallback)
    if result.isna().any():
        raise DevocareError("internal data error: LSOAs without a 2026 ICB")
    return result.set_axis(base.index)


@lru_cache(maxsize=1)
def lsoa_base() -> pd.DataFrame:
    """One row per LSOA with its area at every level and its Census 2021 usual residents."""
    lk = data.load("lsoa21_sicbl24_icb24_lad24_england")
    hier = data.load("lad25_utla25_cauth25_rgn25_england")
    icb = data.load("icb24_nhser24_england")
    base = pd.DataFrame(
        {
            "lsoa": lk["lsoa21cd"],
            "sicb": lk["sicbl24cd"],
            "icb": lk["icb24cd"],
            "lad": lk["lad24cd"],
            "pop21": lk["census21_usual_residents"].astype(np.int64),
        }
    )
    base = base.merge(
        hier[["lad24cd", "utla25cd", "cauth25cd", "rgn25cd"]],
        left_on="lad",
        right_on="lad24cd",
        how="left",
        validate="many_to_one",
    )
    base = base.merge(
        icb[["icb24cd", "nhser24cd"]], left_on="icb", right_on="icb24cd", how="left", validate="many_to_one"
    )
    base = base.rename(columns={"utla25cd": "utla", "cauth25cd": "ca", "rgn25cd": "ons_region", "nhser24cd": "region"})
    base["utla"] = base["utla"].map(canonical_code)
    base["england"] = ENGLAND
    base["icb26"] = _assign_icb26(base)
    cols = ["lsoa", "sicb", "icb", "icb26", "region", "lad", "utla", "ca", "ons_region", "england", "pop21"]
    return base[cols].reset_index(drop=True)


@cache
def _names(level: str, vintage: int) -> pd.DataFrame:
    """code, name, alt_code (ODS or superseded code) for every area at a level."""
    if level == "lsoa":
        lk = data.load("lsoa21_sicbl24_icb24_lad24_england")
        return pd.DataFrame({"code": lk["lsoa21cd"], "name": lk["lsoa21nm"], "alt_code": ""})
    if level == "sicb":
        s = data.load("sicbl24_icb24_nhser24_england")
        return pd.DataFrame({"code": s["sicbl24cd"], "name": s["sicbl24nm"], "alt_code": s["sicbl24cdh"]})
    if level == "icb" and vintage == 2024:
        s = data.load("icb24_nhser24_england")
        return pd.DataFrame({"code": s["icb24cd"], "name": s["icb24nm"], "alt_code": s["icb24cdh"]})
    if level == "icb":
        s = data.load("icbtool_2026_27")[["ICB", "ICBname"]].drop_duplicates("ICB")
        return pd.DataFrame({"code": s["ICB"], "name": s["ICBname"], "alt_code": ""}).reset_index(drop=True)
    if level == "region":
        s = data.load("icb24_nhser24_england")[["nhser24cd", "nhser24nm", "nhser_ods_code"]].drop_duplicates()
        return pd.DataFrame(
            {"code": s["nhser24cd"], "name": "NHS England " + s["nhser24nm"], "alt_code": s["nhser_ods_code"]}
        ).reset_index(drop=True)
    h = data.load("lad25_utla25_cauth25_rgn25_england")
    if level == "lad":
        alt = np.where(h["lad25cd"] != h["lad24cd"], h["lad25cd"], "")
        return pd.DataFrame({"code": h["lad24cd"], "name": h["lad25nm"], "alt_code": alt})
    if level == "england":
        return pd.DataFrame({"code": [ENGLAND], "name": ["England"], "alt_code": [""]})
    cd, nm = {"utla": ("utla25cd", "utla25nm"), "ca": ("cauth25cd", "cauth25nm"), "ons_region": ("rgn25cd", "rgn25nm")}[
        level
    ]
    s = h[[cd, nm]].dropna().drop_duplicates(cd)
    codes = s[cd].map(canonical_code)  # Barnsley and Sheffield keep their 2024 codes at every level
    alt = np.where(codes != s[cd], s[cd], "")
    return pd.DataFrame({"code": codes, "name": s[nm], "alt_code": alt}).reset_index(drop=True)


@lru_cache(maxsize=1)
def _lad_population_table() -> pd.DataFrame:
    """ONS mid-year population per LAD (rows) and year (columns), 1991-2024, 2024 LAD codes."""
    mye = data.load("ons_mye_population_total_england_1991_2024")
    lads = _names("lad", 2024)["code"]
    table = mye[mye["areacd"].isin(lads)].pivot_table(
        index="areacd", columns="year", values="population", aggfunc="sum"
    )
    return table.reindex(lads).astype(np.int64)


def population_years() -> list[int]:
    """Years with ONS mid-year population estimates shipped."""
    return [int(y) for y in _lad_population_table().columns]


def population(level: str, year: int = 2024, vintage: int = 2024) -> pd.DataFrame:
    """Population per area: code, name, population, exact (bool).

    LAD-nested levels (LAD, UTLA, CA, ONS region, England) sum ONS mid-year estimates exactly. NHS
    levels (sub-ICB, ICB, NHS region) spread each LAD's estimate by its Census 2021 overlap shares, which
    is exact except for the 13 LADs split across ICBs (``exact`` is False for areas containing one).
    ``year=2021`` at LSOA level gives Census 2021 residents.
    """
    check_level(level)
    vintage = check_vintage(vintage)
    names = _names(level, vintage)
    if level == "lsoa":
        if year != 2021:
            raise DevocareError("LSOA populations are Census 2021 only; use year=2021")
        base = lsoa_base().set_index("lsoa")["pop21"]
        return names.assign(population=names["code"].map(base).astype(np.int64), exact=True)
    table = _lad_population_table()
    if year not in table.columns:
        raise UnknownChoiceError("population year", year, population_years())
    lad_pop = table[year]
    share = membership("lad", level, vintage)
    pop = share.assign(p=share["from_code"].map(lad_pop) * share["share"]).groupby("to_code")["p"].sum()
    partial = share[(share["share"] < 1) & (share["share"] > 0)]["to_code"].unique()
    out = names.assign(population=names["code"].map(pop).fillna(0.0))
    if level in _NESTS_IN_LAD:
        out["population"] = out["population"].round().astype(np.int64)
        out["exact"] = True
    else:
        out["exact"] = ~out["code"].isin(partial)
    return out


@cache
def _cross(fc: str, tc: str) -> pd.DataFrame:
    """Population cross-tabulation between two columns of the LSOA base, as shares of the ``fc`` area."""
    base = lsoa_base()
    cross = base.groupby([fc, tc], dropna=False)["pop21"].sum().reset_index().dropna(subset=[fc])
    cross["share"] = cross["pop21"] / cross[fc].map(base.groupby(fc)["pop21"].sum())
    cross = cross.dropna(subset=[tc])  # areas outside any combined authority keep a total share below 1
    out = cross.rename(columns={fc: "from_code", tc: "to_code", "pop21": "population"})
    out = out[["from_code", "to_code", "share", "population"]]
    return out.sort_values(["from_code", "to_code"]).reset_index(drop=True)


def membership(from_level: str, to_level: str, vintage: int = 2024) -> pd.DataFrame:
    """Long table of (from_code, to_code, share, population): the share of each ``from`` area's Census
    2021 population that lies in each ``to`` area. Shares are 1 where areas nest."""
    check_level(from_level)
    check_level(to_level)
    vintage = check_vintage(vintage)
    fc, tc = _col(from_level, vintage), _col(to_level, vintage)
    if fc == tc:
        codes = _names(from_level, vintage)["code"]
        return pd.DataFrame(
            {
                "from_code": codes,
                "to_code": codes,
                "share": 1.0,
                "population": codes.map(lsoa_base().groupby(fc)["pop21"].sum()),
            }
        )
    return _cross(fc, tc).copy()


def membership_matrix(from_level: str, to_level: str, vintage: int = 2024) -> tuple[np.ndarray, list[str], list[str]]:
    """Dense matrix M (from × to) of population shares, with row and column codes.

    Aggregating a per-``from`` quantity x to ``to`` areas is ``x @ M``.
    """
    long = membership(from_level, to_level, vintage)
    rows = list(_names(from_level, check_vintage(vintage))["code"])
    cols = list(_names(to_level, vintage)["code"])
    r = pd.Index(rows).get_indexer(long["from_code"])
    c = pd.Index(cols).get_indexer(long["to_code"])
    matrix = np.zeros((len(rows), len(cols)))
    matrix[r, c] = long["share"].to_numpy()
    return matrix, rows, cols


@dataclass(frozen=True)
class Area:
    """One area: its canonical code, name, level and vintage."""

    code: str
    name: str
    level: str
    vintage: int = 2024
    alt_code: str = ""
    notes: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def _index() -> pd.DataFrame:
    frames = []
    for level in LEVELS:
        for vintage in VINTAGES if level == "icb" else (2024,):
            frames.append(_names(level, vintage).assign(level=level, vintage=vintage))
    return pd.concat(frames, ignore_index=True)


def resolve(code_or_name: str, level: str | None = None, vintage: int | None = None) -> Area:
    """Find an area by ONS code, ODS code, superseded code or exact name (case-insensitive)."""
    if level is not None:
        check_level(level)
    raw = str(code_or_name).strip()
    if not raw:  # an empty code would match every area without an alternative code
        raise DevocareError("give an area code or name (got an empty one)")
    canonical = canonical_code(raw)
    notes = [CODE_ALIASES[raw.upper()][1]] if raw.upper() in CODE_ALIASES else []
    idx = _index()
    if level is not None:
        idx = idx[idx["level"] == level]
    if vintage is not None:
        idx = idx[(idx["vintage"] == check_vintage(vintage)) | (idx["level"] != "icb")]
    key = canonical.upper()
    hit = idx[(idx["code"].str.upper() == key) | (idx["alt_code"].astype(str).str.upper() == key)]
    if hit.empty:
        hit = idx[idx["name"].str.lower() == raw.lower()]
    if hit.empty:
        named = idx if level == "lsoa" else idx[idx["level"] != "lsoa"]
        raise UnknownChoiceError(f"{level or 'area'} code", raw, list(named["name"]) + list(named["code"]))
    row = hit.iloc[0]
    return Area(
        code=row["code"],
        name=row["name"],
        level=row["level"],
        vintage=int(row["vintage"]),
        alt_code=str(row["alt_code"] or ""),
        notes=notes,
    )


def areas(level: str, vintage: int = 2024, within: str | None = None, year: int = 2024) -> pd.DataFrame:
    """Areas at a level: code, name, level, alt_code, population (ONS mid-``year``), exact.

    With ``within``, only areas overlapping that area, with ``share_within`` (share of the listed
    area's Census 2021 population that lies inside it).
    """
    check_level(level)
    vintage = check_vintage(vintage)
    out = population(level, 2021 if level == "lsoa" else year, vintage)
    out.insert(2, "level", level)
    if within is None:
        return out.reset_index(drop=True)
    parent = resolve(within, vintage=vintage)
    long = membership(level, parent.level, parent.vintage)
    share = long[(long["to_code"] == parent.code) & (long["share"] > 0)].set_index("from_code")["share"]
    out = out[out["code"].isin(share.index)].copy()
    out["share_within"] = out["code"].map(share)
    return out.reset_index(drop=True)


def _level_keys() -> list[tuple[str, str, int]]:
    """(label, level, vintage) for every level, with the two ICB vintages as separate entries."""
    return [
        (f"icb{v}" if lvl == "icb" else lvl, lvl, v) for lvl in LEVELS for v in (VINTAGES if lvl == "icb" else (2024,))
    ]


def area_info(code_or_name: str, vintage: int | None = None) -> dict[str, object]:
    """Name, level, parents (with population shares), children counts and population of one area.

    Parents are the areas of each coarser level (fewer areas) that the area falls in; children counts
    are the areas of each finer level that overlap it.
    """
    a = resolve(code_or_name, vintage=vintage)
    info: dict[str, object] = {
        "code": a.code,
        "name": a.name,
        "level": a.level,
        "vintage": a.vintage,
        "alt_code": a.alt_code,
    }
    if a.notes:
        info["notes"] = a.notes
    own_col = _col(a.level, a.vintage)
    own_n = len(_names(a.level, a.vintage))
    parents: dict[str, list[dict[str, object]]] = {}
    children: dict[str, int] = {}
    for label, level, v in _level_keys():
        col = _col(level, v)
        if col == own_col:
            continue
        names = _names(level, v)
        if len(names) < own_n:
            up = _cross(own_col, col)
            mine = up[(up["from_code"] == a.code) & (up["share"] > 0)]
            nm = names.set_index("code")["name"]
            parents[label] = [
                {"code": code, "name": nm.get(code, ""), "share": round(share, 6)}
                for code, share in zip(mine["to_code"], mine["share"].astype(float), strict=True)
            ]
        else:
            down = _cross(col, own_col)
            children[label] = int(((down["to_code"] == a.code) & (down["share"] > 0)).sum())
    info["parents"] = parents
    info["children"] = children
    if a.level != "lsoa":
        pop = population(a.level, 2024, a.vintage).set_index("code")
        info["population_mid2024"] = float(pop["population"].astype(float)[a.code])
        info["population_exact"] = bool(pop["exact"].astype(bool)[a.code])
    info["population_census2021"] = int(lsoa_base().groupby(own_col)["pop21"].sum().get(a.code, 0))
    return info


def icb_successors() -> pd.DataFrame:
    """How the 42 ICBs of 2024 became the 36 of April 2026: population shares of each old ICB."""
    out = _cross("icb", "icb26").copy()  # the cross-tab is cached: never edit it in place
    n24 = _names("icb", 2024).set_index("code")["name"]
    n26 = _names("icb", 2026).set_index("code")["name"]
    out.insert(1, "from_name", out["from_code"].map(n24))
    out["to_name"] = out["to_code"].map(n26)
    return out[["from_code", "from_name", "to_code", "to_name", "share", "population"]]


def coterminosity(level_a: str, level_b: str, vintage: int = 2024) -> pd.DataFrame:
    """Every ``level_a`` area split across more than one ``level_b`` area, with population shares.

    The "lack of coterminosity" between NHS and local government boundaries, measured. Shares of each
    split area sum to 1 (Census 2021 residents).
    """
    check_level(level_a)
    check_level(level_b)
    vintage = check_vintage(vintage)
    m = membership(level_a, level_b, vintage)
    m = m[m["share"] > 0]
    counts = m.groupby("from_code")["to_code"].transform("size")
    split = m[counts > 1].copy()
    na = _names(level_a, vintage).set_index("code")["name"]
    nb = _names(level_b, vintage).set_index("code")["name"]
    split.insert(1, f"{level_a}_name", split["from_code"].map(na))
    split[f"{level_b}_name"] = split["to_code"].map(nb)
    split = split.rename(columns={"from_code": f"{level_a}_code", "to_code": f"{level_b}_code"})
    cols = [f"{level_a}_code", f"{level_a}_name", f"{level_b}_code", f"{level_b}_name", "share", "population"]
    return split[cols].sort_values([f"{level_a}_code", "share"], ascending=[True, False]).reset_index(drop=True)


def coterminosity_share(level_a: str, level_b: str, vintage: int = 2024) -> float:
    """Population-weighted share of ``level_a`` areas that lie wholly inside one ``level_b`` area."""
    m = membership(level_a, level_b, vintage)
    whole = m.groupby("from_code")["share"].max() >= 0.999999
    pop = lsoa_base().groupby(_col(level_a, check_vintage(vintage)))["pop21"].sum()
    return float(pop[whole[whole].index].sum() / pop.sum())
