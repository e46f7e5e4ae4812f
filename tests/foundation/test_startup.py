"""Fast start: the command list, --version and ``import devocare`` load none of the heavy packages."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from devocare import _version, extras
from devocare.cli import COMMANDS, SUMMARIES, _load

pytestmark = pytest.mark.unit

SRC = Path(__file__).resolve().parents[2] / "src"
#: Packages that take a measurable time to import and that no command's listing needs.
HEAVY = (
    "numpy",
    "pandas",
    "scipy",
    "numba",
    "plotly",
    "dask",
    "distributed",
    "fastapi",
    "pyarrow",
    "networkx",
    "sqlalchemy",
    "devocare.simulation.engine",
    "devocare.data",
)


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(SRC), **env}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=300)


def _loaded_after(code: str) -> set[str]:
    done = _python(f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))")
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_help_lists_every_command_without_importing_any():
    code = (
        "import contextlib, io\nfrom devocare.cli import app\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    try:\n        app(['--help'])\n    except SystemExit:\n        pass\n"
        "import sys; sys.stderr.write(out.getvalue())"
    )
    done = _python(code + "\nimport json\nprint(json.dumps(sorted(sys.modules)))")
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert not [m for m in HEAVY if m in loaded]
    assert not [m for m in loaded if m.startswith("devocare.cli.") and m != "devocare.cli"]
    listing = " ".join(done.stderr.split())
    for name in COMMANDS:
        assert name in listing
    assert "Simulate one architecture" in listing


def test_help_takes_under_half_a_second_of_cpu():
    best = float("inf")
    for _ in range(3):  # the best of three: the machine may be busy
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            [sys.executable, "-m", "devocare", "--help"],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(SRC)},
            timeout=60,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        assert done.returncode == 0 and "simulate" in done.stdout
        best = min(best, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    assert best < 0.5, f"devocare --help took {best:.2f} s of CPU"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_listed_summary_is_the_commands_own_help(name):
    if name in ("demo", "report") and not extras.available("charts"):
        pytest.skip("the command's module needs the charts extra")
    help_text = _load(name).help or ""
    assert " ".join(help_text.split("\n\n")[0].split()) == SUMMARIES[name]


def test_version_and_python_m():
    for argv in (["-m", "devocare", "--version"], ["-c", "from devocare.cli import main; main()", "--version"]):
        done = subprocess.run(
            [sys.executable, *argv],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(SRC)},
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"devocare {_version.__version__}"
    import devocare

    assert devocare.__version__ == _version.__version__


def test_python_m_runs_commands_with_their_exit_codes():
    done = subprocess.run(
        [sys.executable, "-m", "devocare", "areas", "--level", "region", "--format", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        timeout=300,
    )
    assert done.returncode == 0 and len(json.loads(done.stdout)) == 7
    bad = subprocess.run(
        [sys.executable, "-m", "devocare", "areas", "--level", "regin"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        timeout=300,
    )
    assert bad.returncode == 2 and "region" in bad.stderr


def test_import_devocare_is_light_and_subpackages_load_on_use():
    loaded = _loaded_after("import devocare")
    assert not [m for m in HEAVY if m in loaded]
    done = _python(
        "import devocare as dc\nprint(len(dc.geography.areas('region')), dc.simulation.simulate.__name__)"
        "\nprint('geography' in dir(dc))"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["7", "simulate", "True"]
    missing = _python("import devocare as dc\ndc.no_such_thing")
    assert missing.returncode == 1 and "has no attribute 'no_such_thing'" in missing.stderr


def test_simulation_package_loads_the_engine_only_when_used():
    loaded = _loaded_after("import devocare.simulation as s\nassert callable(s.parameters)")
    assert "devocare.simulation.engine" not in loaded and "numba" not in loaded
    loaded = _loaded_after("from devocare.simulation import FACTORS, simulate")
    assert "devocare.simulation.engine" in loaded


def test_outcomes_package_leaves_scipy_until_a_computation_needs_it():
    loaded = _loaded_after("import devocare.outcomes")
    assert "scipy.stats" not in loaded and "scipy.optimize" not in loaded
    loaded = _loaded_after("from devocare.outcomes.funnel import z_for\nassert abs(z_for(0.95) - 1.95996) < 1e-4")
    assert "scipy.stats" in loaded
