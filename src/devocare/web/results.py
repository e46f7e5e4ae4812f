"""Finished simulation results kept small: the tidy table is written to Parquet on disk and read back, filtered,
when a page or the API asks for it; only the summary, run record, waterfall and national series stay in
memory. A server holding many finished jobs thus holds kilobytes per job, not the tens or hundreds of
megabytes of the simulator's arrays.
"""

from __future__ import annotations

import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd


@dataclass
class SpilledResult:
    """What the pages and API read from a finished run, with the table on disk (:meth:`read`)."""

    architecture: str
    years: list[str]
    atom_level: str
    summary: dict[str, Any]
    run_record: dict[str, Any]
    waterfall: pd.DataFrame
    national: pd.DataFrame
    path: Path
    rows: int = 0
    _columns: list[str] = field(default_factory=list)

    def draws_table(self) -> pd.DataFrame:
        """Every draw's national series (kept in memory: draws × years rows)."""
        return self.national

    def read(self, **equal: Any) -> pd.DataFrame:
        """The rows whose columns equal the given values (``read(measure="spent", year="2030/31")``),
        read from Parquet with the filter pushed down; no arguments: the whole table."""
        filters = [(col, "==", value) for col, value in equal.items() if value is not None] or None
        try:
            return pd.read_parquet(self.path, filters=filters)
        except FileNotFoundError:  # the job was dropped (oldest first) while this request read it
            from devocare.storage import NotFoundError

            raise NotFoundError("this job's results have expired; run it again") from None

    @property
    def table(self) -> pd.DataFrame:
        """The whole tidy table (read from disk each time)."""
        return self.read()

    def discard(self) -> None:
        """Delete the table file (the job has been dropped)."""
        self.path.unlink(missing_ok=True)


class Spiller:
    """Writes finished results to Parquet files in one folder (a temporary one unless configured)."""

    def __init__(self, folder: str | Path | None = None) -> None:
        if folder is None:
            self._temp = tempfile.TemporaryDirectory(prefix="devocare-jobs-")
            folder = self._temp.name
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def spill(self, result: Any) -> SpilledResult:
        """Write ``result.table`` to disk and keep the small parts; anything without a table is kept as is."""
        if not hasattr(result, "table") or not hasattr(result, "draws_table"):
            return result
        table = result.table
        path = self.folder / f"job-{uuid.uuid4().hex}.parquet"
        table.to_parquet(path, index=False, row_group_size=200_000)
        return SpilledResult(architecture=result.architecture, years=list(result.years),
                             atom_level=result.atom_level, summary=dict(result.summary),
                             run_record=dict(result.run_record), waterfall=result.waterfall.copy(),
                             national=result.draws_table(), path=path, rows=len(table),
                             _columns=list(table.columns))
