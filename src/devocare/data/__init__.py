"""Embedded official data: a machine-readable catalogue and lazy, cached loaders.

Nothing is read at import time. Every dataset is a gzip-compressed copy of the published file (facts
unchanged); ``files/<folder>/PROVENANCE.md`` says where each came from and how it was checked.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import asdict, dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from devocare.errors import UnknownChoiceError

__all__ = ["Dataset", "catalogue", "list_datasets", "load", "load_geojson", "data_hash", "file_path"]


@dataclass(frozen=True)
class Dataset:
    """One shipped dataset and its provenance."""

    id: str
    title: str
    publisher: str
    vintage: str
    rows: int
    licence: str
    format: str
    path: str
    source: str


def _root() -> Path:
    return Path(str(resources.files("devocare.data")))


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Dataset]:
    """All shipped datasets by id, from ``catalogue.yaml``."""
    raw = yaml.safe_load((_root() / "catalogue.yaml").read_text(encoding="utf-8"))
    return {d["id"]: Dataset(**d) for d in raw["datasets"]}


def list_datasets() -> pd.DataFrame:
    """The catalogue as a table (id, title, publisher, vintage, rows, licence, source)."""
    return pd.DataFrame([asdict(d) for d in catalogue().values()])


def _dataset(dataset_id: str) -> Dataset:
    cat = catalogue()
    if dataset_id not in cat:
        raise UnknownChoiceError("dataset", dataset_id, cat)
    return cat[dataset_id]


def _ids_of_format(fmt: str) -> list[str]:
    return [d.id for d in catalogue().values() if d.format == fmt]


def file_path(dataset_id: str) -> Path:
    """Path of a dataset's compressed file inside the installed package."""
    return _root() / "files" / _dataset(dataset_id).path


@cache
def _load_csv(dataset_id: str) -> pd.DataFrame:
    return pd.read_csv(file_path(dataset_id), compression="gzip", encoding="utf-8-sig", low_memory=False)


def load(dataset_id: str) -> pd.DataFrame:
    """A tabular dataset as a DataFrame with its published columns (a fresh copy; the parse is cached)."""
    if _dataset(dataset_id).format != "csv":
        raise UnknownChoiceError("tabular dataset", dataset_id, _ids_of_format("csv"))
    return _load_csv(dataset_id).copy()


@cache
def load_geojson(dataset_id: str) -> dict[str, Any]:
    """A boundary dataset as a GeoJSON FeatureCollection (cached; treat as read-only)."""
    if _dataset(dataset_id).format != "geojson":
        raise UnknownChoiceError("boundary dataset", dataset_id, _ids_of_format("geojson"))
    with gzip.open(file_path(dataset_id), "rt", encoding="utf-8") as fh:
        result: dict[str, Any] = json.load(fh)
    return result


@lru_cache(maxsize=1)
def data_hash() -> str:
    """SHA-256 over the catalogue and every shipped file: binds a run record to the data it used."""
    digest = hashlib.sha256((_root() / "catalogue.yaml").read_bytes())
    for ds in sorted(catalogue().values(), key=lambda d: d.path):
        digest.update(ds.path.encode())
        digest.update(hashlib.sha256((_root() / "files" / ds.path).read_bytes()).digest())
    return digest.hexdigest()
