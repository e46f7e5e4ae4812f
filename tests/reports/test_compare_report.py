from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import plotly.offline
import pytest

from devocare import architecture, atlas, data, measures
from devocare.errors import DevocareError
from devocare.reports import compare, compare_report, write_report

pytestmark = pytest.mark.integration

PAIR = ["status-quo-2023", "reform-aco-2024"]
SMALL = {"years": 3, "draws": 0, "seed": 0}


@pytest.fixture(scope="module")
def html() -> str:
    return compare_report(PAIR, **SMALL)


def test_report_is_self_contained(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>")
    plotly_js = plotly.offline.get_plotlyjs()
    charts = html.count('class="chart"')
    assert charts > 0 and html.count(plotly_js) == 1  # plotly.js inline, once
    own = html.replace(plotly_js, "")  # the library's own strings (logo links) are never fetched
    assert not re.search(r"<script[^>]+src=", own)
    assert not re.search(r"<link\b", own)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", own)
    assert "@import" not in own and "cdn.plot.ly" not in own


def test_report_names_architectures_and_records_the_run(html: str) -> None:
    for arch_id in PAIR:
        arch = architecture.load(arch_id)
        assert arch.name in html
        assert compare._arch_hash(arch) in html  # the resolved architecture's SHA-256 in the run record
    assert data.data_hash() in html
    record = unescape(html.split('id="run-record"')[1].split("</section>")[0])
    assert '"years": 3' in record and '"draws": 0' in record and '"seed": 0' in record


def test_assumptions_table_lists_every_parameter_with_its_source(html: str) -> None:
    from devocare.simulation.parameters import parameters

    table = parameters()
    section = html.split('id="assumptions"')[1].split("</section>")[0]
    rows = re.findall(r"<tr>\s*<td>([^<]+)</td>", section)
    assert rows == table["path"].tolist()
    assert f"{(table['source'].str.lower().str.startswith('assumption')).sum()} are labelled" in section
    assert "bibliography hf-health-care-funding" in section  # keys a reader can look up


def test_simulation_figures_are_the_simulators(html: str) -> None:
    from devocare.simulation import simulate

    section = html.split('id="simulation"')[1].split("</section>")[0]
    rows = {
        re.sub(r"\s+", " ", cells[0]): cells[1:]
        for cells in (re.findall(r"<td>([^<]*)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", section, re.S))
        if cells
    }
    for column, arch_id in enumerate(PAIR):
        result = simulate(arch_id, **SMALL)
        summary = result.summary
        i = result.atoms.index("E06000001")
        ratio = result.central_atoms["spent"][-1, i].sum() / result.central_atoms["need"][-1, i].sum()
        assert f"Hartlepool (E06000001): {ratio:.3g}" in section  # the map's hover text
        assert rows["Money spent (£bn)"][column] == compare._value("spent_gbp_bn", summary["spent_gbp_bn"])
        assert rows["Emergency admissions per 1,000 people"][column] == compare._value(
            "admissions_per_1000", summary["admissions_per_1000"]
        )
    assert section.count('class="chart"') >= len(compare.FAN_MEASURES) + 1  # fan charts and the map
    assert "Where spending falls short of need" in section
    record = unescape(html.split('id="run-record"')[1].split("</section>")[0])
    assert record.count('"parameter_hash"') == len(PAIR)  # each simulator run record is included


def test_structure_sections_are_the_architecture_modules(html: str) -> None:
    metrics = atlas.metrics_table(PAIR).set_index("id")
    section = html.split('id="metrics"')[1].split("</section>")[0]
    rows = {
        cells[0]: cells[1:]
        for cells in (re.findall(r"<td>([^<]*)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", section, re.S))
        if cells
    }
    for column, arch_id in enumerate(PAIR):
        for metric in ("centralism_index", "spend_devolved_share", "distance_mean"):
            label = measures.label(metric)
            assert rows[label][column] == compare._value(metric, float(metrics.loc[arch_id, metric]))
    changes = unescape(html.split('id="changes"')[1].split("</section>")[0])
    assert atlas.diff(*(architecture.load(a) for a in PAIR)).to_text() in changes
    funding = html.split('id="funding"')[1].split("</section>")[0]
    assert funding.count('class="chart"') == len(PAIR) and '"type":"sankey"' in funding.replace(" ", "")


def test_caveats_present(html: str) -> None:
    caveats = html.split('id="caveats"')[1].split("</section>")[0]
    assert caveats.count("<li>") >= 4


def test_missing_library_parts_are_listed_not_invented(monkeypatch) -> None:
    real = compare._api

    def without_simulator(module: str, name: str):
        return None if (module, name) == ("devocare.simulation", "simulate") else real(module, name)

    monkeypatch.setattr(compare, "_api", without_simulator)
    report = compare_report(PAIR, **SMALL)
    notice = report.split('id="missing-sections"')[1].split("</div>")[0]
    assert "Simulated money over 3 years: devocare.simulation.simulate not available" in notice
    section = report.split('id="simulation"')[1].split("</section>")[0]
    assert "This section is missing" in section and "<table" not in section
    assert "No simulator run records" in report


def test_same_seed_same_report() -> None:
    def strip_time(text: str) -> str:  # generation and run-record creation times
        text = re.sub(r"at \d{4}-\d\d-\d\d \d\d:\d\d UTC", "", text)
        return re.sub(r"&#34;created&#34;: &#34;[^&]+&#34;", "", text)

    settings = {"years": 2, "draws": 3, "seed": 11}  # Monte Carlo draws, so the seed matters
    assert strip_time(compare_report(PAIR, **settings)) == strip_time(compare_report(PAIR, **settings))


@pytest.mark.parametrize(
    ("ids", "settings", "message"),
    [
        (["status-quo-2023"], {}, "at least two different architectures"),
        (["status-quo-2023", "status-quo-2023"], {}, "at least two different architectures"),
        (["status-quo-2023", "reform-acco-2024"], {}, "did you mean 'reform-aco-2024'"),
        (PAIR, {"years": 0}, "years must be between 1 and 30, got 0"),
        (PAIR, {"draws": -1}, "draws must be between 0 and 5000, got -1"),
        (PAIR, {"seed": -5}, "seed must be from 0 to"),
    ],
)
def test_bad_settings_are_refused(ids, settings, message) -> None:
    with pytest.raises(DevocareError, match=message):
        compare_report(ids, **{**SMALL, **settings})


def test_an_edited_architecture_object_can_be_compared() -> None:
    edited = architecture.load("reform-aco-2024").model_copy(update={"id": "my-aco", "name": "My edited ACO"})
    report = compare_report(["status-quo-2023", edited], years=1, draws=0)
    assert "My edited ACO" in report and "status-quo-2023 → my-aco" in report


def test_architectures_sharing_an_id_are_refused(tmp_path: Path) -> None:
    copy = tmp_path / "copy.yaml"
    copy.write_text("id: reform-aco-2024\nname: A copy\nextends: reform-aco-2024\n")
    with pytest.raises(DevocareError, match="architectures 1 and 2 both have id 'reform-aco-2024'"):
        compare_report(["reform-aco-2024", str(copy)], **SMALL)


def test_write_report_writes_nothing_when_pdf_fails(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DEVOCARE_CHROMIUM", "/bin/false")
    monkeypatch.setattr("devocare.reports.pdf.CHROMIUM", "/nonexistent")
    if shutil.which("chromium"):
        monkeypatch.setattr("devocare.reports.pdf.shutil.which", lambda _: None)
    with pytest.raises(DevocareError, match="Chromium failed to print the PDF"):
        write_report("<html></html>", tmp_path / "r.html", pdf=True)
    assert list(tmp_path.iterdir()) == []


def test_write_report_refuses_bad_out(tmp_path: Path) -> None:
    with pytest.raises(DevocareError, match="does not exist"):
        write_report("<html></html>", tmp_path / "no" / "r.html")
    with pytest.raises(DevocareError, match="is a directory"):
        write_report("<html></html>", tmp_path)


@pytest.mark.browser
def test_pdf_through_headless_chromium_with_charts_drawn(html: str, tmp_path: Path) -> None:
    from devocare.reports.pdf import chromium_path

    exe = chromium_path()
    if exe is None:
        pytest.skip("no Chromium at /usr/bin/chromium (apt-get install chromium)")
    written = write_report(html, tmp_path / "report.pdf", pdf=True)
    assert written == [tmp_path / "report.html", tmp_path / "report.pdf"]
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 2
    box = rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]"
    boxes = {tuple(round(float(x)) for x in m) for m in re.findall(box, pdf)}
    assert boxes == {(596, 843)} or boxes == {(595, 842)}, boxes  # A4 portrait, not US Letter (612 × 792)
    if 'class="chart"' in html:  # the inline plotly.js draws every chart with no network
        dom = subprocess.run(
            [
                exe,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--virtual-time-budget=20000",
                f"--user-data-dir={tmp_path / 'profile'}",
                "--dump-dom",
                (tmp_path / "report.html").as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=180,
        ).stdout
        assert dom.count('class="main-svg"') >= html.count('class="chart"')


def test_report_tables_are_readable(html: str) -> None:
    """No table cell in scientific notation, no summary key where the registry has a label."""
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert cells
    assert not [c for c in cells if re.search(r"(?<![0-9A-Za-z])\d+(?:\.\d+)?[eE][+-]?\d+(?![0-9A-Za-z])", c)]
    for key in ("acute_share", "funding_per_need_cv", "centralism_index", "fragmentation_pots"):
        assert key not in cells, key


def test_evaluation_section_shows_methods_robustness_and_the_verdict(html: str) -> None:
    from devocare.outcomes import evaluate
    from devocare.reports.evaluation import AREA, INDICATOR

    section = unescape(html.split('id="evaluation"')[1].split("</section>")[0])
    r = evaluate(AREA, None, INDICATOR, robust_indicators=())
    assert f"Verdict: {r['verdict']}" in section.replace("<strong>", "").replace("</strong>", "")
    for method in r["methods"]["method"]:
        assert method in section
    assert "leave-one-out" in section and "in-time placebo" in section and 'class="chart"' in section
