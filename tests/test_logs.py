"""Every response carries a request id, and every log line of an `advisor serve` process has a timestamp
and that id, as text or as JSON lines (issue 16)."""

import json
import logging
import os
import subprocess
import sys
import time

import httpx
import pytest

from app.logs import JsonLines, WithRequestId, request_id
from tests.conftest import ROOT, TEST_SECRET, free_port, make_test_database, wait_until_up


def test_a_plain_caller_id_is_kept_and_anything_else_replaced(client):
    kept = client.get("/livez", headers={"X-Request-ID": "lb-7f3a.42"})
    assert kept.headers["x-request-id"] == "lb-7f3a.42"
    forged = client.get("/livez", headers={"X-Request-ID": 'x" 200\nGET /admin'}).headers["x-request-id"]
    assert len(forged) == 16 and forged.isalnum()
    first, second = (client.get("/").headers["x-request-id"] for _ in range(2))
    assert first != second


def test_refusals_and_errors_carry_the_id_too(client):
    response = client.post("/api/v1/assessments", content=b"{", headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 422) and response.headers["x-request-id"]
    assert client.get("/no-such-page").headers["x-request-id"]


def test_the_json_formatter_writes_one_object_per_line_with_the_id():
    token = request_id.set("abc123")
    try:
        record = logging.LogRecord("advisor", logging.WARNING, __file__, 1, "saved %s", ("x",), None)
        WithRequestId().filter(record)
    finally:
        request_id.reset(token)
    line = json.loads(JsonLines().format(record))
    assert line["request_id"] == "abc123" and line["message"] == "saved x" and line["level"] == "WARNING"
    assert line["time"].endswith("+00:00")


@pytest.mark.slow
@pytest.mark.parametrize("log_format", ["json", "text"])
def test_advisor_serve_logs_each_request_with_its_id_and_no_token(tmp_path, log_format):
    url = make_test_database(tmp_path, "logs")
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("ADVISOR_")}
    env |= {"ADVISOR_DATABASE_URL": url, "ADVISOR_SECRET_KEY": TEST_SECRET, "ADVISOR_LOG_FORMAT": log_format,
            "ADVISOR_SECRET_KEY_FILE": str(tmp_path / "k")}
    log = tmp_path / "serve.log"
    with open(log, "w") as output:
        server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)], cwd=ROOT,
                                  env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_until_up(base, server, path="/livez", seconds=60), log.read_text()[-2000:]
        created = httpx.post(base + "/api/v1/assessments", json={"name": "Logged", "answers": {}}).json()
        token = created["view_url"].rsplit("/", 1)[-1]
        visit = httpx.get(f"{base}/v/{token}", headers={"X-Request-ID": "trace-1"})
        assert visit.headers["x-request-id"] == "trace-1"
        deadline = time.monotonic() + 10
        while "trace-1" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)  # the access line may still be on its way to the file
    finally:
        server.terminate()
        server.wait(timeout=10)
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    assert token not in log.read_text()
    if log_format == "json":
        records = [json.loads(line) for line in lines if line.startswith("{")]
        assert len(records) >= len(lines) - 1  # only the "Serving on" banner is plain
        visit_lines = [r for r in records if r["request_id"] == "trace-1"]
        assert visit_lines and all(r["time"] for r in visit_lines)
        assert any("/v/***" in r["message"] for r in visit_lines)
    else:
        assert any("[trace-1]" in line and "/v/***" in line for line in lines)
