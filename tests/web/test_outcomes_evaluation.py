"""The evaluation page: verdict, methods with intervals, donors, robustness; downloads; bad input shown."""

import pytest

pytestmark = pytest.mark.integration


def test_evaluation_page_shows_methods_robustness_and_verdict(html_client):
    from devocare.web.pages.outcomes_evaluation import _run

    r = html_client.get(
        "/outcomes/evaluation", params={"area": "E47000001", "indicator": "u75_preventable_cvd_mortality"}
    )
    assert r.status_code == 200
    assert 'id="verdict"' in r.text and "Methods side by side" in r.text and "Robustness" in r.text
    result = _run("E47000001", "u75_preventable_cvd_mortality", "agreement", "clean", 2019)
    assert result["verdict"].split(":")[0] in r.text
    for method in ("synthetic_control", "generalised_synthetic_control", "difference_in_differences"):
        assert method in r.text
    assert "in-time placebo" in r.text and "leave-one-out" in r.text
    csv = html_client.get("/outcomes/evaluation", params={"area": "E47000001", "download": "methods"})
    assert csv.text.startswith("method,estimate,lower,upper") and csv.text.count("\n") >= 3


def test_evaluation_page_reports_bad_choices_without_running(html_client):
    r = html_client.get("/outcomes/evaluation", params={"pool": "everyone", "end": "2030"})
    assert r.status_code == 200 and "pool-error" in r.text and "unknown donor pool" in r.text
    assert 'id="verdict"' not in r.text
    r = html_client.get("/outcomes/evaluation", params={"area": "E47000001", "indicator": "hle_male"})
    assert "too short a pre-period" in r.text and 'id="verdict"' not in r.text
