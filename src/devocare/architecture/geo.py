"""Where each body of an architecture acts: a coverage vector over England's 33,755 LSOAs (2021).

Every area-based body is a template built from real codes in :mod:`devocare.geography`; its coverage is
1 on the LSOAs inside its areas and 0 elsewhere, minus the areas of the bodies named in ``outside:``.
National bodies cover every LSOA. Everything structural (coverage of England once per commissioning
function, devolved population, coterminosity, a resident's pathway) is an array operation on these vectors.
"""

from __future__ import annotations

from datetime import date
from functools import cache, lru_cache

import numpy as np
import pandas as pd

from devocare import geography
from devocare.architecture.schema import Architecture, Body


@lru_cache(maxsize=1)
def lsoa_frame() -> pd.DataFrame:
    """The LSOA base (codes at every level and Census 2021 residents)."""
    return geography.lsoa_base()


def level_column(level: str, vintage: int) -> str:
    """The LSOA-base column holding a level's codes (the 2026 ICBs live in ``icb26``)."""
    return "icb26" if (level == "icb" and int(vintage) == 2026) else level


@cache
def _codes(level: str, vintage: int) -> pd.Index:
    return pd.Index(geography.areas(level, vintage)["code"])


def canonical_area(code: str, level: str, vintage: int) -> str | None:
    """The canonical code of an area at a level (accepting ODS and superseded codes), or None."""
    if code in _codes(level, vintage):
        return code
    try:
        return geography.resolve(code, level=level, vintage=vintage).code
    except Exception:  # noqa: BLE001 - unknown code reported by the caller
        return None


def area_codes_mask(codes: list[str] | str, level: str, vintage: int) -> np.ndarray:
    """1.0 on LSOAs inside the listed areas (``'all'``: every area at that level)."""
    col = lsoa_frame()[level_column(level, vintage)]
    if codes == "all":
        return col.notna().to_numpy(dtype=float)
    canon = [canonical_area(c, level, vintage) or c for c in codes]
    return col.isin(canon).to_numpy(dtype=float)


def _own_mask(arch: Architecture, body: Body) -> np.ndarray:
    n = len(lsoa_frame())
    if body.area_level is None or body.area_level == "england":
        return np.ones(n)
    if body.areas == "coverage":
        cov = arch.money.coverage
        if cov is None:
            return np.zeros(n)
        return area_codes_mask(cov.devolved, cov.level, cov.vintage)
    return area_codes_mask(body.areas, body.area_level, body.area_vintage)


def own_coverage(arch: Architecture) -> dict[str, np.ndarray]:
    """Coverage vector (LSOA order of :func:`lsoa_frame`) of every body's own areas, before ``outside:``."""
    return {b.id: _own_mask(arch, b) for b in arch.bodies}


def body_coverage(
    arch: Architecture, on: date | None = None, own: dict[str, np.ndarray] | None = None
) -> dict[str, np.ndarray]:
    """Coverage vector of every body on date ``on``: own areas minus those of ``outside:`` bodies existing then."""
    on = on or arch.as_of
    own = own if own is not None else own_coverage(arch)
    alive = {b.id for b in arch.bodies if b.active(on)}
    out = {}
    for b in arch.bodies:
        out[b.id] = exclude(own[b.id], b.outside, own, alive)
    return out


def exclude(vec: np.ndarray, outside: list[str], own: dict[str, np.ndarray], alive: set[str]) -> np.ndarray:
    """``vec`` with the areas of the ``outside`` bodies that exist (``alive``) removed."""
    vec = vec.copy()
    for other in outside:
        if other in own and other in alive:
            vec *= 1.0 - own[other]
    return vec


def holding_coverage(
    arch: Architecture, on: date, own: dict[str, np.ndarray] | None = None
) -> list[tuple[int, np.ndarray]]:
    """(index, coverage × share) of every function holding active on ``on``."""
    own = own if own is not None else own_coverage(arch)
    cover = body_coverage(arch, on, own)
    alive = {b.id for b in arch.bodies if b.active(on)}
    out = []
    for i, f in enumerate(arch.functions):
        if f.active(on) and f.holder in cover:
            vec = exclude(cover[f.holder], f.outside, own, alive)
            if f.within:
                inside = np.zeros_like(vec)
                for other in f.within:
                    if other in own and other in alive:
                        inside = np.maximum(inside, own[other])
                vec = vec * inside
            out.append((i, f.share * vec))
    return out


def area_of(body: Body) -> np.ndarray | None:
    """The code of the body's area for each LSOA (None for bodies without an area level)."""
    if body.area_level is None:
        return None
    return lsoa_frame()[level_column(body.area_level, body.area_vintage)].to_numpy()


@cache
def utla_coterminous_with(level: str, vintage: int) -> np.ndarray:
    """Per LSOA: True if its UTLA lies wholly inside one area of ``level`` (local-government aligned)."""
    base = lsoa_frame()
    if level in ("lsoa", "lad", "utla"):
        # sub-UTLA areas are local-government areas (LAD) or nest inside them (LSOA)
        return np.ones(len(base), dtype=bool)
    if level == "england":
        return np.ones(len(base), dtype=bool)
    col = level_column(level, vintage)
    pair = base.groupby(["utla", col], dropna=False)["pop21"].sum()
    share = pair / pair.groupby(level="utla").transform("sum")
    whole = share.groupby(level="utla").max() >= 0.999999
    # a UTLA outside any area of this level (e.g. outside every combined authority) is not aligned
    inside = base[col].notna()
    return (base["utla"].map(whole).fillna(False).to_numpy(dtype=bool)) & inside.to_numpy()


def population() -> np.ndarray:
    """Census 2021 residents per LSOA."""
    return lsoa_frame()["pop21"].to_numpy(dtype=float)
