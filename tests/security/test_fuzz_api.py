"""Schemathesis over every operation of the OpenAPI schema (R36): no input gives a 5xx, every response
is one the schema declares and matches its documented shape.

Operations on one assessment get a real assessment's id, its edit token and (where the case sends one)
its current version in If-Match, so the fuzzer reaches past the token check into the handlers; before
(issue 17), every one of those cases stopped at 401 or 404. The workspace list gets that assessment's
workspace token; operations that would end the real token's use (delete, revoke, renew) each get an
assessment of their own.
"""

import tempfile
import uuid
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import allow_header_conformance, ignored_auth, positive_data_acceptance

from app import migrate
from app.config import Settings
from app.main import create_app
from app.reports.pdf import PdfRenderer
from tests.conftest import TEST_SECRET, drop_test_database, make_test_database
from tests.security import stand_ins

# Examples per operation: enough to reach the validation edges, short enough for every CI run.
EXAMPLES_PER_OPERATION = 50
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)

# Schemathesis reads the schema when this module is imported, so the app is made here; its database
# (created now, migrated and dropped by the fixture below) is its own, outside the rolled-back tests.
_TMP = Path(tempfile.mkdtemp(prefix="advisor-fuzz-"))
DATABASE_URL = make_test_database(_TMP, "fuzz")
# Rate limits raised so the fuzzer explores the operations instead of meeting 429 after a minute.
APP = create_app(Settings(database_url=DATABASE_URL, secret_key=TEST_SECRET, secret_key_file=_TMP / "key",
                          base_url="http://testserver", rate_limit_create_per_minute=1_000_000,
                          rate_limit_token_misses_per_minute=1_000_000, rate_limit_pdf_per_minute=1_000_000))
# A wrong token gets 404, not 401 or 403, on purpose: the API never says whether an assessment exists
# (BEARER_HELP in app/api/assessments.py). Schemathesis's auth check expects 401/403; it is left out.
BY_DESIGN = [ignored_auth]
# Cases now reach the report with a real token: a real rendering each (about a second) made this module
# take nine minutes on a two-core machine. The PDF itself is tested in tests/share/test_reports.py.
APP.state.pdf_renderer = PdfRenderer(2, 30, render=stand_ins.instant_pdf)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def fuzz_database():
    migrate.upgrade(DATABASE_URL)
    yield
    APP.state.engine.dispose()
    drop_test_database(DATABASE_URL)


# One assessment made through the API itself: the id and edit token the fuzzed cases use.
REAL: dict[str, str] = {}
# Used without `with`: the app's lifespan (a full garbage collection and freeze) is not run per call.
CLIENT = TestClient(APP, base_url="http://testserver")
TOKEN_PATH = "/api/v1/assessments/{assessment_id}"
WORKSPACE_PATH = "/api/v1/workspace/assessments"
# Operations after which the real assessment's edit token would open nothing: each case gets a fresh one.
ENDS_THE_TOKEN = {("DELETE", TOKEN_PATH), ("POST", TOKEN_PATH + "/links/{kind}/revoke"),
                  ("POST", TOKEN_PATH + "/links/{kind}/renew")}


def _new_assessment() -> dict[str, str]:
    response = CLIENT.post("/api/v1/assessments", json={"name": "Fuzzed", "answers": {}})
    assert response.status_code == 201, response.text
    body = response.json()
    return {"id": body["id"], "token": body["edit_url"].rsplit("/", 1)[1],
            "workspace": body["workspace_url"].rsplit("/", 1)[1]}


def _real_assessment() -> dict[str, str]:
    if not REAL:
        migrate.upgrade(DATABASE_URL)  # schemathesis may ask for the token before the fixture ran
        REAL.update(_new_assessment())
    return REAL


def _replace_header(case, name: str, value: str) -> None:
    case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != name.lower()}
    case.headers[name] = value


@schema.auth()
class LinkToken:
    """The real assessment's edit token, the way schemathesis is told of credentials: its auth checks
    then know the request was authorised, and try it without and with a wrong token themselves."""

    def get(self, case, context):
        return _real_assessment()["token"]

    def set(self, case, data, context):
        case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        case.headers["Authorization"] = f"Bearer {data}"


def _with_real_token(case) -> None:
    """The real assessment's id in the path, and its current version where the case sends If-Match; the
    workspace token where the workspace's is needed. A case carrying another token (the auth checks send
    none or a wrong one) keeps it."""
    real = _real_assessment()
    authorised = (case.headers or {}).get("Authorization") == f"Bearer {real['token']}"
    if case.operation.path == WORKSPACE_PATH and authorised:
        _replace_header(case, "Authorization", f"Bearer {real['workspace']}")
    if not case.operation.path.startswith(TOKEN_PATH):
        return
    if (case.operation.method.upper(), case.operation.path) in ENDS_THE_TOKEN:
        own = _new_assessment()
        case.path_parameters = {**(case.path_parameters or {}), "assessment_id": own["id"]}
        if authorised:
            _replace_header(case, "Authorization", f"Bearer {own['token']}")
        if "if-match" in {name.lower() for name in case.headers or {}}:
            _replace_header(case, "If-Match", '"1"')  # a new assessment's version
        return
    case.path_parameters = {**(case.path_parameters or {}), "assessment_id": real["id"]}
    # Changes need If-Match (428 without it, as documented); a client that read the assessment sends it.
    if case.operation.method.upper() in ("PUT", "PATCH") and "/links/" not in case.operation.path:
        current = CLIENT.get(f"/api/v1/assessments/{real['id']}",
                             headers={"Authorization": f"Bearer {real['token']}"})
        case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "if-match"}
        case.headers["If-Match"] = current.headers["etag"]


def _fresh_idempotency_key(case) -> None:
    # The fuzzer reuses short keys with different bodies; the API rightly answers 422 to that, which
    # the positive-data check would report. Fresh keys keep that check meaningful.
    if case.headers and "idempotency-key" in {name.lower() for name in case.headers}:
        case.headers = {k: v for k, v in case.headers.items() if k.lower() != "idempotency-key"}
        case.headers["Idempotency-Key"] = str(uuid.uuid4())


@schema.parametrize()
@FUZZ_SETTINGS
def test_no_input_breaks_an_api_operation_or_its_contract(case):
    _fresh_idempotency_key(case)
    _with_real_token(case)
    case.call_and_validate(excluded_checks=[positive_data_acceptance, allow_header_conformance, *BY_DESIGN])


# Any bytes are a schema-valid file, but only UTF-8 JSONL or CSV is a training-data sample: the data
# checker's documented 422 for an image or a random blob is right, so that operation skips this check.
# Likewise any date is schema-valid, but a link's last day must be from today to five years ahead (the
# share page's rule, which JSON Schema cannot say): its documented 422 for 1970 is right.
READS_FILE_CONTENT = {"/api/v1/data-checks", TOKEN_PATH + "/links/{kind}/expiry"}


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_schema_valid_request_is_accepted(case):
    _fresh_idempotency_key(case)
    _with_real_token(case)
    checks = [positive_data_acceptance, allow_header_conformance]
    if case.operation.path in READS_FILE_CONTENT:
        checks = [allow_header_conformance]
    case.call_and_validate(checks=checks)


TOKEN_OPERATIONS = [(path, method.upper()) for path, methods in schema.raw_schema["paths"].items()
                    if path.startswith(TOKEN_PATH) or path == WORKSPACE_PATH for method in methods]


@pytest.mark.parametrize("path, method", TOKEN_OPERATIONS)
def test_the_fuzzer_gets_past_the_token_check_of_every_assessment_operation(path, method):
    statuses = []

    @given(case=schema[path][method].as_strategy())
    @FUZZ_SETTINGS
    def explore(case):
        _with_real_token(case)
        statuses.append(case.call().status_code)

    explore()
    assert any(200 <= status < 300 for status in statuses), sorted(set(statuses))
