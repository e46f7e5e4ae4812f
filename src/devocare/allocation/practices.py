"""GP-practice weighted populations for every shipped financial year, in one normalised shape.

NHS England publishes, for each target year, every practice's projected registered population and its
needs-weighted population per allocation-formula component (the inputs of its place-based allocation
tool; see ``nhse_allocations/PROVENANCE.md``). The seven files come in three layouts; this module maps
them to one frame with stable column names, attaches each practice's 2024 local authority district,
and never changes a number.
"""

from __future__ import annotations

from functools import cache, lru_cache

import numpy as np
import pandas as pd

from devocare import data
from devocare.errors import UnknownChoiceError

#: Financial years with practice-level weighted populations shipped.
YEARS: tuple[str, ...] = ("2022/23", "2023/24", "2024/25", "2025/26", "2026/27", "2027/28", "2028/29")

#: Dataset id per year. 2025/26 is the current published file (after NHS England's 2025-06-02 primary-care
#: correction); the pre-correction file, consistent with the published 2025/26 allocations, is
#: ``icbtool_2025_26_pre_2025_06_02_pmc_fix``.
DATASETS: dict[str, str] = {
    "2022/23": "aif_2022_23",
    "2023/24": "aif_2023_24",
    "2024/25": "aif_2024_25",
    "2025/26": "icbtool_2025_26",
    "2026/27": "icbtool_2026_27",
    "2027/28": "icbtool_2027_28",
    "2028/29": "icbtool_2028_29",
}

#: Component id → (title, column in the published files). Order is the order of every output.
COMPONENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "general_acute": ("General & acute (incl. half of community services)", ("G&A WP",)),
    "community": ("Community services (district-nursing-like half)", ("CS WP",)),
    "mental_health": ("Mental health", ("MH WP",)),
    "maternity": ("Maternity", ("Mat WP",)),
    "prescribing": ("Prescribing", ("Prescr WP",)),
    "health_inequalities": ("Health inequalities / unmet need", ("Health Ineq WP",)),
    "core_overall": ("Overall core services (incl. MFF, remoteness, PFI; excl. EACA)", ("Final WP", "Core WP")),
    "primary_medical_care_need": ("Primary medical care need", ("Primary Medical Care WP",)),
    "primary_medical_care_final": ("Overall primary medical care (0.85 need + 0.15 inequalities)", ("Final PMC WP",)),
}
COMPONENT_IDS: tuple[str, ...] = tuple(COMPONENTS)
WP_COLUMNS: tuple[str, ...] = tuple(f"wp_{c}" for c in COMPONENT_IDS)

_POPULATION = ("pop 2022/23", "Population", "Registered Patients")
_ICB = ("ICS22", "ICB")
_ICB_NAME = ("ICS22name", "ICBname")
_REGION = ("R22", "Rcode", "RCode")
_LAD = ("LAD21", "LAD")
_SICB = ("CCG21", "CCG")
_PCN = ("PCN_Code",)

#: Districts abolished on 1 April 2023 and the unitary authority each became part of (The Cumbria,
#: North Yorkshire and Somerset (Structural Changes) Orders 2022). The practice files still use them.
LAD_2023_SUCCESSORS: dict[str, str] = {
    **{c: "E06000063" for c in ("E07000026", "E07000028", "E07000029")},  # Cumberland
    **{c: "E06000064" for c in ("E07000027", "E07000030", "E07000031")},  # Westmorland and Furness
    **{
        c: "E06000065"
        for c in ("E07000163", "E07000164", "E07000165", "E07000166", "E07000167", "E07000168", "E07000169")
    },  # North Yorkshire
    **{c: "E06000066" for c in ("E07000187", "E07000188", "E07000189", "E07000246")},  # Somerset
}


def check_year(year: str) -> str:
    """Validate a financial year label such as ``"2024/25"`` (``2024-25`` and ``2024_25`` accepted)."""
    label = str(year).strip().replace("-", "/").replace("_", "/")
    if label not in DATASETS:
        raise UnknownChoiceError("financial year", year, YEARS)
    return label


def _pick(df: pd.DataFrame, names: tuple[str, ...]) -> pd.Series:
    for name in names:
        if name in df.columns:
            return df[name]
    return pd.Series(np.nan, index=df.index, dtype=object)


@lru_cache(maxsize=1)
def _lad24_of_practice() -> pd.Series:
    """2024 LAD of each practice from the 2025/26 practice lookup (postcode-based)."""
    lk = data.load("gp_practices_icb_region_lad_2025_26")
    return lk.set_index("practice_code")["lad24cd"]


@lru_cache(maxsize=1)
def _sicb_of_practice() -> pd.Series:
    """Sub-ICB location (ONS E38 code) of each practice, from the 2024/25 file's ODS sub-ICB codes."""
    p = data.load("aif_2024_25")[["Practice_Code", "CCG21"]]
    sicb = data.load("sicbl24_icb24_nhser24_england").set_index("sicbl24cdh")["sicbl24cd"]
    return p.set_index("Practice_Code")["CCG21"].map(sicb)


def _lad24(file_lad: pd.Series, practice: pd.Series) -> pd.Series:
    """2024 LAD: the practice lookup where it knows the practice, else the file's district recoded."""
    from devocare.geography import canonical_code

    recoded = file_lad.astype(str).map(canonical_code).replace(LAD_2023_SUCCESSORS)
    return practice.map(_lad24_of_practice()).fillna(recoded)


def _file_lad24(file_lad: pd.Series) -> pd.Series:
    """The district the year's own practice file gives (the column users of NHS England's tool filter on),
    recoded to 2024 codes; unlike :func:`_lad24`, no later postcode lookup overrides it."""
    from devocare.geography import canonical_code

    return file_lad.astype(str).map(canonical_code).replace(LAD_2023_SUCCESSORS)


#: Practice files used to split published £ allocations: the version NHS England allocated on.
AS_ALLOCATED: dict[str, str] = {**DATASETS, "2025/26": "icbtool_2025_26_pre_2025_06_02_pmc_fix"}


@cache
def _practices(year: str, dataset: str | None = None) -> pd.DataFrame:
    raw = data.load(dataset or DATASETS[year])
    out = pd.DataFrame(
        {
            "practice_code": raw["Practice_Code"].astype(str).str.strip(),
            "practice_name": raw["GP_Practice_Name"],
            "icb_code": _pick(raw, _ICB).astype(str),
            "icb_name": _pick(raw, _ICB_NAME),
            "region_code": _pick(raw, _REGION),
            "pcn_code": _pick(raw, _PCN),
        }
    )
    out["lad_code"] = _lad24(_pick(raw, _LAD), out["practice_code"])
    out["lad_code_file"] = _file_lad24(_pick(raw, _LAD))
    out["sicb_code"] = out["practice_code"].map(_sicb_of_practice())
    out["population"] = _pick(raw, _POPULATION).astype(float)
    for comp, (_, cols) in COMPONENTS.items():
        out[f"wp_{comp}"] = _pick(raw, cols).astype(float)
    return out


def practices(year: str, as_allocated: bool = False) -> pd.DataFrame:
    """One row per GP practice for a financial year, as published (a copy).

    Columns: practice_code, practice_name, icb_code (ODS, e.g. QWO), icb_name, region_code (NHS region
    ODS), pcn_code (2022/23 only), lad_code (2024 LAD), sicb_code (2024 sub-ICB location, E38), population
    (projected registered population for the year) and one ``wp_<component>`` per :data:`COMPONENTS`.
    Blanks stay blank (NaN): callers decide whether a blank is an error. ``as_allocated`` picks the
    file NHS England's published allocations used (:data:`AS_ALLOCATED`; differs for 2025/26 only).
    """
    year = check_year(year)
    return _practices(year, AS_ALLOCATED[year] if as_allocated else None).copy()


def practice_areas(year: str, level: str, vintage: int | None = None) -> pd.DataFrame:
    """Long table (practice_code, code, share): which area(s) at ``level`` each practice's patients count in.

    LAD-nested levels (lad, utla, ca, ons_region, england) go through the practice's 2024 LAD (exact).
    ICBs of the file's own generation (42 to 2025/26, 36 from 2026/27) use the practice's ICB; NHS
    levels otherwise go through the practice's 2024 sub-ICB location (or, for practices opened since,
    its LAD), with Census 2021 population shares where boundaries do not nest.
    """
    from devocare import geography

    year = check_year(year)
    geography.check_level(level)
    own_vintage = 2026 if year >= "2026/27" else 2024
    vintage = geography.check_vintage(own_vintage if vintage is None else vintage)
    p = _practices(year)[["practice_code", "icb_code", "lad_code", "sicb_code"]]
    if level == "icb" and vintage == own_vintage:
        names = geography.areas("icb", vintage)
        ods = dict(zip(names["alt_code"].where(names["alt_code"] != "", names["code"]), names["code"], strict=True))
        return pd.DataFrame({"practice_code": p["practice_code"], "code": p["icb_code"].map(ods), "share": 1.0})
    if level in ("lad", "utla", "ca", "ons_region", "england") or level == "lsoa":
        via = p.assign(src=p["lad_code"])[["practice_code", "src"]]
        m = geography.membership("lad", level, vintage)
    else:
        by_sicb = p[p["sicb_code"].notna()].assign(src=lambda d: d["sicb_code"])
        by_lad = p[p["sicb_code"].isna()].assign(src=lambda d: d["lad_code"])
        m = pd.concat([geography.membership("sicb", level, vintage), geography.membership("lad", level, vintage)])
        via = pd.concat([by_sicb, by_lad])[["practice_code", "src"]]
    long = via.merge(m, left_on="src", right_on="from_code", how="inner")
    long = long[long["share"] > 0]
    return long.rename(columns={"to_code": "code"})[["practice_code", "code", "share"]].reset_index(drop=True)


def weighted_population(year: str, level: str = "lad", vintage: int | None = None) -> pd.DataFrame:
    """Registered and needs-weighted populations per area for a financial year.

    Columns: code, name, population, and ``wp_<component>`` for every component (see
    :data:`COMPONENTS`). Practice rows are mapped to 2024 LADs and then up the geography
    (:func:`practice_areas`); the totals over England equal the national practice totals. The few
    blank published values (17 maternity values in 2022/23) count as zero here.
    """
    return _weighted_population(check_year(year), level, vintage).copy()


@cache
def _weighted_population(year: str, level: str, vintage: int | None) -> pd.DataFrame:
    from devocare import geography

    long = practice_areas(year, level, vintage)
    p = _practices(year).set_index("practice_code")
    cols = ["population", *WP_COLUMNS]
    values = p.loc[long["practice_code"], cols].fillna(0.0).to_numpy() * long["share"].to_numpy()[:, None]
    sums = pd.DataFrame(values, columns=cols).groupby(long["code"].to_numpy()).sum()
    own_vintage = 2026 if year >= "2026/27" else 2024
    names = geography.areas(level, own_vintage if vintage is None else vintage)[["code", "name"]]
    out = names.merge(sums, left_on="code", right_index=True, how="left").fillna({c: 0.0 for c in cols})
    return out.reset_index(drop=True)


def icbs(year: str) -> pd.DataFrame:
    """The ICBs of a year's practice file: icb_code, icb_name (42 to 2025/26, 36 from 2026/27)."""
    p = _practices(check_year(year))
    return p[["icb_code", "icb_name"]].drop_duplicates("icb_code").sort_values("icb_code").reset_index(drop=True)
