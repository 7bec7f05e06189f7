"""Prometheus metrics: off by default, behind a bearer token when on, labelled by route template and never
by a raw path (which holds link tokens)."""

import json

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app import migrate
from app.config import Settings
from app.main import create_app
from tests.conftest import EXAMPLES, run_coroutine, wait_until_up

TOKEN = "scrape-" + "s" * 30
SCRAPE = {"Authorization": f"Bearer {TOKEN}"}


def _client(tmp_path, **overrides) -> TestClient:
    url = f"sqlite:///{tmp_path / 'metrics.db'}"
    migrate.upgrade(url)
    settings = Settings(database_url=url, secret_key="m" * 50, secret_key_file=tmp_path / "unused.key",
                        base_url="http://testserver", **overrides)
    return TestClient(create_app(settings), base_url="http://testserver")


def _samples(text: str) -> list:
    return [sample for family in text_string_to_metric_families(text) for sample in family.samples]


def _requests(samples, route: str, method: str = "GET") -> dict[str, float]:
    return {s.labels["status"]: s.value for s in samples
            if s.name == "advisor_http_requests_total" and s.labels["route"] == route
            and s.labels["method"] == method}


def test_metrics_are_off_by_default(tmp_path):
    with _client(tmp_path) as client:
        assert client.get("/metrics").status_code == 404


def test_metrics_on_without_a_token_stay_hidden_and_a_wrong_token_is_refused(tmp_path):
    with _client(tmp_path, metrics=True) as client:
        assert client.get("/metrics", headers=SCRAPE).status_code == 404
    with _client(tmp_path, metrics=True, metrics_token=TOKEN) as client:
        missing = client.get("/metrics")
        assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 401
        assert client.get("/metrics", headers=SCRAPE).status_code == 200


def test_requests_are_counted_by_route_template_and_no_link_token_reaches_the_exposition(tmp_path):
    answers = json.loads((EXAMPLES / "legal-assistant.json").read_text())["answers"]
    with _client(tmp_path, metrics=True, metrics_token=TOKEN) as client:
        created = client.post("/api/v1/assessments", json={"name": "Counted", "answers": answers}).json()
        edit, view = (created[key].rsplit("/", 1)[-1] for key in ("edit_url", "view_url"))
        assert client.get(f"/v/{view}").status_code == 200
        assert client.get(f"/v/{view}").status_code == 200
        assert client.get(f"/e/{edit}").status_code in (200, 303)
        assert client.get("/v/" + "x" * 43).status_code == 404  # a wrong token: same template, 4xx
        assert client.get("/no/such/page").status_code == 404
        assert client.get("/static/no-such-file.css").status_code == 404
        exposition = client.get("/metrics", headers=SCRAPE).text

    assert edit not in exposition and view not in exposition and "x" * 43 not in exposition
    samples = _samples(exposition)
    assert _requests(samples, "/v/{view_token}") == {"2xx": 2, "4xx": 1}
    assert _requests(samples, "/api/v1/assessments", "POST") == {"2xx": 1}
    assert _requests(samples, "(unmatched)") == {"4xx": 1}
    assert _requests(samples, "/static/{path}") == {"4xx": 1}
    routes = {s.labels.get("route") for s in samples if "route" in s.labels}
    assert not any(route.startswith("/no/") for route in routes)  # raw paths never become labels
    saves = {s.labels["route"]: s.value for s in samples if s.name == "advisor_saves_total"}
    assert saves.get("/api/v1/assessments") == 1
    latency = [s for s in samples if s.name == "advisor_http_request_duration_seconds_count"
               and s.labels["route"] == "/v/{view_token}"]
    assert latency and latency[0].value == 3


@pytest.mark.slow
def test_two_workers_add_up_in_one_scrape(tmp_path):
    """`advisor serve --workers 2`: whichever worker answers the scrape, it counts both workers' requests."""
    import os
    import subprocess
    import sys

    import httpx

    from tests.conftest import ROOT, free_port

    port, url = free_port(), f"sqlite:///{tmp_path / 'w.db'}"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("ADVISOR_") and key != "PROMETHEUS_MULTIPROC_DIR"}
    env |= {"ADVISOR_DATABASE_URL": url, "ADVISOR_SECRET_KEY": "w" * 50, "ADVISOR_METRICS": "1",
            "ADVISOR_METRICS_TOKEN": TOKEN, "ADVISOR_SECRET_KEY_FILE": str(tmp_path / "k")}
    log = tmp_path / "serve.log"
    with open(log, "w") as output:
        server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers",
                                   "2"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_until_up(base, server, path="/livez", seconds=60), log.read_text()[-2000:]
        sent = 20  # on fresh connections: the kernel spreads them over both workers
        for _ in range(sent):
            assert httpx.get(base + "/", headers={"Connection": "close"}).status_code == 200
        scrape = SCRAPE | {"Connection": "close"}
        scrapes = [httpx.get(base + "/metrics", headers=scrape).text for _ in range(4)]
    finally:
        server.terminate()
        server.wait(timeout=20)
    for text in scrapes:
        assert _requests(_samples(text), "/", "GET")["2xx"] == sent


def test_pdf_work_is_counted_while_it_waits_or_renders_and_by_outcome():
    import asyncio

    from app import metrics
    from app.reports.pdf import ReportUnavailable

    class Renderer:
        def __init__(self):
            self.started, self.finish = asyncio.Event(), asyncio.Event()

        async def render(self, html: str) -> bytes:
            if html == "busy":
                raise ReportUnavailable("too many reports are waiting")
            self.started.set()
            await self.finish.wait()
            return b"%PDF"

    def value(name, **labels):
        return metrics.REGISTRY.get_sample_value(name, labels) or 0

    async def scenario():
        renderer = Renderer()
        metrics.watch_pdf(renderer)
        ok, refused = value("advisor_pdf_renders_total", outcome="ok"), value(
            "advisor_pdf_renders_total", outcome="refused")
        rendering = asyncio.create_task(renderer.render("<p>report</p>"))
        await renderer.started.wait()
        assert value("advisor_pdf_in_progress") == 1  # in the queue while it renders
        with pytest.raises(ReportUnavailable):
            await renderer.render("busy")
        renderer.finish.set()
        assert await rendering == b"%PDF"
        assert value("advisor_pdf_in_progress") == 0
        assert value("advisor_pdf_renders_total", outcome="ok") == ok + 1
        assert value("advisor_pdf_renders_total", outcome="refused") == refused + 1

    run_coroutine(scenario)
