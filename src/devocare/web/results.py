"""Finished simulation results kept small: the tidy table is written to Parquet on disk and read back, filtered,
when a page or the API asks for it; only the summary, run record, waterfall and national series stay in
memory. A server holding many finished jobs thus holds kilobytes per job, not the tens or hundreds of
megabytes of the simulator's arrays.

The small parts are also written beside the table as JSON (``job-<id>.json``), so another worker process of
the same server can load the whole result (:meth:`Spiller.load`) and answer for a job it did not run.
"""

from __future__ import annotations

import json
import os
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
        """Delete the table file and its JSON parts (the job has been dropped)."""
        self.path.unlink(missing_ok=True)
        self.path.with_suffix(".json").unlink(missing_ok=True)

    def parts(self) -> dict[str, Any]:
        """The small parts as JSON-ready values (tables as column lists), for :meth:`Spiller.load`."""
        from devocare.jsonable import plain as jsonable

        def frame(df: pd.DataFrame) -> dict[str, Any]:
            return {
                "columns": [str(c) for c in df.columns],
                "data": {str(c): jsonable(df[c].tolist()) for c in df.columns},
            }

        return {
            "architecture": self.architecture,
            "years": list(self.years),
            "atom_level": self.atom_level,
            "summary": jsonable(self.summary),
            "run_record": jsonable(self.run_record),
            "waterfall": frame(self.waterfall),
            "national": frame(self.national),
            "rows": self.rows,
            "columns": list(self._columns),
        }


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
        spilled = SpilledResult(
            architecture=result.architecture,
            years=list(result.years),
            atom_level=result.atom_level,
            summary=dict(result.summary),
            run_record=dict(result.run_record),
            waterfall=result.waterfall.copy(),
            national=result.draws_table(),
            path=path,
            rows=len(table),
            _columns=list(table.columns),
        )
        partial = path.with_suffix(".json.partial")
        partial.write_text(json.dumps(spilled.parts()), encoding="utf-8")
        os.replace(partial, path.with_suffix(".json"))  # readers see the whole file or none
        return spilled

    def load(self, name: str) -> SpilledResult:
        """A result another worker spilled here, by its table's file name (``job-<hex>.parquet``)."""
        if not name.startswith("job-") or "/" in name or "\\" in name or not name.endswith(".parquet"):
            raise ValueError(f"not a spilled result's name: {name!r}")
        path = self.folder / name
        try:
            parts = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            from devocare.storage import NotFoundError

            raise NotFoundError("this job's results have expired; run it again") from None

        def frame(part: dict[str, Any]) -> pd.DataFrame:
            return pd.DataFrame({c: part["data"][c] for c in part["columns"]}, columns=part["columns"])

        return SpilledResult(
            architecture=parts["architecture"],
            years=list(parts["years"]),
            atom_level=parts["atom_level"],
            summary=parts["summary"],
            run_record=parts["run_record"],
            waterfall=frame(parts["waterfall"]),
            national=frame(parts["national"]),
            path=path,
            rows=int(parts["rows"]),
            _columns=list(parts["columns"]),
        )
