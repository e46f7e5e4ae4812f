"""The layer contract: devocare's packages import only downward, and no two modules import each other.

Layers, lowest first: _version, errors, paths, bounds, safeyaml, jsonable, measures, glossary and
bibliography; extras; display (it draws results and architectures handed to it); data;
service_lines; formatting; rulebook (outcome targets, entitlements and minimum service levels); envelope;
geography; architecture; allocation; atlas (an architecture's views with its money, which the allocation
engine computes); simulation; outcomes and storage;
reports and workbook; cli and __main__; web. Imports inside functions count too; imports under
``if TYPE_CHECKING:`` do not (they never run). A
violation not listed in KNOWN fails the test; KNOWN names the ones still to remove and why they remain.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "devocare"
RANK = {
    "_version": 0,
    "errors": 0,
    "paths": 0,
    "extras": 0.2,
    "display": 0.3,
    "bounds": 0,
    "safeyaml": 0,
    "jsonable": 0,
    "measures": 0,
    "glossary": 0,
    "bibliography": 0,
    "formatting": 2.2,
    "data": 1,
    "service_lines": 2,
    "rulebook": 2.3,
    "envelope": 2.5,
    "geography": 3,
    "architecture": 4,
    "allocation": 5,
    "atlas": 5.5,
    "simulation": 6,
    "outcomes": 7,
    "storage": 7,
    "reports": 8,
    "workbook": 8,
    "cli": 9,
    "__main__": 9,
    "web": 10,
}
#: Violations left to remove, each with the reason it is still here.
KNOWN: set[str] = set()

pytestmark = pytest.mark.unit


def _modules() -> dict[str, Path]:
    out = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC.parent).with_suffix("")
        out[".".join(rel.parts).removesuffix(".__init__")] = path
    return out


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    graph: dict[str, set[str]] = {}
    for mod, path in mods.items():
        edges: set[str] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {
            id(n) for block in ast.walk(tree) if _is_type_checking(block) for stmt in block.body for n in ast.walk(stmt)
        }
        for node in ast.walk(tree):
            if id(node) in typing_only:  # imports for type checkers only never run
                continue
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                subs = [f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in mods]
                names = subs + ([node.module] if len(subs) < len(node.names) else [])
            edges |= {n for n in names if n in mods and n != mod}
        graph[mod] = edges
    return graph


def _is_type_checking(node: ast.AST) -> bool:
    """An ``if TYPE_CHECKING:`` block (its ``else`` branch runs, so only the body counts)."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    name = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else ""
    return name == "TYPE_CHECKING"


def _layer(mod: str) -> str | None:
    parts = mod.split(".")
    return parts[1] if len(parts) > 1 else None


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, children = work[-1]
            w = next(children, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    x = stack.pop()
                    on.discard(x)
                    comp.append(x)
                    if x == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def violations(graph: dict[str, set[str]] | None = None) -> set[str]:
    """Upward imports and cycles of ``graph`` (default: the source tree's import graph)."""
    graph = _graph() if graph is None else graph
    found = set()
    for mod, edges in graph.items():
        for e in edges:
            a, b = _layer(mod), _layer(e)
            if a in RANK and b in RANK and RANK[b] > RANK[a]:
                found.add(f"upward {mod} -> {e}")
    found |= {"cycle " + " <-> ".join(c) for c in _cycles(graph)}
    return found


def test_every_package_has_a_layer() -> None:
    assert {_layer(m) for m in _modules()} - {None} <= set(RANK)


def test_no_new_upward_imports_or_cycles() -> None:
    assert violations() - KNOWN == set()


def test_the_contract_catches_an_upward_import_and_a_cycle() -> None:
    graph = {"devocare.allocation.x": {"devocare.simulation.y"}, "devocare.simulation.y": {"devocare.allocation.x"}}
    assert violations(graph) == {
        "upward devocare.allocation.x -> devocare.simulation.y",
        "cycle devocare.allocation.x <-> devocare.simulation.y",
    }
