from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import plotly.offline
import pytest

from devocare import architecture, data
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
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link\b", html)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "@import" not in html
    plotly_js = plotly.offline.get_plotlyjs()
    charts = html.count('class="chart"')
    assert html.count(plotly_js[:300]) == (1 if charts else 0)  # plotly.js inline, once, only if needed


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
    assert "EVIDENCE.md" in section


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


def test_same_seed_same_report(html: str) -> None:
    def strip_time(text: str) -> str:
        return re.sub(r"at \d{4}-\d\d-\d\d \d\d:\d\d UTC", "", text)

    assert strip_time(compare_report(PAIR, **SMALL)) == strip_time(html)


@pytest.mark.parametrize(("ids", "settings", "message"), [
    (["status-quo-2023"], {}, "at least two different architectures"),
    (["status-quo-2023", "status-quo-2023"], {}, "at least two different architectures"),
    (["status-quo-2023", "reform-acco-2024"], {}, "did you mean 'reform-aco-2024'"),
    (PAIR, {"years": 0}, "years must be between 1 and 30, got 0"),
    (PAIR, {"draws": -1}, "draws must be between 0 and 5000, got -1"),
    (PAIR, {"seed": -5}, "seed must not be negative"),
])
def test_bad_settings_are_refused(ids, settings, message) -> None:
    with pytest.raises(DevocareError, match=message):
        compare_report(ids, **{**SMALL, **settings})


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
    if 'class="chart"' in html:  # the inline plotly.js draws every chart with no network
        dom = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=20000",
                              f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
                              (tmp_path / "report.html").as_uri()],
                             capture_output=True, text=True, timeout=180).stdout
        assert dom.count('class="main-svg"') >= html.count('class="chart"')
