"""Charts: interactive HTML always; static PNG where a Chromium browser is installed."""

from __future__ import annotations

import shutil

import pytest

from devocare.errors import DevocareError
from devocare.outcomes import charts
from devocare.outcomes.funnel import funnel

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def figure():
    return charts.funnel_figure(funnel("hle_male", "utla"))


def test_html_is_self_contained(figure, tmp_path):
    path = charts.write(figure, tmp_path / "f.html")
    text = path.read_text(encoding="utf-8")
    assert "plotly" in text.lower() and '<script src="https://' not in text


def test_bad_suffix_and_folder_are_refused(figure, tmp_path):
    with pytest.raises(DevocareError, match="html or .png"):
        charts.write(figure, tmp_path / "f.svg")
    with pytest.raises(DevocareError, match="does not exist"):
        charts.write(figure, tmp_path / "missing" / "f.html")
    assert not list(tmp_path.iterdir())


@pytest.mark.browser
@pytest.mark.skipif(
    shutil.which("chromium") is None and shutil.which("google-chrome") is None, reason="no Chromium for static export"
)
def test_png_export(figure, tmp_path):
    path = charts.write(figure, tmp_path / "f.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
