"""Optional extras: a core-only install runs simulate and allocate; what needs an extra names it (exit 2).

A real core-only install is built by ``.ci/min-versions``; here the extras' packages are hidden from a
subprocess (``sys.modules[name] = None`` makes importing them fail as if they were not installed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from devocare import extras
from devocare.errors import DevocareError

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
#: Every package that only an extra installs.
EXTRA_MODULES = sorted({m for modules in extras.EXTRAS.values() for m in modules} | {"kaleido", "jinja2"})


def _run_hidden(hidden: list[str], *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys\n"
        f"for name in {hidden!r}:\n    sys.modules[name] = None\n"
        f"sys.argv = ['devocare', *{list(args)!r}]\n"
        "from devocare.cli import main\nmain()\n"
        f"leaked = [m for m in {hidden!r} if sys.modules.get(m) is not None]\n"
        "assert not leaked, leaked\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "DEVOCARE_FUSED": "auto"},
    )


def test_extras_table_matches_pyproject():
    optional = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert set(extras.EXTRAS) <= set(optional)
    assert {"all", "fast", "dask", "web", "postgres", "charts", "excel"} <= set(optional)
    everything = " ".join(optional["all"])
    for extra in extras.EXTRAS:
        assert extra in everything, f"'all' does not include {extra}"


def test_missing_extra_is_reported_without_importing(monkeypatch):
    monkeypatch.setitem(sys.modules, "plotly", None)
    assert extras.missing("charts") == ["plotly"] and not extras.available("charts")
    with pytest.raises(extras.MissingExtraError) as caught:
        extras.require("charts", "plotting")
    error = caught.value
    assert isinstance(error, DevocareError) and isinstance(error, ImportError) and error.exit_code == 2
    assert str(error) == (
        "plotting needs the 'charts' extra (missing: plotly); install it with: pip install 'devocare[charts]'"
    )
    monkeypatch.delitem(sys.modules, "plotly")
    assert extras.available("charts")  # installed in the test environment


def test_core_only_runs_simulate_and_allocate(tmp_path):
    done = _run_hidden(
        EXTRA_MODULES,
        "simulate",
        "reform-aco-2024",
        "--years",
        "2",
        "--draws",
        "4",
        "--format",
        "json",
        "--out",
        str(tmp_path / "run.parquet"),
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)["summary"]
    assert summary["architecture"] == "reform-aco-2024" and summary["draws"] == 4
    assert (tmp_path / "run.parquet").stat().st_size > 0
    money = _run_hidden(EXTRA_MODULES, "allocate", "money", "--year", "2025/26", "--level", "ca", "--format", "json")
    assert money.returncode == 0, money.stderr
    assert len(json.loads(money.stdout)) > 10


def test_without_numba_the_engine_gives_the_same_numbers():
    code = (
        "import sys, json\n{hide}from devocare.simulation import fused, simulate\n"
        "r = simulate('reform-split-2024', years=2, draws=2, atoms='lad')\n"
        "print(json.dumps([fused.AVAILABLE, r.summary['spent_gbp_bn'], r.summary['spent_gbp_bn_p95']]))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "DEVOCARE_FUSED": "1"}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code.format(hide=hide)], capture_output=True, text=True, env=env, timeout=600
        )
        for hide in ("", "sys.modules['numba'] = None\n")
    ]
    for run in runs:
        assert run.returncode == 0, run.stderr
    with_numba, without = (json.loads(r.stdout.strip().splitlines()[-1]) for r in runs)
    assert without[0] is False
    if with_numba[0]:
        assert with_numba[1:] == without[1:]  # bit-identical: the kernels repeat NumPy's order of operations


@pytest.mark.parametrize(
    "hidden, args, extra",
    [
        (["plotly"], ["report", "compare", "status-quo-2023", "reform-aco-2024", "--out", "r.html"], "charts"),
        (["plotly"], ["demo", "--out", "d.html"], "charts"),
        (["fastapi"], ["serve", "--port", "8765"], "web"),
        (
            ["dask", "distributed"],
            ["simulate", "status-quo-2023", "--years", "1", "--draws", "0", "--scheduler", "local"],
            "dask",
        ),
        (
            ["openpyxl"],
            ["allocate", "money", "--year", "2025/26", "--level", "region", "--format", "xlsx", "--out", "m.xlsx"],
            "excel",
        ),
    ],
)
def test_commands_needing_a_missing_extra_exit_2_and_name_it(tmp_path, hidden, args, extra):
    done = _run_hidden(hidden, *args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert f"pip install 'devocare[{extra}]'" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []
