"""The one registry of what devocare's outputs mean: each measure's label, unit, scale and one-line meaning.

Results, CLI tables, reports, web pages, workbooks and the generated glossary read labels and units from
here, so a measure is named the same way everywhere and no caller rebuilds a label from its key. The keys
themselves (``spent_gbp_bn``, ``fragmentation_pots``, ...) are contracts of the JSON outputs and never
change; the registry adds the words beside them.

Units say how a value is shown (see :mod:`devocare.formatting`): ``gbp`` pounds, ``gbp_bn`` / ``gbp_m`` /
``gbp_k`` values already in £bn / £m / £k, ``pence`` pennies, ``share`` a fraction shown as a percentage,
``count`` whole things (bodies, people, admissions), ``rate`` a per-population rate, ``ratio`` a
dimensionless number, ``index`` 0–1 scores, ``year`` a financial or calendar year, ``text`` words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal[
    "gbp", "gbp_bn", "gbp_m", "gbp_k", "pence", "share", "count", "rate", "ratio", "index", "year", "text", "levels"
]
Kind = Literal["stock", "flow", "state", "structure", "setting"]


@dataclass(frozen=True)
class Measure:
    """One output measure: ``kind`` says whether the horizon value is a stock (held at the horizon), a flow
    (summed over the years run), a state (the horizon year's level or rate), a structural metric of an
    architecture, or a setting of the run."""

    id: str
    label: str
    unit: Unit
    kind: Kind
    meaning: str
    in_summary: bool = False
    #: the summary's P5/P95 band exists for this measure (Monte Carlo runs)
    banded: bool = False
    #: lower is better (used in plain-language comparisons); None where neither direction is better
    lower_is_better: bool | None = None


_M = Measure

#: Summary measures of a simulation run (``SimulationResult.summary``), in the order shown.
SUMMARY: tuple[Measure, ...] = (
    _M("architecture", "Architecture", "text", "setting", "The architecture simulated (its id).", True),
    _M("base_year", "Base year", "year", "setting", "The first financial year simulated.", True),
    _M("horizon", "Horizon", "year", "setting", "The last financial year simulated.", True),
    _M("years", "Years simulated", "count", "setting", "Number of financial years run.", True),
    _M(
        "draws",
        "Monte Carlo draws",
        "count",
        "setting",
        "Random draws of the uncertain parameters (0: central only).",
        True,
    ),
    _M(
        "atoms",
        "Smallest areas",
        "text",
        "setting",
        "The areas the simulator works on: LAD (296) or LSOA (33,755).",
        True,
    ),
    _M("budgets", "Budgets", "count", "setting", "Budgets held in the architecture (holder × area).", True),
    _M(
        "allocated_gbp_bn",
        "Money allocated",
        "gbp_bn",
        "state",
        "Money allocated to all budgets in the horizon year (central run).",
        True,
    ),
    _M(
        "funding_per_need_cv",
        "Funding-to-need variation",
        "ratio",
        "state",
        "Coefficient of variation across areas of money allocated ÷ need in the horizon year, weighted by "
        "population; 0 means every area gets the same money per unit of need.",
        True,
        False,
        True,
    ),
    _M(
        "spent_gbp_bn",
        "Money spent",
        "gbp_bn",
        "state",
        "Money spent on the ten service lines in the horizon year.",
        True,
        True,
        None,
    ),
    _M(
        "acute_share",
        "Hospital (acute) share of spend",
        "share",
        "state",
        "Share of the horizon year's spend on specialised, elective and emergency hospital care.",
        True,
        True,
        True,
    ),
    _M(
        "upstream_share",
        "Prevention (upstream) share of spend",
        "share",
        "state",
        "Share of the horizon year's spend on public health, community, primary care and wider health-creating "
        "services.",
        True,
        True,
        False,
    ),
    _M(
        "admissions_per_1000",
        "Emergency admissions per 1,000 people",
        "rate",
        "state",
        "Emergency (non-elective) hospital admissions per 1,000 residents in the horizon year.",
        True,
        True,
        True,
    ),
    _M(
        "bodies_in_intervention",
        "Budgets in intervention",
        "count",
        "state",
        "Budgets that meet the one intervention trigger in the horizon year: a deficit beyond a stated share of "
        "allocation, or a minimum service level breached for consecutive years.",
        True,
        True,
        True,
    ),
    _M(
        "unmet_need_gbp_bn",
        "Unmet need",
        "gbp_bn",
        "state",
        "Need left unmet in the horizon year because budgets cut spending to recover overspends: spending less "
        "than need is shown here, never as a gain by itself.",
        True,
        True,
        True,
    ),
    _M(
        "deficit_support_gbp_bn",
        "Deficit support from the centre",
        "gbp_bn",
        "flow",
        "Overspends met by the centre, summed over the years run.",
        True,
        True,
        True,
    ),
    _M(
        "returned_gbp_bn",
        "Money returned to the centre",
        "gbp_bn",
        "flow",
        "Surpluses clawed back by the centre, summed over the years run.",
        True,
        True,
        None,
    ),
    _M(
        "reserves_gbp_bn",
        "Reserves held",
        "gbp_bn",
        "stock",
        "Reserves held by all budgets at the horizon.",
        True,
        True,
        None,
    ),
    _M(
        "incentive_paid_gbp_bn",
        "Incentive payments",
        "gbp_bn",
        "flow",
        "Incentive-fund money paid out on targets met, summed over the years run.",
        True,
        True,
        None,
    ),
    _M(
        "transfers_gbp_bn",
        "Transfers between budgets",
        "gbp_bn",
        "flow",
        "Money moved between budgets (co-financing, pooled funds), summed over the years run.",
        True,
        True,
        None,
    ),
    _M(
        "conservation_max_gap",
        "Conservation check (largest gap)",
        "ratio",
        "setting",
        "Largest relative gap between money in and money out over every budget, year and draw; should be ~0.",
        True,
    ),
)

#: Per-budget measures of a run (``SimulationResult.draws`` and the tidy table), in pounds unless stated.
BUDGET: tuple[Measure, ...] = (
    _M("allocated", "Allocated", "gbp", "flow", "Money allocated to the budget in the year, before any top-slice."),
    _M("grant", "Block grant", "gbp", "flow", "The block grant the settlement fixes for the year."),
    _M("incentive_fund", "Incentive fund held back", "gbp", "flow", "Top-slice held back for the incentive fund."),
    _M(
        "incentive_paid",
        "Incentive paid",
        "gbp",
        "flow",
        "Incentive-fund money paid to the budget on targets met, with its share of its tier's unearned money.",
    ),
    _M("spent", "Spent", "gbp", "flow", "Money the budget spent on its service lines in the year."),
    _M(
        "transfers_in",
        "Transfers in",
        "gbp",
        "flow",
        "Money received from other budgets (co-financing, pools, balances taken over).",
    ),
    _M(
        "transfers_out",
        "Transfers out",
        "gbp",
        "flow",
        "Money paid to other budgets (co-financing, pools, balances handed over).",
    ),
    _M("reserves", "Reserves", "gbp", "stock", "Reserves held at the end of the year (negative: a deficit)."),
    _M("reserve_change", "Change in reserves", "gbp", "flow", "Money added to (or drawn from) reserves in the year."),
    _M("returned", "Returned to the centre", "gbp", "flow", "Surplus clawed back by the centre in the year."),
    _M("deficit_support", "Deficit support", "gbp", "flow", "Overspend met by the centre in the year."),
    _M("need", "Need", "gbp", "flow", "The need-weighted cost of the budget's service lines for its residents."),
    _M(
        "unmet_need",
        "Unmet need",
        "gbp",
        "flow",
        "Need the budget rationed away in the year: cuts to recover an overspend, priced at the cost of the need "
        "they leave unmet (efficiency meets need for less, so it is not unmet). Spending less is never a gain by "
        "itself.",
    ),
    _M("admissions", "Emergency admissions", "count", "flow", "Emergency admissions of the budget's residents."),
    _M(
        "floor_breached",
        "Below a minimum service level",
        "share",
        "state",
        "Whether (or in what share of draws) a line's spend falls below its minimum service level.",
    ),
    _M(
        "intervention",
        "In intervention",
        "share",
        "state",
        "Whether (or in what share of draws) the body meets the intervention trigger: a deficit beyond a stated "
        "share of allocation, or a minimum service level breached for consecutive years.",
    ),
    _M(
        "intervention_deficit",
        "In intervention for a deficit",
        "share",
        "state",
        "Whether the in-year deficit or the negative reserve is beyond the stated share of allocation.",
    ),
    _M(
        "intervention_floor",
        "In intervention for service levels",
        "share",
        "state",
        "Whether a minimum service level has been breached for the stated number of consecutive years.",
    ),
    _M(
        "transition_cost",
        "Transition charge",
        "gbp",
        "flow",
        "A reform's redundancy, reorganisation and double running from its start year, less the running-cost "
        "saving, paid by the budget.",
    ),
    _M(
        "handed_over",
        "Balance handed over",
        "gbp",
        "flow",
        "The reserves (or carried deficit) a budget that ceases at a phase's start (a reform's start, a pot's "
        "date) passes to its successors; part of its transfers out.",
    ),
    _M(
        "taken_over",
        "Balance taken over",
        "gbp",
        "flow",
        "The reserves (or carried deficit) a budget receives from the budgets it succeeds at a phase's start; "
        "part of its transfers in.",
    ),
)

#: Columns of the per-draw national table (``SimulationResult.draws_table``).
DRAWS: tuple[Measure, ...] = (
    _M("spent", "Money spent", "gbp", "flow", "National spend on the ten service lines in the year."),
    _M("acute_spend", "Hospital (acute) spend", "gbp", "flow", "National spend on hospital lines in the year."),
    _M("upstream_spend", "Prevention (upstream) spend", "gbp", "flow", "National spend on upstream lines."),
    _M("admissions", "Emergency admissions", "count", "flow", "National emergency admissions in the year."),
    _M("deficit_support", "Deficit support", "gbp", "flow", "Overspends met by the centre in the year."),
)

#: Structural metrics of an architecture (``devocare.atlas.metrics``).
ARCHITECTURE: tuple[Measure, ...] = (
    _M("id", "Architecture", "text", "setting", "The architecture's id."),
    _M("as_of", "As of", "text", "setting", "The date the structure is read on."),
    _M("bodies", "Bodies", "count", "structure", "Bodies that exist on the date."),
    _M("functions", "Functions", "count", "structure", "Functions held (centralism-matrix domains and the rest)."),
    _M(
        "centralism_functions",
        "Functions held nationally",
        "share",
        "structure",
        "Share of functions held by a national-tier body.",
    ),
    _M(
        "centralism_spend",
        "Spend decided nationally",
        "share",
        "structure",
        "Share of spend whose budget is held by a national-tier body.",
    ),
    _M(
        "centralism_index",
        "Centralism index",
        "index",
        "structure",
        "Mean of the two shares above: 0 fully local, 1 fully national.",
        lower_is_better=None,
    ),
    _M("spend_gbp", "Spend covered", "gbp", "structure", "Spend flowing through the architecture's funding flows."),
    _M(
        "spend_devolved_share",
        "Devolved share of spend",
        "share",
        "structure",
        "Share of spend whose holder answers to a local electorate.",
    ),
    _M(
        "spend_delegated_share",
        "Delegated share of spend",
        "share",
        "structure",
        "Share of spend whose holder answers upward to the centre.",
    ),
    _M(
        "distance_mean",
        "Distance to voters (mean)",
        "ratio",
        "structure",
        "Accountability steps from the spender of each pound to an electorate, averaged over pounds.",
    ),
    _M(
        "distance_max",
        "Distance to voters (most)",
        "count",
        "structure",
        "Most accountability steps from any spender to an electorate.",
    ),
    _M(
        "fragmentation_commissioners",
        "Commissioners per resident",
        "ratio",
        "structure",
        "Distinct commissioners along one resident's care pathway (population-weighted).",
    ),
    _M(
        "fragmentation_pots",
        "Budget pots per resident",
        "ratio",
        "structure",
        "Distinct budget pots along one resident's care pathway (population-weighted).",
    ),
    _M(
        "fragmentation_ringfenced_pots",
        "Ring-fenced pots per resident",
        "ratio",
        "structure",
        "Ring-fenced budget pots along one resident's pathway (population-weighted).",
    ),
    _M("fragmentation", "Fragmentation", "ratio", "structure", "Commissioners plus pots per resident."),
    _M(
        "coterminosity",
        "Coterminosity",
        "share",
        "structure",
        "Share of boundaries that line up with the areas they work with.",
    ),
    _M("board_members", "Board members", "count", "structure", "Members of the boards counted."),
    _M(
        "board_nhs_executive_share",
        "Board seats: NHS executives",
        "share",
        "structure",
        "Share of board seats held by NHS executives.",
    ),
    _M(
        "board_lay_share", "Board seats: lay members", "share", "structure", "Share of board seats held by lay members."
    ),
    _M("board_other_share", "Board seats: other", "share", "structure", "Share of board seats held by anyone else."),
    _M(
        "board_non_executive_share",
        "Board seats: non-executive",
        "share",
        "structure",
        "Share of board seats held by non-executives.",
    ),
    _M(
        "board_la_officer_share",
        "Board seats: council officers",
        "share",
        "structure",
        "Share of board seats held by local-authority officers.",
    ),
    _M(
        "board_elected_share",
        "Board seats: elected",
        "share",
        "structure",
        "Share of board seats held by elected councillors or mayors.",
    ),
    _M(
        "population_devolved_share",
        "Population under devolved bodies",
        "share",
        "structure",
        "Share of residents whose care budget is held by a body answering to a local electorate.",
    ),
    _M(
        "board_nhs_member_share",
        "Board seats: NHS members",
        "share",
        "structure",
        "Share of board seats held by members from NHS bodies (other than executives).",
    ),
    _M(
        "accountability_investment_gbp",
        "Scrutiny and citizen-voice funding",
        "gbp",
        "structure",
        "£ a year flowing to bodies that hold the scrutiny and citizen-voice functions.",
    ),
    _M(
        "commissioning_population_out_of_hospital",
        "Commissioning scale: out of hospital",
        "count",
        "structure",
        "Residents covered by the body commissioning a resident's primary, community, public health and social "
        "care (resident-weighted).",
    ),
    _M(
        "commissioning_population_hospital",
        "Commissioning scale: hospital",
        "count",
        "structure",
        "Residents covered by the body commissioning a resident's hospital and specialised care (resident-weighted).",
    ),
    _M(
        "pathway_budget_holders",
        "Budget holders per pathway",
        "ratio",
        "structure",
        "Distinct budget holders paying for one resident's care (population-weighted).",
    ),
    _M(
        "population_with_deal_share",
        "Population with a devolution deal",
        "share",
        "structure",
        "Residents in a combined authority with a devolution deal (the same for every architecture).",
    ),
    _M(
        "central_headcount_planned",
        "Central headcount (planned)",
        "count",
        "structure",
        "National bodies' headcount at the end of their planned reductions, else their headcount.",
    ),
    _M("central_headcount", "Central headcount", "count", "structure", "Staff of the national bodies that state it."),
    _M(
        "central_headcount_bodies",
        "Bodies counted in headcount",
        "text",
        "structure",
        "Bodies whose staff are counted.",
    ),
    _M("running_cost_gbp", "Running costs", "gbp", "structure", "Running costs of the bodies that state them."),
)

#: Funnel-plot positions of an area against the control limits (``devocare.outcomes.funnel``).
FUNNEL: dict[str, str] = {
    "better_998": "Better (99.8% limits)",
    "better_95": "Better (95% limits)",
    "within": "Similar to England",
    "worse_95": "Worse (95% limits)",
    "worse_998": "Worse (99.8% limits)",
    "high_998": "Higher (99.8% limits)",
    "high_95": "Higher (95% limits)",
    "low_95": "Lower (95% limits)",
    "low_998": "Lower (99.8% limits)",
}

#: Columns of a budget holder's view (``devocare budget``), beside the budget measures above.
BUDGET_VIEW: tuple[Measure, ...] = (
    _M("body", "Body", "text", "setting", "The budget holder and its area (holder:code)."),
    _M(
        "income",
        "Income",
        "gbp",
        "flow",
        "Allocation net of any incentive top-slice, plus incentive payments and transfers received.",
    ),
    _M("overspend", "Overspend", "gbp", "flow", "Spending plus transfers paid out above the year's income."),
    _M(
        "prob_overspend",
        "Chance of overspend",
        "share",
        "state",
        "Share of Monte Carlo draws in which the body spends more than its income that year.",
    ),
    _M(
        "prob_intervention",
        "Chance of intervention",
        "share",
        "state",
        "Share of draws in which the body meets the intervention trigger (a deficit beyond a stated share of "
        "allocation, or a line below its minimum service level for consecutive years).",
    ),
    _M(
        "prob_reserves_negative",
        "Chance reserves go negative",
        "share",
        "state",
        "Share of draws in which reserves end the year below zero.",
    ),
    _M(
        "prob_below_minimum_service",
        "Chance of a line below its minimum",
        "share",
        "state",
        "Share of draws in which a service line's spend falls below its minimum service level.",
    ),
    _M(
        "prob_intervention_deficit",
        "Chance of intervention for a deficit",
        "share",
        "state",
        "Share of draws in which the body is in intervention because of a deficit beyond the stated share.",
    ),
    _M(
        "prob_intervention_floor",
        "Chance of intervention for service levels",
        "share",
        "state",
        "Share of draws in which the body is in intervention because a floor was breached for consecutive years.",
    ),
    _M("deficit_support_mean", "Deficit support (mean)", "gbp", "flow", "Overspend met by the centre, mean of draws."),
    _M("returned_mean", "Returned to the centre (mean)", "gbp", "flow", "Surplus clawed back, mean of draws."),
)

#: Common columns of tables (allocation, areas, grants) that are not simulation measures.
COLUMNS: tuple[Measure, ...] = (
    _M("gbp", "Amount (£)", "gbp", "flow", "Money in pounds."),
    _M("pence", "Amount (£, exact to the penny)", "pence", "flow", "Money in pence, exact: sums reproduce totals."),
    _M("gbp_per_head", "£ per head", "gbp", "state", "Money divided by the area's population."),
    _M("target_gbp_k", "Target (£)", "gbp_k", "state", "Target allocation, published in £ thousands."),
    _M("population", "Population", "count", "state", "Residents (ONS mid-year estimate or GP registrations)."),
    _M(
        "weighted_population",
        "Weighted population",
        "count",
        "state",
        "Population weighted by the allocation formula for age, need and unmet need.",
    ),
    _M("code", "Code", "text", "setting", "ONS or NHS code of the area."),
    _M("name", "Name", "text", "setting", "The area's or body's name."),
    _M("financial_year", "Financial year", "year", "setting", "April to March."),
    _M(
        "distance_from_target",
        "Distance from target",
        "share",
        "state",
        "How far an allocation is above (+) or below (−) its target share.",
    ),
    _M("line", "Service line", "text", "setting", "One of the simulator's ten service lines."),
    _M(
        "floor",
        "Minimum service level",
        "ratio",
        "setting",
        "Least need-adjusted spend on a line, as a fraction of the national average for the area's need.",
    ),
    _M(
        "spend_to_need",
        "Spend ÷ need",
        "ratio",
        "state",
        "Spend on a line relative to its need priced at the national average (1 = national average).",
    ),
    _M("gap_gbp", "Gap to the minimum (£)", "gbp", "state", "Floor × need − spend: what lifts the line to its floor."),
    _M("gap_gbp_per_head", "Gap per head (£)", "gbp", "state", "The gap divided by the area's residents."),
    _M("area", "Area", "text", "setting", "ONS code of the area."),
    _M("holder", "Holder", "text", "setting", "The kind of body holding the budget."),
    _M("parameter", "Parameter", "text", "setting", "A parameter's path in the parameter tree."),
    _M(
        "rank_correlation",
        "Rank correlation",
        "ratio",
        "state",
        "Spearman's rank correlation between a parameter's draws and the result's (−1 to 1).",
    ),
    _M(
        "low_mean",
        "Result when lowest",
        "ratio",
        "state",
        "Mean result in the fifth of draws where the parameter is lowest.",
    ),
    _M(
        "high_mean",
        "Result when highest",
        "ratio",
        "state",
        "Mean result in the fifth of draws where the parameter is highest.",
    ),
    _M("swing", "Swing", "ratio", "state", "Result when highest minus result when lowest."),
    _M("practice_share", "Share from practices", "share", "state", "Target share from practice weighted populations."),
    _M("published_share", "Published share", "share", "state", "NHS England's published target share."),
)

#: Suffixes of the summary's Monte Carlo statistics and what they add to a label.
STAT_SUFFIXES: dict[str, str] = {"_central": "central", "_mean": "mean", "_p5": "P5", "_p50": "P50", "_p95": "P95"}

REGISTRY: dict[str, Measure] = {}
for _group in (COLUMNS, ARCHITECTURE, DRAWS, BUDGET, BUDGET_VIEW, SUMMARY):  # later groups win where an id repeats
    for _m in _group:
        REGISTRY[_m.id] = _m


def get(key: str) -> Measure | None:
    """The measure of a key, or of the base key of a ``_mean``/``_p5``/``_p50``/``_p95`` statistic."""
    if key in REGISTRY:
        return REGISTRY[key]
    base, _ = split_statistic(key)
    return REGISTRY.get(base)


def split_statistic(key: str) -> tuple[str, str | None]:
    """``spent_gbp_bn_p95`` → (``spent_gbp_bn``, ``P95``); keys without a statistic → (key, None)."""
    for suffix, stat in STAT_SUFFIXES.items():
        if key.endswith(suffix) and key[: -len(suffix)] in REGISTRY:
            return key[: -len(suffix)], stat
    return key, None


def label(key: str) -> str:
    """A key's label, with the statistic where there is one (``Money spent (P95)``); unknown keys are
    returned unchanged, since they may already be words."""
    base, stat = split_statistic(key)
    m = REGISTRY.get(base)
    if m is None:
        return FUNNEL.get(key, key)
    return f"{m.label} ({stat})" if stat else m.label


def unit_label(key: str) -> str:
    """The unit as a reader writes it (``£bn``, ``%``, ``per 1,000``); empty where none applies."""
    m = get(key)
    if m is None:
        return ""
    return {
        "gbp": "£",
        "gbp_bn": "£bn",
        "gbp_m": "£m",
        "gbp_k": "£k",
        "pence": "p",
        "share": "%",
        "rate": "per 1,000",
    }.get(m.unit, "")


def unit(key: str) -> Unit | None:
    """A key's unit, or None for keys the registry does not know."""
    m = get(key)
    return m.unit if m else None


def meaning(key: str) -> str:
    """A key's one-line meaning (empty for unknown keys)."""
    m = get(key)
    return m.meaning if m else ""


def funnel_label(key: str) -> str:
    """A funnel position's words (``worse_998`` → ``Worse (99.8% limits)``)."""
    return FUNNEL.get(key, key)


def glossary_rows() -> list[dict[str, str]]:
    """Every registered measure as (group, key, label, unit, kind, meaning) records, for docs and the web."""
    rows = []
    groups = (
        ("simulation summary", SUMMARY),
        ("budget", BUDGET),
        ("budget holder's view", BUDGET_VIEW),
        ("architecture", ARCHITECTURE),
    )
    for group, members in groups:
        for m in members:
            rows.append(
                {
                    "group": group,
                    "key": m.id,
                    "label": m.label,
                    "unit": unit_label(m.id) or m.unit,
                    "kind": m.kind,
                    "meaning": m.meaning,
                }
            )
    return rows


_INTRO = """# Measures and formats

Every measure devocare outputs, with the label and unit shown in CLI tables, web pages, reports and Excel
workbooks, and a one-line meaning. JSON, CSV and Parquet keep the keys in the first column (they are stable
contracts); people see the labels. This page is generated from `devocare.measures` (a test keeps it in step).

## How numbers are written

One formatter (`devocare.formatting`) writes every number shown to people: money as £bn, £m or £ with at most
four significant digits (£185.5bn, £456.7m, £123,500); shares as percentages (39.8%); years as years (2011,
2024/25); counts of people and things whole, with thousands separators; other numbers to four significant
figures, never in scientific notation. Machine outputs (`--format json`/`csv`, Parquet) keep full precision.

## Excel workbooks

`--format xlsx --out FILE.xlsx` (on `simulate`, `compare`, `budget` and every `allocate` command) and the
Excel links of the web pages write one sheet per table — a heading row of labels, then a row of the keys — with
numbers kept as numbers and shown in their unit; a **run record** sheet (the run's settings and hashes, each
column's label and meaning, and every data source with publisher, vintage and licence); and a **parameters**
sheet (each simulator parameter's value, unit, distribution and source or assumption label).
"""

#: "kind" in words, for the reference page.
KIND_WORDS = {
    "stock": "held at the horizon",
    "flow": "summed over the period",
    "state": "level in the year",
    "structure": "structural metric",
    "setting": "setting of the run",
}


def markdown() -> str:
    """The reference page ``docs/reference/measures.md``: every group of measures as a table."""
    parts = [_INTRO]
    groups = (
        ("Simulation summary (`simulate`, `compare`)", SUMMARY),
        ("Per budget (`SimulationResult.draws`, tidy table)", BUDGET),
        ("Budget holder's view (`devocare budget`)", BUDGET_VIEW),
        ("Architecture metrics (`devocare arch metrics`)", ARCHITECTURE),
        ("Common table columns", COLUMNS),
    )
    for title, members in groups:
        parts.append(f"\n## {title}\n\n| key | label | unit | kind | meaning |\n|---|---|---|---|---|")
        for m in members:
            parts.append(
                f"| `{m.id}` | {m.label} | {unit_label(m.id) or m.unit} | {KIND_WORDS[m.kind]} | {m.meaning} |"
            )
    parts.append("\n## Funnel-plot positions\n\n| key | shown as |\n|---|---|")
    parts += [f"| `{k}` | {v} |" for k, v in FUNNEL.items()]
    parts.append(
        "\nSummary measures with Monte Carlo draws also have `_mean`, `_p5`, `_p50` and `_p95` "
        "versions (shown as the label with the statistic, e.g. *Money spent (P95)*)."
    )
    return "\n".join(parts) + "\n"
