"""Property-based API tests from the OpenAPI schema with every Schemathesis check: never a server error,
every status and content type declared, bodies matching their schemas, invalid input refused (settings in
schemathesis.toml beside this file)."""

import tempfile
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

from devocare.web import WebSettings, create_app  # noqa: E402

pytestmark = pytest.mark.e2e

_db = tempfile.mkdtemp(prefix="devocare-schemathesis-")
APP = create_app(
    WebSettings(
        database_url=f"sqlite:///{_db}/saved.db",
        max_job_cells=20_000,
        max_draws=5,
        max_jobs_per_client=1,
        max_body_bytes=100_000,
    )
)
CONFIG = schemathesis.config.SchemathesisConfig.from_path(Path(__file__).with_name("schemathesis.toml"))
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP, config=CONFIG)


@schema.parametrize()
@settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors(case):
    response = case.call_and_validate()  # every Schemathesis check: status codes, content types, schemas...
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:300]}"
    if 400 <= response.status_code < 500:
        ctype = response.headers["content-type"]
        ctype = ctype[0] if isinstance(ctype, list) else ctype
        assert ctype.startswith("application/problem+json"), response.text[:200]
        assert "Traceback" not in response.text


# The stateful phase: sequences of calls that follow the links Schemathesis infers between operations (save,
# then get, list and delete what was saved; start a job, then read and cancel it), with every check.
Stateful = schema.as_state_machine()
Stateful.TestCase.settings = settings(
    max_examples=10, stateful_step_count=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
TestStatefulSequences = Stateful.TestCase
