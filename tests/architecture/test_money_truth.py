"""One money truth: the funding a reader sees (Sankey, graph labels) is the money the simulator allocates, and
validation fails when a typed flow and the money section disagree."""

from __future__ import annotations

import copy
import importlib

import pytest

from devocare import architecture as A
from devocare import atlas
from devocare.atlas.money import flow_amounts, holder_money, money_problems
from devocare.envelope import BASE_DATE
from devocare.simulation import simulate


def _inflow(sankey: dict, node_id: str, exclude_label: str = "co_financing") -> float:
    ids = [n["id"] for n in sankey["nodes"]]
    target = ids.index(node_id)
    return sum(
        link["value"]
        for link in sankey["links"]
        if link["target"] == target and not link["label"].startswith(exclude_label)
    )


@pytest.mark.integration
@pytest.mark.parametrize(
    ("arch_id", "holders"),
    [
        ("reform-aco-2024", ["combined_authority"]),
        ("reform-split-2024", ["combined_authority", "hwb"]),
    ],
)
def test_sankey_gives_holders_what_the_simulator_gives_them(arch_id: str, holders: list[str]) -> None:
    # the Sankey shows the money rules in base-year money; run the reform as in force from the base year (it
    # replaces itself) so year 1 of the simulator runs the same rules (a dated run starts it in 2027/28)
    arch = _with(arch_id, lambda data: data["money"].__setitem__("replaces", arch_id))
    result = simulate(arch, years=1, waterfall=False)
    budgets = result.budgets.assign(allocated=result.draws["allocated"][0][0])
    simulated = budgets[budgets["architecture"] == arch_id].groupby("holder")["allocated"].sum()
    sankey = atlas.sankey(arch)
    for holder in holders:
        assert _inflow(sankey, holder) == pytest.approx(simulated[holder], abs=0.5e6), holder  # to the £m
    # the centre commissions from its own budget: what it spends on specialised care is what it is given
    own = sum(link["value"] for link in sankey["links"] if link["label"].startswith("dhsc:specialised"))
    assert own == pytest.approx(simulated["dhsc"], abs=0.5e6)
    # and the money outside the deals reaches the status quo's holders as the simulator runs them
    outside = budgets[budgets["architecture"] == "status-quo-2023"].groupby("holder")["allocated"].sum()
    money = holder_money(arch, on=BASE_DATE)  # the pots of the simulator's year 1 (2024/25)
    sq = money[money["architecture"] == "status-quo-2023"].groupby("holder")["gbp"].sum()
    for holder, amount in outside.items():
        assert sq[holder] == pytest.approx(amount, abs=0.5e6), holder


def test_combined_authority_is_not_shown_receiving_todays_icb_money() -> None:
    aco = A.load("reform-aco-2024")
    amounts = flow_amounts(aco)
    # the block grant carries more than the ICBs of areas without a deal (55.9% of residents have a deal)
    icbs = amounts["icb_core_allocation@dhsc"] + amounts["icb_primary_medical_allocation@dhsc"]
    assert amounts["aco_block_grant"] > icbs
    g = atlas.graph(aco)
    edge = g.get_edge_data("dhsc", "combined_authority")["aco_block_grant"]
    assert edge["amount_gbp"] == pytest.approx(amounts["aco_block_grant"]) and edge["amount_basis"].startswith("money")
    assert f"£{amounts['aco_block_grant'] / 1e9:.1f}bn" in atlas.to_mermaid(aco)


def test_the_structure_graph_shows_only_the_money_it_is_handed() -> None:
    # the architecture package never calls the allocation engine: its graph carries the £ it is given, and
    # the atlas hands it the money section's base-year money
    from devocare.architecture import views

    aco = A.load("reform-aco-2024")
    bare = views.graph(aco).get_edge_data("dhsc", "combined_authority")["aco_block_grant"]
    assert next(f for f in aco.flows if f.id == "aco_block_grant").derived  # no typed amount: none is shown
    assert bare["amount_gbp"] is None and bare["amount_basis"] == ""
    given = views.graph(aco, amounts={"aco_block_grant": 1.5e9}).get_edge_data("dhsc", "combined_authority")
    assert given["aco_block_grant"]["amount_gbp"] == 1.5e9
    assert "£1.5bn" in views.to_mermaid(aco, amounts={"aco_block_grant": 1.5e9})


@pytest.mark.parametrize("name", sorted(A.MOVED_TO_ATLAS))
def test_a_money_view_asked_of_the_architecture_package_says_where_it_went(name: str) -> None:
    assert callable(getattr(atlas, name))
    with pytest.raises(ImportError, match=f"devocare.atlas.{name}"):
        getattr(A, name)
    with pytest.raises(ImportError, match=f"devocare.atlas.{name}"):
        exec(f"from devocare.architecture import {name}", {})


@pytest.mark.parametrize(("module", "place"), [("metrics", "atlas.metrics"), ("money_flows", "atlas.money")])
def test_the_old_money_modules_say_where_they_went(module: str, place: str) -> None:
    with pytest.raises(ImportError, match=f"devocare.{place}"):
        importlib.import_module(f"devocare.architecture.{module}")


def test_the_architecture_diff_with_metrics_points_to_the_atlas() -> None:
    with pytest.raises(ImportError, match=r"devocare.atlas.diff"):
        A.diff("status-quo-2023", "reform-aco-2024")
    structural = A.diff("status-quo-2023", "reform-aco-2024", with_metrics=False)
    assert structural.bodies_created and not structural.to_dict().get("metrics")


@pytest.mark.parametrize("arch_id", A.builtin_ids())
def test_every_builtin_flows_agree_with_its_money(arch_id: str) -> None:
    assert money_problems(A.load(arch_id)) == []


def _with(arch_id: str, edit) -> A.Architecture:
    data = copy.deepcopy(A.load(arch_id).model_dump(mode="python", by_alias=True))
    edit(data)
    return A.Architecture.model_validate(data)


def test_a_typed_amount_that_contradicts_the_money_fails() -> None:
    def typed(data: dict) -> None:
        flow = next(f for f in data["flows"] if f["id"] == "icb_core_allocation@dhsc")
        flow["amount_gbp"], flow["derived"] = 101.26e9, False

    problems = money_problems(_with("reform-aco-2024", typed))
    assert len(problems) == 1 and problems[0].path.endswith("amount_gbp") and "money section" in problems[0].message


def test_a_line_sent_to_a_body_without_the_pot_fails() -> None:
    def misroute(data: dict) -> None:
        for flow in data["flows"]:
            if flow["id"] in ("public_health_grant", "adult_social_care_funding"):
                flow["to"] = "icb"

    messages = [p.message for p in money_problems(_with("status-quo-2023", misroute))]
    assert any("gives public_health to 'icb'" in m for m in messages)
    assert any("gives adult_social_care to 'icb'" in m for m in messages)  # the same check, every line


def test_cli_validate_reports_the_disagreement(cli, arch_file) -> None:
    path = arch_file(
        "reform-aco-2024",
        "as_of: 2028-04-01\nflows:\n  - {id: specialised_commissioning@dhsc, amount_gbp: 25.0e9, derived: false}\n",
    )
    result = cli("arch", "validate", str(path))
    assert result.returncode == 2 and result.stdout == ""
    assert "specialised_commissioning@dhsc" in result.stderr and "money section" in result.stderr
    assert len(money_problems(A.load(str(path)))) == 1
