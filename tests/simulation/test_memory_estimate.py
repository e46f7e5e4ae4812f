"""The memory estimate that refuses runs too large for the machine is within 10% of the peak a run reaches,
measured in a fresh interpreter (so nothing other tests loaded or cached counts)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration

SCRIPT = r"""
import json, re, sys
from pathlib import Path
from devocare.simulation import montecarlo, runner
r = runner.simulate("reform-split-2024", years=10, draws=int(sys.argv[2]), atoms="lad", scheduler="process")
r.to_parquet(sys.argv[1])
# this process's own peak (VmHWM): ru_maxrss would keep the parent's peak across the exec that started it
peak = int(re.search(r"VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text()).group(1)) * 1024
print(json.dumps([peak, montecarlo.required_bytes(r.n_draws, len(r.years), len(r.atoms), len(r.budgets))]))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="reads the peak from /proc/self/status (Linux)")
def test_memory_estimate_is_within_ten_percent_of_the_measured_peak(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "r.parquet"), "400"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    peak, estimate = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"LAD, 10 years, 400 draws: peak {peak / 2**20:.0f} MiB, estimate {estimate / 2**20:.0f} MiB")
    assert 0.9 <= estimate / peak <= 1.1, f"estimate {estimate / 2**20:.0f} MiB, peak {peak / 2**20:.0f} MiB"


def test_estimate_grows_with_what_a_run_keeps() -> None:
    from devocare.simulation.montecarlo import required_bytes

    lad, lsoa = required_bytes(100, 10, 296, 254), required_bytes(100, 10, 33755, 254)
    assert lsoa > lad
    assert required_bytes(1000, 10, 296, 254) > lad  # per-draw results are kept for every draw
    assert required_bytes(100, 10, 296, 254, workers=2) > lad  # each worker holds a block's working arrays
    # at LSOA level per-draw atom totals are not kept, so draws cost only per-budget results
    assert required_bytes(1000, 10, 33755, 254) - lsoa < required_bytes(1000, 10, 296, 254) - lad
