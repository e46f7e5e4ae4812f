"""The web refuses pots whose shares of a line do not add up to 1 (a 4xx with the field and the reason), as
the CLI does."""

import pytest

pytestmark = pytest.mark.integration

UNBALANCED = (
    "id: unbalanced\nname: Unbalanced\nextends: reform-aco-2024\nsources: ['assumption: test']\n"
    "money:\n  pots:\n    - {id: dhsc_specialised, line_shares: {specialised_national: 0.5}}\n"
)


def test_validate_refuses_shares_that_do_not_add_up(client):
    bad = client.post("/api/v1/architectures/validate", json={"yaml": UNBALANCED})
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/problem+json")
    errors = bad.json()["errors"]
    assert any(
        e["field"].endswith("line_shares") and "shares of specialised_national sum to 1.2531" in e["message"]
        for e in errors
    ), errors
    balanced = UNBALANCED.replace("0.5}", "0.2469}")
    assert client.post("/api/v1/architectures/validate", json={"yaml": balanced}).status_code == 200
