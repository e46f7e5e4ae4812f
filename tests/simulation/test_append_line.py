"""Appending a service line is a registry entry plus its data, and changes no other line's results.

Two fresh interpreters run the same built-in for five years: one as shipped, one with a test-only line
appended to the service-line registry (with a base-year spend leaf, a minimum service level, a pot held by
NHS England and its commissioning function; see ``append_line_run.py``). Every per-line output of the
shipped lines, and every budget that does not hold the new line, must be identical; the new line must carry
real money, so the comparison is not vacuous.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.integration

SCRIPT = Path(__file__).with_name("append_line_run.py")


def _run(out: Path, *args: str) -> dict[str, np.ndarray]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[2] / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    subprocess.run([sys.executable, str(SCRIPT), str(out), *args], check=True, env=env, timeout=600)
    with np.load(out, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    tmp = tmp_path_factory.mktemp("append_line")
    return _run(tmp / "base.npz"), _run(tmp / "extended.npz", "extended")


def test_the_new_line_is_appended_and_carries_money(runs):
    base, ext = runs
    assert list(ext["lines"]) == [*base["lines"], "test_extra_line"]
    assert ext["national.spent_by_line"][..., -1].min() > 1e9
    # the national envelope grows by exactly the new line's allocation
    np.testing.assert_allclose(
        ext["national.envelope"] - base["national.envelope"], ext["national.allocated_by_line"][..., -1], rtol=1e-9
    )


def test_every_shipped_line_keeps_its_results(runs):
    base, ext = runs
    n = len(base["lines"])
    per_line = [k for k in base if k not in ("lines", "budgets") and base[k].ndim and base[k].shape[-1] == n]
    assert {"atoms.spent", "atoms.need", "atoms.allocated", "national.spent_by_line"} <= set(per_line)
    for key in per_line:
        assert ext[key].shape[-1] == n + 1, key
        np.testing.assert_allclose(ext[key][..., :n], base[key], rtol=1e-12, atol=1e-6, err_msg=key)
    for key in ("atoms.admissions", "national.admissions", "national.population", "national.avoided_admissions"):
        np.testing.assert_array_equal(ext[key], base[key], err_msg=key)


def test_budgets_without_the_new_line_are_unchanged(runs):
    base, ext = runs
    untouched = np.array(["test_extra_pot" not in pots for pots in ext["budgets"]])
    # only NHS England's national budgets take the new pot: one in each phase the status quo's pot dates open
    taking = [str(b).split("+") for b in ext["budgets"][~untouched]]
    assert taking and all("nhse_specialised" in pots for pots in taking), taking
    np.testing.assert_array_equal(ext["budgets"][untouched], base["budgets"][untouched])
    for key in (k for k in base if k.startswith("draws.")):
        np.testing.assert_array_equal(ext[key][..., untouched], base[key][..., untouched], err_msg=key)
