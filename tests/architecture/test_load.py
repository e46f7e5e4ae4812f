"""Loading the built-ins: every one validates, extends: resolves, and the money section is complete."""

import pytest

from devocare import architecture as A
from devocare import atlas
from devocare.service_lines import LINE_IDS


@pytest.mark.parametrize("arch_id", A.builtin_ids())
def test_builtin_validates(arch_id):
    arch = A.load(arch_id)
    assert arch.id == arch_id
    pots = arch.pots_on(arch.as_of).money.pots  # the pots of its date
    # every line held exactly once: by one pot, or by pots whose line_shares add up to 1
    held = {line: sum(pot.share_of(line) for pot in pots) for line in LINE_IDS}
    assert held == pytest.approx(dict.fromkeys(LINE_IDS, 1.0), abs=1e-9)
    assert {line for pot in pots for line in pot.lines} == set(LINE_IDS)


def test_status_quo_reads_allocations_from_data():
    arch = A.load("status-quo-2023")
    flow = next(f for f in arch.flows if f.id == "icb_core_allocation")
    assert flow.amount_gbp == pytest.approx(101_260_119_000)


def test_reform_aco_phases_out_nhse():
    arch = A.load("reform-aco-2024")
    nhse = arch.body("nhse")
    assert nhse.end is not None and not nhse.active(arch.as_of)
    assert arch.extends == "status-quo-2023"
    holders = {f.holder: f.share for f in arch.functions_on() if f.key == "commissioning.specialised" and f.within}
    # all but a few specialist services devolved to the deal areas; the national remainder stays with DHSC
    assert holders == {"dhsc": 0.1}
    assert {f.holder for f in arch.functions_on() if f.key == "commissioning.specialised"} == {
        "dhsc",
        "combined_authority",
    }


def test_guide_examples_validate():
    """Every YAML example in the guide loads, and the ring-fenced variant adds a ring-fenced pot."""
    import re
    from pathlib import Path

    guide = Path(__file__).parents[2] / "docs" / "guides" / "write-your-own-architecture.md"
    blocks = re.findall(r"```yaml[^\n]*\n(.*?)```", guide.read_text(), re.S)  # a block may carry title="file"
    archs = {a.id: a for a in (A.load_text(b, name="guide.yaml") for b in blocks)}
    assert set(archs) == {"aco-delegated", "aco-ringfenced-public-health", "aco-early-mayors"}
    base = atlas.metrics(A.load("reform-aco-2024"))
    fenced = atlas.metrics(archs["aco-ringfenced-public-health"])
    assert fenced["fragmentation_ringfenced_pots"] > base["fragmentation_ringfenced_pots"]
    assert atlas.metrics(archs["aco-early-mayors"])["population_devolved_share"] < base["population_devolved_share"]


def test_schema_line_literal_is_the_shared_service_line_list():
    from typing import get_args

    from devocare.architecture.schema import LineId

    assert get_args(LineId) == LINE_IDS


def test_load_returns_a_private_copy_and_shared_builtin_the_one_copy():
    from devocare.architecture.loader import shared_builtin
    from devocare.errors import UnknownChoiceError

    mine = A.load("reform-aco-2024")
    mine.bodies.clear()
    assert A.load("reform-aco-2024").bodies, "a caller's change leaked into the built-in"
    assert shared_builtin("reform-aco-2024") is shared_builtin("reform-aco-2024")
    assert shared_builtin("reform-aco-2024").bodies
    with pytest.raises(UnknownChoiceError, match="reform-aco-2024"):
        shared_builtin("reform-aco-202")
