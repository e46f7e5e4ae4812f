"""The service lines every capability shares, as one registry of records: architecture commissioning,
allocation envelopes, simulation arrays and minimum service levels all use these ids, in this order.

Every per-line fact (title, group, need basis, growth group, how its base-year spend is stated) is read
from here by name, never by position, so adding a line is a registry entry plus its data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from devocare.errors import UnknownChoiceError


@dataclass(frozen=True)
class ServiceLine:
    """One service line and the facts every layer reads about it."""

    id: str
    title: str
    group: str  # hospital | upstream | care | other; "upstream" lines lower non-elective admissions
    need_basis: str  # weighted-population column (area level) that spreads the line's need and grant
    need_basis_why: str  # its source or assumption label
    growth_group: str  # which non-demographic growth parameter it takes: nhs | adult_social_care | local_services
    #: how its base-year spend is stated in the parameter tree: "gbp_bn" (``demand.spend.<id>`` in £bn),
    #: "admissions" (``admissions.count`` × ``admissions.unit_cost``) or "specialised_share" (the specialised
    #: total ``demand.spend.specialised`` split by ``specialised.national_share``)
    spend_basis: str = "gbp_bn"
    acute: bool = False  # under a hospital input cap


_PRACTICE = "NHS England {} need (practice files)"
REGISTRY: tuple[ServiceLine, ...] = (
    ServiceLine(
        "specialised_national",
        "Specialised services kept national (highly specialised services, high-cost drugs and the rest)",
        "hospital",
        "wp_core_overall",
        "assumption: no area-level specialised need published; core need used",
        "nhs",
        spend_basis="specialised_share",
    ),
    ServiceLine(
        "specialised_delegated",
        "Specialised services delegable to ICBs (delegated to every ICB from April 2025)",
        "hospital",
        "wp_core_overall",
        "assumption: no area-level specialised need published; core need used",
        "nhs",
        spend_basis="specialised_share",
    ),
    ServiceLine(
        "acute_elective",
        "Acute elective care",
        "hospital",
        "wp_general_acute",
        _PRACTICE.format("general & acute"),
        "nhs",
        acute=True,
    ),
    ServiceLine(
        "acute_non_elective",
        "Acute non-elective (emergency) care",
        "hospital",
        "wp_general_acute",
        _PRACTICE.format("general & acute"),
        "nhs",
        spend_basis="admissions",
        acute=True,
    ),
    ServiceLine(
        "mental_health",
        "Mental health services",
        "hospital",
        "wp_mental_health",
        _PRACTICE.format("mental health"),
        "nhs",
    ),
    ServiceLine(
        "community_health",
        "Community health services",
        "upstream",
        "wp_community",
        _PRACTICE.format("community services"),
        "nhs",
    ),
    ServiceLine(
        "primary_medical",
        "Primary medical care (general practice)",
        "upstream",
        "wp_primary_medical_care_final",
        _PRACTICE.format("primary medical care"),
        "nhs",
    ),
    ServiceLine("prescribing", "Prescribing", "other", "wp_prescribing", _PRACTICE.format("prescribing"), "nhs"),
    ServiceLine(
        "adult_social_care",
        "Adult social care",
        "care",
        "population_65_plus",
        "assumption: residents aged 65+ (ONS mid-2023) as the need proxy",
        "adult_social_care",
    ),
    ServiceLine(
        "public_health",
        "Public health",
        "upstream",
        "wp_health_inequalities",
        "assumption: avoidable-mortality (<75) based health-inequalities need, as the PH grant formula",
        "local_services",
    ),
    ServiceLine(
        "wider_determinants",
        "Wider health-creating services",
        "upstream",
        "population",
        "assumption: registered population",
        "local_services",
    ),
)
LINES: dict[str, ServiceLine] = {line.id: line for line in REGISTRY}

#: Names that stand for several lines, kept so that architecture files, envelopes, floors and scripts written
#: before a line was split keep working: ``specialised`` is both specialised lines (one national total,
#: ``demand.spend.specialised``, split by ``specialised.national_share``).
ALIASES: dict[str, tuple[str, ...]] = {"specialised": ("specialised_national", "specialised_delegated")}

#: id → (title, group), kept for callers of the first release.
SERVICE_LINES: dict[str, tuple[str, str]] = {line.id: (line.title, line.group) for line in REGISTRY}
LINE_IDS: tuple[str, ...] = tuple(LINES)
#: The lines commissioning functions name: a split line keeps its alias (``commissioning.specialised``) for the
#: lines it stands for, so a function held before the split still covers them.
FUNCTION_LINES: tuple[str, ...] = tuple(
    dict.fromkeys(next((a for a, members in ALIASES.items() if line in members), line) for line in LINE_IDS)
)
ACUTE_LINES: tuple[str, ...] = tuple(line.id for line in REGISTRY if line.acute)
UPSTREAM_LINES: tuple[str, ...] = tuple(line.id for line in REGISTRY if line.group == "upstream")
#: The line whose need basis is plain registered population: the engine's population per atom.
POPULATION_LINE: str = next(line.id for line in REGISTRY if line.need_basis == "population")


def expand(lines: list[str] | tuple[str, ...]) -> list[str]:
    """Line ids with every alias replaced by the lines it stands for, in order and without repeats."""
    out: list[str] = []
    for line in lines:
        for one in ALIASES.get(line, (line,)):
            if one not in out:
                out.append(one)
    return out


def index(line_id: str) -> int:
    """Position of a line in arrays over :data:`LINE_IDS` (the only place positions are made)."""
    if line_id not in LINES:
        raise UnknownChoiceError("service line", line_id, LINE_IDS)
    return LINE_IDS.index(line_id)


def check_lines(lines: list[str]) -> list[str]:
    """Validate a list of service-line ids (aliases expanded), naming the first unknown one and the closest
    valid id."""
    for line in lines:
        if line not in LINES and line not in ALIASES:
            raise UnknownChoiceError("service line", line, LINE_IDS)
    return expand(lines)


def spend_paths(line_id: str) -> tuple[str, ...]:
    """Parameter paths that state a line's base-year national spend."""
    if LINES[line_id].spend_basis == "admissions":
        return ("admissions.count", "admissions.unit_cost")
    if LINES[line_id].spend_basis == "specialised_share":
        return ("demand.spend.specialised", "specialised.national_share")
    return (f"demand.spend.{line_id}",)


def base_year_spend(values: Mapping[str, Any], line_id: str) -> Any:
    """£ base-year national spend on a line from parameter values (floats or arrays of draws): emergency
    admissions are count × unit cost, the two specialised lines split the specialised total by the national
    share, every other line is its £bn parameter × 1e9. The envelope rule,
    stated once for the allocation engine and the simulator."""
    basis = LINES[line_id].spend_basis
    if basis == "admissions":
        return values["admissions.count"] * values["admissions.unit_cost"]
    if basis == "specialised_share":
        share = values["specialised.national_share"]
        return values["demand.spend.specialised"] * 1e9 * (share if line_id == "specialised_national" else 1 - share)
    return values[f"demand.spend.{line_id}"] * 1e9
