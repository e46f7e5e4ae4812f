"""Exact attribution of a reform's paired difference to named mechanism groups (Shapley values).

Why: a paired difference (reform − baseline, draw by draw, same seed) says *how much* a reform changes a
measure; correlating it with the levers says what moves with it, but not which of the reform's mechanisms
produced it. Here the game is ``v(S)`` = the paired difference in one draw when only the mechanism groups
in ``S`` are on (the others switched off in *both* runs, with the same seed: common random numbers). The
Shapley value of a group averages its marginal effect over every order in which the groups could be
switched on, so the groups' values add up exactly to ``v(all) − v(none)`` in every draw. ``v(none)``, the
difference left with every group off, is reported as its own row (``budget_holders``): what differs only
because of who holds which budget. For spend, unmet need and admissions it is zero (the mechanisms-off
invariant), so there the mechanism groups alone add up to the difference; for money flows (deficit support,
returns, reserves) it is the architecture's structure.

The groups are defined once, from ``scenarios/mechanisms-off.yaml`` (each of its parameters belongs to
exactly one group, with the value that switches it off), plus deficit support
(``behaviour.deficit_support_limit = 0``), the risk rule that separates a tight envelope's effect on the
status quo from the reforms. A group whose switch cannot act in an architecture (no holder invests
upstream, no input cap, no co-financing, no reform date) is left out of that architecture's runs: its
runs with the group on and off are the same, so a baseline run is shared by every coalition that differs
only in groups that do not act in it, and a pair in which neither side is touched gives the group zero (the
dummy axiom). ``tests/simulation/test_attribution.py`` checks both. A reform with ``k`` acting groups
needs ``2^k`` runs of itself; the baseline's runs are shared by every reform.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from math import factorial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from devocare.errors import DevocareError
from devocare.simulation.parameters import load_scenario
from devocare.simulation.results import SimulationResult

#: The shipped scenario that switches every reform mechanism and the holders' money responses off.
MECHANISMS_OFF = Path(__file__).resolve().parents[1] / "scenarios" / "mechanisms-off.yaml"
#: The row for the difference left with every group off (who holds which budget).
STRUCTURE = "budget_holders"
STRUCTURE_LABEL = "Who holds which budget (every mechanism off)"
#: Columns of :func:`attribution_table` (the JSON records' keys are a contract).
COLUMNS = (
    "architecture",
    "baseline",
    "measure",
    "mechanism",
    "label",
    "contribution_central",
    "contribution_mean",
    "contribution_p5",
    "contribution_p50",
    "contribution_p95",
    "share_of_variance",
    "draws",
)


def _groups_with(rules: Any, test: Callable[[Any], bool]) -> bool:
    return any(test(g) for g in getattr(rules, "groups", []))


def _invests_upstream(rules: Any, arch: Any) -> bool:
    return _groups_with(rules, lambda g: g.incentive_strength > 0)


def _bears_risk(rules: Any, arch: Any) -> bool:
    return _groups_with(rules, lambda g: g.savings_retained * g.overspend_borne_locally > 0)


def _caps(rules: Any, arch: Any) -> bool:
    return _groups_with(rules, lambda g: g.hospital_input_cap is not None)


def _cofinances(rules: Any, arch: Any) -> bool:
    return bool(getattr(rules, "cofinancing", None))


def _reorganises(rules: Any, arch: Any) -> bool:
    from devocare.simulation import transition

    return transition.reform_start(arch) is not None or bool(transition.planned_steps(arch))


def _always(rules: Any, arch: Any) -> bool:
    return True


@dataclass(frozen=True)
class Mechanism:
    """A group of parameters that together switch one mechanism off (``off``: path → value), and the test
    of whether its switch can act in an architecture (``acts(rules, architecture)``)."""

    key: str
    label: str
    off: dict[str, Any]
    acts: Callable[[Any, Any], bool] = field(compare=False)


#: The groups of ``mechanisms-off.yaml``: key, label, the parameter paths (or path prefixes ending in ".")
#: that belong to it, and when its switch can act. Every path of the file belongs to exactly one group.
_FILE_GROUPS: tuple[tuple[str, str, tuple[str, ...], Callable[[Any, Any], bool]], ...] = (
    (
        "left_shift",
        "Left shift and acute capture",
        ("behaviour.left_shift_rate", "behaviour.acute_capture"),
        _invests_upstream,
    ),
    ("efficiency", "Efficiency saving of risk-bearing budgets", ("behaviour.efficiency_saving",), _bears_risk),
    ("input_caps", "Hospital input caps", ("behaviour.cap_marginal_price",), _caps),
    ("cofinancing", "Co-financing's effect on admissions", ("cofinancing.admissions_effect",), _cofinances),
    ("transition", "Transition costs", ("transition.",), _reorganises),
    (
        "money_responses",
        "Holders' money responses (cuts, headroom and reserve spending)",
        (
            "behaviour.headroom_spend_share",
            "behaviour.reinvest_share",
            "behaviour.max_cut_share",
            "behaviour.overspend_response",
        ),
        _always,
    ),
)
#: The risk rule outside the file: deficit support from the centre (0 switches it off in every architecture).
DEFICIT_SUPPORT = Mechanism(
    "deficit_support", "Deficit support (risk rule)", {"behaviour.deficit_support_limit": 0}, _always
)


def mechanisms(scenario: str | Path | dict[str, Any] = MECHANISMS_OFF) -> tuple[Mechanism, ...]:
    """The mechanism groups, built from the mechanisms-off scenario (its values switch each group off), then
    :data:`DEFICIT_SUPPORT`. A path of the scenario that belongs to no group, or to two, is an error."""
    params = load_scenario(scenario)
    owner: dict[str, str] = {}
    for path in params:
        keys = [k for k, _l, paths, _a in _FILE_GROUPS if any(_matches(path, p) for p in paths)]
        if len(keys) != 1:
            where = "no mechanism group" if not keys else f"several mechanism groups ({', '.join(keys)})"
            raise DevocareError(f"parameter {path} of the mechanisms-off scenario belongs to {where}")
        owner[path] = keys[0]
    out = [
        Mechanism(key, label, {p: v for p, v in params.items() if owner[p] == key}, acts)
        for key, label, _paths, acts in _FILE_GROUPS
    ]
    return (*[m for m in out if m.off], DEFICIT_SUPPORT)


def _matches(path: str, pattern: str) -> bool:
    return path.startswith(pattern) if pattern.endswith(".") else path == pattern


def shapley_values(groups: Sequence[str], value: Callable[[frozenset[str]], np.ndarray]) -> dict[str, np.ndarray]:
    """Shapley value of each group for a game with array values (``value(S)``: one number per draw, or any
    array shape), called once per coalition. The values add up to ``value(all) − value(none)``."""
    n = len(groups)
    memo: dict[frozenset[str], np.ndarray] = {}

    def v(s: frozenset[str]) -> np.ndarray:
        if s not in memo:
            memo[s] = np.asarray(value(s), dtype=float)
        return memo[s]

    out: dict[str, np.ndarray] = {}
    for g in groups:
        others = [x for x in groups if x != g]
        phi = np.zeros_like(v(frozenset(groups)))
        for mask in range(1 << (n - 1)):
            s = frozenset(o for i, o in enumerate(others) if mask >> i & 1)
            weight = factorial(len(s)) * factorial(n - len(s) - 1) / factorial(n)
            phi = phi + weight * (v(s | {g}) - v(s))
        out[g] = phi
    return out


@dataclass
class Attribution:
    """Per reform and summary measure, every draw's paired difference (draw 0 central) and each mechanism
    group's exact share of it (``contributions[arch][measure][mechanism]``, the :data:`STRUCTURE` row
    included), which add up to the difference in every draw. ``coalitions[arch][groups_on][measure]`` is
    the paired difference with only ``groups_on`` on (every coalition of the groups that act in the reform
    or the baseline): ``coalitions[arch][all but deficit support]`` is the comparison with no deficit
    support anywhere. ``results`` holds the runs with every mechanism on (what
    :func:`~devocare.simulation.paired.paired_differences` compares); ``runs`` counts the simulations made."""

    baseline: str
    mechanisms: tuple[Mechanism, ...]
    differences: dict[str, dict[str, np.ndarray]]
    contributions: dict[str, dict[str, dict[str, np.ndarray]]]
    acting: dict[str, tuple[str, ...]]
    coalitions: dict[str, dict[frozenset[str], dict[str, np.ndarray]]]
    results: list[SimulationResult]
    runs: int
    draws: int


@dataclass
class Plan:
    """What an attribution will run: the architectures (loaded) and their ids, the baseline's id, the groups
    that act in each architecture, each reform's game (the groups acting in it or the baseline) and the
    number of distinct simulations (``runs``) it takes."""

    mechanisms: tuple[Mechanism, ...]
    architectures: list[Any]
    ids: list[str]
    baseline: str
    acting: dict[str, tuple[str, ...]]
    games: dict[str, tuple[str, ...]]
    runs: int


def plan(archs: Sequence[Any], baseline: Any, atoms: str = "lad", groups: Sequence[Mechanism] | None = None) -> Plan:
    """The runs :func:`attribute` would make, without making them (to size a job before running it)."""
    from devocare.simulation.phases import phased_rules
    from devocare.simulation.runner import _load_arch

    mechs = tuple(groups) if groups is not None else mechanisms()
    loaded = [_load_arch(a) for a in archs]
    ids = [str(a.id) for a in loaded]
    base_id = str(_load_arch(baseline).id) if not isinstance(baseline, str) or baseline not in ids else baseline
    if base_id not in ids:
        raise DevocareError(f"baseline {base_id!r} is not among the architectures compared: {', '.join(ids)}")
    if len(set(ids)) != len(ids):
        raise DevocareError("each architecture can be attributed once")
    acting = {
        i: tuple(m.key for m in mechs if m.acts(phased_rules(a, atoms), a)) for i, a in zip(ids, loaded, strict=True)
    }
    games = {
        r: tuple(m.key for m in mechs if m.key in acting[r] or m.key in acting[base_id]) for r in ids if r != base_id
    }
    planned = {(base_id, frozenset(acting[base_id]))}
    for r, game in games.items():
        for sub in _subsets(game):
            planned |= {(a, frozenset(sub) & frozenset(acting[a])) for a in (r, base_id)}
    return Plan(mechs, loaded, ids, base_id, acting, games, len(planned))


def attribute(
    archs: Sequence[Any],
    baseline: Any,
    *,
    years: int = 10,
    draws: int = 0,
    seed: int = 0,
    atoms: str = "lad",
    overrides: dict[str, Any] | None = None,
    scenario: str | Path | dict[str, Any] | None = None,
    backend: str = "numpy",
    scheduler: str | None = None,
    groups: Sequence[Mechanism] | None = None,
    progress: Callable[[int, int], None] | None = None,
    light: bool = True,
) -> Attribution:
    """Attribute each architecture's paired difference from ``baseline`` (one of ``archs``: ids, YAML paths
    or Architectures) to the mechanism groups (default :func:`mechanisms`), draw by draw. Every coalition
    is a paired run with the same seed, years, draws and areas; user ``overrides`` and ``scenario`` apply
    in every run, and a group's switched-off values win over them for its own parameters; ``backend`` and
    ``scheduler`` are :func:`~devocare.simulation.runner.simulate`'s.
    ``progress(done, total)`` is called after each simulation. With ``light`` (the default) every
    coalition run but the plain ones is a light run (``simulate(atom_detail=False)``): the game reads only
    national summary measures per draw, which a light run gives bit for bit, so only ``results`` keep
    per-area detail; ``light=False`` keeps it in every run (the same attribution, at more cost)."""
    from devocare.simulation.runner import simulate

    p = plan(archs, baseline, atoms, groups)
    mechs, base_id, acting, games, total = p.mechanisms, p.baseline, p.acting, p.games, p.runs
    by_id = dict(zip(p.ids, p.architectures, strict=True))
    ids, reforms = p.ids, list(games)
    user = dict(overrides or {})
    cache: dict[tuple[str, frozenset[str]], dict[str, np.ndarray]] = {}
    full: dict[str, SimulationResult] = {}
    by_key = {m.key: m for m in mechs}

    def run(arch_id: str, on: frozenset[str]) -> dict[str, np.ndarray]:
        key = (arch_id, on & frozenset(acting[arch_id]))
        if key not in cache:
            everything_on = key[1] == frozenset(acting[arch_id])  # the plain run, kept whole in ``results``
            off = [by_key[k] for k in acting[arch_id] if k not in key[1]]
            switched = {p for m in off for p in m.off}
            merged = {k: v for k, v in user.items() if k.partition("@")[0] not in switched}
            for m in off:
                merged.update(m.off)
            result = simulate(
                by_id[arch_id],
                years=years,
                draws=draws,
                seed=seed,
                atoms=atoms,
                overrides=merged,
                scenario=scenario,
                backend=backend,
                scheduler=scheduler,
                waterfall=False,
                atom_detail=everything_on or not light,
            )
            cache[key] = {m: np.asarray(v, dtype=float) for m, v in result.summary_draws.items()}
            if everything_on:
                full[arch_id] = result
            if progress is not None:
                progress(len(cache), total)
        return cache[key]

    differences: dict[str, dict[str, np.ndarray]] = {}
    contributions: dict[str, dict[str, dict[str, np.ndarray]]] = {}
    coalitions: dict[str, dict[frozenset[str], dict[str, np.ndarray]]] = {}
    for r in reforms:
        game = games[r]
        names = tuple(run(base_id, frozenset(game)))

        def value(s: frozenset[str], r: str = r, names: tuple[str, ...] = names) -> np.ndarray:
            a, b = run(r, s), run(base_id, s)
            coalitions.setdefault(r, {})[s] = {m: a[m] - b[m] for m in names}
            return np.stack([a[m] - b[m] for m in names])

        phi = shapley_values(game, value)
        none = value(frozenset())
        whole = value(frozenset(game))
        differences[r] = {m: whole[i] for i, m in enumerate(names)}
        contributions[r] = {
            m: {
                **{k.key: (phi[k.key][i] if k.key in phi else np.zeros_like(whole[i])) for k in mechs},
                STRUCTURE: none[i],
            }
            for i, m in enumerate(names)
        }
    run(base_id, frozenset(acting[base_id]))
    results = [full[i] for i in ids]
    return Attribution(base_id, mechs, differences, contributions, acting, coalitions, results, len(cache), draws)


def _subsets(items: Sequence[str]) -> list[tuple[str, ...]]:
    return [tuple(x for i, x in enumerate(items) if mask >> i & 1) for mask in range(1 << len(items))]


def attribution_table(attr: Attribution) -> pd.DataFrame:
    """One record per reform, summary measure and mechanism group (then :data:`STRUCTURE`): the group's
    contribution to the paired difference in the central run, its mean, P5, P50 and P95 over the Monte
    Carlo draws, and its share of the difference's variance over the draws, cov(contribution, difference) /
    var(difference) — shares add up to 1 over a reform's rows for a measure (a negative share offsets
    others); empty (NaN) where the difference does not vary beyond rounding or there are no draws."""
    labels = {m.key: m.label for m in attr.mechanisms} | {STRUCTURE: STRUCTURE_LABEL}
    rows: list[dict[str, Any]] = []
    for arch, per_measure in attr.contributions.items():
        for measure, parts in per_measure.items():
            diff = attr.differences[arch][measure]
            sample_diff = diff[1:] if attr.draws > 0 else diff[:1]
            var = float(np.var(sample_diff)) if attr.draws > 1 else 0.0
            if var <= (1e-9 * max(1.0, float(np.abs(sample_diff).max()))) ** 2:
                var = 0.0  # a difference that varies only by rounding has no variance to share
            for key, c in parts.items():
                sample = c[1:] if attr.draws > 0 else c[:1]
                share = (
                    float(np.mean((sample - sample.mean()) * (sample_diff - sample_diff.mean())) / var)
                    if var > 0
                    else np.nan
                )
                rows.append(
                    {
                        "architecture": arch,
                        "baseline": attr.baseline,
                        "measure": measure,
                        "mechanism": key,
                        "label": labels[key],
                        "contribution_central": float(c[0]),
                        "contribution_mean": float(sample.mean()),
                        "contribution_p5": float(np.percentile(sample, 5)),
                        "contribution_p50": float(np.percentile(sample, 50)),
                        "contribution_p95": float(np.percentile(sample, 95)),
                        "share_of_variance": share,
                        "draws": attr.draws,
                    }
                )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def describe(table: pd.DataFrame, architecture: str, measure: str = "spent_gbp_bn") -> str:
    """One plain-English sentence, from the numbers of :func:`attribution_table`, on what makes one reform's
    paired difference in ``measure``: its size and sign in the central run, the group that contributes most
    to it (and whether it pushes with the difference or against it), and, with draws, the group that
    accounts for the largest share of its variance over the draws."""
    from devocare import formatting, measures

    rows = table[(table["architecture"] == architecture) & (table["measure"] == measure)]
    if rows.empty:
        raise DevocareError(f"no attribution of {measure!r} for {architecture!r}")
    unit = formatting.guess_unit(measure)

    def amount(v: float) -> str:
        return (
            formatting.percent(abs(v)).replace("%", " percentage points")
            if unit == "share"
            else (formatting.by_unit(abs(v), unit))
        )

    label = _lower(measures.label(measure))
    base = str(rows["baseline"].iloc[0])
    central = rows["contribution_central"].to_numpy(dtype=float)
    total = float(central.sum())
    tiny = 1e-9 * max(1.0, float(np.abs(central).max()))
    if abs(total) <= tiny and float(np.abs(central).max()) <= tiny:
        return f"{architecture}: {label} is no different from {base} in the central run, and no mechanism moves it."
    if abs(total) <= tiny:
        said = f"{architecture}: {label} is no different from {base} in the central run"
    else:
        direction = "higher" if total > 0 else "lower"
        said = f"{architecture}: {label} is {amount(total)} {direction} than under {base} in the central run"
    top = rows.iloc[int(np.argmax(np.abs(central)))]
    value = float(top["contribution_central"])
    verb = "raises" if value > 0 else "lowers"
    against = abs(total) > tiny and (value > 0) != (total > 0)
    said += f"; the largest contribution is {_lower(str(top['label']))}, which {verb} it by {amount(value)}" + (
        " (other mechanisms more than offset it)" if against else ""
    )
    shares = rows.dropna(subset=["share_of_variance"])
    draws = int(rows["draws"].iloc[0])
    if not shares.empty:
        spread = shares.iloc[int(np.argmax(shares["share_of_variance"].to_numpy(dtype=float)))]
        said += (
            f", and over the {draws} draws {_lower(str(spread['label']))} accounts for the largest share of "
            f"its variance ({formatting.percent(float(spread['share_of_variance']))})"
        )
    elif draws == 0:
        said += " (no Monte Carlo draws, so no uncertainty is estimated)"
    elif draws > 1:
        said += f" (the difference does not vary over the {draws} draws)"
    return said + "."


def _lower(label: str) -> str:
    """A label inside a sentence: its first letter lower case unless it begins an acronym (ICB, NHS)."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label
