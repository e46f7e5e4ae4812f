"""``devocare allocate``: outputs and exit codes through the real console entry point."""

import json
from functools import partial

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def run(cli_in_process):
    """Run ``devocare allocate ...`` in-process through the console entry point: (exit code, stdout, stderr)."""
    return partial(cli_in_process, "allocate")


def test_places_default_place_json(cli):
    r = cli(
        "allocate",
        "places",
        "--year",
        "2023/24",
        "--icb",
        "QWO",
        "--place",
        "Default Place=B85005,B85022,B85061,B85026",
        "--mode",
        "nhse-tool",
        "--format",
        "json",
    )
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [row["kind"] for row in rows] == ["icb", "place"]
    assert rows[1]["index_core_overall"] == 0.943
    assert "warning: nhse-tool mode replaced" in r.stderr and "Y05180" in r.stderr


def test_places_by_level_csv(run):
    code, out, err = run(
        "places", "--year", "2025/26", "--icb", "NHS West Yorkshire ICB", "--place-level", "utla", "--format", "csv"
    )
    assert code == 0, err
    assert out.splitlines()[0].startswith("year,icb_code,icb_name,kind,place_code,place,n_practices,population")
    assert "Leeds" in out


def test_money_json_sums_to_the_published_total(run):
    code, out, err = run("money", "--year", "2025/26", "--level", "ca", "--lines", "core,pmc", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    from devocare.allocation.money import published

    for line in ("core", "pmc"):
        assert sum(x["pence"] for x in rows if x["line"] == line) == published("2025/26", line)["pence"].sum()


def test_targets_table(run):
    code, out, err = run("targets", "--year", "2025/26", "--format", "json")
    assert code == 0, err
    assert len(json.loads(out)) == 42


def test_converge_json(run):
    code, out, err = run("converge", "--year", "2025/26", "--years", "3", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == 42 * 4 and {r["year"] for r in rows} == {0, 1, 2, 3}


def test_grants_with_envelope_file(run, tmp_path):
    from devocare.allocation.grants import default_envelope

    env = tmp_path / "env.yaml"
    env.write_text(
        "\n".join(
            f"{line}: {gbp}" for line, gbp in zip(default_envelope()["line"], default_envelope()["gbp"], strict=True)
        )
    )
    code, out, err = run(
        "grants", "--arch", "reform-aco-2024", "--years", "5", "--envelope", str(env), "--format", "csv"
    )
    assert code == 0, err
    assert "incentive_fund" in out and "fiscal_equalisation" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["places", "--year", "2023/24", "--icb", "QWX", "--place-level", "lad"], "did you mean"),
        (["places", "--year", "2023/24", "--icb", "QWO", "--place", "A=B85005,B8502"], "'B8502'"),
        (["places", "--year", "2023/24", "--icb", "QWO", "--place", "A=B85005,A81001"], "outside ICB QWO: A81001"),
        (
            ["places", "--year", "2023/24", "--icb", "QWO", "--place", "A=B85005", "--place", "B=B85005"],
            "more than one",
        ),
        (["places", "--year", "2023/24", "--icb", "QWO", "--place", "A="], "empty place"),
        (["places", "--year", "2023/24", "--icb", "QWO", "--place", "nonsense"], "NAME=PRACTICE"),
        (["places", "--year", "2023/24", "--icb", "QWO"], "--place-level"),
        (["places", "--year", "2031/32", "--icb", "QWO", "--place-level", "lad"], "financial year"),
        (["places", "--year", "2022/23", "--icb", "QF7", "--place-level", "lad"], "C85628"),
        (["money", "--year", "2025/26", "--lines", "core,pmcc"], "did you mean 'pmc'"),
        (["grants", "--arch", "reform-aco-2025", "--years", "5"], "reform-aco-2024"),
        (["converge", "--floor", "0.05", "--growth", "0.01"], "cannot be spent"),
        (["converge", "--target", "fair"], "published"),
        (["grants", "--arch", "status-quo-2023", "--years", "0"], "at least 1"),
    ],
)
def test_bad_input_exits_2_with_one_line(run, args, message):
    code, out, err = run(*args)
    assert code == 2, (out, err)
    assert out == ""
    assert message in err and err.startswith("error: ")


def test_envelope_lines_not_matching_exit_2(cli, tmp_path):
    # through a real subprocess: exit code 2 and nothing on stdout
    env = tmp_path / "env.yaml"
    env.write_text("acute_electiv: 1e9\npublic_health: 1e8\n")
    r = cli("allocate", "grants", "--arch", "status-quo-2023", "--envelope", str(env))
    assert r.returncode == 2 and r.stdout == ""
    assert "did you mean 'acute_elective'" in r.stderr and "missing line(s)" in r.stderr


def test_place_money_json_and_bad_places(run):
    code, out, err = run("place-money", "--year", "2025/26", "--icb", "QOP", "--place-level", "lad", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    from devocare.allocation.money import published

    pub = published("2025/26", "core").set_index("icb_code").loc["QOP", "pence"]
    assert sum(r["pence"] for r in rows if r["line"] == "core") == pub
    assert {r["place"] for r in rows} >= {"Manchester", "Wigan"}
    code, out, err = run(
        "place-money",
        "--year",
        "2025/26",
        "--icb",
        "QOP",
        "--place",
        "North=P82001,P82002",
        "--lines",
        "core",
        "--format",
        "json",
    )
    assert code == 0 and [r["place"] for r in json.loads(out)] == ["North"]
    assert "practice(s) of the ICB are in no place" in err
    code, out, err = run("place-money", "--year", "2025/26", "--icb", "QOP", "--place", "North=B85005")
    assert code == 2 and "outside ICB QOP" in err and out == ""
    code, out, err = run("place-money", "--year", "2025/26", "--icb", "QOP")
    assert code == 2 and "--place-level" in err
