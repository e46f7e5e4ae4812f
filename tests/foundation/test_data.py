import gzip
import hashlib
from pathlib import Path

import pandas as pd
import pytest

from devocare import data
from devocare.errors import UnknownChoiceError

pytestmark = pytest.mark.unit
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def test_catalogue_rows_match_files():
    cat = data.catalogue()
    assert len(cat) >= 60
    for ds in cat.values():
        if ds.format == "csv":
            assert len(data.load(ds.id)) == ds.rows, ds.id
        else:
            assert len(data.load_geojson(ds.id)["features"]) == ds.rows, ds.id


def test_catalogue_has_provenance_for_every_dataset():
    for ds in data.catalogue().values():
        assert ds.licence and ds.publisher and ds.vintage
        prov = data.file_path(ds.id).parents[len(Path(ds.path).parts) - 2] / "PROVENANCE.md"
        assert prov.exists(), ds.id


@pytest.mark.skipif(not SHARED.exists(), reason="source data folder not beside the checkout")
def test_embedded_files_are_byte_identical_to_sources():
    for ds in data.catalogue().values():
        src = SHARED / ds.path.removesuffix(".gz")
        embedded = gzip.decompress(data.file_path(ds.id).read_bytes())
        assert hashlib.sha256(embedded).digest() == hashlib.sha256(src.read_bytes()).digest(), ds.id


def test_load_returns_independent_copies():
    a = data.load("icb24_nhser24_england")
    a.iloc[0, 0] = "changed"
    assert data.load("icb24_nhser24_england").iloc[0, 0] != "changed"


def test_unknown_dataset_suggests_closest():
    with pytest.raises(UnknownChoiceError, match="aif_2023_24"):
        data.load("aif_2023_4")


def test_data_hash_is_stable_hex():
    assert data.data_hash() == data.data_hash()
    assert len(data.data_hash()) == 64


def test_list_datasets_columns():
    df = data.list_datasets()
    assert {"id", "title", "publisher", "vintage", "rows", "licence", "source"} <= set(df.columns)
    assert isinstance(df, pd.DataFrame)


def test_nothing_read_at_import():
    import subprocess
    import sys

    code = (
        "import devocare, devocare.data, devocare.geography, devocare.cli;"
        "from devocare.data import _load_csv; print(_load_csv.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"
