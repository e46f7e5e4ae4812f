"""Sections of the My area page, one per library capability: the bodies covering the area under each
architecture with their accountability chains, its allocation and need indices, its outcomes against the
framework. Every figure comes from a library call; a capability that cannot answer for this area says why."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from devocare import geography
from devocare.errors import DevocareError
from devocare.web import cache

MONEY_YEAR = "2025/26"
INDEX_LEVELS = {"lad", "utla", "ca", "sicb"}


def _in_area(info: dict[str, Any]) -> np.ndarray:
    """Boolean over the LSOA base: the LSOAs inside the area."""
    from devocare.architecture.geo import level_column

    column = level_column(info["level"], info["vintage"])
    return (geography.lsoa_base()[column] == info["code"]).to_numpy()


def bodies_section(info: dict[str, Any]) -> dict[str, Any]:
    """Which bodies cover the area under each built-in architecture, and how far each is from voters."""
    from devocare import architecture

    inside = _in_area(info)
    parents = {lvl.removesuffix("2024").removesuffix("2026"): items for lvl, items in info["parents"].items()}
    rows = []
    for arch_id in architecture.builtin_ids():
        arch = architecture.load(arch_id)
        cover = cache.coverage(arch_id)
        alive = {b.id for b in arch.bodies_on(arch.as_of)}
        for body in arch.bodies:
            if body.id not in alive or body.area_level in (None, "england") or body.kind == "electorate":
                continue
            vec = cover.get(body.id)
            if vec is None or not np.any(vec[inside] > 0):
                continue
            covers_all = bool(np.all(vec[inside] > 0))
            if body.area_level == info["level"]:
                instances = info["name"]
            else:
                instances = "; ".join(p["name"] for p in parents.get(body.area_level, [])) or "—"
            chain = architecture.chain_summary(arch, body.id)
            rows.append(
                {
                    "architecture": arch_id,
                    "body": body.name,
                    "body_id": body.id,
                    "tier": body.tier,
                    "leadership": body.leadership,
                    "which": instances,
                    "covers": "all of the area" if covers_all else "part of the area",
                    "steps_to_voters": chain["distance"],
                    "answers_to": " → ".join(step["to_name"] for step in chain["chain"]),
                    "devolved": chain["devolved"],
                }
            )
    table = pd.DataFrame(rows)
    return {
        "id": "bodies",
        "title": "Who covers this area under each architecture",
        "intro": "Bodies whose area includes this one, and the chain from each body's money to voters "
        "(steps to the nearest electorate; devolved when the chain ends at a local electorate).",
        "tables": [
            {
                "df": table,
                "caption": "Bodies covering the area",
                "columns": [c for c in table.columns if c != "body_id"],
            }
        ],
        "datasets": {"bodies_covering": table},
        "source": "the built-in architectures and the ONS/NHS area lookups",
    }


def allocation_section(info: dict[str, Any]) -> dict[str, Any] | None:
    """The area's £ allocation by line and its need indices."""
    from devocare.allocation.money import MONEY_LEVELS

    level = info["level"]
    tables: list[dict[str, Any]] = []
    datasets: dict[str, pd.DataFrame] = {}
    if level in MONEY_LEVELS and not (level == "icb" and info["vintage"] == 2026):
        gbp = cache.money(MONEY_YEAR, level)
        gbp = gbp[gbp["code"] == info["code"]][["line", "population", "weighted_population", "gbp", "gbp_per_head"]]
        tables.append(
            {"df": gbp, "caption": f"NHS allocation {MONEY_YEAR} split to this area by need", "money": ("gbp",)}
        )
        datasets["allocation_gbp"] = gbp
    if level in INDEX_LEVELS:
        idx = cache.place_indices(MONEY_YEAR, level)
        idx = idx[idx["place_code"] == info["code"]][
            [
                "icb_name",
                "place",
                "population",
                "index_core_overall",
                "index_primary_medical_care_final",
                "share_core_overall",
            ]
        ]
        tables.append({"df": idx, "caption": f"Need index {MONEY_YEAR} against its ICB (1 = the ICB's average)"})
        datasets["need_indices"] = idx
    elif level == "icb":
        from devocare.allocation.need import need_indices

        year = "2026/27" if info["vintage"] == 2026 else MONEY_YEAR
        idx = need_indices(year, info["alt_code"] or info["code"], place_level="lad")
        idx = idx[["kind", "place", "population", "index_core_overall", "index_primary_medical_care_final"]]
        tables.append(
            {"df": idx, "caption": f"Need index {year}: the ICB against England, its districts against the ICB"}
        )
        datasets["need_indices"] = idx
    if not tables:
        return None
    return {
        "id": "allocation",
        "title": "Its money and need",
        "tables": tables,
        "datasets": datasets,
        "source": "NHS England ICB allocations and practice weighted populations, split by need",
        "intro": "The area's share of NHS England's published allocation lines and its need indices.",
        "link": ("Split its ICB into places in the place builder", f"/allocation?year={MONEY_YEAR}"),
    }


def outcomes_section(info: dict[str, Any]) -> dict[str, Any] | None:
    """The area's outcomes against the outcome framework's targets."""
    level = info["level"]
    if level not in {"lad", "utla", "icb", "ca", "region"} or (level == "icb" and info["vintage"] == 2026):
        return None
    status = cache.outcome_status(level)
    mine = status[status["code"] == info["code"]][
        ["indicator", "period", "value", "lci", "uci", "target", "target_kind", "status", "approximate"]
    ]
    from devocare.outcomes.catalogue import INDICATORS

    titles = {i.id: i.title for i in INDICATORS}
    shown = mine.assign(indicator=mine["indicator"].map(lambda k: titles.get(k, k)))  # words, not ids
    return {
        "id": "outcomes",
        "title": "Its outcomes against the framework",
        "intro": "Each framework indicator's latest value, the framework's target and whether the area meets "
        "it (overlaps: the confidence interval contains the target).",
        "tables": [{"df": shown, "caption": "Outcome framework status"}],
        "datasets": {"outcomes_status": mine},
        "source": "ONS, OHID and NHS England indicators in the outcome framework",
        "link": (
            "Its outcome profile: every indicator against England, better, similar or worse (spine chart); "
            "each indicator's definition is linked from there",
            f"/outcomes/profile?area={info['code']}&level={level}",
        ),
    }


def area_sections(info: dict[str, Any]) -> list[dict[str, Any]]:
    """All sections for one area, in page order; a capability that cannot answer adds a note instead."""
    out: list[dict[str, Any]] = []
    for build in (bodies_section, allocation_section, outcomes_section):
        try:
            section = build(info)
        except DevocareError as exc:
            section = {
                "id": build.__name__,
                "title": build.__doc__.splitlines()[0] if build.__doc__ else "",
                "intro": f"Not available for this area: {exc}",
                "tables": [],
                "datasets": {},
            }
        if section is not None:
            out.append(section)
    return out
