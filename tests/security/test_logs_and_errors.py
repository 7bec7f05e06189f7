"""Tokens never appear in logs (R18); errors never leak internals (R32); GET never changes state (R09)."""

import logging
import time

import httpx
from sqlalchemy import text

from app import assessments as store
from app.models import Assessment, Revision, ShareLink, Workspace
from app.questionnaire import load_questionnaire
from app.security.logs import RedactTokens
from tests.conftest import TEST_SECRET
from tests.security.live import token_of, wizard_form
from tests.security.routes import app_routes, fill_path


def _uvicorn_access_record(path: str) -> logging.LogRecord:
    # The shape uvicorn's access logger uses: a format string and (client, method, path, version, status).
    return logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                             ("127.0.0.1:5000", "GET", path, "1.1", 200), None)


def test_the_access_log_masks_link_tokens():
    token = "Ab3_" + "x" * 39
    record = _uvicorn_access_record(f"/v/{token}/report.pdf?x=1")
    RedactTokens().filter(record)
    line = record.getMessage()
    assert token not in line
    assert "/v/***/report.pdf" in line


def test_a_served_app_logs_each_visit_to_a_link_without_its_token(served):
    """As `advisor serve` runs it: uvicorn at info level, access log on. In-process clients write no
    access log at all, so only a real server shows what lands in it."""
    with httpx.Client(base_url=served.url, timeout=60) as browser:
        body = browser.post("/api/v1/assessments", json={"name": "Logged", "answers": {}}).json()
        edit, view, workspace = (token_of(body[key]) for key in ("edit_url", "view_url", "workspace_url"))
        first = load_questionnaire().sections[0].id
        visits = [f"/v/{view}", f"/e/{edit}", f"/e/{edit}/step/{first}", f"/e/{edit}/result",
                  f"/e/{edit}/share", f"/e/{edit}/history", f"/w/{workspace}", f"/w/{workspace}/export.csv"]
        statuses = {path: browser.get(path).status_code for path in visits}
        form = wizard_form(browser.get(f"/e/{edit}/step/{first}").text)
        autosave = browser.post(f"/e/{edit}/step/{first}", data=form["fields"] | {"action": "autosave"},
                                headers={"HX-Request": "true"})
        unknown = "Q" * 43
        missing = browser.get(f"/e/{unknown}/result")
    assert set(statuses.values()) <= {200, 303}, statuses  # /e/{token} sends on to the step reached
    assert autosave.status_code == 200 and missing.status_code == 404
    log = served.log_text()
    deadline = time.monotonic() + 10
    while '/result HTTP/1.1" 404' not in log and time.monotonic() < deadline:
        time.sleep(0.1)  # the last line may still be on its way to the file
        log = served.log_text()
    assert '"GET /v/' in log and '"POST /e/' in log, "no access log: this test would see no token"
    for token in (edit, view, workspace, unknown):
        assert token not in log
    assert '"GET /v/*** HTTP/1.1" 200' in log  # masked, still saying which page was visited


def test_the_filter_is_on_uvicorns_and_the_apps_loggers(app):
    for name in ("uvicorn.access", "uvicorn.error", "advisor"):
        assert any(isinstance(f, RedactTokens) for f in logging.getLogger(name).filters), name


def test_a_500_on_a_token_page_logs_an_id_but_no_token_and_shows_no_internals(failing_app, browser_client,
                                                                            caplog):
    token = "T" * 43

    @failing_app.get("/v/{view_token}/test-only-boom")
    def boom(view_token: str):
        raise RuntimeError(f"failed for {view_token} at /srv/app/secret.py: SELECT * FROM assessment")

    with caplog.at_level(logging.ERROR, logger="advisor"):
        response = browser_client.get(f"/v/{token}/test-only-boom")
    assert response.status_code == 500
    for leak in ("Traceback", "SELECT", "secret.py", token):
        assert leak not in response.text
    logged = "\n".join(r.getMessage() + (caplog.text or "") for r in caplog.records)
    assert token not in logged
    error_id = next(r for r in caplog.records if "unhandled error" in r.getMessage()).args[0]
    assert error_id in response.text


def _state(session) -> list:
    rows = []
    for model in (Workspace, Assessment, Revision, ShareLink):
        rows.append(session.execute(text(f"SELECT count(*) FROM {model.__tablename__}")).scalar())
    for query in ("SELECT id, version, updated_at, deleted_at FROM assessment ORDER BY id",
                  f"SELECT id, token_hash, revoked_at FROM {ShareLink.__tablename__} ORDER BY id"):
        rows += session.execute(text(query)).all()
    return rows


def test_get_requests_change_nothing(client, session):
    secret = TEST_SECRET.encode()
    workspace, workspace_token = store.create_workspace(session=session, secret=secret)
    assessments = [store.create_assessment(session=session, secret=secret, workspace=workspace, name=f"A{i}",
                                           answers={"task_type": "classification"}) for i in range(2)]
    links = store.links_of(assessments[0], session=session)
    session.commit()
    values = {
        "workspace_token": workspace_token,
        "edit_token": store.link_token(links["edit"], secret),
        "view_token": store.link_token(links["view"], secret),
        "assessment_id": assessments[0].id,
        "section_id": "task",
        "number": "1",
    }
    pages = sorted(fill_path(path, values) for path, methods in app_routes()
                   if "GET" in methods and not path.startswith(("/static", "/docs", "/openapi"))
                   and not path.endswith(".pdf"))
    before = _state(session)
    statuses = {}
    for page in pages:
        for _ in range(2):
            statuses[page] = client.get(page, follow_redirects=False).status_code
    session.expire_all()
    assert _state(session) == before
    assert sum(1 for status in statuses.values() if status == 200) >= len(pages) // 2, statuses
