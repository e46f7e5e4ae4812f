"""A budget holder's view of a run: its funding path, spend, need and reserves by year with bands, the
probability of overspend and of intervention each year with the reasons, and what prevention pays back.

Everything is read from one simulation's per-draw budget results, so the probabilities are shares of the
Monte Carlo draws (draw 0, the central run, is left out when there are draws):

* **income** of a year is the allocation net of any incentive top-slice, plus incentive payments and
  transfers received; **overspend** is spending plus transfers paid out above that income;
* **intervention** is the simulator's flag (the same trigger in every architecture): reserves below zero
  or a line below its minimum service level; the two reasons are reported separately.

**Return on prevention** is emergency-admission cost avoided by prevention in the body's area over the
horizon, per £1 of upstream (prevention) spend above the base year's level in that area, in the central
run. Its band scales that central ratio by the spread of the national ratio across the draws (the
simulator keeps per-area avoided admissions for the central run only), so it shows the parameter
uncertainty, not area-specific noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from devocare.errors import DevocareError
from devocare.service_lines import LINE_IDS, POPULATION_LINE, UPSTREAM_LINES, index
from devocare.simulation.phases import BEFORE, handover_matrix, phased_rules
from devocare.simulation.results import SimulationResult

_UPSTREAM = np.array([line in UPSTREAM_LINES for line in LINE_IDS])
#: Columns of the per-year table; the JSON records' keys are a contract.
BANDED = ("income", "allocated", "spent", "need", "reserves")
#: The columns of :func:`budget_table` a budget dashboard shows (``devocare budget`` and the web page alike).
DASHBOARD_COLUMNS = (
    "year",
    "income_central",
    "spent_central",
    "spent_p5",
    "spent_p95",
    "need_central",
    "reserves_central",
    "reserves_p5",
    "reserves_p95",
    "prob_overspend",
    "prob_intervention",
    "prob_reserves_negative",
    "prob_below_minimum_service",
)


@dataclass
class BudgetView:
    """One body's budget over a run: per-year table, the body it is, and the return on prevention."""

    architecture: str
    body: str  # holder:area
    holder: str
    area: str
    name: str
    table: pd.DataFrame
    prevention: dict[str, Any] = field(default_factory=dict)
    run_record: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The body, its worst year for overspend and intervention risk, and the return on prevention."""
        t = self.table
        worst = t.iloc[int(t["prob_overspend"].to_numpy().argmax())] if len(t) else None
        return {
            "architecture": self.architecture,
            "body": self.body,
            "holder": self.holder,
            "area": self.area,
            "name": self.name,
            "years": int(len(t)),
            "max_prob_overspend": float(t["prob_overspend"].max()) if len(t) else 0.0,
            "max_prob_overspend_year": str(worst["year"]) if worst is not None else None,
            "max_prob_intervention": float(t["prob_intervention"].max()) if len(t) else 0.0,
            **{f"prevention_{k}": v for k, v in self.prevention.items()},
        }


def _area_name(code: str) -> str:
    from devocare import geography

    try:
        return geography.resolve(code).name
    except Exception:  # noqa: BLE001 - bodies on synthetic areas (an IHO's T01) have no ONS name
        return code


def find_body(budgets: pd.DataFrame, body: str) -> int:
    """The budget index of ``body``: ``holder:CODE``, an area code, or an area's name; an unknown or
    ambiguous body is a clear error naming the choices. Where a dated reform replaces a body by one of the
    same name, the name means the reform's budget; ``holder:CODE@before`` means the one it replaces. Where a
    pot's date changes a body's budget, the name means its budget of the latest phase."""
    return body_budgets(budgets, body)[-1]


def body_budgets(budgets: pd.DataFrame, body: str) -> list[int]:
    """The budget indices of ``body`` in time order (as :func:`find_body`): one, or one per phase where pot
    dates change the body's budget (each exists in its own years, so together they are the body's series)."""
    text = body.strip()
    before = text.endswith(BEFORE)
    text = text.removesuffix(BEFORE) if before else text
    hit = _hits(budgets, text)
    if len(hit) > 1 and "architecture" in budgets:  # the same body before and after a reform's start
        hit = hit[budgets.loc[hit, "architecture"].astype(str).str.contains(BEFORE).to_numpy() == before]
        rule_sets = budgets.loc[hit, "architecture"].astype(str)
        one_body = budgets.loc[hit, "body"].astype(str).nunique() == 1
        if len(hit) > 1 and one_body and rule_sets.is_unique:  # one body in several phases of its pots
            hit = hit[np.argsort(rule_sets.map(_phase_year).to_numpy(), kind="stable")]
            return [_budget_index(budgets, h) for h in hit]
    if len(hit) == 0:
        sample = ", ".join(list(budgets["body"].astype(str))[:8])
        raise DevocareError(
            f"no budget of this architecture is held for {body!r}; give holder:CODE, an area code or "
            f"an area name (budgets include {sample}, ...)"
        )
    if len(hit) > 1:
        choices = ", ".join(budgets.loc[hit, "body"].astype(str))
        raise DevocareError(f"{body!r} holds several budgets in this architecture; choose one of: {choices}")
    return [_budget_index(budgets, hit[0])]


def _budget_index(budgets: pd.DataFrame, row: Any) -> int:
    """The budget index of a row of the budgets table (its ``budget`` column, else its row label)."""
    return int(budgets.loc[row, "budget"]) if "budget" in budgets else int(row)


def _phase_year(rule_set: str) -> int:
    """The calendar year a rule set's phase starts, from its name (``status-quo-2023@2025`` → 2025; 0 for a
    rule set of the first phase)."""
    last = rule_set.rsplit("@", 1)[-1]
    return int(last) if "@" in rule_set and last.isdigit() else 0


def _hits(budgets: pd.DataFrame, text: str) -> pd.Index:
    """Rows of ``budgets`` named by ``holder:CODE``, an area code or an area's name."""
    if ":" in text:
        return budgets.index[budgets["body"] == text]
    hit = budgets.index[budgets["area"].astype(str).str.upper() == text.upper()]
    if len(hit) == 0:
        from devocare import geography

        try:
            code = geography.resolve(text).code
        except DevocareError:
            code = None
        if code is not None:
            hit = budgets.index[budgets["area"] == code]
    return hit


def _band(values: np.ndarray, n_draws: int) -> dict[str, np.ndarray]:
    """Central (draw 0) and P5/P50/P95 over the Monte Carlo draws (the central value where there are none)."""
    sample = values[1:] if n_draws > 0 else values[:1]
    return {
        "central": values[0],
        "p5": np.percentile(sample, 5, axis=0),
        "p50": np.percentile(sample, 50, axis=0),
        "p95": np.percentile(sample, 95, axis=0),
    }


def budget_table(result: SimulationResult, b: int | list[int], within: np.ndarray | None = None) -> pd.DataFrame:
    """Per year: income, allocated, spent, need and reserves with bands; probabilities of overspend and of
    intervention with its two reasons; mean deficit support from the centre. ``b`` is one budget, or a
    body's budgets of several phases (each exists in its own years): their series add up, and the balances
    they hand one another at a phase's start are netted out of transfers (they are no income). ``within``
    is the share of each picked budget's handed-over balance that goes to the other picked budgets (the
    rows of the engine's hand-over matrix, :func:`handed_within`); by default all of it."""
    picked = [b] if isinstance(b, int) else list(b)
    d = {m: v[:, :, picked].sum(axis=2) for m, v in result.draws.items()}  # (draws+1, years)
    if len(picked) > 1:  # the recorded hand-over between the body's own budgets is no income
        share = np.ones(len(picked)) if within is None else np.asarray(within, dtype=float)
        internal = result.draws["handed_over"][:, :, picked] @ share  # (draws+1, years)
        d["transfers_in"], d["transfers_out"] = d["transfers_in"] - internal, d["transfers_out"] - internal
    income = d["allocated"] - d["incentive_fund"] + d["incentive_paid"] + d["transfers_in"]
    outgo = d["spent"] + d["transition_cost"] + d["transfers_out"]
    n = result.n_draws
    sample = slice(1, None) if n > 0 else slice(0, 1)
    out: dict[str, Any] = {"year": result.years}
    for name, values in (
        ("income", income),
        ("allocated", d["allocated"]),
        ("spent", d["spent"]),
        ("need", d["need"]),
        ("reserves", d["reserves"]),
    ):
        for stat, v in _band(values, n).items():
            out[f"{name}_{stat}"] = v
    overspend = outgo - income
    out["overspend_central"] = overspend[0]
    out["prob_overspend"] = (overspend[sample] > 1e-6 * np.maximum(income[sample], 1.0)).mean(axis=0)
    out["prob_intervention"] = (d["intervention"][sample] > 0).mean(axis=0)
    out["prob_reserves_negative"] = (d["reserves"][sample] < 0).mean(axis=0)
    out["prob_below_minimum_service"] = (d["floor_breached"][sample] > 0).mean(axis=0)
    out["prob_intervention_deficit"] = (d["intervention_deficit"][sample] > 0).mean(axis=0)
    out["prob_intervention_floor"] = (d["intervention_floor"][sample] > 0).mean(axis=0)
    out["deficit_support_mean"] = d["deficit_support"][sample].mean(axis=0)
    out["returned_mean"] = d["returned"][sample].mean(axis=0)
    return pd.DataFrame(out)


def handed_within(rules: Any, population: np.ndarray, picked: list[int]) -> np.ndarray:
    """(len(picked),) the share of each of the ``picked`` budgets' handed-over balance that goes to another of
    them, from the hand-over matrix the engine moves balances with (a body's budget whose next budget of the
    same body shares its lines hands it all of its balance; one that ceases with no such successor, none)."""
    S, _ = handover_matrix(rules, population)
    return np.asarray(S[np.ix_(picked, picked)].sum(axis=1), dtype=float)


def _membership(rules: Any, b: int) -> np.ndarray:
    """Each atom's share in budget ``b``'s area (population share × coverage)."""
    for g in rules.groups:
        if g.offset <= b < g.offset + g.n:
            return np.asarray(g.H[:, b - g.offset], dtype=float)
    raise DevocareError(f"budget {b} not found")  # pragma: no cover - indices come from the same rules


def prevention_return(result: SimulationResult, weights: np.ndarray, unit_cost: float) -> dict[str, Any]:
    """Avoided emergency cost per £1 of extra upstream spend over the horizon in the area weighted by
    ``weights`` (central run), with a band from the national ratio's spread over the draws."""
    up = result.central_atoms["spent"][:, :, _UPSTREAM].sum(axis=2)  # (years, atoms)
    extra = float(((up - up[0:1]) @ weights).sum())
    avoided = float((result.central_atoms["avoided_admissions"] @ weights).sum() * unit_cost)
    out: dict[str, Any] = {
        "avoided_cost_gbp": avoided,
        "extra_upstream_gbp": extra,
        "per_gbp": None,
        "per_gbp_p5": None,
        "per_gbp_p95": None,
        "unit_cost_gbp": unit_cost,
    }
    if extra <= 0:
        return out
    ratio = avoided / extra
    out["per_gbp"] = ratio
    nat_up = result.national["spent_by_line"][:, :, _UPSTREAM].sum(axis=2)  # (D, years)
    nat_extra = (nat_up - nat_up[:, :1]).sum(axis=1)
    nat_avoided = result.national["avoided_admissions"].sum(axis=1) * unit_cost
    ok = nat_extra > 0
    if result.n_draws > 0 and ok[0] and ok[1:].any():
        nat = nat_avoided[1:][ok[1:]] / nat_extra[1:][ok[1:]]
        central = nat_avoided[0] / nat_extra[0]
        if central > 0:
            out["per_gbp_p5"] = float(ratio * np.percentile(nat, 5) / central)
            out["per_gbp_p95"] = float(ratio * np.percentile(nat, 95) / central)
    return out


def budget_view(
    arch: Any,
    body: str,
    years: int = 5,
    draws: int = 200,
    seed: int = 0,
    result: SimulationResult | None = None,
    **options: Any,
) -> BudgetView:
    """Simulate ``arch`` (or take a ``result`` already run) and return the budget holder's view of
    ``body`` (``holder:CODE``, an area code or name). ``options`` go to :func:`simulate`."""
    from devocare.simulation.inputs import load_inputs
    from devocare.simulation.parameters import resolve
    from devocare.simulation.runner import _load_arch, simulate

    if result is None:
        if not isinstance(body, str) or not body.strip():
            raise DevocareError("give a body: holder:CODE, an area code or an area name")
        result = simulate(arch, years=years, draws=draws, seed=seed, waterfall=False, **options)
    budgets = result.budgets
    phases = body_budgets(budgets, body)  # one budget, or the body's budget in each phase of its pots
    b = phases[-1]
    row = budgets.loc[budgets["budget"] == b].iloc[0]
    params = resolve(options.get("overrides"), options.get("scenario"))
    unit_cost = float(params.params["admissions.unit_cost"].value)
    rules = phased_rules(_load_arch(arch), result.atom_level)  # the rules the run was built from (cached)
    prevention = prevention_return(result, _membership(rules, b), unit_cost)
    within = None
    if len(phases) > 1:  # the engine's hand-over shares, weighted by the population it weights them by
        population = load_inputs(result.atom_level).weighted_heads[0][:, index(POPULATION_LINE)]
        within = handed_within(rules, population, phases)
    table = budget_table(result, phases, within)
    name = _area_name(str(row["area"]))
    table.insert(0, "body", str(row["body"]))
    table.insert(1, "name", name)
    return BudgetView(
        result.architecture,
        str(row["body"]),
        str(row["holder"]),
        str(row["area"]),
        name,
        table,
        prevention,
        result.run_record,
    )
