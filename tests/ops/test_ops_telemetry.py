"""With OpenTelemetry tracing on (ADVISOR_TELEMETRY=1), no span name or attribute holds a link token, and
neither does an access log line (issue 16)."""

import json
import logging

import pytest
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from app import migrate
from app.config import Settings
from app.main import create_app
from app.security import logs as token_logs
from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def spans():
    """The process's tracer provider (set once per process, as an operator's SDK set-up would)."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


def _text_of(span) -> list[str]:
    texts = [span.name, *(str(value) for value in (span.attributes or {}).values())]
    for event in span.events:
        texts += [event.name, *(str(value) for value in (event.attributes or {}).values())]
    return texts


def test_no_span_holds_a_link_token(tmp_path, spans):
    url = f"sqlite:///{tmp_path / 'traced.db'}"
    migrate.upgrade(url)
    settings = Settings(database_url=url, secret_key="t" * 50, secret_key_file=tmp_path / "unused.key",
                        base_url="http://testserver", telemetry=True)
    answers = json.loads((EXAMPLES / "legal-assistant.json").read_text())["answers"]
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        created = client.post("/api/v1/assessments", json={"name": "Traced", "answers": answers}).json()
        tokens = [created[key].rsplit("/", 1)[-1] for key in ("edit_url", "view_url", "workspace_url")]
        edit, view, workspace = tokens
        spans.clear()
        assert client.get(f"/e/{edit}/result").status_code == 200
        assert client.get(f"/e/{edit}/history?from=/e/{edit}").status_code == 200
        assert client.get(f"/v/{view}").status_code == 200
        assert client.get(f"/v/{view}").status_code == 200  # the second is a kept page, before routing
        assert client.get(f"/w/{workspace}").status_code == 200
        assert client.get(f"/api/v1/assessments/{created['id']}",
                          headers={"Authorization": f"Bearer {edit}"}).status_code == 200
        assert client.get("/v/" + "z" * 43).status_code == 404
    finished = spans.get_finished_spans()
    server = [span for span in finished if span.kind == trace.SpanKind.SERVER]
    assert len(server) == 7  # tracing really was on, one server span per request
    leaks = [(span.name, text) for span in finished for text in _text_of(span)
             if any(token in text for token in [*tokens, "z" * 43])]
    assert leaks == []
    routes = {span.attributes.get("http.route") for span in server}
    assert "/e/{edit_token}/result" in routes  # still useful: spans say which route


def test_without_advisor_telemetry_a_configured_provider_traces_nothing(tmp_path, spans):
    url = f"sqlite:///{tmp_path / 'quiet.db'}"
    migrate.upgrade(url)
    settings = Settings(database_url=url, secret_key="q" * 50, secret_key_file=tmp_path / "unused.key",
                        base_url="http://testserver")
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        spans.clear()
        assert client.get("/v/" + "q" * 43).status_code == 404
        assert client.get("/").status_code == 200
    assert spans.get_finished_spans() == ()


def test_an_access_log_line_never_holds_a_link_token(caplog):
    """uvicorn's access line, as uvicorn logs it: the filter app.security.logs installs masks the path."""
    token_logs.install()
    token = "A" * 20 + "b" * 23
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "10.0.0.1:5000", "GET",
                                                 f"/e/{token}/step/data?x=/v/{token}", "1.1", 200)
    [record] = [r for r in caplog.records if r.name == "uvicorn.access"]
    assert token not in record.getMessage() and "/e/***/step/data" in record.getMessage()
