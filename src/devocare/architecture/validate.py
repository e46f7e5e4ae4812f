"""Rules that span elements of an architecture, each returning problems with the path that breaks it.

The rules (each has a test file that breaks it in ``tests/architecture/invalid/``):

* ids are unique; every reference (holder, edge ends, flow ends, pot holder, ``outside``) names a body;
* every function, edge and flow lies within the lifetime of the bodies it names;
* every funding flow ends at a body with an accountability path to an electorate or Parliament;
* no accountability cycles;
* shares sum to 1 where they must (``line_shares`` of a flow; shared holders of a function, area by area);
  shares of one source's income never exceed 1;
* statutory rules the sources state: an ICB board has at least a chair, chief executive, finance, medical
  and nursing directors, two non-executive members and three partner members, one member with mental
  health expertise (reform-2024 §2.1.2);
* every function covers England exactly once on each date it exists (commissioning of all ten service lines
  must exist on ``as_of``);
* area codes exist at the stated level; ``money`` puts every service line in exactly one pot;
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

import networkx as nx
import numpy as np

from devocare import data
from devocare.architecture import geo
from devocare.architecture.builtins import builtin_ids
from devocare.architecture.problems import Problem
from devocare.architecture.schema import COMMISSIONING_FUNCTIONS, Architecture, Body, pot_change_dates, reform_start
from devocare.envelope import BASE_DATE
from devocare.errors import closest
from devocare.service_lines import ALIASES, LINE_IDS

TOLERANCE = 1e-6
TERMINAL_KINDS = ("electorate", "parliament")
#: Statutory minimum ICB board (Health and Care Act 2022 and NHSE guidance, as reported in reform-2024 §2.1.2).
ICB_MINIMUM_BOARD: dict[str, int] = {
    "chair": 1,
    "chief_executive": 1,
    "finance_director": 1,
    "medical_director": 1,
    "nursing_director": 1,
    "non_executive": 2,
    "partner_member": 3,
    "mental_health_expertise": 1,
}
#: Roles that are attributes of a member rather than extra seats.
_ATTRIBUTE_ROLES = {"mental_health_expertise"}


def _hint(value: str, choices: list[str]) -> str:
    h = closest(value, choices)
    return f"; did you mean {h[0]!r}?" if h else ""


def resolve_data_amounts(arch: Architecture, file: str) -> list[Problem]:
    """Fill ``amount_gbp`` of flows that cite ``amount_data`` (sum of a dataset column); report bad references."""
    problems = []
    ids = sorted(data.catalogue())
    for i, flow in enumerate(arch.flows):
        ref = flow.amount_data
        if ref is None:
            continue
        path = f"flows[{i}].amount_data"
        if flow.amount_gbp is not None:
            problems.append(Problem(file, path, "give amount_gbp or amount_data, not both"))
            continue
        if ref.dataset not in ids:
            problems.append(
                Problem(file, f"{path}.dataset", f"unknown dataset {ref.dataset!r}" + _hint(ref.dataset, ids))
            )
            continue
        frame = data.load(ref.dataset)
        if ref.column not in frame.columns:
            problems.append(
                Problem(
                    file,
                    f"{path}.column",
                    f"no column {ref.column!r} in {ref.dataset}" + _hint(ref.column, list(frame.columns)),
                )
            )
            continue
        rows = frame
        bad = False
        for col, value in ref.where.items():
            if col not in frame.columns:
                problems.append(
                    Problem(
                        file,
                        f"{path}.where.{col}",
                        f"no column {col!r} in {ref.dataset}" + _hint(col, list(frame.columns)),
                    )
                )
                bad = True
                continue
            rows = rows[rows[col].astype(str) == str(value)]
        if bad:
            continue
        if rows.empty:
            problems.append(Problem(file, f"{path}.where", f"no rows of {ref.dataset} match {ref.where}"))
            continue
        flow.amount_gbp = float(rows[ref.column].astype(float).sum() * ref.scale)
    return problems


def check_dates(arch: Architecture) -> list[date]:
    """Dates on which the structure can change: ``as_of``, every start and the day after every end."""
    dates = {arch.as_of}
    for el in [*arch.bodies, *arch.functions, *arch.accountability, *arch.flows]:
        if el.start is not None:
            dates.add(el.start)
        if el.end is not None:
            dates.add(el.end + timedelta(days=1))
    return sorted(dates)


def _within(child_start: date | None, child_end: date | None, body: Body) -> bool:
    lo_ok = body.start is None or (child_start is not None and child_start >= body.start)
    hi_ok = body.end is None or (child_end is not None and child_end <= body.end)
    return lo_ok and hi_ok


def _unique(items: Sequence[Any], key: Callable[[Any], str], name: str, file: str) -> list[Problem]:
    seen: dict[str, int] = {}
    out = []
    for i, item in enumerate(items):
        k = key(item)
        if k in seen:
            out.append(Problem(file, f"{name}[{i}].id", f"duplicate id {k!r} (first at {name}[{seen[k]}])"))
        else:
            seen[k] = i
    return out


def _references(arch: Architecture, file: str) -> list[Problem]:
    ids = [b.id for b in arch.bodies]
    bodies = {b.id: b for b in arch.bodies}
    out = []

    def ref(path: str, value: str) -> Body | None:
        if value not in bodies:
            out.append(Problem(file, path, f"unknown body {value!r}" + _hint(value, ids)))
            return None
        return bodies[value]

    for i, b in enumerate(arch.bodies):
        for j, other in enumerate(b.outside):
            ref(f"bodies[{i}].outside[{j}]", other)
        if b.areas != "all" and b.area_level is None:
            out.append(Problem(file, f"bodies[{i}].areas", "areas given but no area_level"))
        if b.areas == "coverage" and arch.money.coverage is None:
            out.append(Problem(file, f"bodies[{i}].areas", "areas: coverage needs money.coverage"))
        if isinstance(b.areas, list) and b.area_level is not None:
            for j, code in enumerate(b.areas):
                if geo.canonical_area(code, b.area_level, b.area_vintage) is None:
                    out.append(
                        Problem(
                            file,
                            f"bodies[{i}].areas[{j}]",
                            f"no {b.area_level} area {code!r} (vintage {b.area_vintage})",
                        )
                    )
        if b.start and b.end and b.end < b.start:
            out.append(Problem(file, f"bodies[{i}].end", f"end {b.end} is before start {b.start}"))
    for i, f in enumerate(arch.functions):
        for j, other in enumerate(f.outside):
            ref(f"functions[{i}].outside[{j}]", other)
        for j, other in enumerate(f.within):
            ref(f"functions[{i}].within[{j}]", other)
        holder = ref(f"functions[{i}].holder", f.holder)
        if holder is not None and not _within(f.start, f.end, holder):
            out.append(
                Problem(
                    file,
                    f"functions[{i}]",
                    f"{f.key} held by {holder.id!r} outside its lifetime "
                    f"({holder.start or '…'} to {holder.end or '…'}); function runs {f.start or '…'} to {f.end or '…'}",
                )
            )
        if holder is not None and holder.area_level is None and holder.tier != "national":
            out.append(
                Problem(
                    file,
                    f"functions[{i}].holder",
                    f"{holder.id!r} is not national and has no area_level, so where it holds {f.key} is undefined",
                )
            )
    for i, e in enumerate(arch.accountability):
        for end_name, value in (("from", e.from_), ("to", e.to)):
            body = ref(f"accountability[{i}].{end_name}", value)
            if body is not None and not _within(e.start, e.end, body):
                out.append(Problem(file, f"accountability[{i}]", f"edge {e.key} outlives body {value!r}"))
    for i, fl in enumerate(arch.flows):
        for end_name, value in (("from", fl.from_), ("to", fl.to)):
            body = ref(f"flows[{i}].{end_name}", value)
            if body is not None and not _within(fl.start, fl.end, body):
                out.append(Problem(file, f"flows[{i}]", f"flow {fl.id!r} outlives body {value!r}"))
    # a historical system is simulated as if in force, so its holders are checked on its own dates only
    dates = [d for d in pot_dates(arch) if d != BASE_DATE or d == arch.as_of]
    for i, pot in enumerate(arch.money.pots):
        holder = ref(f"money.pots[{i}].holder", pot.holder)
        gone = next((on for on in dates if holder is not None and pot.active(on) and not holder.active(on)), None)
        if holder is not None and gone is not None:
            out.append(
                Problem(
                    file,
                    f"money.pots[{i}].holder",
                    f"pot {pot.id!r} is held by {holder.id!r}, which does not exist on {gone}",
                )
            )
    return out


def _graph(arch: Architecture, on: date) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(b.id for b in arch.bodies_on(on))
    for e in arch.edges_on(on):
        g.add_edge(e.from_, e.to, type=e.type)
    return g


def reaches_electorate(arch: Architecture, body_id: str, on: date) -> bool:
    """True if ``body_id`` has an accountability path to an electorate or Parliament on ``on``."""
    g = _graph(arch, on)
    if body_id not in g:
        return False
    terminals = {b.id for b in arch.bodies_on(on) if b.kind in TERMINAL_KINDS}
    return body_id in terminals or bool(nx.descendants(g, body_id) & terminals)


def _accountability(arch: Architecture, file: str, dates: list[date]) -> list[Problem]:
    out = []
    kinds = {b.id: b.kind for b in arch.bodies}
    for i, e in enumerate(arch.accountability):
        if kinds.get(e.from_) == "electorate":
            out.append(Problem(file, f"accountability[{i}].from", f"electorate {e.from_!r} answers to no one"))
    reported_cycles: set[frozenset[str]] = set()
    reported_flows: set[int] = set()
    for on in dates:
        g = _graph(arch, on)
        try:
            cycle = nx.find_cycle(g)
        except nx.NetworkXNoCycle:
            cycle = []
        if cycle:
            nodes = frozenset(u for u, _ in cycle)
            if nodes not in reported_cycles:
                reported_cycles.add(nodes)
                loop = " -> ".join([u for u, _ in cycle] + [cycle[0][0]])
                idx = next(i for i, e in enumerate(arch.accountability) if (e.from_, e.to) == cycle[0][:2])
                out.append(Problem(file, f"accountability[{idx}]", f"accountability cycle on {on}: {loop}"))
        terminals = {b.id for b in arch.bodies_on(on) if b.kind in TERMINAL_KINDS}
        for i, fl in enumerate(arch.flows):
            if i in reported_flows or not fl.active(on) or fl.to not in g:
                continue
            if fl.to not in terminals and not (nx.descendants(g, fl.to) & terminals):
                reported_flows.add(i)
                out.append(
                    Problem(
                        file,
                        f"flows[{i}].to",
                        f"flow {fl.id!r} ends at {fl.to!r}, which on {on} has "
                        "no accountability path to an electorate or Parliament",
                    )
                )
    return out


def _shares(arch: Architecture, file: str) -> list[Problem]:
    out = []
    by_source: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for i, fl in enumerate(arch.flows):
        if (
            fl.lines
            and fl.amount_gbp is None
            and fl.amount_data is None
            and fl.share is None
            and not fl.pooled
            and not fl.derived
        ):
            out.append(
                Problem(
                    file,
                    f"flows[{i}]",
                    f"flow {fl.id!r} needs amount_gbp, amount_data or share "
                    "(or pooled: true for money counted in other flows, or derived: true for money the "
                    "money section computes)",
                )
            )
        if fl.line_shares is not None:
            extra = set(fl.line_shares) - set(fl.lines)
            if extra:
                out.append(Problem(file, f"flows[{i}].line_shares", f"lines {sorted(extra)} are not in lines"))
            total = sum(fl.line_shares.values())
            if abs(total - 1) > TOLERANCE:
                out.append(Problem(file, f"flows[{i}].line_shares", f"shares sum to {total:.6g}; expected 1"))
        elif len(fl.lines) > 1 and not fl.pooled and (fl.amount_gbp is not None or fl.amount_data is not None):
            out.append(
                Problem(
                    file,
                    f"flows[{i}].line_shares",
                    f"flow {fl.id!r} pays for {len(fl.lines)} lines; give line_shares summing to 1",
                )
            )
        if fl.share is not None:
            by_source[fl.from_].append((i, fl.share))
    for source, items in by_source.items():
        for on in check_dates(arch):
            total = sum(s for i, s in items if arch.flows[i].active(on))
            if total > 1 + TOLERANCE:
                out.append(
                    Problem(
                        file,
                        f"flows[{items[0][0]}].share",
                        f"shares of {source!r}'s income sum to {total:.6g} on {on}; at most 1",
                    )
                )
                break
    return out


def _statutory(arch: Architecture, file: str) -> list[Problem]:
    out = []
    for i, b in enumerate(arch.bodies):
        if b.kind != "icb":
            continue
        board = b.board
        if board is None:
            out.append(
                Problem(
                    file, f"bodies[{i}].board", "an ICB must state its board (statutory minimum, reform-2024 §2.1.2)"
                )
            )
            continue
        for role, need in ICB_MINIMUM_BOARD.items():
            have = board.minimum.get(role, 0)  # type: ignore[call-overload]
            if have < need:
                out.append(
                    Problem(
                        file,
                        f"bodies[{i}].board.minimum.{role}",
                        f"an ICB board needs at least {need} {role.replace('_', ' ')} (got {have}; reform-2024 §2.1.2)",
                    )
                )
        seats = sum(n for r, n in board.minimum.items() if r not in _ATTRIBUTE_ROLES)
        total = sum(board.members.values())
        if board.members and board.scope == "all" and b.area_level is not None:
            n_areas = len(geo._codes(b.area_level, b.area_vintage)) if b.areas == "all" else len(b.areas)
            if total < seats * n_areas:
                out.append(
                    Problem(
                        file,
                        f"bodies[{i}].board.members",
                        f"{total} members across {n_areas} boards is below the statutory minimum of {seats} each",
                    )
                )
        elif board.members and board.scope == "each" and total < seats:
            out.append(
                Problem(
                    file, f"bodies[{i}].board.members", f"{total} members is below the statutory minimum of {seats}"
                )
            )
    return out


def _coverage(arch: Architecture, file: str, dates: list[date]) -> list[Problem]:
    out = []
    keys_on_as_of = {f.key for f in arch.functions_on(arch.as_of)}
    for key in COMMISSIONING_FUNCTIONS:
        members = [f"commissioning.{line}" for line in ALIASES.get(key.split(".", 1)[1], ())]
        if key not in keys_on_as_of and not (members and set(members) <= keys_on_as_of):
            out.append(
                Problem(file, "functions", f"no holder for {key} on {arch.as_of} (every service line is commissioned)")
            )
    own = geo.own_coverage(arch)
    pop = geo.population()
    total_pop = pop.sum()
    lsoa = geo.lsoa_frame()
    holdings: dict[date, list[tuple[int, np.ndarray]]] = {}
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(arch.functions):
        by_key[f.key].append(i)
    for key, idx in by_key.items():
        for on in dates:
            active = [i for i in idx if arch.functions[i].active(on)]
            if not active:
                continue
            held = (
                dict(holdings[on])
                if on in holdings
                else dict(holdings.setdefault(on, geo.holding_coverage(arch, on, own)))
            )
            level = np.zeros(len(pop))
            for i in active:
                level += held[i]
            off = np.abs(level - 1) > TOLERANCE
            if off.any():
                twice = level > 1 + TOLERANCE
                short = level < 1 - TOLERANCE
                parts = []
                if short.any():
                    parts.append(
                        f"{pop[short].sum() / total_pop:.1%} of residents not covered "
                        f"(e.g. LAD {lsoa['lad'].to_numpy()[short][0]})"
                    )
                if twice.any():
                    parts.append(
                        f"{pop[twice].sum() / total_pop:.1%} covered more than once "
                        f"(e.g. LAD {lsoa['lad'].to_numpy()[twice][0]})"
                    )
                holders = ", ".join(f"{arch.functions[i].holder} ×{arch.functions[i].share:g}" for i in active)
                out.append(
                    Problem(
                        file,
                        f"functions[{active[0]}]",
                        f"{key} must cover England exactly once on {on} (holders: {holders}): " + "; ".join(parts),
                    )
                )
                break
    return out


def _overlap(a: Any, b: Any) -> bool:
    """Whether two dated elements exist on a common day (an open start or end reaches any date)."""
    a_before_b_ends = a.start is None or b.end is None or a.start <= b.end
    return a_before_b_ends and (b.start is None or a.end is None or b.start <= a.end)


def pot_dates(arch: Architecture) -> list[date]:
    """The dates on which the pots must hold every line exactly once: ``as_of``, the first day the simulator
    runs them (the base date, or a reform's start: the years before run the architecture it replaces) and
    each date from then on which the set of pots changes."""
    start = reform_start(arch)
    changes = [d for d in pot_change_dates(arch) if start is None or d >= start]  # before it, its predecessor runs
    return sorted({arch.as_of, start or BASE_DATE, *changes})


def _split(a: Any, b: Any, line: str) -> bool:
    """Whether two pots split ``line`` between them: either gives a share of it (their sum is checked apart)."""
    return line in (a.line_shares or {}) or line in (b.line_shares or {})


def _share_sums(arch: Architecture, file: str) -> list[Problem]:
    """Over the pots holding a line on each date the money rules run, the shares of the line add up to 1:
    a line split between pots (``line_shares``) has all its money held, once. Every holder of a pot covers
    every area its rules run, so the sum is the same in each of those areas."""
    pots = arch.money.pots
    where = "every area these money rules run" if arch.money.coverage is None else "every area of money.coverage"
    out: list[Problem] = []
    reported: set[str] = set()
    for on in pot_dates(arch):
        for line in LINE_IDS:
            holding = [(i, p) for i, p in enumerate(pots) if p.active(on) and line in p.lines]
            if line in reported or not any(line in (p.line_shares or {}) for _, p in holding):
                continue
            total = sum(p.share_of(line) for _, p in holding)
            if abs(total - 1.0) > 1e-9:
                reported.add(line)
                parts = ", ".join(f"{p.id} {p.share_of(line):g}" for _, p in holding)
                out.append(
                    Problem(
                        file,
                        f"money.pots[{holding[-1][0]}].line_shares",
                        f"shares of {line} sum to {total:.9g}, not 1, on {on} in {where} (pots holding it: {parts})",
                    )
                )
    return out


def _money(arch: Architecture, file: str, builtin: Callable[[str], Architecture] | None = None) -> list[Problem]:
    out = []
    money = arch.money
    seen: dict[str, list[int]] = {}
    for i, pot in enumerate(money.pots):
        for line in pot.lines:
            clash = next(
                (
                    j
                    for j in seen.get(line, [])
                    if _overlap(money.pots[j], pot) and not _split(money.pots[j], pot, line)
                ),
                None,
            )
            if clash is not None:
                out.append(
                    Problem(
                        file,
                        f"money.pots[{i}].lines",
                        f"{line} is already in money.pots[{clash}] on a date both pots exist (pots holding one "
                        "line must not overlap in time: date them with start and end)",
                    )
                )
            seen.setdefault(line, []).append(i)
    out += _share_sums(arch, file)
    for on in pot_dates(arch):
        held = {line for pot in money.pots if pot.active(on) for line in pot.lines}
        missing = [line for line in LINE_IDS if line not in held]
        if missing:
            out.append(
                Problem(
                    file,
                    "money.pots",
                    f"service lines in no pot: {', '.join(missing)} on {on} (each line in exactly one pot)",
                )
            )
            break
    tiers = {p.tier for p in money.pots}
    if money.co_financing is not None:
        for name in ("payer_tier", "receiver_tier"):
            tier = getattr(money.co_financing, name)
            if tier not in tiers:
                out.append(
                    Problem(file, f"money.co_financing.{name}", f"no pot at tier {tier!r} (pot tiers: {sorted(tiers)})")
                )
    if money.rebasing is not None and money.rebasing.toward not in tiers:
        out.append(Problem(file, "money.rebasing.toward", f"no pot at tier {money.rebasing.toward!r}"))
    if money.coverage is not None:
        cov = money.coverage
        if isinstance(cov.devolved, list):
            for j, code in enumerate(cov.devolved):
                if geo.canonical_area(code, cov.level, cov.vintage) is None:
                    out.append(Problem(file, f"money.coverage.devolved[{j}]", f"no {cov.level} area {code!r}"))
        out += _builtin_ref(
            arch,
            file,
            cov.otherwise,
            "money.coverage.otherwise",
            "fall back on",
            builtin if money.replaces is None else None,
        )
    if money.replaces is not None:
        out += _builtin_ref(arch, file, money.replaces, "money.replaces", "replace", builtin)
    return out


def _reform_start(arch: Architecture) -> date | None:
    """The first start of a body after the base date (when a reform's rules take over), or None."""
    starts = [b.start for b in arch.bodies if b.start is not None and b.start > BASE_DATE]
    return min(starts) if starts else None


def _builtin_ref(
    arch: Architecture, file: str, value: str, field: str, verb: str, predecessor: Callable[[str], Architecture] | None
) -> list[Problem]:
    """``value`` names another built-in architecture. Given ``predecessor`` (how to load it), it is the one
    whose money rules run before a reform's start year, so it must have no later start of its own (the
    simulator runs one predecessor, with its own pot dates, before the reform)."""
    if value not in builtin_ids():
        return [Problem(file, field, f"unknown built-in {value!r}" + _hint(value, builtin_ids()))]
    if value == arch.id:
        return [Problem(file, field, f"an architecture cannot {verb} itself")]
    if predecessor is not None and _reform_start(arch) is not None:
        later = _reform_start(predecessor(value))
        if later is not None:
            return [
                Problem(
                    file,
                    field,
                    f"{value!r} runs before this architecture's start but itself starts "
                    f"on {later.isoformat()}; name one with no start after {BASE_DATE}",
                )
            ]
    return []


def raw_reference_problems(doc: dict[str, Any], file: str) -> list[Problem]:
    """References to unknown bodies and line shares not summing to 1, read from the raw document.

    Run when the schema already failed, so that a file with both kinds of problem gets all of them at once.
    """

    def items(name: str) -> list[tuple[int, dict[str, Any]]]:
        value = doc.get(name)
        return [(i, x) for i, x in enumerate(value) if isinstance(x, dict)] if isinstance(value, list) else []

    ids = [str(b["id"]) for _, b in items("bodies") if "id" in b]
    out = []

    def ref(path: str, value: object) -> None:
        if isinstance(value, str) and value not in ids:
            out.append(Problem(file, path, f"unknown body {value!r}" + _hint(value, ids)))

    for i, f in items("functions"):
        ref(f"functions[{i}].holder", f.get("holder"))
    for name in ("accountability", "flows"):
        for i, e in items(name):
            ref(f"{name}[{i}].from", e.get("from"))
            ref(f"{name}[{i}].to", e.get("to"))
    for i, f in items("flows"):
        shares = f.get("line_shares")
        if isinstance(shares, dict) and all(isinstance(v, int | float) for v in shares.values()):
            total = sum(shares.values())
            if abs(total - 1) > TOLERANCE:
                out.append(Problem(file, f"flows[{i}].line_shares", f"shares sum to {total:.6g}; expected 1"))
    money = doc.get("money")
    if isinstance(money, dict) and isinstance(money.get("pots"), list):
        for i, pot in enumerate(money["pots"]):
            if isinstance(pot, dict):
                ref(f"money.pots[{i}].holder", pot.get("holder"))
    return out


def validate(
    arch: Architecture, file: str = "<architecture>", builtin: Callable[[str], Architecture] | None = None
) -> list[Problem]:
    """Every cross-element problem in ``arch`` (empty list: valid). ``builtin`` loads a built-in by id (the
    loader passes its own, so this module does not import it) for the checks that read another built-in."""
    problems = _unique(arch.bodies, lambda b: b.id, "bodies", file)
    problems += _unique(arch.functions, lambda f: f.id, "functions", file)
    problems += _unique(arch.flows, lambda f: f.id, "flows", file)
    problems += _unique(arch.money.pots, lambda p: p.id, "money.pots", file)
    problems += _unique(arch.accountability, lambda e: e.key, "accountability", file)
    problems += _references(arch, file)
    problems += _shares(arch, file)
    problems += _statutory(arch, file)
    problems += _money(arch, file, builtin)
    if problems:  # structural rules below assume references resolve
        return problems
    dates = check_dates(arch)
    problems += _accountability(arch, file, dates)
    problems += _coverage(arch, file, dates)
    return problems
