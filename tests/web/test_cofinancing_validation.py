"""The web refuses co-financing that the hospital money moved to the local tier cannot pay for (a 4xx with
the field and the reason), as the CLI does."""

import pytest

pytestmark = pytest.mark.integration

UNFUNDED = (
    "id: unfunded\nname: Unfunded\nextends: reform-split-2024\nsources: ['assumption: test']\n"
    "money:\n  co_financing:\n    share: 1.0\n    hospital_funding_to_local: 0.34\n"
    "    sources: ['assumption: test']\n"
)


def test_validate_refuses_unfunded_co_financing(client):
    bad = client.post("/api/v1/architectures/validate", json={"yaml": UNFUNDED})
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/problem+json")
    errors = bad.json()["errors"]
    assert any(e["field"].startswith("money.co_financing") and "cannot cover" in e["message"] for e in errors)
    funded = UNFUNDED.replace("hospital_funding_to_local: 0.34", "hospital_funding_to_local: 1.0")
    assert client.post("/api/v1/architectures/validate", json={"yaml": funded}).status_code == 200
