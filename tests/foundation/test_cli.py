import json

import pytest

pytestmark = pytest.mark.e2e


def test_areas_json_counts(cli):
    for args, n in [
        (("--level", "icb", "--vintage", "2024"), 42),
        (("--level", "icb", "--vintage", "2026"), 36),
        (("--level", "region"), 7),
        (("--level", "utla"), 153),
        (("--level", "lad"), 296),
    ]:
        out = cli("areas", *args, "--format", "json")
        assert out.returncode == 0, out.stderr
        records = json.loads(out.stdout)
        assert isinstance(records, list) and len(records) == n


def test_areas_within_and_show(cli):
    out = cli("areas", "--level", "lad", "--within", "Greater Manchester", "--format", "csv")
    assert out.returncode == 0 and len(out.stdout.strip().splitlines()) == 11
    show = cli("areas", "show", "E47000001")
    info = json.loads(show.stdout)
    assert info["level"] == "ca" and info["children"]["lad"] == 10


def test_coterminosity_and_data_list(cli):
    out = cli("areas", "coterminosity", "--levels", "lad,icb", "--format", "json")
    rows = json.loads(out.stdout)
    assert rows and all(0 < r["share"] < 1 for r in rows)
    listing = json.loads(cli("data", "list", "--format", "json").stdout)
    assert {"id", "title", "publisher", "vintage", "rows", "licence", "source"} <= set(listing[0])


@pytest.mark.parametrize(
    "args, needle",
    [
        (("areas", "--level", "icbx"), "did you mean 'icb'"),
        (("areas", "--level", "icb", "--vintage", "2025"), "unknown vintage"),
        (("areas", "show", "E0800003"), "unknown area code"),
        (("areas", "--level", "lad", "--within", "Greater Manchster"), "did you mean"),
        (("areas", "coterminosity", "--levels", "lad"), "two levels"),
    ],
)
def test_bad_input_is_one_line_exit_2(cli, args, needle):
    out = cli(*args)
    assert out.returncode == 2
    assert needle in out.stderr
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_usage_errors_exit_2_without_traceback(cli):
    out = cli("areas", "--no-such-flag")
    assert out.returncode == 2
    assert "No such option" in out.stderr and "Traceback" not in out.stderr


def test_one_command_loads_only_its_own_module():
    import subprocess
    import sys

    code = (
        "import sys; from devocare.cli import main; sys.argv = ['devocare', 'data', 'list', '--format', 'csv'];"
        "import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try: main()\n"
        "    except SystemExit: pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('devocare.') and m.count('.') == 1))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = out.stdout.strip().splitlines()[-1]
    assert "devocare.simulation" not in loaded and "devocare.web" not in loaded, loaded
