"""An indicator's definition as a reader needs it: what it measures, in what unit, when, from whom, under
what licence, and what the shipped data's provenance note says about the file it comes from.

The catalogue (:mod:`devocare.outcomes.catalogue`) holds the definition; the provenance note is read from the
dataset's ``PROVENANCE.md`` (the table row or the bullet list that names its file), so the page and the API
quote the same record that documents the data, not a second copy of it.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from devocare import data
from devocare.outcomes.aggregate import AGGREGABLE_LEVELS
from devocare.outcomes.benchmark import POLARITY_LABELS
from devocare.outcomes.catalogue import indicator, periods, published_levels

__all__ = ["definition", "provenance_note", "LEVEL_LABELS"]

LEVEL_LABELS = {
    "lad": "local authority districts",
    "utla": "upper-tier local authorities",
    "ca": "combined authorities",
    "icb": "integrated care boards",
    "region": "NHS regions",
    "ons_region": "ONS regions",
    "england": "England",
}


def _plain(text: str) -> str:
    """Markdown emphasis and code marks removed; whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"[*`]", "", text)).strip()


@cache
def provenance_note(dataset_id: str) -> tuple[tuple[str, str], ...]:
    """(field, text) pairs about one dataset from its PROVENANCE.md: a table row's cells under their column
    headings, or the bullets under the heading that names the file. Empty when the note does not name it."""
    ds = data.catalogue()[dataset_id]
    path = data.file_path(dataset_id).parents[0] / "PROVENANCE.md"
    if not path.exists():
        return ()
    lines = path.read_text(encoding="utf-8").splitlines()
    name = f"`{dataset_id}.csv"
    header: list[str] = []
    for previous, line in zip(["", *lines], lines, strict=False):
        if line.startswith("|---"):  # the row above a separator is the table's header
            header = [_plain(c) for c in previous.strip().strip("|").split("|")]
        elif line.startswith("|") and name in line:
            cells = [_plain(c) for c in line.strip().strip("|").split("|")]
            return tuple((h, c) for h, c in zip(header, cells, strict=False) if h and c and h != "rows")
    out: list[tuple[str, str]] = []
    inside = False
    for line in lines:
        if line.startswith("#"):
            if out:
                break
            inside = name in line or (inside and not out)
            continue
        if not inside:
            continue
        if line.startswith("* "):
            out.append(("", _plain(line[2:])))
        elif line.startswith("  ") and out:
            out[-1] = ("", out[-1][1] + " " + _plain(line))
        elif line.strip() == "---" and out:
            break
    pairs = []
    for _, text in out:
        head, sep, rest = text.partition(":")
        pairs.append((head, rest.strip()) if sep and len(head) < 40 else ("Note", text))
    return tuple(pairs) or ((ds.title, ""),)


def definition(indicator_id: str) -> dict[str, Any]:
    """Everything the definition page and ``/api/v1/outcomes/indicators/{id}`` show for one indicator."""
    ind = indicator(indicator_id)
    ds = data.catalogue()[ind.dataset]
    labels = periods(ind.id)
    published = published_levels(ind.id)
    reachable = [
        lvl
        for lvl in AGGREGABLE_LEVELS
        if lvl not in published and (("lad" in published) or (lvl not in ("lad",) and "utla" in published))
    ]
    note = provenance_note(ind.dataset)
    named = [t for f, t in note if f.lower().startswith("publisher") and t]
    return {
        "id": ind.id,
        "title": ind.title,
        "description": ind.description,
        "unit": ind.unit,
        "polarity": ind.polarity,
        "polarity_label": POLARITY_LABELS[ind.polarity],
        "period_type": ind.period_type,
        "first_period": labels[0],
        "latest_period": labels[-1],
        "periods": labels,
        "published_levels": published,
        "published_levels_label": ", ".join(LEVEL_LABELS.get(lvl, lvl) for lvl in published),
        "aggregated_levels": reachable,
        "aggregated_levels_label": ", ".join(LEVEL_LABELS.get(lvl, lvl) for lvl in reachable),
        "confidence_intervals": ind.ci,
        "counts": ind.counts,
        "dataset": ind.dataset,
        "dataset_title": ds.title,
        "publisher": named[0] if named else ds.publisher,
        "licence": ds.licence,
        "vintage": ds.vintage,
        "provenance_file": f"src/devocare/data/files/{ds.source}",
        "provenance": [{"field": f, "text": t} for f, t in note],
    }
