"""The architecture format: pydantic models for bodies, functions, accountability, funding flows and money rules.

An architecture is data, not code: who exists (bodies, with dated start/end so "NHS England phased out in
2027" is a field), who holds each function, who answers to whom, how money flows, and the money rules the
simulator and the allocation engine run (``money``). Every element carries ``sources``: a bibliography key
and section (``reform-2024 §4.3.1``), a shipped dataset, or an explicit ``assumption:``.

These models check shape and types only; rules that span elements (holders exist, accountability reaches an
electorate, England is covered once per commissioning function...) live in :mod:`.validate`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from devocare.envelope import BASE_DATE
from devocare.service_lines import ALIASES, FUNCTION_LINES, LINE_IDS, expand

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
#: Further function domains (reform-2024 §4.1.1–4.1.2 and DESIGN.md "Function"); ``commissioning`` is per service line.
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
    "health_and_justice",
)
FUNCTION_DOMAINS: tuple[str, ...] = MATRIX_DOMAINS + OTHER_DOMAINS
COMMISSIONING_FUNCTIONS: tuple[str, ...] = tuple(f"commissioning.{line}" for line in FUNCTION_LINES)

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
    "elective_floor",
    "prevention_spend_share",
]
INCENTIVE_CRITERIA: tuple[str, ...] = get_args(IncentiveCriterion)
if TYPE_CHECKING:
    LineId = str
else:
    #: A service-line id: the registry's ids, read when this module is imported (a new line is a registry entry).
    LineId = Literal[LINE_IDS]


def _expand_lines(value: Any) -> Any:
    """A list of lines with aliases (``specialised``) replaced by the lines they stand for."""
    return expand([str(v) for v in value]) if isinstance(value, list) else value


def _expand_line_shares(value: Any) -> Any:
    """``line_shares`` with an alias's share split between its lines by their base-year spend."""
    if not isinstance(value, dict) or not any(k in ALIASES for k in value):
        return value
    from devocare.envelope import alias_shares

    out: dict[Any, Any] = {}
    for key, share in value.items():
        if key in ALIASES and isinstance(share, (int, float)) and not isinstance(share, bool):
            for one, part in alias_shares(str(key)).items():
                out[one] = out.get(one, 0.0) + share * part
        else:
            out[key] = share
    return out


def _expand_pot_shares(value: Any) -> Any:
    """A pot's ``line_shares`` with an alias (``specialised``) giving the same share of each line it stands for."""
    if not isinstance(value, dict) or not any(k in ALIASES for k in value):
        return value
    out: dict[Any, Any] = {}
    for key, share in value.items():
        for one in expand([str(key)]) if key in ALIASES else [key]:
            out[one] = share
    return out


#: Service lines as written in an architecture file: line ids, or an alias that stands for several.
LineList = Annotated[list[LineId], BeforeValidator(_expand_lines)]
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
    start: Day | None = Field(None, description="First day the element exists (None: before the architecture's scope).")
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
    running_cost_path: dict[date, Annotated[Number, Field(ge=0)]] = Field(
        default_factory=dict, description="Planned running cost (£ a year) from each date (a cut); cited or labelled."
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

    @model_validator(mode="after")
    def _paths_start_from_a_figure(self) -> Body:
        """A path is a plan of cuts from a stated figure: without the figure there is nothing to save from."""
        if self.headcount_path and self.headcount is None:
            raise ValueError(f"body {self.id!r}: headcount_path needs the headcount it starts from (headcount:)")
        if self.running_cost_path and self.running_cost_gbp is None:
            raise ValueError(
                f"body {self.id!r}: running_cost_path needs the running cost it starts from (running_cost_gbp:)"
            )
        return self

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
    delegated_by: str | None = Field(
        None,
        description="Body whose budget pays for this commissioning: the holder commissions its share as that "
        "body's delegate, which keeps the pot and its risk (a combined authority delegating to its councils).",
    )
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
    if domain == "commissioning" and qualifier.split("@")[0] not in (*LINE_IDS, *ALIASES):
        raise ValueError(f"commissioning function {key!r} must name a service line: {', '.join((*LINE_IDS, *ALIASES))}")
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
    amount_parameter: str | None = Field(
        None,
        description="A £bn parameter the amount follows (e.g. bcf.nhs_minimum): the simulator reads it from the "
        "parameter tree, overrides included; amount_gbp shows its base-year value.",
    )
    amount_data: DataAmount | None = None
    share: Number | None = Field(None, ge=0, le=1)
    lines: LineList = Field(default_factory=list, description="Service lines this money commissions.")
    line_shares: Annotated[
        dict[LineId, Annotated[Number, Field(ge=0, le=1)]] | None, BeforeValidator(_expand_line_shares)
    ] = None
    pooled: bool = Field(False, description="Money already counted in another flow, pooled here (e.g. BCF).")
    derived: bool = Field(False, description="Amount computed from the money section (base year), not typed.")
    ring_fenced: bool = False
    settlement_years: Whole = Field(1, ge=1, le=MAX_SETTLEMENT_YEARS)
    allocation_rule: str = ""
    conditions: list[str] = Field(default_factory=list)
    description: str = ""

    @model_validator(mode="before")
    @classmethod
    def _alias_amount(cls, data: Any) -> Any:
        """An amount given for one aliased line (``lines: [specialised]``) is split between the lines it
        stands for by their base-year spend, as if ``line_shares`` had said so."""
        if isinstance(data, dict) and data.get("line_shares") is None:
            lines = data.get("lines")
            if isinstance(lines, list) and len(lines) == 1 and lines[0] in ALIASES:
                from devocare.envelope import alias_shares

                data = {**data, "line_shares": alias_shares(str(lines[0]))}
        return data

    @model_validator(mode="after")
    def _parameter_amount(self) -> FundingFlow:
        """An amount that follows a parameter shows that parameter's base-year value (one figure, not two)."""
        if self.amount_parameter is not None:
            from devocare.envelope import base_year_gbp
            from devocare.errors import DevocareError

            try:
                value = base_year_gbp(self.amount_parameter)
            except DevocareError as exc:
                raise ValueError(str(exc)) from None
            if self.amount_gbp is not None and abs(self.amount_gbp - value) > 0.5e6:
                raise ValueError(
                    f"amount_gbp {self.amount_gbp:g} contradicts amount_parameter {self.amount_parameter} "
                    f"(£{value:,.0f} in the base year); give one of them"
                )
            self.amount_gbp = value
        return self


class RiskCorridor(_Cited):
    """A risk-sharing corridor: the pot keeps surpluses and bears deficits within ±``width`` of its allocation
    under the money rules; beyond it the centre takes ``centre_share`` of the surplus or meets that share of the
    deficit (US Medicare accountable care organisations; NHS risk-share agreements). Cite both figures."""

    width: float = Field(ge=0, le=1, description="Half-width of the corridor as a share of the allocation.")
    centre_share: float = Field(ge=0, le=1, description="Share of a result beyond the corridor the centre takes.")


class Pot(_Dated):
    """A budget pot: a holder body, the service lines it pays for, ring-fenced or not, and its tier.

    ``start``/``end`` date a pot as the system changes (the ICBs' delegated specialised pot from 2025-04-01,
    NHS England's until 2025-03-31). The architecture metrics read the pots active on the date they measure;
    the simulator switches pots on their dates (each date opens a phase whose budgets are the pots active in
    it). On every date each line is in exactly one pot: pots holding one line must not overlap in time."""

    id: str
    holder: str
    lines: LineList = Field(min_length=1)
    ring_fenced: bool = False
    tier: PotTier
    risk_corridor: RiskCorridor | None = Field(None, description="Optional risk-sharing corridor (none: no limit).")
    savings_retained: float | None = Field(
        None, ge=0, le=1, description="Share of an underspend this pot's holder keeps (None: the money section's)."
    )
    overspend_borne_locally: float | None = Field(
        None, ge=0, le=1, description="Share of an overspend this pot's holder bears (None: the money section's)."
    )
    line_shares: Annotated[
        dict[LineId, Annotated[Number, Field(gt=0, le=1)]] | None, BeforeValidator(_expand_pot_shares)
    ] = Field(
        None,
        description="Share of a line's money this pot holds where two pots split one line (e.g. the national "
        "remainder of specialised commissioning); every other line of the pot is held in full (1). Over the "
        "pots holding a line on a date the shares sum to 1.",
    )

    @model_validator(mode="after")
    def _shares_of_held_lines(self) -> Pot:
        """A share names a line the pot holds: a share of a line it does not hold would move no money."""
        extra = [line for line in self.line_shares or {} if line not in self.lines]
        if extra:
            raise ValueError(
                f"pot {self.id!r}: line_shares names line(s) {', '.join(extra)} the pot does not hold "
                f"(its lines: {', '.join(self.lines)})"
            )
        return self

    def share_of(self, line: str) -> float:
        """The share of ``line``'s money this pot holds: 1 for a line held in full, 0 for one it does not hold."""
        if line not in self.lines:
            return 0.0
        return float((self.line_shares or {}).get(line, 1.0))


_CO_FINANCED_LINES: tuple[LineId, ...] = ("acute_non_elective", "acute_elective")


class CoFinancing(_Cited):
    """Local tier pays ``share`` of each hospital admission on ``lines`` to the regional tier (Denmark)."""

    share: Number = Field(ge=0, le=1)
    payer_tier: PotTier = "local"
    receiver_tier: PotTier = "regional"
    lines: LineList = Field(default_factory=lambda: list(_CO_FINANCED_LINES))
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
    """A top-slice of the block grant paid back on targets (Denmark's 2019 criteria). reform-2024 §4.3.2 asks for
    specific incentives for secondary and for primary care, so each tier may have its own criteria."""

    top_slice: Number = Field(ge=0, le=1)
    criteria: list[IncentiveCriterion] = Field(
        default_factory=list, description="Criteria of every paid tier that tier_criteria does not name."
    )
    tiers: list[PotTier] | None = Field(
        None,
        description="Pot tiers the fund pays (None: the tiers tier_criteria names, else every tier but "
        "national; name it to top-slice it).",
    )
    tier_criteria: dict[PotTier, list[IncentiveCriterion]] | None = Field(
        None, description="Criteria per tier (a tier named here is paid on these instead of criteria)."
    )
    unpaid: Literal["tier", "centre"] = Field(
        "tier",
        description="Where money a budget does not earn goes: to the other budgets of its holder group "
        "(the same holder's budgets for the same pots, in one rule set) in proportion to what they earned "
        "(tier), or back to the centre (centre, a clawback).",
    )

    @model_validator(mode="after")
    def _criteria_per_paid_tier(self) -> IncentiveFund:
        """Every paid tier has at least one criterion, and tier_criteria names only paid tiers."""
        own = self.tier_criteria or {}
        if self.tiers is not None:
            extra = sorted(set(own) - set(self.tiers))
            if extra:
                raise ValueError(f"tier_criteria names tiers the fund does not pay: {extra} (tiers: {self.tiers})")
        for tier, names in own.items():
            if not names:
                raise ValueError(f"tier_criteria.{tier} lists no criterion")
        paid = self.tiers if self.tiers is not None else list(own) if own else ["local", "regional"]
        if not self.criteria and any(tier not in own for tier in paid):
            raise ValueError("incentive_fund needs criteria for every tier it pays (criteria or tier_criteria)")
        return self

    def criteria_for(self, tier: str) -> list[str] | None:
        """The criteria a pot of ``tier`` is paid on, or None where the fund does not pay that tier."""
        own = self.tier_criteria or {}
        if self.tiers is not None:
            paid = tier in self.tiers
        else:
            paid = tier in own if own else tier != "national"
        if not paid:
            return None
        return list(own[tier]) if tier in own else list(self.criteria)


class Rebasing(_Cited):
    """At settlement end, move block grant toward ``toward`` in proportion to the activity shift."""

    toward: PotTier = "local"
    share_of_activity_shift: Number = Field(ge=0, le=1)


class LocalRevenue(_Cited):
    """Revenue the pots of a holder with ``tax_powers`` raise from their area's own tax base, beyond the
    national envelope (PwC's Regional Care Groups; ``reform-2024``'s fiscal devolution): ``rate`` × the area's
    council tax at the England average Band D a year, of which the centre offsets ``equalised`` × the
    difference from the population average (1: every area raises the same per resident; 0: none)."""

    rate: Number = Field(ge=0, le=1, description="Share of the area's council tax raised for health and care.")
    equalised: Number = Field(0.0, ge=0, le=1, description="Share of revenue-capacity differences the centre offsets.")


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
        None, description="Maximum annual real growth of acute spend (fraction, >= -1)."
    )
    rebasing: Rebasing | None = None
    coverage: Coverage | None = None
    local_revenue: LocalRevenue | None = Field(
        None, description="Revenue raised locally by pots whose holder has tax_powers (none: no local revenue)."
    )
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

    @model_validator(mode="after")
    def _delegations_have_a_budget(self) -> Architecture:
        """A delegated commissioning share is paid from the delegating body's pot for that service line."""
        ids = {b.id for b in self.bodies}
        for f in self.functions:
            if f.delegated_by is None:
                continue
            line = f.key.split(".")[1].split("@")[0] if f.key.startswith("commissioning.") else None
            if f.delegated_by not in ids:
                raise ValueError(f"function {f.id!r}: delegated_by names no body {f.delegated_by!r}")
            if line is None or not any(p.holder == f.delegated_by and line in p.lines for p in self.money.pots):
                raise ValueError(
                    f"function {f.id!r}: delegated_by {f.delegated_by!r} must hold a pot with the "
                    "service line it commissions"
                )
        return self

    @model_validator(mode="after")
    def _revenue_has_a_raiser(self) -> Architecture:
        """Local revenue is raised by a holder with tax powers: without one it would silently raise nothing."""
        if self.money.local_revenue is not None:
            taxing = {b.id for b in self.bodies if b.tax_powers}
            if not any(p.holder in taxing for p in self.money.pots):
                raise ValueError("money.local_revenue needs a pot held by a body with tax_powers: true")
        return self

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

    def pots_on(self, on: date | None = None) -> Architecture:
        """This architecture with only the pots that exist on ``on`` (default ``as_of``): the money rules of
        that date (itself where every pot exists then)."""
        on = on or self.as_of
        kept = [p for p in self.money.pots if p.active(on)]
        if len(kept) == len(self.money.pots):
            return self
        return self.model_copy(update={"money": self.money.model_copy(update={"pots": kept})})

    def flows_on(self, on: date | None = None) -> list[FundingFlow]:
        """Funding flows that exist on ``on`` (default ``as_of``)."""
        on = on or self.as_of
        return [f for f in self.flows if f.active(on)]


def pot_change_dates(arch: Any) -> list[date]:
    """The dates on which an architecture's set of pots changes: each pot's start and the day after each
    pot's end (the simulator opens a phase on each, the allocation engine pays each year's grants by them)."""
    out: set[date] = set()
    for pot in getattr(getattr(arch, "money", None), "pots", None) or []:
        if pot.start is not None:
            out.add(pot.start)
        if pot.end is not None:
            out.add(pot.end + timedelta(days=1))
    return sorted(out)


def reform_start(arch: Any) -> date | None:
    """The date a reform takes effect: the first start of a body after the base date (new bodies are what
    a reorganisation creates), or ``None`` for an architecture that creates none (the status quo)."""
    starts = [b.start for b in getattr(arch, "bodies", []) if b.start is not None and b.start > BASE_DATE]
    return min(starts) if starts else None
