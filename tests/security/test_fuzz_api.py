"""Schemathesis over every operation of the OpenAPI schema (R36): no input gives a 5xx, every response
is one the schema declares and matches its documented shape."""

import tempfile
import uuid
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import allow_header_conformance, positive_data_acceptance

from app import migrate
from app.config import Settings
from app.main import create_app
from tests.conftest import TEST_SECRET, drop_test_database, make_test_database

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
                          rate_limit_token_misses_per_minute=1_000_000))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def fuzz_database():
    migrate.upgrade(DATABASE_URL)
    yield
    APP.state.engine.dispose()
    drop_test_database(DATABASE_URL)


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
    case.call_and_validate(excluded_checks=[positive_data_acceptance, allow_header_conformance])


# Any bytes are a schema-valid file, but only UTF-8 JSONL or CSV is a training-data sample: the data
# checker's documented 422 for an image or a random blob is right, so that operation skips this check.
READS_FILE_CONTENT = {"/api/v1/data-checks"}


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_schema_valid_request_is_accepted(case):
    _fresh_idempotency_key(case)
    checks = [positive_data_acceptance, allow_header_conformance]
    if case.operation.path in READS_FILE_CONTENT:
        checks = [allow_header_conformance]
    case.call_and_validate(checks=checks)
