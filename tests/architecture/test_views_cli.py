"""Views (graph, Mermaid, DOT, JSON, Sankey, function matrix, chains) and the ``devocare arch`` commands."""

import json
from pathlib import Path

import pytest

from devocare import architecture as A
from devocare import atlas
from devocare.service_lines import FUNCTION_LINES

HERE = Path(__file__).parent


@pytest.fixture(scope="module")
def aco():
    return A.load("reform-aco-2024")


def test_graph_has_every_body_edge_and_flow(aco):
    g = atlas.graph(aco)
    assert set(g.nodes) == {b.id for b in aco.bodies_on()}
    relations = [d["relation"] for _, _, d in g.edges(data=True)]
    assert relations.count("accountability") == len(aco.edges_on())
    assert relations.count("funding") == len(aco.flows_on())
    data = atlas.graph_json(aco)
    assert len(data["nodes"]) == g.number_of_nodes() and len(data["edges"]) == g.number_of_edges()
    json.dumps(data)


def test_mermaid_and_dot(aco):
    mermaid = atlas.to_mermaid(aco)
    assert mermaid.startswith("flowchart BT")
    assert "combined_authority -->|democratic| ca_electorate" in mermaid
    dot = atlas.to_dot(aco)
    assert dot.startswith('digraph "reform-aco-2024"') and dot.rstrip().endswith("}")
    assert '"combined_authority" -> "ca_electorate" [label="democratic"];' in dot


def test_sankey_conserves_money(aco):
    s = atlas.sankey(aco)
    n = len(s["nodes"])
    inflow, outflow = [0.0] * n, [0.0] * n
    for link in s["links"]:
        assert 0 <= link["source"] < n and 0 <= link["target"] < n and link["value"] >= 0
        outflow[link["source"]] += link["value"]
        inflow[link["target"]] += link["value"]
    for i, node in enumerate(s["nodes"]):
        if inflow[i] and outflow[i]:  # a receiving body passes on exactly what it receives, line by line
            assert outflow[i] == pytest.approx(inflow[i]), node
    lines_total = sum(inflow[i] for i, node in enumerate(s["nodes"]) if node["id"].startswith("line:"))
    assert lines_total == pytest.approx(sum(atlas.line_spend(aco).values()))


def test_function_matrix_covers_each_function_once(aco):
    fm = A.function_matrix(aco)
    totals = fm.groupby("function")["residents_share"].sum()
    assert (abs(totals - 1) < 1e-6).all()
    assert {f"commissioning.{line}" for line in FUNCTION_LINES} <= set(totals.index)  # specialised: both lines


def test_accountability_chains():
    sq = A.load("status-quo-2023")
    chain = A.accountability_chain(sq, "icb")
    assert [step["to"] for step in chain] == ["nhse", "dhsc", "parliament", "national_electorate"]
    assert A.chain_summary(sq, "utla") == {
        "architecture": "status-quo-2023",
        "body": "utla",
        "distance": 1,
        "devolved": True,
        "chain": [
            {
                "from": "utla",
                "from_name": "Upper-tier local authority",
                "to": "local_electorate",
                "to_name": "Local electorate of each upper-tier authority",
                "type": "democratic",
            }
        ],
    }
    with pytest.raises(A.ArchitectureError.__mro__[1], match="did you mean 'icb'"):
        A.accountability_chain(sq, "icbb")


def test_diff_reads_as_the_reorganisation_004_proposes():
    text = atlas.diff("status-quo-2023", "reform-aco-2024").to_text()
    for expected in (
        "Bodies abolished",
        "nhse — NHS England",
        "commissioning.specialised: nhse → combined_authority (50%), dhsc (50%)",
        "commissioning.acute_non_elective: icb → combined_authority (56%), icb (44%)",
        "public_health: la_public_health (utla, ring-fenced) → aco_single (combined_authority)",
        "settlement_years: 1 → 5",
        "savings_retained: 0.0 → 1.0",
        "centralism_index: 0.445 → 0.374",  # specialised total £25.805bn (2024/25)
    ):
        assert expected in text, expected
    md = atlas.diff("status-quo-2023", "ten-year-plan-2025").to_markdown()
    assert "### Bodies merged" in md and "`nhse` into `dhsc`" in md


# --- CLI (in-process for output; a subprocess where the exit code of bad input matters) ---------------------


class _Result:
    def __init__(self, result):
        self.returncode, self.stdout = result.exit_code, result.stdout


@pytest.fixture
def run():
    from typer.testing import CliRunner

    from devocare.cli import app

    def invoke(*args):
        return _Result(CliRunner().invoke(app, list(args), catch_exceptions=False))

    return invoke


def test_cli_list_json(run):
    out = run("arch", "list", "--format", "json")
    assert out.returncode == 0
    rows = json.loads(out.stdout)
    assert [r["id"] for r in rows] == A.builtin_ids() and len(rows) == 8


@pytest.mark.parametrize(
    "fmt,start",
    [
        ("yaml", "# reform-split-2024, resolved over reform-aco-2024"),
        ("json", "{"),
        ("mermaid", "flowchart BT"),
        ("dot", "digraph"),
    ],
)
def test_cli_show(run, fmt, start):
    out = run("arch", "show", "reform-split-2024", "--format", fmt)
    assert out.returncode == 0
    assert out.stdout.startswith(start)
    if fmt == "json":
        assert json.loads(out.stdout)["money"]["co_financing"]["share"] == 0.34


def test_cli_show_yaml_round_trips(run, tmp_path):
    out = run("arch", "show", "reform-aco-2024")
    path = tmp_path / "copy.yaml"
    path.write_text(out.stdout)
    copy = A.load(str(path)).model_dump()
    original = A.load("reform-aco-2024").model_dump()
    assert copy.pop("extends") is None and original.pop("extends") == "status-quo-2023"
    assert copy == original


def test_cli_validate(cli, run):
    ok = run("arch", "validate", str(HERE / "valid" / "minimal.yaml"))
    assert ok.returncode == 0 and ok.stdout.startswith("valid: minimal")
    bad = cli("arch", "validate", str(HERE / "invalid" / "many_problems.yaml"))
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith("error: 3 problems")
    assert "functions[8].holder: unknown body 'councill'; did you mean 'council'?" in bad.stderr


def test_cli_unknown_architecture(cli):
    out = cli("arch", "metrics", "status-quo-2032")
    assert out.returncode == 2
    assert "did you mean 'status-quo-2023'" in out.stderr


def test_cli_metrics(run):
    out = run("arch", "metrics", "status-quo-2023", "reform-aco-2024", "--format", "json")
    assert out.returncode == 0
    rows = json.loads(out.stdout)
    assert [r["id"] for r in rows] == ["status-quo-2023", "reform-aco-2024"]
    table = run("arch", "metrics", "status-quo-2023", "reform-aco-2024")
    assert table.stdout.split("\n")[0].split() == ["Metric", "status-quo-2023", "reform-aco-2024"]
    assert "centralism_index" not in table.stdout  # metrics shown by their labels


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_cli_diff(run, fmt):
    out = run("arch", "diff", "status-quo-2023", "reform-split-2024", "--format", fmt)
    assert out.returncode == 0
    if fmt == "json":
        d = json.loads(out.stdout)
        assert d["a"] == "status-quo-2023" and {"rule": "settlement_years", "from": 1, "to": 5} in d["money_rules"]
    else:
        assert "co_financing" in out.stdout


def test_cli_chain(run):
    out = run("arch", "chain", "reform-aco-2024", "combined_authority")
    assert out.returncode == 0
    assert json.loads(out.stdout)["devolved"] is True
