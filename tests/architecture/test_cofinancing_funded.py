"""Co-financing must be paid for: the hospital money moved to the local tier covers the share it pays."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from devocare.architecture.schema import CoFinancing

SOURCES = ["assumption: test"]
UNFUNDED = (
    "money:\n  co_financing:\n    share: 1.0\n    hospital_funding_to_local: 0.34\n    sources: ['assumption: test']\n"
)


def test_hospital_money_moved_must_cover_the_co_financing_share() -> None:
    with pytest.raises(ValidationError, match="cannot cover the co-financing share"):
        CoFinancing(share=1.0, hospital_funding_to_local=0.34, sources=SOURCES)
    with pytest.raises(ValidationError, match="cannot cover"):
        CoFinancing(share=0.34, sources=SOURCES)  # nothing moved at all
    assert CoFinancing(share=0.34, hospital_funding_to_local=0.34, sources=SOURCES).share == 0.34


def test_cli_validate_refuses_unfunded_co_financing(cli_in_process, arch_file) -> None:
    path = arch_file("reform-split-2024", UNFUNDED)
    code, out, err = cli_in_process("arch", "validate", str(path))
    assert code == 2 and "cannot cover the co-financing share" in err


def test_cli_simulate_refuses_unfunded_co_financing_and_runs_nothing(cli_in_process, arch_file) -> None:
    path = arch_file("reform-split-2024", UNFUNDED)
    code, out, err = cli_in_process("simulate", str(path), "--years", "2", "--draws", "1")
    assert code == 2 and "cannot cover the co-financing share" in err and out == ""
