"""Every YAML path named in the claims tables (docs/background/claims.md) exists in its built-in, and the
ACO's optional delegation example changes what its source says it changes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from devocare import architecture as A
from devocare import atlas

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = ROOT / "docs" / "background" / "claims.md"
PATH = re.compile(r"`((?:bodies|functions|accountability|flows|money)(?:\[[^\]]+\])?(?:\.[a-z_]+(?:\[[^\]]+\])?)*)`")


def _tables() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current = None
    for line in CLAIMS.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].split(" ")[0]
            out[current] = []
        elif current and line.startswith("|") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if len(cells) == 4 and cells[0] != "claim":
                out[current] += PATH.findall(cells[2])
    return out


def _item(items: list[dict[str, Any]], key: str) -> dict[str, Any]:
    for item in items:
        ident = item.get("id") or f"{item.get('from')}->{item.get('to')}"
        if ident == key:
            return item
    raise KeyError(key)


def _resolve(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for name, key in re.findall(r"([a-z_]+)(?:\[([^\]]+)\])?\.?", path):  # ids may contain dots
        node = node[name]
        if key:
            node = _item(node, key)
    return node


def test_every_builtin_has_a_claims_table() -> None:
    assert set(_tables()) == set(A.builtin_ids())
    data = A.load("status-quo-2023").model_dump(mode="python", by_alias=True)
    assert _resolve(data, "functions[commissioning.specialised.national].share") == pytest.approx(0.44)
    with pytest.raises(KeyError):  # the check can fail
        _resolve(data, "bodies[no_such_body]")


@pytest.mark.parametrize("arch_id", A.builtin_ids())
def test_every_named_yaml_path_exists(arch_id: str) -> None:
    paths = _tables()[arch_id]
    assert len(paths) >= 5
    data = A.load(arch_id).model_dump(mode="python", by_alias=True)
    missing = []
    for path in paths:
        try:
            _resolve(data, path)
        except (KeyError, TypeError):
            missing.append(path)
    assert missing == []


def test_the_delegated_share_of_the_acos_money_passes_to_councils() -> None:
    """The councils commission the share the user sets of the combined authority's community health money, to
    the pound; the budget stays the combined authority's (its holder money is unchanged)."""
    example = A.load(str(ROOT / "docs" / "guides" / "examples" / "aco-delegated-community.yaml"))
    money = atlas.holder_money(example)
    community = money[(money["holder"] == "combined_authority") & (money["line"] == "community_health")]["gbp"].sum()
    assert community > 1e9
    for share in (0.5, 0.3):
        for f in example.functions:
            if f.id == "commissioning.community_health@utla":
                f.share = share
            if f.id == "commissioning.community_health@ca":
                f.share = 1 - share
        sankey = atlas.sankey(example)
        ids = [n["id"] for n in sankey["nodes"]]
        into = {(ids[lk["source"]], ids[lk["target"]]): lk["value"] for lk in sankey["links"]}
        delegate = "delegate:utla:combined_authority"
        assert into[("combined_authority", delegate)] == pytest.approx(share * community, rel=1e-9)
        assert into[(delegate, "line:community_health")] == pytest.approx(share * community, rel=1e-9)
        assert into[("combined_authority", "line:community_health")] == pytest.approx((1 - share) * community, rel=1e-9)
    assert atlas.holder_money(example)["gbp"].sum() == pytest.approx(money["gbp"].sum())  # the same budgets
    # a delegation from a body that holds no pot with the line is refused
    data = example.model_dump(mode="json", by_alias=True, exclude_none=True)
    for f in data["functions"]:
        if f["id"] == "commissioning.community_health@utla":
            f["delegated_by"] = "dhsc"
    with pytest.raises(ValidationError, match="must hold a pot"):
        A.Architecture.model_validate(data)


def test_aco_delegation_to_councils_is_a_share_a_user_sets() -> None:
    example = A.load(str(ROOT / "docs" / "guides" / "examples" / "aco-delegated-community.yaml"))
    delegated, aco = atlas.metrics(example), atlas.metrics(A.load("reform-aco-2024"))
    assert delegated["commissioning_population_out_of_hospital"] < aco["commissioning_population_out_of_hospital"]
    fm = A.function_matrix(example)
    community = fm[fm["function"] == "commissioning.community_health"].set_index("holder")["residents_share"]
    assert community["utla"] == pytest.approx(community["combined_authority"])
