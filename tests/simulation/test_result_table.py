"""The tidy result table built from integer codes equals the table built by converting labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from devocare.service_lines import LINE_IDS
from devocare.simulation.engine import BUDGET_MEASURES
from devocare.simulation.results import SimulationResult, draw_statistics, tidy_table, with_holder_and_area


def label_table(r: SimulationResult) -> pd.DataFrame:
    """The earlier builder: every label as a string, then factorised by pandas (the reference)."""
    Y, B, A = len(r.years), len(r.budgets), len(r.atoms)

    def rows(values, draw, statistic, measure, year, body, atom, line):
        return pd.DataFrame(
            {
                "draw": draw,
                "statistic": statistic,
                "year": year,
                "body": body,
                "atom": atom,
                "line": line,
                "measure": measure,
                "value": values.ravel(),
            }
        )

    parts = []
    bodies = np.tile(r.budgets["body"].to_numpy(), Y)
    for m in BUDGET_MEASURES:
        parts.append(rows(r.draws[m][0], 0, None, m, np.repeat(r.years, B), bodies, None, None))
        if r.n_draws > 0:
            for s, v in draw_statistics(r.draws[m][1:]).items():
                parts.append(rows(v, None, s, m, np.repeat(r.years, B), bodies, None, None))
    for m, v in r.central_atoms.items():
        if v.ndim == 3:
            parts.append(
                rows(
                    v,
                    0,
                    None,
                    m,
                    np.repeat(r.years, A * len(LINE_IDS)),
                    None,
                    np.tile(np.repeat(r.atoms, len(LINE_IDS)), Y),
                    np.tile(LINE_IDS, Y * A),
                )
            )
        else:
            parts.append(rows(v, 0, None, m, np.repeat(r.years, A), None, np.tile(r.atoms, Y), None))
    for m, stats in r.atom_statistics.items():
        for stat, v in stats.items():
            parts.append(rows(v, None, stat, m, np.repeat(r.years, A), None, np.tile(r.atoms, Y), None))
    table = pd.concat(parts, ignore_index=True)
    table.insert(0, "architecture", r.architecture)
    table["draw"] = table["draw"].astype("Int64")
    for col in ("architecture", "statistic", "year", "body", "atom", "line", "measure"):
        table[col] = table[col].astype("category")
    return with_holder_and_area(table)


@pytest.fixture(scope="module")
def lad_run() -> SimulationResult:
    from devocare.simulation.runner import simulate

    return simulate("reform-split-2024", years=3, draws=4, atoms="lad", waterfall=False)


def test_code_built_table_equals_label_built_table(lad_run: SimulationResult) -> None:
    new, old = tidy_table(lad_run), label_table(lad_run)
    assert list(new.columns) == list(old.columns)
    pd.testing.assert_frame_equal(new, old, check_exact=True, check_categorical=True)
    assert new["atom"].notna().any() and new["statistic"].notna().any() and new["draw"].isna().any()


def test_central_only_table_equals_label_built_table() -> None:
    from devocare.simulation.runner import simulate

    r = simulate("status-quo-2023", years=2, draws=0, atoms="lad", waterfall=False)
    pd.testing.assert_frame_equal(tidy_table(r), label_table(r), check_exact=True, check_categorical=True)
    assert r.table["statistic"].isna().all()


def test_table_is_cached_and_round_trips_parquet(lad_run: SimulationResult, tmp_path) -> None:
    assert lad_run.table is lad_run.table
    back = pd.read_parquet(lad_run.to_parquet(tmp_path / "r.parquet"))
    pd.testing.assert_frame_equal(back, lad_run.table, check_categorical=False)


def test_code_types_are_the_ones_pandas_would_choose(lad_run: SimulationResult) -> None:
    table, old = tidy_table(lad_run), label_table(lad_run)
    for col in table.columns:
        if isinstance(table[col].dtype, pd.CategoricalDtype):
            assert table[col].cat.codes.dtype == old[col].cat.codes.dtype, col


def test_parquet_keeps_statistics_where_a_reader_can_skip_row_groups(lad_run: SimulationResult, tmp_path) -> None:
    import pyarrow.parquet as pq

    from devocare.simulation.results import NO_STATISTICS

    meta = pq.ParquetFile(lad_run.to_parquet(tmp_path / "s.parquet")).metadata
    names = [meta.schema.column(i).name for i in range(meta.num_columns)]
    first = meta.row_group(0)
    for i, name in enumerate(names):
        assert first.column(i).is_stats_set == (name not in NO_STATISTICS), name
    # a filter on a column with statistics still reads exactly the matching rows
    spent = pd.read_parquet(tmp_path / "s.parquet", filters=[("measure", "==", "spent")])
    expected = lad_run.table[lad_run.table["measure"] == "spent"]
    assert len(spent) == len(expected) > 0
    np.testing.assert_array_equal(spent["value"].to_numpy(), expected["value"].to_numpy())
