"""The architecture format: pydantic models for bodies, functions, accountability, funding flows and money rules.

An architecture is data, not code: who exists (bodies, with dated start/end so "NHS England phased out in
2027" is a field), who holds each function, who answers to whom, how money flows, and the money rules the
simulator and the allocation engine run (``money``). Every element carries ``sources``: a seed file and
section, a shipped dataset, an EVIDENCE.md section, or an explicit ``assumption:``.

These models check shape and types only; rules that span elements (holders exist, accountability reaches an
electorate, England is covered once per commissioning function...) live in :mod:`.validate`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from devocare.service_lines import LINE_IDS

Tier = Literal["national", "regional", "system", "place", "neighbourhood"]
Leadership = Literal["elected", "appointed", "mixed", "not_applicable"]
AreaLevel = Literal["lsoa", "sicb", "icb", "region", "lad", "utla", "ca", "england"]
EdgeType = Literal["statutory", "managerial", "democratic", "contractual"]
PotTier = Literal["local", "regional", "national"]

BodyKind = Literal[
    "department",
    "arms_length_body",
    "executive_agency",
    "regulator",
    "national_board",
    "icb",
    "icp",
    "ccg",
    "csu",
    "stp",
    "nhs_region",
    "regional_care_group",
    "combined_authority",
    "upper_tier_la",
    "district",
    "hwb",
    "place_partnership",
    "joint_committee",
    "scrutiny_body",
    "pcn",
    "provider",
    "provider_collaborative",
    "iho",
    "electorate",
    "parliament",
    "other",
]
BODY_KINDS: tuple[str, ...] = get_args(BodyKind)

#: The six domains of the centralism matrix (004 Figure 4).
MATRIX_DOMAINS: tuple[str, ...] = (
    "accountability",
    "funding_and_payment",
    "workforce",
    "provider_performance_management",
    "system_strategy",
    "procurement",
)
#: Further function domains (004 §4.1.1–4.1.2 and DESIGN.md "Function"); ``commissioning`` is per service line.
OTHER_DOMAINS: tuple[str, ...] = (
    "commissioning",
    "regulation",
    "data_and_digital",
    "campaigns",
    "entitlement_setting",
    "outcome_monitoring",
    "resource_allocation",
    "strategic_support",
    "intervention",
    "health_protection",
    "scrutiny",
    "citizen_voice",
    "support_services",
)
FUNCTION_DOMAINS: tuple[str, ...] = MATRIX_DOMAINS + OTHER_DOMAINS
COMMISSIONING_FUNCTIONS: tuple[str, ...] = tuple(f"commissioning.{line}" for line in LINE_IDS)

BoardCategory = Literal["elected", "nhs_executive", "non_executive", "la_officer", "lay", "other", "nhs_member"]
BOARD_CATEGORIES: tuple[str, ...] = get_args(BoardCategory)
BoardRole = Literal[
    "chair",
    "chief_executive",
    "finance_director",
    "medical_director",
    "nursing_director",
    "non_executive",
    "partner_member",
    "mental_health_expertise",
    "mayor",
    "councillor",
    "lay_member",
    "other",
]
BOARD_ROLES: tuple[str, ...] = get_args(BoardRole)
IncentiveCriterion = Literal[
    "admissions_per_citizen",
    "chronic_inpatient",
    "readmissions_30d",
    "telemedicine",
    "it_integration",
]
INCENTIVE_CRITERIA: tuple[str, ...] = get_args(IncentiveCriterion)
if TYPE_CHECKING:
    LineId = str
else:
    #: A service-line id: the registry's ids, read when this module is imported (a new line is a registry entry).
    LineId = Literal[LINE_IDS]
SEED_FILES: tuple[str, ...] = ("000", "001", "002", "003", "004")

_SOURCE = re.compile(r"^(seed (?P<seed>\d{3})\b.*|data (?P<data>[a-z0-9_]+)\b.*|EVIDENCE §\d+.*|assumption: \S.*)$")
_ID = re.compile(r"^[a-z][a-z0-9_.\-@]*$")

def check_source(text: str) -> str:
    """A source reads ``<bibliography key> §x ...``, ``data <dataset id> ...`` or ``assumption: why`` (the older
    ``seed NNN §x`` and ``EVIDENCE §n`` forms still load); the key, seed file and dataset must exist."""
    from devocare import bibliography

    if bibliography.cited_key(text):  # a key of docs/background/bibliography.md
        return text
    match = _SOURCE.match(text)
    if not match:
        raise ValueError(
            f"source {text!r} must start with a bibliography key (e.g. 'reform-2024 §4.3.1'), "
            "'data <dataset id>', 'assumption: ', or the older 'seed NNN' or 'EVIDENCE §<n>'"
        )
    if match.group("seed") and match.group("seed") not in SEED_FILES:
        raise ValueError(f"no seed file {match.group('seed')!r} (seeds: {', '.join(SEED_FILES)})")
    if match.group("data"):
        from devocare import data
        from devocare.errors import closest

        ids = data.catalogue()
        if match.group("data") not in ids:
            hint = closest(match.group("data"), ids)
            raise ValueError(
                f"unknown dataset {match.group('data')!r}" + (f"; did you mean {hint[0]!r}?" if hint else "")
            )
    return text


class _Strict(BaseModel):
    # allow_inf_nan=False: NaN and infinities (YAML .nan, .inf) are refused in every float field, by path.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=False, allow_inf_nan=False)


#: Bounds of numbers no architecture can mean otherwise: counts and money are never negative, growth never
#: below -100% a year, settlements at most a century long.
def _not_bool(value: object) -> object:
    if isinstance(value, bool):  # YAML's yes/no/on/off are booleans; true is not the number 1
        raise ValueError(f"expected a number, got {value!r}")
    return value


Number = Annotated[float, BeforeValidator(_not_bool)]
Whole = Annotated[int, BeforeValidator(_not_bool)]
Count = Annotated[Whole, Field(ge=0)]
Growth = Annotated[Number, Field(ge=-1, le=10)]
MAX_SETTLEMENT_YEARS = 100
#: Dates an architecture may name: from the NHS's founding decade to a horizon no reform plan exceeds.
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2200, 12, 31)


def _check_date(value: date | None) -> date | None:
    if value is not None and not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"date {value} is outside {FIRST_DATE} to {LAST_DATE}")
    return value


Day = Annotated[date, AfterValidator(_check_date)]


Source = Annotated[str, AfterValidator(check_source)]


class _Cited(_Strict):
    sources: list[Source] = Field(min_length=1, description="Where every figure and fact of this element comes from.")


class _Dated(_Cited):
    start: Day | None = Field(
        None, description="First day the element exists (None: before the architecture's scope)."
    )
    end: Day | None = Field(None, description="Last day the element exists (None: open-ended).")

    def active(self, on: date) -> bool:
        """True if the element exists on ``on``."""
        return (self.start is None or self.start <= on) and (self.end is None or on <= self.end)


class BoardPerConstituent(_Strict):
    """Members added for each constituent area of a body's area (e.g. one council leader per UTLA of a CA)."""

    level: AreaLevel
    members: dict[BoardCategory, Count]


class Board(_Cited):
    """Board composition by member category; ``scope: all`` gives totals across every area of a template body."""

    scope: Literal["each", "all"] = "each"
    members: dict[BoardCategory, Count] = Field(default_factory=dict)
    per_constituent: BoardPerConstituent | None = None
    minimum: dict[BoardRole, Count] = Field(default_factory=dict, description="Statutory minimum roles per board.")


class Body(_Dated):
    """An organisation, committee, electorate or Parliament. Area-based bodies are templates: one per area."""

    id: str
    name: str
    kind: BodyKind
    tier: Tier
    statutory: bool
    leadership: Leadership
    area_level: AreaLevel | None = None
    area_vintage: Literal[2024, 2026] = 2024
    areas: list[str] | Literal["all", "coverage"] = "all"
    outside: list[str] = Field(default_factory=list, description="Bodies whose areas this body does not cover.")
    count_reported: Whole | None = Field(
        None, ge=0, description="Number of such bodies reported by a source (non-area bodies)."
    )
    headcount: Whole | None = Field(None, ge=0)
    running_cost_gbp: Number | None = Field(None, ge=0)
    headcount_path: dict[date, Annotated[Whole, Field(ge=0)]] = Field(
        default_factory=dict, description="Planned headcount from each date (a reduction path); cited or labelled."
    )
    tax_powers: bool = Field(False, description="Raises revenue locally: its pots are fiscally equalised.")
    renamed: dict[date, str] = Field(
        default_factory=dict, description="The body's name from each date on (``name`` is the name before)."
    )
    board: Board | None = None
    description: str = ""

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"id {value!r} must be lower-case letters, digits, '_', '-', '.' or '@'")
        return value

    def name_on(self, on: date | None) -> str:
        """The body's name on ``on`` (departments are renamed: DCLG, MHCLG, DLUHC, MHCLG again)."""
        if on is None or not self.renamed:
            return self.name
        past = [d for d in self.renamed if d <= on]
        return self.renamed[max(past)] if past else self.name


class FunctionAssignment(_Dated):
    """Who holds one function (``function`` defaults to ``id``); ``share`` < 1 when explicitly shared."""

    id: str
    function: str | None = None
    holder: str
    share: Number = Field(1.0, gt=0, le=1)
    outside: list[str] = Field(default_factory=list, description="Bodies whose areas this holding excludes.")
    within: list[str] = Field(default_factory=list, description="Bodies whose areas this holding is limited to.")
    description: str = ""

    @property
    def key(self) -> str:
        """The function this entry holds (``function``, or ``id`` when no variant is named)."""
        return self.function or self.id

    @field_validator("function")
    @classmethod
    def _function(cls, value: str | None) -> str | None:
        return value if value is None else check_function_key(value)

    @model_validator(mode="after")
    def _key(self) -> FunctionAssignment:
        if self.function is None:
            if "@" in self.id:
                raise ValueError(f"id {self.id!r} names a variant ('@'); give the function it holds in 'function:'")
            check_function_key(self.id)
        return self

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"id {value!r} must be lower-case letters, digits, '_', '-', '.' or '@'")
        return value


def check_function_key(key: str) -> str:
    """A function key is a domain, ``domain.qualifier``, or ``commissioning.<service line>``."""
    domain, _, qualifier = key.partition(".")
    if domain not in FUNCTION_DOMAINS:
        from devocare.errors import closest

        hint = closest(domain, FUNCTION_DOMAINS)
        raise ValueError(
            f"unknown function domain {domain!r}"
            + (f"; did you mean {hint[0]!r}?" if hint else "")
            + f" (domains: {', '.join(FUNCTION_DOMAINS)})"
        )
    if domain == "commissioning" and qualifier.split("@")[0] not in LINE_IDS:
        raise ValueError(f"commissioning function {key!r} must name a service line: {', '.join(LINE_IDS)}")
    return key


class AccountabilityEdge(_Dated):
    """``from`` answers to ``to`` (a body, an electorate or Parliament)."""

    id: str | None = None
    from_: str = Field(alias="from")
    to: str
    type: EdgeType
    description: str = ""

    @property
    def key(self) -> str:
        """The edge's id, or ``from->to``."""
        return self.id or f"{self.from_}->{self.to}"


class DataAmount(_Strict):
    """An amount read from a shipped dataset: the sum of ``column`` over rows matching ``where``, times ``scale``."""

    dataset: str
    column: str
    where: dict[str, str] = Field(default_factory=dict)
    scale: Number = Field(1.0, ge=0)


class FundingFlow(_Dated):
    """Money from a source body to a body: an amount (cited) or a share of the source's income."""

    id: str
    from_: str = Field(alias="from")
    to: str
    amount_gbp: Number | None = Field(None, ge=0)
    amount_data: DataAmount | None = None
    share: Number | None = Field(None, ge=0, le=1)
    lines: list[LineId] = Field(default_factory=list, description="Service lines this money commissions.")
    line_shares: dict[LineId, Annotated[Number, Field(ge=0, le=1)]] | None = None
    pooled: bool = Field(False, description="Money already counted in another flow, pooled here (e.g. BCF).")
    derived: bool = Field(False, description="Amount computed from the money section (base year), not typed.")
    ring_fenced: bool = False
    settlement_years: Whole = Field(1, ge=1, le=MAX_SETTLEMENT_YEARS)
    allocation_rule: str = ""
    conditions: list[str] = Field(default_factory=list)
    description: str = ""


class RiskCorridor(_Cited):
    """A risk-sharing corridor: the pot keeps surpluses and bears deficits within ±``width`` of its allocation
    under the money rules; beyond it the centre takes ``centre_share`` of the surplus or meets that share of the
    deficit (US Medicare accountable care organisations; NHS risk-share agreements). Cite both figures."""

    width: float = Field(ge=0, le=1, description="Half-width of the corridor as a share of the allocation.")
    centre_share: float = Field(ge=0, le=1, description="Share of a result beyond the corridor the centre takes.")


class Pot(_Cited):
    """A budget pot: a holder body, the service lines it pays for, ring-fenced or not, and its tier."""

    id: str
    holder: str
    lines: list[LineId] = Field(min_length=1)
    ring_fenced: bool = False
    tier: PotTier
    risk_corridor: RiskCorridor | None = Field(None, description="Optional risk-sharing corridor (none: no limit).")
    savings_retained: float | None = Field(
        None, ge=0, le=1, description="Share of an underspend this pot's holder keeps (None: the money section's)."
    )
    overspend_borne_locally: float | None = Field(
        None, ge=0, le=1, description="Share of an overspend this pot's holder bears (None: the money section's)."
    )


_CO_FINANCED_LINES: tuple[LineId, ...] = ("acute_non_elective", "acute_elective")


class CoFinancing(_Cited):
    """Local tier pays ``share`` of each hospital admission on ``lines`` to the regional tier (Denmark)."""

    share: Number = Field(ge=0, le=1)
    payer_tier: PotTier = "local"
    receiver_tier: PotTier = "regional"
    lines: list[LineId] = Field(default_factory=lambda: list(_CO_FINANCED_LINES))
    hospital_funding_to_local: Number = Field(0.0, ge=0, le=1)

    @model_validator(mode="after")
    def _funded(self) -> CoFinancing:
        """The local tier pays ``share`` of its residents' hospital spend out of the hospital money moved to
        it: moving less than that share leaves it paying from its other services (share 1 with 0.34 moved
        once gave £171bn of deficits and 99 interventions)."""
        if self.hospital_funding_to_local < self.share - 1e-12:
            raise ValueError(
                f"hospital_funding_to_local ({self.hospital_funding_to_local:g}) cannot cover the co-financing "
                f"share ({self.share:g}): move at least the share of hospital funding to the local tier"
            )
        return self


class IncentiveFund(_Cited):
    """A top-slice of the block grant paid back on targets (Denmark's 2019 criteria)."""

    top_slice: Number = Field(ge=0, le=1)
    criteria: list[IncentiveCriterion] = Field(min_length=1)
    tiers: list[PotTier] | None = Field(
        None, description="Pot tiers the fund pays (None: every tier but national; name it to top-slice it).")


class Rebasing(_Cited):
    """At settlement end, move block grant toward ``toward`` in proportion to the activity shift."""

    toward: PotTier = "local"
    share_of_activity_shift: Number = Field(ge=0, le=1)


class Coverage(_Cited):
    """Which areas run this architecture's money rules; the rest run ``otherwise``."""

    devolved: list[str] | Literal["all"]
    level: AreaLevel = "ca"
    vintage: Literal[2024, 2026] = 2024
    otherwise: str = "status-quo-2023"


class Money(_Cited):
    """The money rules the simulator and allocation engine run (field names fixed by the cross-team contract)."""

    pots: list[Pot] = Field(min_length=1)
    settlement_years: Whole = Field(1, ge=1, le=MAX_SETTLEMENT_YEARS)
    indexation: Growth = Field(0.0, description="Annual real uplift inside a settlement (fraction, >= -1).")
    savings_retained: Number = Field(0.0, ge=0, le=1)
    overspend_borne_locally: Number = Field(0.0, ge=0, le=1)
    co_financing: CoFinancing | None = None
    incentive_fund: IncentiveFund | None = None
    hospital_input_cap: Growth | None = Field(
        None, description="Maximum annual real growth of acute spend (fraction, >= -1).")
    rebasing: Rebasing | None = None
    coverage: Coverage | None = None
    replaces: str | None = Field(
        None,
        description="Built-in architecture whose money rules run before this one's bodies start (default: "
        "coverage.otherwise, else status-quo-2023).",
    )


class Architecture(_Cited):
    """A whole health and care architecture, ``extends:`` already resolved."""

    id: str
    name: str
    description: str = ""
    as_of: Day = Field(description="The date whose structure the metrics describe.")
    extends: str | None = Field(None, description="The architecture this one overrides (kept for provenance).")
    bodies: list[Body] = Field(min_length=1)
    functions: list[FunctionAssignment] = Field(min_length=1)
    accountability: list[AccountabilityEdge] = Field(min_length=1)
    flows: list[FundingFlow] = Field(default_factory=list)
    money: Money

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value) or "@" in value:
            raise ValueError(f"id {value!r} must be lower-case letters, digits, '_', '-' or '.'")
        return value

    def __repr__(self) -> str:
        from devocare.display import architecture_repr

        return architecture_repr(self)

    def _repr_html_(self) -> str:
        from devocare.display import architecture_html

        return architecture_html(self)

    def body(self, body_id: str) -> Body:
        """The body with this id (KeyError if absent)."""
        for b in self.bodies:
            if b.id == body_id:
                return b
        raise KeyError(body_id)

    def bodies_on(self, on: date | None = None) -> list[Body]:
        """Bodies that exist on ``on`` (default ``as_of``)."""
        on = on or self.as_of
        return [b for b in self.bodies if b.active(on)]

    def functions_on(self, on: date | None = None) -> list[FunctionAssignment]:
        """Function holdings that exist on ``on`` (default ``as_of``)."""
        on = on or self.as_of
        return [f for f in self.functions if f.active(on)]

    def edges_on(self, on: date | None = None) -> list[AccountabilityEdge]:
        """Accountability edges that exist on ``on`` (default ``as_of``)."""
        on = on or self.as_of
        return [e for e in self.accountability if e.active(on)]

    def flows_on(self, on: date | None = None) -> list[FundingFlow]:
        """Funding flows that exist on ``on`` (default ``as_of``)."""
        on = on or self.as_of
        return [f for f in self.flows if f.active(on)]
