"""The data a run needs, read once at the edge: weighted heads per atom and line for every year up to the
longest horizon, each atom's LAD, and minimum service levels. Nothing here computes model results.

The base year's weighted heads are NHS England's (2024/25 practice-level weighted populations mapped to
LADs); later years grow them by ONS population projections by age, weighted by cost per head for each
line's need group (:mod:`devocare.simulation.population`): one source for growth, no step when NHS
England's projection files change vintage, and no frozen age structure or denominator after 2028/29."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import numpy as np

from devocare import geography
from devocare.envelope import BASE_YEAR as GRANT_BASE_YEAR
from devocare.rulebook import minimum_service_levels
from devocare.service_lines import LINE_IDS
from devocare.simulation import population
from devocare.simulation.demand import BASE_YEAR, GROWTH_GROUP, NEED_BASIS, financial_years

#: Years of weighted heads: the base year and every year of the longest run (runner.MAX_YEARS).
HORIZON_YEARS = 30
PROJECTED: tuple[str, ...] = tuple(financial_years(BASE_YEAR, HORIZON_YEARS))
#: Which population-growth index each need-growth group takes.
POPULATION_GROUP = {"nhs": "nhs", "adult_social_care": "adult_social_care", "local_services": "population"}


@dataclass(frozen=True)
class Inputs:
    """Read-only arrays shared by every draw (host NumPy; the engine moves them to its backend)."""

    atom_level: str
    atoms: tuple[str, ...]
    names: tuple[str, ...]
    weighted_heads: np.ndarray  # (year, atom, line) weighted population on each line's need basis
    atom_lad: np.ndarray  # (atom,) index of the atom's LAD in ``lads``
    lads: tuple[str, ...]
    floors: np.ndarray  # (line,) minimum need-adjusted spend as a fraction of the national average
    floor_source: str
    #: at LSOA level: (LAD weighted heads, each atom's share of its LAD, the product built from them), so a
    #: pickle (what a Dask worker receives) ships 1 MB of factors instead of the 81 MB product
    lad_split: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        split = state.pop("lad_split", None)
        if split is not None and split[2] is self.weighted_heads:  # heads still the product of the factors
            state["weighted_heads"] = None
            state["lad_factors"] = split[:2]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        factors = state.pop("lad_factors", None)
        split = None
        if factors is not None:
            heads = _split_heads(factors[0], state["atom_lad"], factors[1])
            state["weighted_heads"], split = heads, (factors[0], factors[1], heads)
        for k, v in {**state, "lad_split": split}.items():
            object.__setattr__(self, k, v)


def _split_heads(lad_heads: np.ndarray, atom_lad: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Each atom's weighted heads: its LAD's × its share of the LAD's population."""
    return lad_heads[:, atom_lad, :] * share[None, :, None]


@cache
def _lad_heads() -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray]:
    from devocare.allocation.grants import area_weights

    lads = geography.areas("lad")[["code", "name"]]
    out = np.zeros((len(PROJECTED), len(lads), len(LINE_IDS)))
    index = population.need_index(len(PROJECTED), list(lads["code"]))
    wp = area_weights(BASE_YEAR, "lad").set_index("code").reindex(lads["code"])
    for j, line in enumerate(LINE_IDS):
        base = wp[NEED_BASIS[line]].fillna(0.0).to_numpy(dtype=float)
        out[:, :, j] = base[None, :] * index[POPULATION_GROUP[GROWTH_GROUP[line]]]
    return tuple(lads["code"]), tuple(lads["name"]), out


@lru_cache(maxsize=1)
def _floors() -> tuple[np.ndarray, str]:
    msl = minimum_service_levels().set_index("line").reindex(list(LINE_IDS))
    return msl["floor"].to_numpy(dtype=float), "devocare.outcomes.minimum_service_levels()"


@lru_cache(maxsize=4)
def load_inputs(atom_level: str = "lad") -> Inputs:
    """Inputs at LAD level, or at LSOA level with each LAD's weighted heads split by LSOA population share
    (Census 2021 residents): need per head is uniform within a LAD, the documented approximation."""
    assert BASE_YEAR == PROJECTED[0] == GRANT_BASE_YEAR  # demand, projections and block grants start together
    lad_codes, lad_names, heads = _lad_heads()
    floors, floor_source = _floors()
    if atom_level == "lad":
        return Inputs("lad", lad_codes, lad_names, heads, np.arange(len(lad_codes)), lad_codes, floors, floor_source)
    base = geography.lsoa_base()
    lad_index = {c: i for i, c in enumerate(lad_codes)}
    atom_lad = base["lad"].map(lad_index).to_numpy()
    pop = base["pop21"].to_numpy(dtype=float)
    lad_pop = np.bincount(atom_lad, weights=pop, minlength=len(lad_codes))
    share = pop / lad_pop[atom_lad]
    lsoa_heads = _split_heads(heads, atom_lad, share)
    names = geography.areas("lsoa").set_index("code")["name"].reindex(base["lsoa"]).fillna("").tolist()
    return Inputs(
        "lsoa",
        tuple(base["lsoa"]),
        tuple(names),
        lsoa_heads,
        atom_lad,
        lad_codes,
        floors,
        floor_source,
        (heads, share, lsoa_heads),
    )
