"""Relative need indices for places inside an ICB, the way NHS England's place-based tool defines them.

For a place p (a set of GP practices) inside ICB i and each formula component k::

    index_k(p) = (WP_k(p) / pop(p)) / (WP_k(i) / pop(i))

and the ICB's own index is the same ratio against England. Two modes:

* ``exact``: sums and ratios in full precision; a blank published value is an error.
* ``nhse-tool``: NHS England's published tool, arithmetic for arithmetic, for the tool generation that
  served the year (:data:`TOOL_RULES`): its load-time replacement of blanks (and, before 2025/26, zeros)
  by 1 (0 from 2025/26), its rounding of sums to whole numbers before dividing (until 2024/25) and its
  3-decimal output rounding. Every replaced value is reported (a Python warning and the returned list).

The calculation is vectorised over all practices and places of all ICBs at once: sums are segment sums
(``np.bincount``) over integer place and ICB ids, never a loop over places.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

import numpy as np
import pandas as pd

from devocare.allocation.practices import COMPONENT_IDS, WP_COLUMNS, check_year, practices
from devocare.errors import DevocareError, UnknownChoiceError, closest

MODES: tuple[str, ...] = ("exact", "nhse-tool")
PLACE_LEVELS: tuple[str, ...] = ("lad", "utla", "ca", "sicb", "pcn")
INDEX_COLUMNS: tuple[str, ...] = tuple(f"index_{c}" for c in COMPONENT_IDS)
_VALUE_COLUMNS = ["population", *WP_COLUMNS]


class NeedIndexWarning(UserWarning):
    """``nhse-tool`` mode replaced published values the way NHS England's tool does."""


@dataclass(frozen=True)
class ToolRule:
    """How one generation of NHS England's place-based tool treats the data (read from its source)."""

    source: str
    blanks_to: float  # value a blank cell becomes at load time
    zeros_to_one: bool  # whether a published 0 becomes 1 at load time
    sum_rounding: Literal["truncate", "half_even", "none"]  # applied to place and ICB sums before dividing
    index_rounding: Literal["numpy", "half_up"]  # 3-decimal rounding of the output indices


_NHSX_2022 = ToolRule(
    "nhsengland/AIF_Allocation_Tool dashboard.py @ 8cd7162 (2022/23 tool): fillna(1).replace(0, 1); "
    "sums .astype(int); DataFrame.round(3)",
    1.0,
    True,
    "truncate",
    "numpy",
)
_NHSX_2023 = ToolRule(
    "nhsx/AIF_Allocation_Tool 2023/24-2024/25 tool (same code in nhsengland/ICB_Allocation_Tool_update "
    "utils.py @ 52cc293): fillna(1).replace(0, 1); sums .round(0).astype(int); DataFrame.round(3)",
    1.0,
    True,
    "half_even",
    "numpy",
)
_NHSE_2025 = ToolRule(
    "nhsengland/ICB_Allocation_Tool_update utils.py @ 28f478b and ICB_Place_Based_Tool_2627-2829 utils.py "
    "@ 7506e70: fillna(0); unrounded sums; indices rounded half-up to 0.001 on their decimal repr",
    0.0,
    False,
    "none",
    "half_up",
)

#: The tool generation that served each financial year.
TOOL_RULES: dict[str, ToolRule] = {
    "2022/23": _NHSX_2022,
    "2023/24": _NHSX_2023,
    "2024/25": _NHSX_2023,
    "2025/26": _NHSE_2025,
    "2026/27": _NHSE_2025,
    "2027/28": _NHSE_2025,
    "2028/29": _NHSE_2025,
}


@dataclass
class NeedIndices:
    """Result of an index calculation: the tidy table plus what the caller must be told."""

    table: pd.DataFrame
    replaced: list[dict[str, object]] = field(default_factory=list)  # nhse-tool load-time replacements
    uncovered: list[str] = field(default_factory=list)  # ICB practices in no place


# --------------------------------------------------------------------------- pure arithmetic


def segment_sums(values: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Column sums of ``values`` (rows × k) per group id (rows with id < 0 are left out)."""
    keep = group >= 0
    g, v = group[keep], values[keep]
    return np.stack([np.bincount(g, weights=v[:, j], minlength=n_groups) for j in range(v.shape[1])], axis=1)


def round_sums(sums: np.ndarray, rule: ToolRule | None) -> np.ndarray:
    """Whole-number sums as the tool makes them (``None``: untouched)."""
    if rule is None or rule.sum_rounding == "none":
        return sums
    if rule.sum_rounding == "truncate":
        return np.trunc(sums)
    return np.round(sums)


def round_half_up_3(x: np.ndarray) -> np.ndarray:
    """Round to 3 decimals, half up, on the shortest decimal repr of each float (Python ``Decimal(str(x))``).

    Vectorised: ``floor(x*1000 + 0.5)`` everywhere, then the exact decimal rule only for the rare values
    whose thousandths are within 1e-6 of a tie, where binary arithmetic could disagree with the repr.
    """
    x = np.asarray(x, dtype=float)
    scaled = x * 1000.0
    out = np.floor(scaled + 0.5) / 1000.0
    frac = scaled - np.floor(scaled)
    near = np.isfinite(x) & (np.abs(frac - 0.5) < 1e-6)
    if near.any():
        fix = [float(Decimal(repr(float(v))).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)) for v in x[near]]
        out[near] = fix
    return out


def round_indices(x: np.ndarray, rule: ToolRule | None) -> np.ndarray:
    """3-decimal output rounding of the tool (``None``: untouched)."""
    if rule is None:
        return x
    return np.round(x, 3) if rule.index_rounding == "numpy" else round_half_up_3(x)


def relative_indices(place_sums: np.ndarray, ref_sums: np.ndarray) -> np.ndarray:
    """(WP/pop of each row) / (WP/pop of its reference row); column 0 of both is the population."""
    with np.errstate(divide="ignore", invalid="ignore"):
        own = place_sums[:, 1:] / place_sums[:, :1]
        ref = ref_sums[:, 1:] / ref_sums[:, :1]
        return own / ref


def replace_like_tool(values: np.ndarray, rule: ToolRule) -> tuple[np.ndarray, np.ndarray]:
    """The tool's load-time replacement; returns the new values and a mask of replaced cells."""
    blank = np.isnan(values)
    zero = (values == 0) if rule.zeros_to_one else np.zeros_like(blank)
    out = np.where(blank, rule.blanks_to, values)
    out = np.where(zero, 1.0, out)
    return out, blank | zero


def compute(
    values: np.ndarray,
    icb_id: np.ndarray,
    place_id: np.ndarray,
    place_icb: np.ndarray,
    n_icbs: int,
    rule: ToolRule | None,
) -> dict[str, np.ndarray]:
    """All indices for all places of all ICBs in one pass.

    ``values``: practices × (1 + k), population first, already cleaned. ``icb_id``/``place_id``: integer
    ids per practice (place -1 = in no place). ``place_icb``: ICB id of each place. Returns place and ICB
    sums (as used), place indices against their ICB, ICB indices against England, and exact place
    shares of their ICB.
    """
    n_places = len(place_icb)
    place_raw = segment_sums(values, place_id, n_places)
    icb_raw = segment_sums(values, icb_id, n_icbs)
    england = np.nansum(values, axis=0, keepdims=True)  # blanks elsewhere never reach a place in exact mode
    place_sums, icb_sums = round_sums(place_raw, rule), round_sums(icb_raw, rule)
    place_index = round_indices(relative_indices(place_sums, icb_sums[place_icb]), rule)
    # The tool shows an ICB's own index as WP/pop, i.e. against England's WP = pop by construction.
    reference = np.ones_like(england) if rule is not None else england
    icb_index = round_indices(relative_indices(icb_sums, reference), rule)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = place_raw / icb_raw[place_icb]
    if rule is not None and rule.sum_rounding == "none":  # later tools show sums rounded half-up
        place_sums, icb_sums = np.floor(place_sums + 0.5), np.floor(icb_sums + 0.5)
    return {
        "place_sums": place_sums,
        "icb_sums": icb_sums,
        "place_index": place_index,
        "icb_index": icb_index,
        "place_share": share,
    }


# --------------------------------------------------------------------------- validation and set-up


def check_mode(mode: str) -> str:
    """Validate a calculation mode."""
    if mode not in MODES:
        raise UnknownChoiceError("mode", mode, MODES)
    return mode


def resolve_icb(year: str, icb: str) -> tuple[str, str]:
    """(ODS code, name) of an ICB in a year's practice file, by ODS code, ONS E54 code or name."""
    p = practices(year)[["icb_code", "icb_name"]].drop_duplicates("icb_code")
    key = str(icb).strip()
    hit = p[(p["icb_code"].str.upper() == key.upper()) | (p["icb_name"].str.lower() == key.lower())]
    if hit.empty and key.upper().startswith("E54"):
        from devocare import geography

        try:
            ods = geography.resolve(key, level="icb").alt_code
        except DevocareError:
            ods = ""
        hit = p[p["icb_code"] == ods]
    if hit.empty:
        raise UnknownChoiceError(f"ICB in {year}", icb, list(p["icb_code"]) + list(p["icb_name"]))
    return str(hit.iloc[0]["icb_code"]), str(hit.iloc[0]["icb_name"])


def _unknown_practices(codes: Sequence[str], valid: Sequence[str]) -> str:
    parts = []
    for code in codes:
        near = closest(code, valid)
        parts.append(f"{code!r}" + (f" (did you mean {', '.join(repr(n) for n in near)}?)" if near else ""))
    return ", ".join(parts)


def place_assignment(
    year: str,
    icb_code: str,
    places: Mapping[str, Sequence[str]] | None,
    place_level: str | None,
    table: pd.DataFrame,
    mode: str = "exact",
) -> pd.Series:
    """Place name of each practice of the ICB (NaN: in no place), validated.

    Errors name every offender: unknown practices (with closest codes), practices in another ICB,
    practices listed twice, places with no practices.
    """
    in_icb = table["icb_code"] == icb_code
    if (places is None) == (place_level is None):
        raise DevocareError("give either places (name -> practice codes) or place_level, not both or neither")
    if place_level is not None:
        return place_codes(year, place_level, table[in_icb], mode)
    assert places is not None
    rows = [(name, str(code).strip().upper()) for name, codes in places.items() for code in codes]
    empty = [name for name, codes in places.items() if len(list(codes)) == 0]
    if empty:
        raise DevocareError(f"empty place(s) with no practices: {', '.join(repr(e) for e in empty)}")
    listed = pd.DataFrame(rows, columns=["place", "practice_code"])
    known = set(table["practice_code"])
    unknown = sorted(set(listed.loc[~listed["practice_code"].isin(known), "practice_code"]))
    if unknown:
        raise DevocareError(f"unknown practice code(s) in {year}: {_unknown_practices(unknown, sorted(known))}")
    icb_of = table.set_index("practice_code")["icb_code"]
    outside = listed[listed["practice_code"].map(icb_of) != icb_code]
    if not outside.empty:
        where = ", ".join(f"{c} (in {icb_of[c]})" for c in sorted(set(outside["practice_code"])))
        raise DevocareError(f"practice(s) outside ICB {icb_code}: {where}")
    dup = listed[listed["practice_code"].duplicated(keep=False)]
    if not dup.empty:
        where = "; ".join(f"{c} in {', '.join(repr(p) for p in g['place'])}" for c, g in dup.groupby("practice_code"))
        raise DevocareError(f"practice(s) in more than one place: {where}")
    return table.loc[in_icb, "practice_code"].map(listed.set_index("practice_code")["place"])


def place_practices(
    year: str,
    icb: str,
    places: Mapping[str, Sequence[str]] | None = None,
    place_level: str | None = None,
    as_allocated: bool = False,
) -> pd.DataFrame:
    """The practices of one ICB with the place each is in: practice_code, practice_name, place_code, place.

    Places as in :func:`place_indices` (``places`` or ``place_level``, validated the same way). Practices in
    no place are left out and listed in ``attrs["uncovered"]`` (the ICB's ODS code is ``attrs["icb_code"]``).
    ``as_allocated`` reads the practice file
    NHS England's published £ allocations used (see :func:`devocare.allocation.practices.practices`).
    """
    year = check_year(year)
    icb_code, icb_name = resolve_icb(year, icb)
    table = practices(year, as_allocated=as_allocated)
    members = table[table["icb_code"] == icb_code]
    assign = place_assignment(year, icb_code, places, place_level, table).to_numpy()
    out = pd.DataFrame(
        {
            "icb_code": icb_code,
            "icb_name": icb_name,
            "practice_code": members["practice_code"].to_numpy(),
            "practice_name": members["practice_name"].to_numpy(),
            "place_code": assign,
        }
    )
    covered = out["place_code"].notna().to_numpy()
    uncovered = sorted(out.loc[~covered, "practice_code"])
    out = out[covered].reset_index(drop=True)
    codes = list(places) if places is not None else sorted(out["place_code"].unique())
    out["place"] = out["place_code"].map(dict(zip(codes, place_names(place_level, codes), strict=True)))
    out.attrs.update(icb_code=icb_code, uncovered=uncovered)
    return out


def place_codes(year: str, place_level: str, table: pd.DataFrame, mode: str = "exact") -> pd.Series:
    """Area code at ``place_level`` of each practice (NaN where the practice is in no such area).

    Districts (and the upper-tier and combined authorities built from them) come from the 2025/26 postcode
    lookup in ``exact`` mode, the better match to where a practice is; in ``nhse-tool`` mode from the year's
    own practice file, the column users of NHS England's tool filter on, so places match the tool's."""
    from devocare import geography

    if place_level not in PLACE_LEVELS:
        raise UnknownChoiceError("place level", place_level, PLACE_LEVELS)
    lad = table["lad_code_file"] if mode == "nhse-tool" and "lad_code_file" in table else table["lad_code"]
    if place_level == "lad":
        return lad
    if place_level == "sicb":
        return table["sicb_code"]
    if place_level == "pcn":
        if table["pcn_code"].isna().all():
            raise DevocareError(f"PCN membership is published in the 2022/23 practice file only, not {year}")
        return table["pcn_code"]
    m = geography.membership("lad", place_level)
    parent = m[m["share"] > 0.999999].set_index("from_code")["to_code"]
    return lad.map(parent)


def place_names(place_level: str | None, codes: Sequence[str]) -> list[str]:
    """Display names for place codes (geography names; PCN and named places keep their label)."""
    if place_level in (None, "pcn"):
        return list(codes)
    from devocare import geography

    names = geography.areas(place_level)[["code", "name"]].set_index("code")["name"]
    return [str(names.get(c, c)) for c in codes]


def check_values(frame: pd.DataFrame, mode: str, what: str) -> None:
    """Negative values are always an error; blanks are an error in exact mode. Names the practices."""
    vals = frame[_VALUE_COLUMNS]
    neg = frame.loc[(vals < 0).any(axis=1), "practice_code"]
    if not neg.empty:
        raise DevocareError(f"negative population or weighted population for practice(s) {', '.join(neg)} ({what})")
    if mode == "exact":
        bad = vals.isna()
        rows = frame.loc[bad.any(axis=1), "practice_code"]
        if not rows.empty:
            cols = sorted({c for c in _VALUE_COLUMNS if bad[c].any()})
            raise DevocareError(
                f"missing published values ({', '.join(cols)}) for practice(s) {', '.join(rows)} ({what}); "
                "exact mode does not guess: use mode='nhse-tool' to treat them as NHS England's tool does"
            )


def tool_replacements(
    frame: pd.DataFrame, rule: ToolRule, report: np.ndarray | None = None
) -> tuple[np.ndarray, list[dict[str, object]]]:
    """Values after the tool's load-time replacement, and one record per replaced cell (of ``report`` rows)."""
    raw = frame[_VALUE_COLUMNS].to_numpy(dtype=float)
    new, mask = replace_like_tool(raw, rule)
    r, c = np.nonzero(mask if report is None else mask & np.asarray(report)[:, None])
    codes = frame["practice_code"].to_numpy()
    replaced: list[dict[str, object]] = [
        {
            "practice_code": str(codes[i]),
            "column": _VALUE_COLUMNS[j],
            "published": None if np.isnan(raw[i, j]) else float(raw[i, j]),
            "used": float(new[i, j]),
        }
        for i, j in zip(r, c, strict=True)
    ]
    return new, replaced


# --------------------------------------------------------------------------- public API


def _table(
    year: str,
    icb_code: str,
    icb_name: str,
    codes: list[str],
    labels: list[str],
    out: dict,
    icb_row: int,
    n_practices: np.ndarray,
    icb_n: int,
) -> pd.DataFrame:
    k = len(COMPONENT_IDS)
    rows = pd.DataFrame(
        {
            "year": year,
            "icb_code": icb_code,
            "icb_name": icb_name,
            "kind": "place",
            "place_code": codes,
            "place": labels,
            "n_practices": n_practices,
        }
    )
    rows["population"] = out["place_sums"][:, 0]
    for j, c in enumerate(COMPONENT_IDS):
        rows[f"wp_{c}"] = out["place_sums"][:, 1 + j]
    for j, c in enumerate(COMPONENT_IDS):
        rows[f"index_{c}"] = out["place_index"][:, j]
    rows["share_core_overall"] = out["place_share"][:, 1 + COMPONENT_IDS.index("core_overall")]
    rows["share_primary_medical_care_final"] = out["place_share"][:, 1 + k - 1]
    icb = {
        "year": year,
        "icb_code": icb_code,
        "icb_name": icb_name,
        "kind": "icb",
        "place_code": icb_code,
        "place": icb_name,
        "n_practices": icb_n,
        "population": out["icb_sums"][icb_row, 0],
    }
    icb.update({f"wp_{c}": out["icb_sums"][icb_row, 1 + j] for j, c in enumerate(COMPONENT_IDS)})
    icb.update({f"index_{c}": out["icb_index"][icb_row, j] for j, c in enumerate(COMPONENT_IDS)})
    icb.update({"share_core_overall": 1.0, "share_primary_medical_care_final": 1.0})
    return pd.concat([pd.DataFrame([icb]), rows], ignore_index=True)


def place_indices(
    year: str,
    icb: str,
    places: Mapping[str, Sequence[str]] | None = None,
    place_level: str | None = None,
    mode: str = "exact",
) -> NeedIndices:
    """Need indices of places inside one ICB, with the list of replaced values and uncovered practices.

    ``places`` maps a place name to practice codes; or ``place_level`` (lad, utla, ca, sicb, pcn) makes
    one place per area from the ICB's practices in it. The first row is the ICB itself (index against
    England); then one row per place (index against the ICB). Shares are exact in both modes.
    """
    year, mode = check_year(year), check_mode(mode)
    icb_code, icb_name = resolve_icb(year, icb)
    table = practices(year)
    assign = place_assignment(year, icb_code, places, place_level, table, mode)
    rule = TOOL_RULES[year] if mode == "nhse-tool" else None
    in_icb = (table["icb_code"] == icb_code).to_numpy()
    check_values(table[in_icb], mode, f"ICB {icb_code}, {year}")
    if rule is None:
        values = table[_VALUE_COLUMNS].to_numpy(dtype=float)
        replaced: list[dict[str, object]] = []
    else:
        values, replaced = tool_replacements(table, rule, report=in_icb)
        if replaced:
            shown = ", ".join(sorted({str(r["practice_code"]) for r in replaced}))
            warnings.warn(
                f"nhse-tool mode replaced {len(replaced)} published blank/zero value(s) as NHS "
                f"England's {year} tool does, for practice(s) {shown}",
                NeedIndexWarning,
                stacklevel=2,
            )
    if places is not None:
        order = list(places)
    else:
        order = sorted(assign.dropna().unique())
    place_id = np.full(len(table), -1)
    pos = {p: i for i, p in enumerate(order)}
    place_id[np.flatnonzero(in_icb)] = assign.map(pos).fillna(-1).astype(int).to_numpy()
    icb_id = np.where(in_icb, 0, 1)  # 0 = this ICB, 1 = the rest of England
    out = compute(values, icb_id, place_id, np.zeros(len(order), dtype=int), 2, rule)
    n_practices = np.bincount(place_id[place_id >= 0], minlength=len(order))
    labels = place_names(place_level, order) if place_level else order
    codes = order if place_level else order
    result = _table(year, icb_code, icb_name, codes, labels, out, 0, n_practices, int(in_icb.sum()))
    uncovered = sorted(table.loc[in_icb, "practice_code"][assign.isna().to_numpy()])
    return NeedIndices(result, replaced, uncovered)


def need_indices(
    year: str,
    icb: str,
    places: Mapping[str, Sequence[str]] | None = None,
    place_level: str | None = None,
    mode: str = "exact",
) -> pd.DataFrame:
    """Need indices table for places inside an ICB (see :func:`place_indices`).

    The replaced values (``nhse-tool``) and uncovered practices are in ``table.attrs["replaced"]`` and
    ``table.attrs["uncovered"]``.
    """
    res = place_indices(year, icb, places, place_level, mode)
    res.table.attrs["replaced"] = res.replaced
    res.table.attrs["uncovered"] = res.uncovered
    return res.table


def all_place_indices(year: str, place_level: str = "lad", mode: str = "exact") -> pd.DataFrame:
    """Indices for every place of every ICB at once (each ICB's practices grouped by ``place_level``).

    One vectorised pass over all practices: the workhorse behind England-wide tables and the benchmark.
    Practices in no area at that level (e.g. outside any combined authority) are left out of places but
    stay in their ICB's totals. Replacements in ``nhse-tool`` mode are in ``attrs["replaced"]``.
    """
    year, mode = check_year(year), check_mode(mode)
    table = practices(year)
    rule = TOOL_RULES[year] if mode == "nhse-tool" else None
    check_values(table, mode, f"England, {year}")
    replaced: list[dict[str, object]] = []
    if rule is None:
        values = table[_VALUE_COLUMNS].to_numpy(dtype=float)
    else:
        values, replaced = tool_replacements(table, rule)
    icb_codes, icb_id = np.unique(table["icb_code"].to_numpy(), return_inverse=True)
    area = place_codes(year, place_level, table, mode)
    key = pd.Series(table["icb_code"].astype(str) + "|" + area.astype(str)).where(area.notna())
    place_keys, place_id = np.unique(key.fillna("").to_numpy(), return_inverse=True)
    if "" in place_keys:  # practices in no area
        none = int(np.flatnonzero(place_keys == "")[0])
        place_id = np.where(place_id == none, -1, place_id - (place_id > none))
        place_keys = np.delete(place_keys, none)
    place_icb = np.searchsorted(icb_codes, [k.split("|")[0] for k in place_keys])
    out = compute(values, icb_id, place_id, place_icb, len(icb_codes), rule)
    names = table.drop_duplicates("icb_code").set_index("icb_code")["icb_name"]
    area_codes = [k.split("|")[1] for k in place_keys]
    frame = pd.DataFrame(
        {
            "year": year,
            "icb_code": icb_codes[place_icb],
            "kind": "place",
            "place_code": area_codes,
            "place": place_names(place_level, area_codes),
            "n_practices": np.bincount(place_id[place_id >= 0], minlength=len(place_keys)),
        }
    )
    frame.insert(2, "icb_name", frame["icb_code"].map(names))
    frame["population"] = out["place_sums"][:, 0]
    for j, c in enumerate(COMPONENT_IDS):
        frame[f"wp_{c}"] = out["place_sums"][:, 1 + j]
    for j, c in enumerate(COMPONENT_IDS):
        frame[f"index_{c}"] = out["place_index"][:, j]
    frame["share_core_overall"] = out["place_share"][:, 1 + COMPONENT_IDS.index("core_overall")]
    frame["share_primary_medical_care_final"] = out["place_share"][:, len(COMPONENT_IDS)]
    frame.attrs["replaced"] = replaced
    return frame
