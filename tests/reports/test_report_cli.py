from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from devocare.cli import app

pytestmark = pytest.mark.e2e


def test_report_compare_writes_html(tmp_path: Path) -> None:
    out = tmp_path / "compare.html"
    done = CliRunner().invoke(
        app,
        ["report", "compare", "status-quo-2023", "reform-aco-2024", "--out", str(out), "--years", "3", "--draws", "0"],
    )
    assert done.exit_code == 0, done.output
    assert f"wrote {out}" in done.output
    assert "Reform" in out.read_text() and "Run record" in out.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status-quo-2023", "reform-acco-2024"], "did you mean 'reform-aco-2024'"),
        (["status-quo-2023"], "at least two different architectures"),
        (["status-quo-2023", "reform-aco-2024", "--years", "0"], "years must be between 1 and 30"),
        (["status-quo-2023", "reform-aco-2024", "--draws", "-3"], "draws must be between 0 and 5000"),
    ],
)
def test_report_compare_bad_input_exits_2_and_writes_nothing(cli, tmp_path: Path, args, message) -> None:
    done = cli("report", "compare", *args, "--out", str(tmp_path / "r.html"))
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_report_compare_missing_folder_exits_2(cli, tmp_path: Path) -> None:
    done = cli("report", "compare", "status-quo-2023", "reform-aco-2024", "--out", str(tmp_path / "x" / "r.html"))
    assert done.returncode == 2 and "does not exist" in done.stderr


def test_demo_summarises_data_and_writes_the_comparison(tmp_path: Path) -> None:
    out = tmp_path / "demo.html"
    done = CliRunner().invoke(app, ["demo", "--out", str(out), "--years", "1", "--draws", "0"])
    assert done.exit_code == 0, done.output
    assert "embedded datasets" in done.output and "comparing" in done.output
    from devocare.architecture import builtin_ids

    text = out.read_text()
    assert all(arch_id in text for arch_id in builtin_ids())


def test_report_compare_attribute_adds_the_section(tmp_path: Path) -> None:
    out = tmp_path / "compare.html"
    args = ["report", "compare", "status-quo-2023", "reform-split-2024", "--out", str(out), "--attribute"]
    done = CliRunner().invoke(app, [*args, "--years", "2", "--draws", "0"])
    assert done.exit_code == 0, done.output
    text = out.read_text()
    assert 'id="attribution"' in text and "reform-split-2024 minus status-quo-2023" in text
    assert "no Monte Carlo draws" in text
