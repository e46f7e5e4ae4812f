"""Translate an architecture's ``money`` section and bodies into array rules over atoms.

A *budget* is one holder body in one area with the pots it may move money between: the non-ring-fenced
pots of a holder form one budget, each ring-fenced pot is a budget of its own. A *budget group* is every
area of one such budget (e.g. all 42 ICBs' core budgets) with a membership matrix ``H`` (atoms × areas):
``H[a, b]`` is the share of atom ``a``'s population in area ``b``, times the share of the atom that runs
this architecture's rules (coverage). Aggregating an atom quantity to budgets is ``x @ H``.

Where an architecture's ``coverage`` leaves atoms out, those atoms run the rules of ``coverage.otherwise``
(the status quo), so every atom's every service line is held exactly once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from devocare import geography
from devocare.architecture.schema import INCENTIVE_CRITERIA, IncentiveFund
from devocare.envelope import BASE_DATE
from devocare.errors import DevocareError
from devocare.service_lines import ACUTE_LINES, LINE_IDS, UPSTREAM_LINES, index
from devocare.simulation import membership

L = len(LINE_IDS)
#: The incentive fund's criteria in the order the engine computes them: the schema's, stated once there.
CRITERIA: tuple[str, ...] = INCENTIVE_CRITERIA


def line_mask(lines: list[str] | tuple[str, ...]) -> np.ndarray:
    """Boolean mask over :data:`LINE_IDS`."""
    return np.array([line in lines for line in LINE_IDS])


@dataclass
class BudgetGroup:
    """Every area of one budget: membership, lines and the money rules that apply to it."""

    key: str  # "<architecture>/<holder>/<pot ids>"
    architecture: str
    holder: str
    pots: tuple[str, ...]
    tier: str
    ring_fenced: bool
    lines: np.ndarray  # (L,) bool
    H: np.ndarray  # (atoms, areas) population share × coverage
    area_codes: list[str]
    savings_retained: float
    overspend_borne_locally: float
    settlement_years: int
    indexation: float
    hospital_input_cap: float | None
    top_slice: float = 0.0
    criteria: np.ndarray = field(default_factory=lambda: np.zeros(len(CRITERIA), dtype=bool))
    unpaid_to_tier: bool = False  # incentive money a budget does not earn goes to its group, not the centre
    acute_cost_borne: float = 0.0  # share of residents' acute cost this budget holds (co-financing: 1 − share)
    offset: int = 0  # first index of this group's budgets on the global budget axis
    H_full: np.ndarray | None = None  # (atoms, areas) membership before coverage; None where H is already that
    corridor: tuple[float, float] | None = None  # risk corridor: (width as a share of allocation, centre share)
    #: (L,) share of each held line's money this budget holds where pots split a line (``line_shares``);
    #: None where it holds every one of its lines in full, so such a budget's arrays are the 0/1 ones
    shares: np.ndarray | None = None

    @property
    def weights(self) -> np.ndarray:
        """(L,) share of each line this budget holds: its ``shares``, else 1 on its lines and 0 elsewhere."""
        return self.lines.astype(float) if self.shares is None else self.shares

    @property
    def n(self) -> int:
        """Number of areas (budgets) in the group."""
        return self.H.shape[1]

    def sparse(self, full: bool = False) -> Any:
        """``H`` (or the membership before coverage with ``full``) as a CSR array, built once per matrix:
        products with it add each area's atoms in atom order, whatever the BLAS thread count."""
        dense = self.H if not full or self.H_full is None else self.H_full
        cache = self.__dict__.setdefault("_sparse", {})
        kept = cache.get(full)
        if kept is None or kept[0] is not dense:
            kept = cache[full] = (dense, membership.csr(dense))
        return kept[1]

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the membership matrices as CSR parts (a Dask worker receives a few MB, not ~95 MB at LSOA)."""
        state = {k: v for k, v in self.__dict__.items() if k != "_sparse"}
        state["H"], state["H_full"] = membership.pack(self.H), membership.pack(self.H_full)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        state["H"], state["H_full"] = membership.unpack(state["H"]), membership.unpack(state["H_full"])
        self.__dict__.update(state)

    @property
    def pooled(self) -> bool:
        """One budget holding acute and upstream lines: the acute sector can capture upstream money."""
        return bool(self.lines[index("acute_non_elective")] and (self.lines & line_mask(UPSTREAM_LINES)).any())

    @property
    def incentive_strength(self) -> float:
        """How much of a pound of acute cost avoided this budget keeps: savings kept × acute cost borne."""
        return self.savings_retained * self.acute_cost_borne


@dataclass
class CoFinancingRule:
    """Per rule set: payer and receiver groups, share, lines and the hospital funding given to the payer."""

    payer: int
    receiver: int
    share: float
    lines: np.ndarray
    hospital_funding_to_local: float


@dataclass
class RebasingRule:
    """At settlement end, move ``share`` of the acute underspend from the receiver tier to ``toward``."""

    toward: int
    away: int
    share: float


@dataclass
class PoolingRule:
    """A pooled fund (the Better Care Fund): ``amount`` a year at base-year prices moves from the sender's
    budget to the receiver's, which commissions the pooled services with it. Spread over atoms by need on
    ``lines``; it moves who pays, not what is spent."""

    architecture: str
    flow: str
    sender: int
    receiver: int
    amount: float
    lines: np.ndarray
    parameter: str | None = None  # a £bn parameter the amount follows (bcf.nhs_minimum), read per run


@dataclass
class Rules:
    """Array rules of one architecture (with its status-quo fallback where coverage is partial)."""

    architecture: str
    atoms: list[str]
    atom_level: str
    groups: list[BudgetGroup]
    weight: dict[str, np.ndarray]  # per rule-set architecture: share of each atom it runs
    cofinancing: dict[str, CoFinancingRule]
    rebasing: dict[str, RebasingRule]
    digest: str
    pooling: list[PoolingRule] = field(default_factory=list)
    archs: dict[str, Any] = field(default_factory=dict)  # rule set → its architecture (for the block grants)
    #: phases (:mod:`devocare.simulation.phases`): a reform on its start date, pots on their own dates. ``switch``
    #: is the year a reform's own rule sets start (None: no reform start in the run); ``starts`` every year the
    #: set of budgets changes (empty: one phase); ``phase`` each rule set's phase (its index in time order);
    #: ``group_phases`` the phases each group's budgets exist in (a budget unchanged by a date runs on);
    #: ``parts`` the rules of each phase as built, ``part_groups`` where each part's groups sit in ``groups``
    switch: int | None = None
    phase: dict[str, int] = field(default_factory=dict)
    parts: tuple[Rules, ...] = ()
    #: the year each rule set's architecture starts (absent: the base year): its clocks count from it
    since: dict[str, int] = field(default_factory=dict)
    starts: tuple[int, ...] = ()
    group_phases: list[frozenset[int]] = field(default_factory=list)
    part_groups: list[list[int]] = field(default_factory=list)
    part_suffix: tuple[str, ...] = ()  # the suffix each part's rule sets are named with

    @property
    def n_budgets(self) -> int:
        """Budgets across every group."""
        return sum(g.n for g in self.groups)

    def phase_at(self, t: int) -> int:
        """The phase running in year ``t``: how many of the phase starts fall on or before it."""
        return sum(1 for s in self.starts if s <= t)

    def runs_in(self, rule_set: str, t: int) -> bool:
        """Whether a rule set runs in year ``t`` (every rule set does, except around a phase start)."""
        if not self.starts or rule_set not in self.phase:
            return True
        return self.phase[rule_set] == self.phase_at(t)

    def live(self, gi: int, t: int) -> bool:
        """Whether group ``gi``'s budgets exist in year ``t``."""
        return not self.starts or self.phase_at(t) in self.group_phases[gi]

    def rule_set_of(self, gi: int, t: int) -> str:
        """The rule set group ``gi``'s budgets run under in year ``t`` (a budget running through several
        phases runs under each phase's rule set in turn)."""
        k = self.phase_at(t)
        for i, m in enumerate(self.part_groups):
            part = self.parts[i]
            suffix = self.part_suffix[i]
            if gi in m and self.phase.get(f"{next(iter(part.weight))}{suffix}") == k:
                return f"{part.groups[m.index(gi)].architecture}{suffix}"
        return self.groups[gi].architecture

    def active(self, t: int) -> np.ndarray:
        """(B,) bool: the budgets that exist in year ``t`` (read-only; built once per phase, as the engine asks
        for it every year of every block)."""
        k = self.phase_at(t)
        cache = self.__dict__.setdefault("_active", {})
        if k not in cache:
            live = np.array([self.live(gi, t) for gi, g in enumerate(self.groups) for _ in range(g.n)], dtype=bool)
            live.flags.writeable = False
            cache[k] = live
        return cache[k]

    def budget_table(self) -> list[dict[str, object]]:
        """One row per budget: index, group key, holder, area code, tier, pots."""
        rows = []
        for g in self.groups:
            for j, code in enumerate(g.area_codes):
                rows.append(
                    {
                        "budget": g.offset + j,
                        "group": g.key,
                        "architecture": g.architecture,
                        "holder": g.holder,
                        "area": code,
                        "tier": g.tier,
                        "pots": "+".join(g.pots),
                    }
                )
        return rows


def _get(obj: Any, name: str, default: Any = None) -> Any:
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


@lru_cache(maxsize=64)
def _membership(atom_level: str, level: str, vintage: int) -> tuple[np.ndarray, tuple[str, ...], tuple[str, ...]]:
    if level == "england":
        rows = geography.areas(atom_level)["code"].tolist()
        return np.ones((len(rows), 1)), tuple(rows), (geography.ENGLAND,)
    matrix, rows, cols = geography.membership_matrix(atom_level, level, vintage if level == "icb" else 2024)
    return matrix, tuple(rows), tuple(cols)


def _listed(cols: tuple[str, ...], codes: Iterable[str], level: str, vintage: int) -> npt.NDArray[np.bool_]:
    """(len(cols),) bool: the columns of a level's membership matrix that the listed area codes (or names)
    resolve to."""
    canon = {geography.resolve(c, level=level, vintage=vintage if level == "icb" else None).code for c in codes}
    return np.array([c in canon for c in cols], dtype=bool)


def _area_share(atom_level: str, level: str, codes: list[str] | str, vintage: int) -> np.ndarray:
    """Share of each atom's population inside the listed areas (``'all'``: inside any area of the level)."""
    matrix, _, cols = _membership(atom_level, level, vintage)
    if codes == "all":
        return matrix.sum(axis=1)
    return matrix[:, _listed(cols, codes, level, vintage)].sum(axis=1)


def coverage_share(arch: object, atom_level: str) -> np.ndarray:
    """Share of each atom that runs this architecture's rules (1 everywhere without ``coverage``)."""
    money = _get(arch, "money")
    cov = _get(money, "coverage")
    n = len(geography.areas(atom_level)["code"])
    if cov is None:
        return np.ones(n)
    return np.clip(_area_share(atom_level, str(_get(cov, "level", "ca")), _get(cov, "devolved"), 2024), 0.0, 1.0)


def _body(arch: object, body_id: str) -> Any:
    """The body of ``arch`` with id ``body_id`` (None where there is none)."""
    return next((b for b in _get(arch, "bodies") or [] if _get(b, "id") == body_id), None)


def _body_areas(arch: object, body: object) -> Any:
    """A body's ``areas``: its list, ``'all'``, or (``'coverage'``) the areas the architecture's coverage
    devolves to (all where it has no coverage)."""
    areas = _get(body, "areas", "all")
    if areas != "coverage":
        return areas
    cov = _get(_get(arch, "money"), "coverage")
    return _get(cov, "devolved") if cov is not None else "all"


def _holder_matrix(arch: object, holder_id: str, atom_level: str) -> tuple[np.ndarray, list[str]]:
    body = _body(arch, holder_id)
    if body is None:
        raise DevocareError(f"architecture {_get(arch, 'id')!r}: pot holder {holder_id!r} is not a body")
    level = _get(body, "area_level") or "england"
    vintage = int(_get(body, "area_vintage", 2024) or 2024)
    matrix, _, cols = _membership(atom_level, level, vintage)
    areas = _body_areas(arch, body)
    cov = _get(_get(arch, "money"), "coverage")
    if _get(body, "areas", "all") == "coverage" and areas != "all" and str(_get(cov, "level", "ca")) != level:
        raise DevocareError(f"body {holder_id!r}: areas 'coverage' needs coverage.level == {level!r}")
    if areas != "all":
        keep = _listed(cols, areas, level, vintage)
        matrix, cols = matrix[:, keep], tuple(c for c, k in zip(cols, keep, strict=True) if k)
    for other_id in _get(body, "outside") or []:
        other = _body(arch, other_id)
        if other is not None and _get(other, "area_level"):
            vintage_other = int(_get(other, "area_vintage", 2024) or 2024)
            inside = _area_share(atom_level, str(_get(other, "area_level")), _body_areas(arch, other), vintage_other)
            matrix = matrix * (1.0 - np.clip(inside, 0, 1))[:, None]
    return matrix, list(cols)


def _groups_of(
    arch: object, atom_level: str, weight: np.ndarray
) -> tuple[list[BudgetGroup], CoFinancingRule | None, RebasingRule | None]:
    """An architecture's budget groups and its co-financing and rebasing rules, checked against its pots."""
    arch_id = str(_get(arch, "id"))
    money = _get(arch, "money")
    pots = list(_get(money, "pots"))
    _check_pots(arch_id, pots)
    groups = [_group(arch, holder, members, atom_level, weight) for (holder, _), members in _bundles(pots).items()]
    _check_cover(arch_id, groups, atom_level, weight)
    cof_rule = _cofinancing_rule(arch_id, _get(money, "co_financing"), groups)
    if cof_rule is not None:
        # the payer's share of hospital cost is not an incentive to move spend upstream: co-financing's effect
        # on admissions is its own parameter (cofinancing.admissions_effect, zero on the evidence), so the left
        # shift does not add an effect the evidence does not find
        groups[cof_rule.receiver].acute_cost_borne = 1.0 - cof_rule.share
    return groups, cof_rule, _rebasing_rule(_get(money, "rebasing"), groups)


def pot_share(pot: object, line: str) -> float:
    """The share of ``line``'s money ``pot`` holds: its ``line_shares`` entry, 1 for a line held in full, 0
    for a line it does not hold (a pot given as a mapping reads the same)."""
    if line not in (_get(pot, "lines") or []):
        return 0.0
    return float((_get(pot, "line_shares") or {}).get(line, 1.0))


def _check_pots(arch_id: str, pots: list[object]) -> None:
    """Every service line's money is held exactly once: in one pot, or split between pots whose
    ``line_shares`` add up to 1."""
    seen: dict[str, list[str]] = {}
    total: dict[str, float] = {}
    for pot in pots:
        for line in _get(pot, "lines"):
            share = pot_share(pot, line)
            if not 0.0 < share <= 1.0:  # NaN fails too
                raise DevocareError(
                    f"architecture {arch_id!r}: pot {_get(pot, 'id')!r} holds a share {share!r} of {line!r}; "
                    "a share must be in (0, 1]"
                )
            seen.setdefault(line, []).append(str(_get(pot, "id")))
            total[line] = total.get(line, 0.0) + share
    for line, held in total.items():
        if abs(held - 1.0) > 1e-9:
            raise DevocareError(
                f"architecture {arch_id!r}: the shares of line {line!r} in pots {', '.join(seen[line])} sum to "
                f"{held:.9g}; every line must be held exactly once (one pot, or line_shares adding up to 1)"
            )
    missing = [line for line in LINE_IDS if line not in seen]
    if missing:
        raise DevocareError(f"architecture {arch_id!r}: service lines {missing} are in no pot")


def _bundles(pots: list[object]) -> dict[tuple[str, str], list[object]]:
    """Pots by the budget that holds them: non-ring-fenced pots of one holder form one budget."""
    bundles: dict[tuple[str, str], list[object]] = {}
    for pot in pots:
        key = (str(_get(pot, "holder")), "pooled" if not _get(pot, "ring_fenced") else str(_get(pot, "id")))
        bundles.setdefault(key, []).append(pot)
    return bundles


def _group(arch: object, holder: str, members: list[object], atom_level: str, weight: np.ndarray) -> BudgetGroup:
    """One holder's budget over its pots: the areas it holds (those with an atom under these rules), its lines
    and the money rules the architecture gives it."""
    arch_id = str(_get(arch, "id"))
    money = _get(arch, "money")
    fund = _get(money, "incentive_fund")
    H, codes = _holder_matrix(arch, holder, atom_level)
    used = (H * weight[:, None]).sum(axis=0) > 0  # areas with no atom under these rules hold nothing
    H, codes = H[:, used], [c for c, u in zip(codes, used, strict=True) if u]
    lines = np.zeros(L, dtype=bool)
    shares = np.zeros(L)
    for pot in members:
        lines |= line_mask(list(_get(pot, "lines")))
        shares += [pot_share(pot, line) for line in LINE_IDS]
    tier = str(_get(members[0], "tier"))
    names = _fund_criteria(fund, tier)
    paid = names is not None
    return BudgetGroup(
        key=f"{arch_id}/{holder}/{'+'.join(str(_get(p, 'id')) for p in members)}",
        architecture=arch_id,
        holder=holder,
        pots=tuple(str(_get(p, "id")) for p in members),
        tier=tier,
        ring_fenced=bool(_get(members[0], "ring_fenced")),
        lines=lines,
        H=H * weight[:, None],
        H_full=None if bool(np.all(weight == 1.0)) else H,
        area_codes=codes,
        savings_retained=_risk_rule(arch_id, holder, members, money, "savings_retained"),
        overspend_borne_locally=_risk_rule(arch_id, holder, members, money, "overspend_borne_locally"),
        settlement_years=int(_get(money, "settlement_years", 1)),
        indexation=float(_get(money, "indexation", 0.0)),
        hospital_input_cap=None
        if _get(money, "hospital_input_cap") is None
        else float(_get(money, "hospital_input_cap")),
        top_slice=float(_get(fund, "top_slice")) if paid else 0.0,
        criteria=np.array([c in (names or []) for c in CRITERIA]),
        unpaid_to_tier=paid and str(_get(fund, "unpaid", "tier")) == "tier",
        acute_cost_borne=1.0 if lines[index("acute_non_elective")] else 0.0,
        corridor=_corridor_of(arch_id, holder, members),
        shares=None if bool(np.all(shares[lines] == 1.0)) else shares,
    )


def _check_cover(arch_id: str, groups: list[BudgetGroup], atom_level: str, weight: np.ndarray) -> None:
    """Each holder covers every atom its rules apply to, so no atom's money goes unheld."""
    for g in groups:
        covered = g.H.sum(axis=1)
        gap = np.abs(covered - weight) > 1e-9
        if gap.any():
            raise DevocareError(
                f"architecture {arch_id!r}: holder {g.holder!r} of pot(s) {', '.join(g.pots)} does not "
                f"cover {int(gap.sum())} {atom_level} atoms its rules apply to (e.g. "
                f"{geography.areas(atom_level)['code'].iloc[int(np.argmax(gap))]})"
            )


def _upstream_group(groups: list[BudgetGroup], tier: object) -> int | None:
    """The first group of ``tier`` that holds an upstream line: the one co-financing and rebasing act on."""
    return next(
        (i for i, g in enumerate(groups) if g.tier == tier and (g.lines & line_mask(UPSTREAM_LINES)).any()), None
    )


def _cofinancing_rule(arch_id: str, cof: object, groups: list[BudgetGroup]) -> CoFinancingRule | None:
    """The co-financing rule between a payer holding upstream lines and a separate receiver holding the
    co-financed lines; a clear error where the pots do not allow one."""
    if cof is None:
        return None
    cof_lines = line_mask(list(_get(cof, "lines")))
    payer = _upstream_group(groups, _get(cof, "payer_tier", "local"))
    receiver = next(
        (
            i
            for i, g in enumerate(groups)
            if g.tier == _get(cof, "receiver_tier", "regional") and (g.lines & cof_lines).any()
        ),
        None,
    )
    if payer is None or receiver is None or payer == receiver:
        raise DevocareError(
            f"architecture {arch_id!r}: co_financing needs a {_get(cof, 'payer_tier', 'local')} pot "
            f"holding upstream lines and a separate {_get(cof, 'receiver_tier', 'regional')} pot "
            f"holding {list(_get(cof, 'lines'))}"
        )
    if (cof_lines & ~groups[receiver].lines).any():
        raise DevocareError(f"architecture {arch_id!r}: co-financed lines must all be in the receiver's pot")
    return CoFinancingRule(
        payer, receiver, float(_get(cof, "share")), cof_lines, float(_get(cof, "hospital_funding_to_local", 0.0))
    )


def _rebasing_rule(reb: object, groups: list[BudgetGroup]) -> RebasingRule | None:
    """The rebasing rule from the group holding emergency care toward an upstream group, where both exist and
    differ."""
    if reb is None:
        return None
    toward = _upstream_group(groups, _get(reb, "toward", "local"))
    away = next((i for i, g in enumerate(groups) if g.lines[index("acute_non_elective")]), None)
    if toward is not None and away is not None and toward != away:
        return RebasingRule(toward, away, float(_get(reb, "share_of_activity_shift")))
    return None


def _fund_criteria(fund: object, tier: str) -> list[str] | None:
    """The incentive criteria a pot of ``tier`` is paid on, None where the fund does not pay that tier. The
    schema's :meth:`IncentiveFund.criteria_for` decides; a plain mapping is validated into one first, so
    both read one rule."""
    if fund is None:
        return None
    model = fund if isinstance(fund, IncentiveFund) else IncentiveFund.model_validate(fund)
    return model.criteria_for(tier)


def _agreed(arch_id: str, holder: str, pots: list[object], name: str, values: list[Any]) -> Any:
    """The one value ``values`` (each pot's ``name``, None where it states none) agree on, None where no pot
    states one: pots pooled into one budget must state the same, or all leave it to the money section."""
    stated = {v for v in values if v is not None}
    if len(stated) > 1 or (stated and None in values):
        raise DevocareError(
            f"architecture {arch_id!r}: pots {', '.join(str(_get(p, 'id')) for p in pots)} of {holder!r} form one "
            f"budget and must state the same {name}"
        )
    return next(iter(stated)) if stated else None


def _risk_rule(arch_id: str, holder: str, pots: list[object], money: object, name: str) -> float:
    """A budget's ``savings_retained`` or ``overspend_borne_locally``: its pots' own value where they state one
    (pots pooled into one budget must agree), else the money section's."""
    values = [None if (v := _get(p, name)) is None else float(v) for p in pots]
    own = _agreed(arch_id, holder, pots, name, values)
    return float(own) if own is not None else float(_get(money, name, 0.0))


def _corridor_of(arch_id: str, holder: str, pots: list[object]) -> tuple[float, float] | None:
    """The risk corridor of one budget's pots as (width, centre share); pots pooled into one budget must agree."""
    values = [
        None if (c := _get(p, "risk_corridor")) is None else (float(_get(c, "width")), float(_get(c, "centre_share")))
        for p in pots
    ]
    corridor: tuple[float, float] | None = _agreed(arch_id, holder, pots, "risk_corridor", values)
    return corridor


def _pooling_of(arch: Any, groups: list[BudgetGroup], base: int) -> list[PoolingRule]:
    """Pooled funding flows whose sender holds a pot: the receiver is the body named by the flow if it holds
    a pot, else the other budget holding the pooled lines (a Health and Wellbeing Board's pool is spent by
    its council)."""
    flows = arch.flows_on() if hasattr(arch, "flows_on") else []
    out = []
    for flow in flows:
        if not getattr(flow, "pooled", False) or not flow.amount_gbp or not flow.lines:
            continue
        lines = line_mask(list(flow.lines))
        sender = next((i for i, g in enumerate(groups) if g.holder == flow.from_ and (g.lines & lines).any()), None)
        receiver = next((i for i, g in enumerate(groups) if g.holder == flow.to and i != sender), None)
        if receiver is None:
            receiver = next((i for i, g in enumerate(groups) if i != sender and (g.lines & lines).any()), None)
        if sender is None or receiver is None:
            continue
        out.append(
            PoolingRule(
                str(_get(arch, "id")),
                flow.id,
                sender + base,
                receiver + base,
                float(flow.amount_gbp),
                lines,
                getattr(flow, "amount_parameter", None),
            )
        )
    return out


def _digest(arch: object) -> str:
    dump = arch.model_dump(mode="json", by_alias=True) if hasattr(arch, "model_dump") else arch
    return hashlib.sha256(json.dumps(dump, sort_keys=True, default=str).encode()).hexdigest()


def content_digest(arch: object) -> str:
    """SHA-256 of an architecture's content: what its rules and its grants are a pure function of."""
    return _digest(arch)


_BUILT: OrderedDict[tuple[str, str, str, str], Rules] = OrderedDict()
_BUILT_SIZE = 32
_BUILT_LOCK = threading.Lock()


def pots_on(arch: Any, on: dt.date) -> Any:
    """``arch`` with only the pots that exist on ``on`` (``arch`` itself where every pot does): the money rules
    of that date. A pot's ``start``/``end`` date it as the system changes (ICBs hold the delegated specialised
    line from 2025-04-01, NHS England before)."""
    if hasattr(arch, "pots_on"):
        return arch.pots_on(on)
    money = _get(arch, "money")
    pots = list(_get(money, "pots") or [])

    def alive(pot: Any) -> bool:
        start, end = _get(pot, "start"), _get(pot, "end")
        return (start is None or _day(start) <= on) and (end is None or on <= _day(end))

    kept = [p for p in pots if alive(p)]
    return arch if len(kept) == len(pots) else {**arch, "money": {**money, "pots": kept}}


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def build_rules(
    arch: object, atom_level: str = "lad", fallback: object | None = None, on: dt.date | None = None
) -> Rules:
    """Array rules for ``arch`` over atoms at ``atom_level`` (``lad`` or ``lsoa``), with the pots that exist on
    ``on`` (default: the base year's first day, 2024-04-01).

    ``fallback`` is the architecture the uncovered atoms run (loaded from ``coverage.otherwise`` when
    not given), with its pots of the same date. Raises DevocareError when a line is held twice or not at
    all, or a holder misses atoms. Rules are a pure function of the architectures' content, so the last few
    are kept by content hash: a repeated run reuses them, and with them the engine's prepared arrays.
    Callers must not modify them.
    """
    if atom_level not in ("lad", "lsoa"):
        raise DevocareError(f"atoms must be 'lad' or 'lsoa', got {atom_level!r}")
    on = on or BASE_DATE
    arch = pots_on(arch, on)
    key = (_digest(arch), atom_level, "" if fallback is None else _digest(fallback), on.isoformat())
    with _BUILT_LOCK:
        if key in _BUILT:
            _BUILT.move_to_end(key)
            return _BUILT[key]
    rules = _build_rules(arch, atom_level, fallback, on)
    with _BUILT_LOCK:
        _BUILT[key] = rules
        while len(_BUILT) > _BUILT_SIZE:
            _BUILT.popitem(last=False)
    return rules


def _build_rules(arch: object, atom_level: str, fallback: object | None, on: dt.date) -> Rules:
    atoms = geography.areas(atom_level)["code"].tolist()
    arch_id = str(_get(arch, "id"))
    cov_share = coverage_share(arch, atom_level)
    rule_sets: list[tuple[object, np.ndarray]] = [(arch, cov_share)]
    cov = _get(_get(arch, "money"), "coverage")
    if cov is not None and (cov_share < 1 - 1e-12).any():
        if fallback is None:
            from devocare import architecture

            fallback = architecture.load(str(_get(cov, "otherwise", "status-quo-2023")))
        fallback = pots_on(fallback, on)
        if _get(_get(fallback, "money"), "coverage") is not None:
            raise DevocareError(f"coverage.otherwise {str(_get(fallback, 'id'))!r} must cover every area itself")
        rule_sets.append((fallback, 1.0 - cov_share))
    groups: list[BudgetGroup] = []
    cof: dict[str, CoFinancingRule] = {}
    reb: dict[str, RebasingRule] = {}
    pooling: list[PoolingRule] = []
    weight: dict[str, np.ndarray] = {}
    archs: dict[str, Any] = {}
    for rs_arch, w in rule_sets:
        base = len(groups)
        gs, c, r = _groups_of(rs_arch, atom_level, w)
        rid = str(_get(rs_arch, "id"))
        if rid in weight:
            rid = f"{rid}@fallback"
            for g in gs:
                g.key, g.architecture = f"{rid}/{g.key.split('/', 1)[1]}", rid
        weight[rid] = w
        archs[rid] = rs_arch
        groups.extend(gs)
        if c is not None:
            cof[rid] = CoFinancingRule(c.payer + base, c.receiver + base, c.share, c.lines, c.hospital_funding_to_local)
        if r is not None:
            reb[rid] = RebasingRule(r.toward + base, r.away + base, r.share)
        for rule in _pooling_of(rs_arch, gs, base):
            rule.architecture = rid
            pooling.append(rule)
    offset = 0
    for g in groups:
        g.offset = offset
        offset += g.n
    digest = hashlib.sha256("".join(_digest(a) for a, _ in rule_sets).encode()).hexdigest()
    return Rules(arch_id, atoms, atom_level, groups, weight, cof, reb, digest, pooling, archs)


def acute_mask() -> np.ndarray:
    """The acute lines hospital input caps apply to."""
    return line_mask(ACUTE_LINES)
