"""Results: the tidy long table, the summary object, the change-factor waterfall and the run record.

The table holds the central run (draw 0) and, for Monte Carlo runs, the mean and P5/P50/P95 across draws,
per budget and year; the central run's detail per atom and service line; and, for LAD runs with draws, each
atom's mean and P5/P50/P95 of allocated, spent, admissions and reserves per year (LSOA runs: central only).
Per-draw budget results are kept in :attr:`SimulationResult.draws` (a NumPy array per measure) for anyone
who needs them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from devocare.errors import DevocareError
from devocare.service_lines import ACUTE_LINES, LINE_IDS, UPSTREAM_LINES
from devocare.simulation.engine import BUDGET_MEASURES

STATISTICS = ("mean", "p5", "p50", "p95")
_ACUTE = np.array([line in ACUTE_LINES for line in LINE_IDS])
_UPSTREAM = np.array([line in UPSTREAM_LINES for line in LINE_IDS])
WATERFALL_MEASURES = ("acute_spend", "upstream_spend")


def draw_statistics(x: np.ndarray, axis: int = 0) -> dict[str, np.ndarray]:
    """Mean, P5, P50 and P95 of ``x`` over the draws axis."""
    return {
        "mean": x.mean(axis=axis),
        "p5": np.percentile(x, 5, axis=axis),
        "p50": np.percentile(x, 50, axis=axis),
        "p95": np.percentile(x, 95, axis=axis),
    }


_stats = draw_statistics  # the earlier private name


@dataclass
class SimulationResult:
    """One architecture's run: outputs, summary, waterfall and the record that makes it reproducible."""

    architecture: str
    years: list[str]
    budgets: pd.DataFrame  # budget, group, architecture, holder, area, tier, pots
    atoms: list[str]
    atom_level: str
    draws: dict[str, np.ndarray]  # measure → (draws+1, years, budgets)
    national: dict[str, np.ndarray]  # measure → (draws+1, years[, lines])
    central_atoms: dict[str, np.ndarray]  # measure → (years, atoms[, lines])
    waterfall: pd.DataFrame
    run_record: dict[str, Any]
    population_by_atom: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    #: measure → statistic → (years, atoms) over the Monte Carlo draws; LAD atoms only (empty at LSOA level)
    atom_statistics: dict[str, dict[str, np.ndarray]] = field(repr=False, default_factory=dict)
    #: measure → (draws, atoms): each Monte Carlo draw's horizon-year total per atom of spent and admissions
    #: (draw 0 left out), for paired per-area bands; LAD atoms only (empty at LSOA level)
    atom_horizon_draws: dict[str, np.ndarray] = field(repr=False, default_factory=dict)

    @property
    def n_draws(self) -> int:
        """Monte Carlo draws (excluding the central draw 0)."""
        return next(iter(self.draws.values())).shape[0] - 1

    @cached_property
    def table(self) -> pd.DataFrame:
        """Tidy long table: draw (0 = central) or statistic, year, body, atom, line, measure, value.

        Built from integer codes (``Categorical.from_codes``): an LSOA run has millions of rows, and making
        each label a Python string first, for pandas to factorise again, cost most of an end-to-end run."""
        return tidy_table(self)

    def atom_table(self) -> pd.DataFrame:
        """Per atom and year: mean, p5, p50 and p95 over the draws of allocated, spent, admissions and reserves
        (LAD runs with draws; empty otherwise)."""
        columns = ["atom", "year", "measure", *STATISTICS]
        if not self.atom_statistics:
            return pd.DataFrame(columns=columns)
        Y, A = len(self.years), len(self.atoms)
        frames = [
            pd.DataFrame(
                {
                    "atom": np.tile(self.atoms, Y),
                    "year": np.repeat(self.years, A),
                    "measure": m,
                    **{s: stats[s].ravel() for s in STATISTICS},
                }
            )
            for m, stats in self.atom_statistics.items()
        ]
        return pd.concat(frames, ignore_index=True)[columns]

    def draws_table(self) -> pd.DataFrame:
        """Every draw's national series: draw, year, spent, acute and upstream spend, admissions, interventions."""
        spent = self.national["spent_by_line"]
        D, Y = spent.shape[:2]
        return pd.DataFrame(
            {
                "draw": np.repeat(np.arange(D), Y),
                "year": np.tile(self.years, D),
                "spent": spent.sum(axis=2).ravel(),
                "acute_spend": spent[:, :, _ACUTE].sum(axis=2).ravel(),
                "upstream_spend": spent[:, :, _UPSTREAM].sum(axis=2).ravel(),
                "admissions": self.national["admissions"].ravel(),
                "bodies_in_intervention": self.draws["intervention"].sum(axis=2).ravel(),
                "deficit_support": self.draws["deficit_support"].sum(axis=2).ravel(),
            }
        )

    def by_year(self) -> pd.DataFrame:
        """National totals of the central run, one row per year (£ unless stated): allocated, spent, need,
        unmet need (need every budget rationed away by cuts, summed: spending less than need is shown as
        need not met, never as a gain by itself), emergency admissions, reserves at the year's end,
        deficit support, returned, incentive paid, transfers and bodies in intervention (counts)."""
        d = {m: v[0] for m, v in self.draws.items()}  # (years, budgets)
        return pd.DataFrame(
            {
                "year": self.years,
                "allocated": self.national["allocated_by_line"][0].sum(axis=1),
                "spent": self.national["spent_by_line"][0].sum(axis=1),
                "need": self.national["need_by_line"][0].sum(axis=1),
                "unmet_need": d["unmet_need"].sum(axis=1),
                "admissions": self.national["admissions"][0],
                "reserves": d["reserves"].sum(axis=1),
                "deficit_support": d["deficit_support"].sum(axis=1),
                "returned": d["returned"].sum(axis=1),
                "incentive_paid": d["incentive_paid"].sum(axis=1),
                "transfers": d["transfers_out"].sum(axis=1),
                "bodies_in_intervention": d["intervention"].sum(axis=1).astype(int),
            }
        )

    @cached_property
    def summary_draws(self) -> dict[str, np.ndarray]:
        """Each summary measure per draw (draw 0 central, then the Monte Carlo draws): what paired
        comparisons difference draw by draw."""
        spent = self.national["spent_by_line"]  # (D, Y, L)
        total = spent.sum(axis=2)
        return {
            "spent_gbp_bn": total[:, -1] / 1e9,
            "acute_share": spent[:, -1, _ACUTE].sum(axis=1) / total[:, -1],
            "upstream_share": spent[:, -1, _UPSTREAM].sum(axis=1) / total[:, -1],
            "admissions_per_1000": self.national["admissions"][:, -1] / self.national["population"][:, -1] * 1000,
            "bodies_in_intervention": self.draws["intervention"][:, -1, :].sum(axis=1),
            "unmet_need_gbp_bn": self.draws["unmet_need"][:, -1, :].sum(axis=1) / 1e9,
            "deficit_support_gbp_bn": self.draws["deficit_support"].sum(axis=(1, 2)) / 1e9,
            "returned_gbp_bn": self.draws["returned"].sum(axis=(1, 2)) / 1e9,
            "reserves_gbp_bn": self.draws["reserves"][:, -1, :].sum(axis=1) / 1e9,
            "incentive_paid_gbp_bn": self.draws["incentive_paid"].sum(axis=(1, 2)) / 1e9,
            "transfers_gbp_bn": self.draws["transfers_out"].sum(axis=(1, 2)) / 1e9,
        }

    @cached_property
    def summary(self) -> dict[str, Any]:
        """National totals and shares at the horizon (central run, and mean/P5/P50/P95 over draws)."""
        per_draw = self.summary_draws
        cv = float("nan")  # a light run (no atom detail) has no per-area allocation to spread
        if "allocated" in self.central_atoms:
            alloc = self.central_atoms["allocated"][-1].sum(axis=1)
            need = self.central_atoms["need"][-1].sum(axis=1)
            ratio = alloc / np.where(need > 0, need, 1.0)
            w = self.population_by_atom if len(self.population_by_atom) == len(ratio) else np.ones_like(ratio)
            mean = np.average(ratio, weights=w)
            cv = float(np.sqrt(np.average((ratio - mean) ** 2, weights=w)) / mean)
        out: dict[str, Any] = {
            "architecture": self.architecture,
            "base_year": self.years[0],
            "horizon": self.years[-1],
            "years": len(self.years),
            "draws": self.n_draws,
            "atoms": self.atom_level,
            "budgets": int(len(self.budgets)),
            "allocated_gbp_bn": float(self.national["allocated_by_line"][0, -1].sum() / 1e9),
            "funding_per_need_cv": cv,
        }
        for name, values in per_draw.items():
            out[name] = float(values[0])
            if self.n_draws > 0:
                stats = draw_statistics(values[1:])
                for s in STATISTICS:
                    out[f"{name}_{s}"] = float(stats[s])
        out["conservation_max_gap"] = self.run_record["conservation_max_gap"]
        return out

    def __repr__(self) -> str:
        from devocare.display import result_repr

        return result_repr(self)

    def _repr_html_(self) -> str:
        from devocare.display import result_html

        return result_html(self)

    def plot_fan(self, measure: str = "spent") -> Any:
        """Plotly figure: national ``measure`` by year, central run and 50%/90% bands over the draws (a column
        of :meth:`draws_table`: spent, acute_spend, upstream_spend, admissions, ...). Needs ``charts``."""
        from devocare.display import fan_figure

        return fan_figure(self, measure)

    def plot_waterfall(self, measure: str = "acute_spend") -> Any:
        """Plotly figure: the change-factor waterfall of ``measure`` (acute_spend or upstream_spend)."""
        from devocare.display import waterfall_figure

        return waterfall_figure(self, measure)

    def plot_budgets(self, measure: str = "spent", year: str | None = None, top: int = 30) -> Any:
        """Plotly figure: the central run's ``measure`` for the ``top`` largest budgets in ``year``."""
        from devocare.display import budgets_figure

        return budgets_figure(self, measure, year, top)

    def to_parquet(self, path: str | Path) -> Path:
        """Write the tidy table with the run record in the file's metadata (nothing written on error).

        ``pandas.read_parquet`` returns it in ``DataFrame.attrs["run_record"]`` (and the summary in
        ``attrs["summary"]``); pyarrow readers find both under ``devocare.*`` schema metadata keys."""
        target = Path(path)
        if target.suffix != ".parquet":
            raise DevocareError(f"output file {str(target)!r} must end in .parquet")
        if not target.parent.exists():
            raise DevocareError(f"output directory {str(target.parent)!r} does not exist")
        write_parquet(
            self.table,
            target,
            {
                b"devocare.run_record": json.dumps(self.run_record, default=str).encode(),
                b"devocare.summary": json.dumps(self.summary, default=str).encode(),
                # pandas (2.1+) restores this key as DataFrame.attrs when it reads the file
                b"PANDAS_ATTRS": json.dumps(
                    {"run_record": self.run_record, "summary": self.summary}, default=str
                ).encode(),
            },
        )
        return target


#: Columns written without Parquet statistics: in the tidy table's row order every row group of atom detail
#: holds every atom and every line, so their minimum and maximum could never let a reader skip a row group,
#: and computing them was a third of the time it took to write an LSOA table.
NO_STATISTICS = ("atom", "line")


def write_parquet(table: pd.DataFrame, target: Path, metadata: dict[bytes, bytes]) -> None:
    """Write ``table`` to ``target`` with ``metadata`` added to the schema's, via a temporary file (nothing
    half-written), with statistics on every column but :data:`NO_STATISTICS`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(table, preserve_index=False)
    meta = {**(arrow.schema.metadata or {}), **metadata}
    tmp = target.with_name(target.name + ".tmp")
    stats = [c for c in arrow.column_names if c not in NO_STATISTICS]
    pq.write_table(arrow.replace_schema_metadata(meta), tmp, write_statistics=stats)
    tmp.replace(target)


def waterfall_frame(
    base: dict[str, float], full: dict[str, float], without: dict[str, dict[str, float]]
) -> pd.DataFrame:
    """Change-factor waterfall from base year to horizon, per measure.

    Each factor's effect is the horizon value with every factor on less the value with that factor
    switched off (its marginal contribution); the interaction term is what the factors' effects leave of
    the total change, so base + effects + interaction = horizon exactly.
    """
    rows = []
    for m in WATERFALL_MEASURES:
        rows.append({"measure": m, "step": "base", "value": base[m]})
        effects = {f: full[m] - v[m] for f, v in without.items()}
        for f, e in effects.items():
            rows.append({"measure": m, "step": f, "value": e})
        rows.append({"measure": m, "step": "interaction", "value": full[m] - base[m] - sum(effects.values())})
        rows.append({"measure": m, "step": "horizon", "value": full[m]})
    return pd.DataFrame(rows)


def spend_measures(spent_by_line: np.ndarray) -> dict[str, float]:
    """Acute and upstream spend of one year's (line,) national spend."""
    return {"acute_spend": float(spent_by_line[_ACUTE].sum()), "upstream_spend": float(spent_by_line[_UPSTREAM].sum())}


def with_holder_and_area(table: pd.DataFrame) -> pd.DataFrame:
    """Add ``holder`` (the budget holder's kind, e.g. ``combined_authority``) and ``area`` (its area code)
    beside ``body`` (``holder:area``, kept as it is), as categoricals built from ``body``'s categories."""
    body = table["body"] if isinstance(table["body"].dtype, pd.CategoricalDtype) else table["body"].astype("category")
    parts = [str(c).partition(":") for c in body.cat.categories]
    codes = body.cat.codes.to_numpy()
    position = list(table.columns).index("body") + 1
    for offset, (name, values) in enumerate((("holder", [p[0] for p in parts]), ("area", [p[2] for p in parts]))):
        categories, inverse = np.unique(np.asarray(values, dtype=object), return_inverse=True)
        lookup = np.r_[-1, inverse].astype(_code_dtype(len(categories)))  # body code + 1 → this column's code
        # codes + 1 cannot overflow: pandas keeps codes in a type whose maximum exceeds the category count
        column = pd.Categorical.from_codes(lookup[codes + 1], categories=pd.Index(categories), validate=False)
        table.insert(position + offset, name, pd.Series(column, index=table.index))
    return table


def _code_dtype(n_categories: int) -> type[np.signedinteger]:
    """The integer type pandas keeps a categorical's codes in for ``n_categories`` categories (so
    ``Categorical.from_codes`` takes code arrays as they are, without a converting copy)."""
    for dtype in (np.int8, np.int16, np.int32):
        if n_categories < np.iinfo(dtype).max:
            return dtype
    return np.int64


def _categories(labels: Any) -> tuple[pd.Index, np.ndarray]:
    """Sorted categories of ``labels`` and each label's code in them (as ``astype('category')`` sorts)."""
    categories, inverse = np.unique(np.asarray(labels, dtype=object), return_inverse=True)
    return pd.Index(list(categories)), inverse.astype(_code_dtype(len(categories)))


_CODED = ("year", "body", "atom", "line")


class _TableBuilder:
    """Collects row blocks of the tidy table, then writes each column once into one preallocated array of
    the smallest code type: an LSOA run has 11 million rows, so per-block temporaries and a concatenation
    per column cost more than the engine's run."""

    def __init__(self, result: SimulationResult) -> None:
        self.Y, self.B, self.A, self.L = len(result.years), len(result.budgets), len(result.atoms), len(LINE_IDS)
        self.year_cats, self.year_code = _categories(result.years)
        self.body_cats, self.body_code = _categories(result.budgets["body"].to_numpy())
        self.atom_cats, self.atom_code = _categories(result.atoms)
        self.line_cats, self.line_code = _categories(LINE_IDS)
        self.stat_cats, self.stat_code = _categories(STATISTICS)
        self.measures: list[str] = []
        #: per block: values, draw (-1: none), statistic code (-1: none), measure index, and the coded columns
        self.blocks: list[tuple[np.ndarray, int, int, int, dict[str, np.ndarray | None]]] = []

    def add(
        self,
        values: np.ndarray,
        draw: int | None,
        statistic: str | None,
        measure: str,
        year: np.ndarray,
        body: np.ndarray | None,
        atom: np.ndarray | None,
        line: np.ndarray | None,
    ) -> None:
        """One block of rows: ``values`` flattened, with code arrays (or a constant) for each column."""
        if measure not in self.measures:
            self.measures.append(measure)
        stat = -1 if statistic is None else int(self.stat_code[STATISTICS.index(statistic)])
        coded = {"year": year, "body": body, "atom": atom, "line": line}
        self.blocks.append(
            (
                np.asarray(values, dtype=np.float64),
                -1 if draw is None else draw,
                stat,
                self.measures.index(measure),
                coded,
            )
        )

    def frame(self, architecture: str) -> pd.DataFrame:
        """The table: the same columns, dtypes, categories and row order as converting labels would give."""
        sizes = [b[0].size for b in self.blocks]
        n = int(sum(sizes))
        ends = np.cumsum(sizes, dtype=np.int64)
        bounds = list(zip((ends - sizes).tolist(), ends.tolist(), strict=True))
        value = np.empty(n, dtype=np.float64)
        for (v, *_), (a, b) in zip(self.blocks, bounds, strict=True):
            value[a:b] = v.reshape(-1)
        draws = np.array([b[1] for b in self.blocks], dtype=np.int64)
        measure_cats, measure_order = _categories(self.measures)
        measure_codes = measure_order[np.array([b[3] for b in self.blocks], dtype=np.intp)]
        stat_codes = np.array([b[2] for b in self.blocks], dtype=self.stat_code.dtype)
        cats = {"year": self.year_cats, "body": self.body_cats, "atom": self.atom_cats, "line": self.line_cats}
        coded = {name: self._column(name, cats[name], bounds, n) for name in _CODED}
        return pd.DataFrame(
            {
                "architecture": pd.Categorical.from_codes(
                    np.zeros(n, dtype=np.int8), categories=pd.Index([architecture])
                ),
                "draw": pd.arrays.IntegerArray(np.repeat(np.maximum(draws, 0), sizes), np.repeat(draws < 0, sizes)),
                "statistic": self._cat(np.repeat(stat_codes, sizes), self.stat_cats, self._present(stat_codes)),
                "year": coded["year"],
                "body": coded["body"],
                "atom": coded["atom"],
                "line": coded["line"],
                "measure": pd.Categorical.from_codes(np.repeat(measure_codes, sizes), categories=measure_cats),
                "value": value,
            },
            copy=False,
        )

    def _column(self, name: str, categories: pd.Index, bounds: list[tuple[int, int]], n: int) -> pd.Categorical:
        """One coded column filled block by block, over the categories that occur."""
        out = np.empty(n, dtype=_code_dtype(len(categories)))
        present = np.zeros(len(categories), dtype=bool)
        seen: dict[int, np.ndarray] = {}  # code arrays already marked (blocks share them)
        missing = False
        for (*_, coded), (a, b) in zip(self.blocks, bounds, strict=True):
            codes = coded[name]
            if codes is None:
                out[a:b] = -1
                missing = True
                continue
            out[a:b] = codes
            if seen.get(id(codes)) is not codes:
                seen[id(codes)] = codes
                present[codes] = True
        return self._cat(out, categories, np.r_[missing, present])

    @staticmethod
    def _present(codes: np.ndarray) -> np.ndarray:
        """Whether code -1, 0, 1, … occurs in ``codes`` (index 0 is -1: missing)."""
        return np.bincount(codes.astype(np.intp) + 1, minlength=1) > 0

    @staticmethod
    def _cat(codes: np.ndarray, categories: pd.Index, present: np.ndarray) -> pd.Categorical:
        """A categorical over only the categories that occur (as ``astype('category')`` keeps); ``present``
        says, for -1 and each category, whether it occurs."""
        keep = np.zeros(len(categories), dtype=bool)
        keep[: len(present) - 1] = present[1:]
        if keep.all():
            return pd.Categorical.from_codes(codes, categories=categories, validate=False)
        remap = np.full(len(categories) + 1, -1, dtype=codes.dtype)
        remap[1:][keep] = np.arange(int(keep.sum()), dtype=codes.dtype)
        # an all-missing column has no categories, of object dtype (as pandas infers from all-None labels)
        kept = categories[keep] if keep.any() else pd.Index([], dtype=object)
        return pd.Categorical.from_codes(remap[codes + 1], categories=kept)


def tidy_table(result: SimulationResult) -> pd.DataFrame:
    """The tidy long table of ``result`` (see :attr:`SimulationResult.table`), built from integer codes."""
    t = _TableBuilder(result)
    Y, B, A, L = t.Y, t.B, t.A, t.L
    year_b, body_b = np.repeat(t.year_code, B), np.tile(t.body_code, Y)
    for m in BUDGET_MEASURES:
        t.add(result.draws[m][0], 0, None, m, year_b, body_b, None, None)
        if result.n_draws > 0:
            for s, v in draw_statistics(result.draws[m][1:]).items():
                t.add(v, None, s, m, year_b, body_b, None, None)
    year_a, atom_a = np.repeat(t.year_code, A), np.tile(t.atom_code, Y)
    year_al = atom_al = line_al = None
    for m, v in result.central_atoms.items():
        if v.ndim == 3:
            if year_al is None:
                year_al = np.repeat(t.year_code, A * L)
                atom_al = np.tile(np.repeat(t.atom_code, L), Y)
                line_al = np.tile(t.line_code, Y * A)
            t.add(v, 0, None, m, year_al, None, atom_al, line_al)
        else:
            t.add(v, 0, None, m, year_a, None, atom_a, None)
    for m, stats in result.atom_statistics.items():
        for stat, v in stats.items():
            t.add(v, None, stat, m, year_a, None, atom_a, None)
    return with_holder_and_area(t.frame(result.architecture))
