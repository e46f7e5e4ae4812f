from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import create_engine, inspect, text

from devocare.errors import DevocareError
from devocare.storage import NotFoundError, Store, migrate, resolve_url
from devocare.storage.models import Base

pytestmark = pytest.mark.integration

YAML = "id: my-reform\nname: My reform\nextends: reform-aco-2024\n"


def test_architecture_round_trip(store: Store) -> None:
    first = store.save_architecture("My reform", YAML)
    second = store.save_architecture("Draft", "id: other\n", validate=False)
    saved = store.get_architecture(first)
    assert (saved.id, saved.name, saved.yaml_text) == (first, "My reform", YAML)
    assert len(saved.sha256) == 64 and saved.created_at.tzinfo is not None
    assert [a.id for a in store.list_architectures()] == [second, first]  # newest first
    assert store.count("architectures") == 2
    store.delete_architecture(first)
    with pytest.raises(NotFoundError, match=f"no saved architecture with id {first}"):
        store.get_architecture(first)
    assert [a.id for a in store.list_architectures()] == [second]


def test_invalid_architecture_is_refused_with_every_problem(store: Store) -> None:
    from devocare.architecture import ArchitectureError

    with pytest.raises(ArchitectureError, match="problems in my draft") as caught:
        store.save_architecture("my draft", "id: x\nname: X\n")
    assert "bodies: required key is missing" in str(caught.value)
    assert "money: required key is missing" in str(caught.value)
    assert store.count("architectures") == 0


def test_scenario_round_trip_keeps_nested_json(store: Store) -> None:
    payload = {
        "architecture": "reform-aco-2024",
        "years": 5,
        "draws": 100,
        "overrides": {"prevention.elasticity": [0.1, 0.3], "growth": np.float64(0.031)},
        "areas": ["E47000001", "E47000002"],
        "note": "Größere Städte",
    }
    sid = store.save_scenario("five-year ACO", payload)
    got = store.get_scenario(sid).payload
    assert got["overrides"] == {"prevention.elasticity": [0.1, 0.3], "growth": 0.031}
    assert got["areas"] == payload["areas"] and got["note"] == "Größere Städte"
    assert store.list_scenarios()[0].to_dict()["payload"] == got


def test_run_round_trip_with_parquet_table(store: Store) -> None:
    rng = np.random.default_rng(0)
    table = pd.DataFrame(
        {
            "code": np.repeat(["E06000001", "E06000002"], 50),
            "year": np.tile(range(50), 2),
            "draw": 0,
            "value": rng.normal(size=100),
        }
    )
    summary = {"total_spend_gbp": 1.5e11, "deficit_areas": np.int64(3), "missing": float("nan")}
    run_id = store.save_run("status quo, 10 years", summary, {"package": "0.1.0", "seed": 0}, table)
    saved = store.get_run(run_id)
    assert saved.summary == {"total_spend_gbp": 1.5e11, "deficit_areas": 3, "missing": None}
    assert saved.run_record == {"package": "0.1.0", "seed": 0}
    assert saved.table_path is not None and saved.table_path.parent == store.runs_dir
    pd.testing.assert_frame_equal(saved.table(), table)
    no_table = store.save_run("summary only", {"a": 1}, {"b": 2})
    assert store.get_run(no_table).table() is None
    assert [r.id for r in store.list_runs(limit=1)] == [no_table]
    assert [r.id for r in store.list_runs(limit=1, offset=1)] == [run_id]
    store.delete_run(run_id)
    assert not saved.table_path.exists()
    with pytest.raises(NotFoundError):
        store.delete_run(run_id)


def test_altered_table_is_detected(store: Store) -> None:
    run_id = store.save_run("r", {}, {}, pd.DataFrame({"x": [1.0, 2.0]}))
    saved = store.get_run(run_id)
    pd.DataFrame({"x": [1.0, 3.0]}).to_parquet(saved.table_path)
    with pytest.raises(DevocareError, match="altered"):
        saved.table()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.save_architecture("", YAML), "non-empty name"),
        (lambda s: s.save_architecture("x" * 201, YAML), "at most 200"),
        (lambda s: s.save_architecture("a", "- just\n- a list\n"), "must be a mapping"),
        (lambda s: s.save_architecture("a", "id: [unclosed\n"), "does not parse"),
        (lambda s: s.save_architecture("a", "id: x\n" + "#" * 1_000_001), "at most 1000000"),
        (lambda s: s.save_architecture("a", "!!python/object/apply:os.system ['true']"), "does not parse"),
        (lambda s: s.save_scenario("a", ["not", "a", "dict"]), "must be a JSON object"),
        (lambda s: s.save_scenario("a", {"when": object()}), "cannot be saved as JSON"),
        (lambda s: s.save_run("a", {}, {}, table=[1, 2]), "must be a pandas DataFrame"),
        (lambda s: s.get_run("seven"), "whole number"),
        (lambda s: s.get_scenario(10**6), "no saved scenario with id 1000000"),
        (lambda s: s.count("bodies"), "unknown saved-work kind 'bodies'"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(store: Store, call, message: str) -> None:
    with pytest.raises(DevocareError, match=message):
        call(store)
    assert store.count("architectures") == store.count("scenarios") == store.count("runs") == 0
    assert not store.runs_dir.exists() or not any(store.runs_dir.iterdir())


def test_migrations_build_exactly_the_models(db_url: str, tmp_path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with Store(db_url, runs_dir=tmp_path / "runs") as store:
        assert store.revision == migrate.head() == migrate.current(store.engine)
        with store.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
            assert set(inspect(conn).get_table_names()) >= {"architectures", "scenarios", "runs"}
        arch = store.save_architecture("kept", YAML)
    with Store(db_url, runs_dir=tmp_path / "runs") as reopened:  # re-opening migrates nothing, keeps data
        assert reopened.get_architecture(arch).yaml_text == YAML


def test_database_newer_than_the_package_is_refused(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'future.db'}"
    Store(url).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(DevocareError, match="revision '9999', newer than this devocare knows"):
        Store(url)


def test_unreachable_database_is_one_clear_error(tmp_path) -> None:
    from devocare.storage import DatabaseUnavailableError

    with pytest.raises(
        DatabaseUnavailableError,
        match=r"cannot open the saved-work database "
        r"Store\('postgresql\+psycopg://u:\*\*\*@127.0.0.1:1/none'\): .*refused",
    ):
        Store("postgresql://u:secret@127.0.0.1:1/none")
    (tmp_path / "a-folder").mkdir()
    with pytest.raises(DatabaseUnavailableError, match="unable to open database file"):
        Store(str(tmp_path / "a-folder"))


def test_url_resolution(monkeypatch, tmp_path) -> None:
    for variable in ("DATABASE_URL", "DEVOCARE_DATABASE_URL", "DEVOCARE_DB"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("DEVOCARE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    assert resolve_url().database == str(tmp_path / "data" / "devocare.db")
    monkeypatch.setenv("DEVOCARE_DB", "elsewhere/mine.db")
    assert resolve_url().database == str(tmp_path / "elsewhere" / "mine.db")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example:5433/work")
    url = resolve_url()
    assert (url.drivername, url.host, url.port, url.database) == ("postgresql+psycopg", "db.example", 5433, "work")
    monkeypatch.setenv("DEVOCARE_DATABASE_URL", str(tmp_path / "first.db"))  # devocare's own name wins
    assert resolve_url().database == str(tmp_path / "first.db")
    assert resolve_url("sqlite://").database is None  # an explicit argument wins
    with pytest.raises(DevocareError, match="unsupported database 'mysql'"):
        resolve_url("mysql://u@h/db")


def test_default_store_is_devocare_db_in_the_per_user_data_folder(monkeypatch, tmp_path) -> None:
    for variable in (
        "DATABASE_URL",
        "DEVOCARE_DATABASE_URL",
        "DEVOCARE_DB",
        "DEVOCARE_RUNS_DIR",
        "DEVOCARE_DATA_DIR",
        "XDG_DATA_HOME",
    ):
        monkeypatch.delenv(variable, raising=False)
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))  # platformdirs' per-user data folder is under it on Linux and macOS
    monkeypatch.setenv("USERPROFILE", str(home))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    from devocare.paths import data_dir

    folder = data_dir()
    assert folder.is_relative_to(home) and not folder.exists()  # created on first use, not on import
    with Store() as store:
        store.save_run("r", {}, {}, pd.DataFrame({"x": [1]}))
        assert store.dialect == "sqlite"
    assert (folder / "devocare.db").exists()
    assert len(list((folder / "devocare-runs").glob("run-*.parquet"))) == 1
    assert list(work.iterdir()) == []  # nothing written where the command started


def test_processes_opening_a_fresh_database_together_all_succeed(db_url: str, tmp_path) -> None:
    code = (
        "import sys; from devocare.storage import Store; "
        "s = Store(sys.argv[1], runs_dir=sys.argv[2]); print(s.save_scenario('x', {}))"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, db_url, str(tmp_path / "runs")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 2, [err for _, err in outcomes]
    with Store(db_url, runs_dir=tmp_path / "runs") as store:
        assert sorted(s.id for s in store.list_scenarios()) == sorted(int(out) for out, _ in outcomes)


@pytest.fixture(scope="module")
def result():
    from devocare.simulation import simulate

    return simulate("status-quo-2023", years=1, draws=2, seed=1)


def test_simulation_run_round_trip(store: Store, result) -> None:
    run_id = store.save_run("status quo, 2 years", result.summary, result.run_record, result.table)
    saved = store.get_run(run_id)
    assert saved.summary == result.summary
    assert saved.run_record == result.run_record
    pd.testing.assert_frame_equal(saved.table(), result.table)


def test_a_save_whose_commit_lands_though_the_client_sees_an_error_keeps_its_table(store: Store, monkeypatch) -> None:
    """A server that dies as it commits can keep the row while the client gets an error: the table file stays,
    so the run is whole. A save that failed before committing leaves no file."""
    add = Store._add

    def commits_then_fails(self: Store, row: object) -> int:
        add(self, row)
        raise ConnectionError("server closed the connection unexpectedly")

    monkeypatch.setattr(Store, "_add", commits_then_fails)
    with pytest.raises(ConnectionError):
        store.save_run("landed", {"n": 1}, {"seed": 1}, table=pd.DataFrame({"x": [1.0, 2.0]}))
    (run,) = store.list_runs()
    assert run.table() is not None and run.table()["x"].tolist() == [1.0, 2.0]

    def fails(self: Store, row: object) -> int:
        raise ConnectionError("server closed the connection unexpectedly")

    monkeypatch.setattr(Store, "_add", fails)
    with pytest.raises(ConnectionError):
        store.save_run("lost", {"n": 2}, {"seed": 2}, table=pd.DataFrame({"x": [3.0]}))
    assert len(list(store.runs_dir.glob("run-*.parquet"))) == 1
