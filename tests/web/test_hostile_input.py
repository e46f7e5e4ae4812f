import pytest

pytestmark = pytest.mark.integration

ODD = ["", "0", "-1", "abc", "<script>alert(1)</script>", "E99999999", "x" * 150, "%00", "../../etc/passwd"]
PAGES = [
    ("/area", "area"),
    ("/area", "vintage"),
    ("/simulate", "years"),
    ("/simulate", "arch"),
    ("/outcomes", "level"),
    ("/outcomes", "indicator"),
    ("/allocation", "icb"),
    ("/allocation", "build"),
    ("/compare", "arch"),
    ("/architectures/status-quo-2023", "body"),
]


@pytest.mark.parametrize(("path", "param"), PAGES)
def test_pages_answer_odd_input_without_server_errors_or_reflected_markup(html_client, path, param):
    for value in ODD:
        r = html_client.get(path, params={param: value})
        assert r.status_code < 500, (path, param, value, r.text[:300])
        assert "Traceback" not in r.text and "<script>alert(1)</script>" not in r.text
