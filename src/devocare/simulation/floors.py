"""The areas and bodies whose spend falls below their minimum service levels in a finished run.

How floors are set for a run (``--set minimum_service_levels.LINE=...``, scenario files, the API's
overrides) is :mod:`devocare.simulation.floor_settings`, re-exported here; the defaults and their sources are
``devocare.rulebook.minimum_service_levels()``. The same floors and the same intervention trigger apply to
every budget holder.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from devocare.errors import DevocareError
from devocare.rulebook import minimum_service_levels
from devocare.service_lines import LINE_IDS
from devocare.simulation.floor_settings import MAX_FLOOR, PREFIX, apply, split
from devocare.simulation.results import SimulationResult

__all__ = ["MAX_FLOOR", "PREFIX", "apply", "below_minimum", "floors_of", "split"]


def floors_of(result: SimulationResult) -> np.ndarray:
    """The floors a run applied, per line (from its run record)."""
    rec = result.run_record.get("floors")
    if isinstance(rec, dict):
        return np.array([float(rec[line]) for line in LINE_IDS])
    return minimum_service_levels().set_index("line").reindex(list(LINE_IDS))["floor"].to_numpy(dtype=float)


def _population(result: SimulationResult) -> np.ndarray:
    from devocare import geography

    if result.atom_level == "lad":
        pop = geography.population("lad").set_index("code")["population"]
    else:
        pop = geography.population("lsoa", 2021).set_index("code")["population"]
    return pop.reindex(list(result.atoms)).fillna(0.0).to_numpy(dtype=float)


def below_minimum(result: SimulationResult, by: str = "area", year: int = -1) -> pd.DataFrame:
    """Areas (``by="area"``) or budget holders (``by="body"``) whose need-adjusted spend on a line falls
    below its floor in ``year`` (default the horizon), central run: the floor, the ratio reached, the gap
    in £ (floor × need − spend) and per head. Bodies also show the share of draws in which any of their
    lines is below its floor that year."""
    if by not in ("area", "body"):
        raise DevocareError(f"by must be 'area' or 'body', got {by!r}")
    floors = floors_of(result)
    spent = result.central_atoms["spent"][year]  # (atoms, lines)
    need = result.central_atoms["need"][year]
    pop = _population(result)
    if by == "area":
        from devocare import geography

        names = (
            geography.areas(result.atom_level, year=2021 if result.atom_level == "lsoa" else 2024)
            .set_index("code")["name"]
            .reindex(list(result.atoms))
            .fillna("")
        )
        codes, labels, S, N, P = list(result.atoms), list(names), spent, need, pop
        holders = [""] * len(codes)
        prob = None
        held = np.ones_like(S, dtype=bool)
    else:
        from devocare.simulation.budget import _area_name
        from devocare.simulation.phases import phased_rules
        from devocare.simulation.runner import _load_arch

        rules = phased_rules(_load_arch(result.architecture), result.atom_level)
        cols, lines_held = [], []
        for g in rules.groups:
            cols.append(np.asarray(g.H, dtype=float))
            lines_held.append(np.repeat(np.asarray(g.lines, dtype=bool)[None, :], g.n, axis=0))
        H = np.concatenate(cols, axis=1)  # (atoms, budgets)
        exists = rules.active(range(len(result.years))[year])  # budgets that exist that year
        held = np.concatenate(lines_held, axis=0) & exists[:, None]
        S, N, P = H.T @ spent, H.T @ need, H.T @ pop
        b = result.budgets
        codes = list(b["body"].astype(str))
        holders = list(b["holder"].astype(str))
        labels = [_area_name(str(a)) for a in b["area"]]
        fb = result.draws["floor_breached"][:, year, :]
        prob = (fb[1:] if result.n_draws > 0 else fb[:1]).mean(axis=0)
    ratio = np.where(N > 0, S / np.where(N > 0, N, 1.0), 1.0)
    below = (ratio < floors[None, :] - 1e-12) & held & (N > 0)
    i, j = np.nonzero(below)
    gap = floors[j] * N[i, j] - S[i, j]
    out = pd.DataFrame(
        {
            "architecture": result.architecture,
            "year": result.years[year],
            by: [codes[k] for k in i],
            "name": [labels[k] for k in i],
            "line": [LINE_IDS[k] for k in j],
            "floor": floors[j],
            "spend_to_need": ratio[i, j],
            "gap_gbp": gap,
            "gap_gbp_per_head": gap / np.where(P[i] > 0, P[i], np.nan),
        }
    )
    if by == "body":
        out.insert(3, "holder", [holders[k] for k in i])
        out["prob_below_minimum_service"] = [float(prob[k]) for k in i] if prob is not None else np.nan
    return out.sort_values("gap_gbp", ascending=False, kind="stable").reset_index(drop=True)
