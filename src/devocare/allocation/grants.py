"""Multi-year block grants for any architecture: a national envelope per service line, top-sliced for an
incentive fund, split to each budget holder's areas by need, fixed for the settlement with indexation,
and equalised against local revenue capacity where the holder is local government.

For each pot of the architecture's ``money`` section, each of its lines and each settlement year::

    need grant(area)   = need share(area, line) × (envelope(line) − top slice)
    equalisation(area) = −α_pot × (standardised revenue capacity(area) − average capacity(area))

Need shares are fixed at the start of each settlement (from that year's practice weighted
populations); the envelope grows by ``growth`` a year and, inside a settlement, by the architecture's
``indexation`` too. Equalisation applies to pots held by local government (LAD, UTLA or combined
authority areas) or by a body given tax-raising powers (``tax_powers: true``, e.g. the Regional Care Groups of
``pwc-2016``), and sums to zero over England, so it moves money between areas without creating any.
Every figure is in whole pence and every year's rows add up to that year's envelope exactly.

Where the architecture sets ``money.local_revenue``, a holder with tax powers also raises revenue beyond the
envelope: ``rate`` × its areas' revenue capacity a year (component ``local_revenue``), of which the centre
offsets ``equalised`` × the difference from the population average (``revenue_equalisation``, summing to zero).

Revenue capacity is the council tax base (Band D equivalents, MHCLG Council Taxbase 2025, shipped as
``council_tax_band_d_dwellings_taxbase_by_billing_authority_england``) valued at the England average
Band D; the average capacity of an area is its population share (ONS mid-2024) of the national total.
α defaults to :func:`default_alpha`: the share of councils' net service spending that goes to adult
social care and public health (MHCLG Revenue Outturn 2023-24), i.e. the part of above-average local tax
capacity assumed to be available for these services (an assumption, labelled as such).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from devocare import data
from devocare.allocation.money import split_pence
from devocare.allocation.practices import YEARS, check_year, weighted_population
from devocare.architecture.schema import pot_change_dates
from devocare.bounds import MAX_YEARS, check_growth, check_int, check_number
from devocare.envelope import BASE_YEAR, default_envelope_rows
from devocare.errors import DevocareError, UnknownChoiceError, closest
from devocare.service_lines import LINE_IDS, REGISTRY

LOCAL_GOVERNMENT_LEVELS: tuple[str, ...] = ("lad", "utla", "ca")
GRANT_LEVELS: tuple[str, ...] = ("sicb", "icb", "region", "lad", "utla", "ca", "england")
OUTSIDE = "~outside"  # pseudo-area: the part of England outside every area of a level (e.g. combined authorities)

#: Need weight per service line (a weighted-population column at area level) and why: the service-line
#: registry's need basis.
LINE_WEIGHTS: dict[str, tuple[str, str]] = {line.id: (line.need_basis, line.need_basis_why) for line in REGISTRY}


# --------------------------------------------------------------------------- envelope


@lru_cache(maxsize=1)
def _rsx_england_2023_24() -> pd.Series:
    rsx = data.load("mhclg_revenue_outturn_rsx_by_la_2022_23_2023_24")
    row = rsx[(rsx["class"] == "Eng") & (rsx["financial_year"] == "2023-24")].iloc[0]
    return pd.to_numeric(row, errors="coerce")


def default_alpha() -> float:
    """Adult social care + public health share of councils' net service spending, England 2023-24 (RSX)."""
    row = _rsx_england_2023_24()
    return float((row["RSX-asc-net-cur-exp"] + row["RSX-phs-net-cur-exp"]) / row["RSX-totsx-net-cur-exp"])


def default_envelope() -> pd.DataFrame:
    """National envelope per service line (£ a year, base year 2024/25) with the source of each figure.

    One source with the simulator: the central values of its parameter tree (``demand.spend.*``, and
    emergency admissions as ``admissions.count`` × ``admissions.unit_cost``), which cite the bibliography
    (``docs/background/bibliography.md``: pq-2024-specialised, emergency-admissions-cost, sector-split-2024, ...) and
    the MHCLG Revenue Outturn 2023-24 (``mhclg_revenue_outturn_rsx_by_la_2022_23_2023_24``), read
    by :mod:`devocare.envelope`. So a default block grant here is the simulator's deterministic grant.
    """
    return pd.DataFrame(default_envelope_rows(), columns=["line", "gbp", "source"])


def read_envelope(path: str | Path) -> dict[str, float]:
    """Read an envelope file: YAML/JSON mapping ``line: £`` (optionally under ``lines:``) or CSV line,gbp."""
    p = Path(path)
    if not p.is_file():
        raise DevocareError(f"envelope file not found: {str(path)!r}")
    if p.suffix.lower() == ".csv":
        try:
            df = pd.read_csv(p)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise DevocareError(f"envelope CSV {str(path)!r} cannot be read: {str(exc).splitlines()[0]}") from None
        if not {"line", "gbp"} <= set(df.columns):
            raise DevocareError(f"envelope CSV {str(path)!r} needs columns line,gbp (has {', '.join(df.columns)})")
        raw: Any = dict(zip(df["line"].astype(str), df["gbp"], strict=True))
    else:
        from devocare.safeyaml import load_file

        raw = load_file(p, "envelope file")  # unreadable, not UTF-8, impossible dates, deep nesting: named
        if isinstance(raw, dict) and "lines" in raw:
            raw = raw["lines"]
    if not isinstance(raw, dict) or not raw:
        raise DevocareError(f"envelope file {str(path)!r} must map service lines to £ amounts")
    out: dict[str, float] = {}
    for line, value in raw.items():
        try:
            amount = float(value)
        except (TypeError, ValueError):
            raise DevocareError(f"envelope line {line!r}: {value!r} is not an amount in £") from None
        if not np.isfinite(amount) or amount < 0:
            raise DevocareError(f"envelope line {line!r}: amount must be a non-negative number, got {value!r}")
        out[str(line)] = amount
    return out


def check_envelope(envelope: Mapping[str, float], arch_lines: list[str]) -> dict[str, float]:
    """The envelope must name exactly the architecture's lines; every offender is named. An amount given for
    a line alias (``specialised``, from before the line was split) is split between its lines by their
    base-year spend."""
    from devocare.envelope import alias_shares

    split: dict[str, float] = {}
    for line, amount in envelope.items():
        for one, part in alias_shares(str(line)).items():
            split[one] = split.get(one, 0.0) + float(amount) * part
    envelope = split
    problems = []
    for line in envelope:
        if line not in LINE_IDS:
            near = closest(line, LINE_IDS)
            problems.append(f"unknown line {line!r}" + (f" (did you mean {near[0]!r}?)" if near else ""))
        elif line not in arch_lines:
            problems.append(f"line {line!r} is in no pot of the architecture")
    missing = [line for line in arch_lines if line not in envelope]
    if missing:
        problems.append(f"missing line(s) {', '.join(repr(m) for m in missing)}")
    if problems:
        raise DevocareError("envelope does not match the architecture's lines: " + "; ".join(problems))
    return {line: float(envelope[line]) for line in arch_lines}


# --------------------------------------------------------------------------- area data


@cache
def area_weights(year: str, level: str, vintage: int = 2024) -> pd.DataFrame:
    """Need weights per area at ``level``: weighted populations for ``year`` plus residents aged 65+."""
    from devocare import geography

    if level not in GRANT_LEVELS:
        raise UnknownChoiceError("budget-holder area level", level, GRANT_LEVELS)
    wp = weighted_population(year, level, vintage)
    ons = data.load("ons_mye_mid2023_age5_england_lad24_utla24")
    lad = ons.drop_duplicates("areacd").set_index("areacd")["age_65_plus"]
    m = geography.membership("lad", level, vintage)
    old = (m["from_code"].map(lad).fillna(0.0) * m["share"]).groupby(m["to_code"]).sum()
    out = wp.assign(population_65_plus=wp["code"].map(old).fillna(0.0))
    england = area_weights(year, "england") if level != "england" else out
    gap = england.drop(columns=["code", "name"]).sum() - out.drop(columns=["code", "name"]).sum()
    if (gap > 1e-6 * england.drop(columns=["code", "name"]).sum()).any():  # combined authorities: the rest
        out = pd.concat(
            [out, pd.DataFrame([{"code": OUTSIDE, "name": f"outside any {level}", **gap.to_dict()}])], ignore_index=True
        )
    return out


@cache
def revenue_capacity(level: str, vintage: int = 2024) -> pd.DataFrame:
    """Standardised revenue capacity and its population-average, £ a year, per area at ``level``.

    Capacity = council tax base (Band D equivalents, 2025) × England average Band D; average = the
    area's share of England's ONS mid-2024 population × national capacity. Sums of the two are equal.
    """
    from devocare import geography

    ct = data.load("council_tax_band_d_dwellings_taxbase_by_billing_authority_england")
    base = ct.set_index("lad24cd")["taxbase_band_d_equivalents_derived"].astype(float)
    band_d = float(ct["council_tax_net_gbp_derived"].sum() / base.sum())
    pop = geography.population("lad", 2024).set_index("code")["population"].astype(float)
    lad = pd.DataFrame({"capacity": base * band_d}).reindex(pop.index).fillna(0.0)
    lad["average"] = pop / pop.sum() * lad["capacity"].sum()
    if level == "lad":
        return lad
    m = geography.membership("lad", level, vintage)
    m = m[m["share"] > 0]
    parts = lad.loc[m["from_code"]].mul(m["share"].to_numpy(), axis=0)
    out = parts.groupby(m["to_code"].to_numpy()).sum()
    gap = lad.sum() - out.sum()
    if (gap > 1e-6 * lad.sum()).any():
        out.loc[OUTSIDE] = gap
    return out


def local_revenue(rule: Any, level: str, vintage: int, codes: pd.Series) -> tuple[np.ndarray, np.ndarray | None]:
    """Whole pence per area raised locally at ``rule.rate`` of its council tax (revenue capacity), and the
    centre's equalisation of ``rule.equalised`` of its difference from the population average (sums to 0;
    None when nothing is equalised). Real terms: the tax base is the 2025 one every year."""
    cap = revenue_capacity(level, vintage).reindex(codes).fillna(0.0)
    rate = float(rule.rate)
    capacity = cap["capacity"].to_numpy()
    raised = round_to_total(rate * capacity * 100.0, int(round(rate * capacity.sum() * 100.0)))
    if float(rule.equalised) == 0:
        return raised, None
    offset = -float(rule.equalised) * rate * (capacity - cap["average"].to_numpy()) * 100.0
    return raised, round_to_total(offset, 0)


# --------------------------------------------------------------------------- pure arithmetic


def round_to_total(values: np.ndarray, total: int) -> np.ndarray:
    """Whole pence for signed amounts, adding up to ``total`` exactly (largest remainder)."""
    values = np.asarray(values, dtype=float)
    base = np.floor(values).astype(np.int64)
    short = int(total - base.sum())
    order = np.argsort(-(values - base), kind="stable")
    out = base.copy()
    if short > 0:
        out[order[:short]] += 1
    elif short < 0:
        out[order[short:]] -= 1
    return out


def settlement_starts(years: int, settlement_years: int) -> np.ndarray:
    """Year index (0-based) at which the settlement covering each year began."""
    t = np.arange(years)
    return t - t % max(settlement_years, 1)


# --------------------------------------------------------------------------- API


def _held_areas(arch: Any, body: Any, level: str, codes: list[str]) -> set[str]:
    areas = getattr(body, "areas", "all")
    if areas == "all" or areas is None:
        return set(codes)
    if areas == "coverage":
        cov = arch.money.coverage
        if cov is None or cov.devolved == "all":
            return set(codes)
        if cov.level != level:
            raise DevocareError(f"body {body.id!r} holds areas at {level} but coverage is stated at {cov.level}")
        return {str(c) for c in cov.devolved}
    from devocare.geography import canonical_code

    return {canonical_code(c) for c in areas}


# --------------------------------------------------------------------------- the grant arithmetic


@dataclass(frozen=True)
class PotGrant:
    """One pot's grants in one year: need grants per area and line, and fiscal equalisation per area.

    ``weights`` are the need weights of that year's areas at the holder's level (with the ``~outside``
    pseudo-area where the level does not cover England); ``held`` marks the areas the holder holds.
    """

    pot: Any
    body: Any
    level: str
    vintage: int
    weights: pd.DataFrame
    held: np.ndarray  # (areas,) bool
    need: np.ndarray  # (areas, pot lines) whole pence
    equalisation: np.ndarray | None  # (areas,) whole pence, summing to 0; None where not local government
    revenue: np.ndarray | None = None  # (areas,) whole pence raised locally (money.local_revenue), beyond the envelope
    revenue_equalisation: np.ndarray | None = None  # (areas,) whole pence the centre offsets, summing to 0
    #: whole pence top-sliced from this pot per line where it shares a line with another pot (None: the
    #: year's ``sliced`` of each line, all of which comes from this pot)
    sliced: dict[str, int] | None = None

    def local_revenue(self) -> np.ndarray | None:
        """Whole pence per area the holder keeps from local taxation (raised plus its equalisation)."""
        if self.revenue is None:
            return None
        return self.revenue + (0 if self.revenue_equalisation is None else self.revenue_equalisation)


@dataclass(frozen=True)
class GrantYear:
    """One year of a settlement: the envelope per line after growth and indexation, the top slice, and
    every pot's grants."""

    year: int  # 1-based
    financial_year: str  # of the need data used (the settlement's first year)
    settlement: int  # 1-based
    line_pence: dict[str, int]
    sliced: dict[str, int]  # held back for the incentive fund, per line
    pots: list[PotGrant]


def year_envelope(
    envelope: Mapping[str, float], t: int, start: int, growth: float | Mapping[str, Any], indexation: float, top: float
) -> tuple[dict[str, int], dict[str, int]]:
    """Whole pence per line in year ``t`` (0-based) of a settlement begun in year ``start``, and the part
    top-sliced for the incentive fund: grown by ``growth`` a year (one rate, or a rate per line) and by
    ``indexation`` inside the settlement."""
    rate = growth if isinstance(growth, Mapping) else dict.fromkeys(envelope, float(growth))
    index = (1 + indexation) ** (t - start)
    line_pence = {
        line: int(np.floor(amount * (_grown(rate[line], t) * index) * 100 + 0.5)) for line, amount in envelope.items()
    }
    return line_pence, {line: int(np.floor(v * top + 0.5)) for line, v in line_pence.items()}


def _grown(rate: float | Sequence[float], t: int) -> float:
    """Growth factor from the base year to year ``t``: one rate every year, or the rate in force each year
    (``rate[s]`` takes year ``s - 1`` to year ``s``; dated parameters change it year by year)."""
    if isinstance(rate, int | float):
        return float((1 + rate) ** t)
    return float(np.prod([1 + float(r) for r in list(rate)[1 : t + 1]]))


def fund_lines(money: Any) -> set[str]:
    """Lines top-sliced for the incentive fund: those of the pots whose tier the fund pays (``tiers``, or the
    tiers ``tier_criteria`` names; every tier but the national one when neither is given: no national pot
    is top-sliced unless the architecture says so).
    A pot the fund does not pay keeps its whole grant."""
    fund = money.incentive_fund
    if fund is None:
        return set()
    return {line for pot in money.pots if fund.criteria_for(pot.tier) is not None for line in pot.lines}


def fund_pots(money: Any) -> set[str]:
    """Ids of the pots the incentive fund pays (top-sliced)."""
    fund = money.incentive_fund
    return set() if fund is None else {pot.id for pot in money.pots if fund.criteria_for(pot.tier) is not None}


def split_lines(pots: Sequence[Any]) -> set[str]:
    """Lines two or more pots split between them (``line_shares``)."""
    return {line for p in pots for line in (getattr(p, "line_shares", None) or {})}


def paid_sliced(
    pots: Sequence[Any], line_pence: Mapping[str, int], sliced: dict[str, int], paid: set[str], top: float
) -> None:
    """The top slice of a line split between pots is taken from the shares of the pots the fund pays only
    (a pot the fund does not pay keeps its whole grant), in place."""
    for line in split_lines(pots):
        if sliced.get(line):
            share = sum(p.share_of(line) for p in pots if p.id in paid)
            sliced[line] = int(np.floor(line_pence[line] * top * share + 0.5))


def pot_pence(
    pots: Sequence[Any], line_pence: Mapping[str, int], sliced: Mapping[str, int], paid: set[str]
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    """Whole pence of each line's grant less its top slice each pot holds, and the top slice taken from it:
    all of the line, or where pots split a line (``line_shares``) each pot's share of it, rounded so the
    pots' parts add up to the line to the penny (the top slice from the pots the fund pays, ``paid``)."""
    net: dict[str, dict[str, int]] = {p.id: {} for p in pots}
    cut: dict[str, dict[str, int]] = {p.id: {} for p in pots}
    for line in sorted({line for p in pots for line in p.lines}):
        holders = [p for p in pots if line in p.lines]
        if len(holders) == 1:
            net[holders[0].id][line], cut[holders[0].id][line] = line_pence[line] - sliced[line], sliced[line]
            continue
        shares = np.array([p.share_of(line) for p in holders])
        gross = round_to_total(shares * line_pence[line], line_pence[line])
        on = np.array([p.id in paid for p in holders], dtype=float)
        weight = shares * on / max(float((shares * on).sum()), 1e-300)
        taken = round_to_total(weight * sliced[line], sliced[line]) if sliced[line] else np.zeros(len(holders), int)
        for p, g, k in zip(holders, gross, taken, strict=True):
            net[p.id][line], cut[p.id][line] = int(g - k), int(k)
    return net, cut


def grant_years(
    arch: Any,
    years: int,
    envelope: Mapping[str, float],
    base_year: str = BASE_YEAR,
    growth: float | Mapping[str, Any] = 0.0,
    alpha: float | None = None,
) -> list[GrantYear]:
    """Every year's block grants for ``arch`` as arrays: the one implementation behind :func:`block_grants`
    and the simulator's funding. ``envelope`` must already match the architecture's lines."""
    money = arch.money
    pots = list(money.pots)
    alpha = default_alpha() if alpha is None else float(alpha)
    bodies = {b.id: b for b in arch.bodies}
    top = float(money.incentive_fund.top_slice) if money.incentive_fund is not None else 0.0
    sliced_lines = fund_lines(money)
    n_set = max(int(money.settlement_years), 1)
    start = settlement_starts(years, n_set)
    first = YEARS.index(check_year(base_year))
    holders = {p.id: bodies[p.holder] for p in pots}
    level_of = {p.id: (getattr(holders[p.id], "area_level", None) or "england") for p in pots}
    # local government, and any other holder given tax-raising powers, is equalised for revenue capacity
    local = {
        p.id for p in pots if level_of[p.id] in LOCAL_GOVERNMENT_LEVELS or getattr(holders[p.id], "tax_powers", False)
    }
    revenue = getattr(money, "local_revenue", None)
    out: list[GrantYear] = []
    for t in range(years):  # years are few and sequential; every area and line inside is an array op
        raising: set[str] = set()
        s = int(start[t])
        fy = YEARS[min(first + s, len(YEARS) - 1)]
        line_pence, sliced = year_envelope(envelope, t, s, growth, float(money.indexation), top)
        sliced = {line: v if line in sliced_lines else 0 for line, v in sliced.items()}
        paid_pots = fund_pots(money)
        paid_sliced(pots, line_pence, sliced, paid_pots, top)
        net, taken = pot_pence(pots, line_pence, sliced, paid_pots)
        local_total = sum(net[p.id][line] for p in pots if p.id in local for line in p.lines)
        pot_grants = []
        for pot in pots:
            body, level = holders[pot.id], level_of[pot.id]
            vintage = int(getattr(body, "area_vintage", 2024) or 2024)
            weights = area_weights(fy, level, vintage)
            held = _held_areas(arch, body, level, [c for c in weights["code"] if c != OUTSIDE])
            unknown = sorted(held - set(weights["code"]))
            if unknown:
                raise DevocareError(f"body {body.id!r}: unknown {level} code(s) {', '.join(unknown)}")
            need = np.zeros((len(weights), len(pot.lines)), dtype=np.int64)
            for j, line in enumerate(pot.lines):
                need[:, j] = split_pence(
                    np.array([net[pot.id][line]]),
                    np.zeros(len(weights), dtype=np.int64),
                    weights[LINE_WEIGHTS[line][0]].to_numpy(dtype=float),
                )
            eq = None
            if pot.id in local and alpha > 0 and local_total > 0:
                cap = revenue_capacity(level, vintage).reindex(weights["code"]).fillna(0.0)
                share = alpha * int(need.sum()) / local_total
                eq = round_to_total(-share * (cap["capacity"] - cap["average"]).to_numpy() * 100.0, 0)
            raised = raised_eq = None
            if revenue is not None and getattr(body, "tax_powers", False) and body.id not in raising:
                raising.add(body.id)  # a holder raises once, into its first pot
                raised, raised_eq = local_revenue(revenue, level, vintage, weights["code"])
            pot_grants.append(
                PotGrant(
                    pot,
                    body,
                    level,
                    vintage,
                    weights,
                    weights["code"].isin(held).to_numpy(),
                    need,
                    eq,
                    raised,
                    raised_eq,
                    taken[pot.id] if split_lines(pots) & set(pot.lines) else None,
                )
            )
        out.append(GrantYear(t + 1, fy, s // n_set + 1, line_pence, sliced, pot_grants))
    return out


def _pots_in(arch: Any, financial_year: str) -> Any:
    """``arch`` with the pots of ``financial_year``: those that exist on the latest pot date within it (a
    pot's start, or the day after its end), else on its first day — as the simulator's phases."""
    if not hasattr(arch, "pots_on"):
        return arch
    first = date(int(financial_year[:4]), 4, 1)
    last = date(first.year + 1, 3, 31)
    return arch.pots_on(max([d for d in pot_change_dates(arch) if first <= d <= last], default=first))


def _dated_grant_years(
    arch: Any, years: int, env: Mapping[str, float], base_year: str, growth: float, alpha: float
) -> list[GrantYear]:
    """Each year's grants with the pots of the year they are paid in (a dated pot switches on its date)."""
    runs: dict[tuple[str, ...], list[GrantYear]] = {}
    out = []
    for t in range(1, years + 1):
        version = _pots_in(arch, paid_in(base_year, t))
        key = tuple(p.id for p in version.money.pots)
        if key not in runs:
            runs[key] = grant_years(version, years, env, base_year, growth, alpha)
        out.append(runs[key][t - 1])
    return out


def block_grants(
    arch: Any,
    years: int = 5,
    envelope: Mapping[str, float] | str | Path | None = None,
    base_year: str = BASE_YEAR,
    growth: float = 0.0,
    alpha: float | None = None,
) -> pd.DataFrame:
    """Each budget holder's grant per area, pot, line and year of an ``years``-year run.

    ``arch``: an :class:`~devocare.architecture.Architecture`, a built-in id or a YAML path.
    ``envelope``: national £ a year per service line for the base year (a mapping or a file; default
    :func:`default_envelope`); it must name exactly the lines of the architecture's pots. ``growth``:
    annual envelope growth; the architecture's ``indexation`` adds to it inside each settlement.
    ``alpha``: fiscal-equalisation rate (default :func:`default_alpha`).

    Columns: arch, year (1..years), financial_year (of the need data used), grant_year (the financial year
    the grant is paid in), settlement, body, pot, tier,
    ring_fenced, area_level, code, name, population (registered, that year's practice file), line,
    component (need | incentive_fund | fiscal_equalisation | local_revenue | revenue_equalisation), pence, gbp.
    Areas a holder does not hold (e.g. outside a devolution deal) are one row with an empty code, so each
    year's rows other than ``local_revenue`` add up to its envelope to the penny (local revenue is raised
    beyond it, by holders with tax powers under ``money.local_revenue``). The arithmetic is
    :func:`grant_years`, which the simulator runs too.
    """
    from devocare.architecture.loader import load

    years = check_int("years", years, 1, MAX_YEARS)
    growth = check_growth("growth", growth)
    if alpha is not None:
        alpha = check_number("alpha (fiscal-equalisation rate)", alpha, 0.0, 1.0)
    if isinstance(arch, (str, Path)):
        arch = load(str(arch))
    base_year = check_year(base_year)
    money = arch.money
    arch_lines = [line for pot in _pots_in(arch, paid_in(base_year, 1)).money.pots for line in pot.lines]
    if envelope is None:
        env_table = default_envelope()
        envelope = {line: v for line, v in zip(env_table["line"], env_table["gbp"], strict=True) if line in arch_lines}
    elif isinstance(envelope, (str, Path)):
        envelope = read_envelope(envelope)
    env = check_envelope(envelope, arch_lines)
    alpha = default_alpha() if alpha is None else float(alpha)
    top = float(money.incentive_fund.top_slice) if money.incentive_fund is not None else 0.0
    rows: list[pd.DataFrame] = []
    for gy in _dated_grant_years(arch, years, env, base_year, growth, alpha):
        for pg in gy.pots:
            pot, body = pg.pot, pg.body
            otherwise = money.coverage.otherwise if money.coverage is not None and body.areas == "coverage" else ""
            rest_name = "areas not held by this body" + (f" ({otherwise} applies)" if otherwise else "")
            common = {
                "arch": arch.id,
                "year": gy.year,
                "financial_year": gy.financial_year,
                "settlement": gy.settlement,
                "body": body.id,
                "pot": pot.id,
                "tier": pot.tier,
                "ring_fenced": bool(pot.ring_fenced),
                "area_level": pg.level,
            }
            for j, line in enumerate(pot.lines):
                rows.append(_rows(common, pg.weights, pg.held, pg.need[:, j], line, "need", rest_name))
            if pg.equalisation is not None:
                rows.append(
                    _rows(common, pg.weights, pg.held, pg.equalisation, "all", "fiscal_equalisation", rest_name)
                )
            if pg.revenue is not None:
                rows.append(_rows(common, pg.weights, pg.held, pg.revenue, "all", "local_revenue", rest_name))
            if pg.revenue_equalisation is not None:
                rows.append(
                    _rows(
                        common, pg.weights, pg.held, pg.revenue_equalisation, "all", "revenue_equalisation", rest_name
                    )
                )
        fund = {line: v for line, v in gy.sliced.items() if v}
        if fund:
            rows.append(
                pd.DataFrame(
                    {
                        "arch": arch.id,
                        "year": gy.year,
                        "financial_year": gy.financial_year,
                        "settlement": gy.settlement,
                        "body": "incentive_fund",
                        "pot": "incentive_fund",
                        "tier": "national",
                        "ring_fenced": True,
                        "area_level": "england",
                        "code": "E92000001",
                        "name": "England",
                        "population": float(area_weights(gy.financial_year, "england")["population"].sum()),
                        "line": list(fund),
                        "component": "incentive_fund",
                        "pence": list(fund.values()),
                    }
                )
            )
    out = pd.concat(rows, ignore_index=True)
    out["gbp"] = out["pence"] / 100.0
    out.insert(
        list(out.columns).index("financial_year") + 1,
        "grant_year",
        out["year"].map(lambda t: paid_in(base_year, int(t))),
    )
    out.attrs.update({"alpha": alpha, "envelope_gbp": env, "top_slice": top})
    return out


def paid_in(base_year: str, year: int) -> str:
    """The financial year a grant of settlement year ``year`` (1 = ``base_year``) is paid in: 2024/25, 2025/26..."""
    start = int(str(base_year)[:4]) + year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def _rows(
    common: dict[str, Any],
    weights: pd.DataFrame,
    is_held: np.ndarray,
    parts: np.ndarray,
    line: str,
    component: str,
    rest_name: str,
) -> pd.DataFrame:
    """Rows for held areas plus one row for everything not held (empty code)."""
    pop = weights["population"].to_numpy(dtype=float)
    frame = pd.DataFrame(
        {
            **common,
            "code": weights["code"].to_numpy()[is_held],
            "name": weights["name"].to_numpy()[is_held],
            "population": pop[is_held],
            "line": line,
            "component": component,
            "pence": parts[is_held],
        }
    )
    if (~is_held).any():
        rest = {
            **common,
            "code": "",
            "name": rest_name,
            "population": float(pop[~is_held].sum()),
            "line": line,
            "component": component,
            "pence": int(parts[~is_held].sum()),
        }
        frame = pd.concat([frame, pd.DataFrame([rest])], ignore_index=True)
    return frame
