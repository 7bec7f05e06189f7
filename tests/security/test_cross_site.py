"""Cross-site requests change nothing (R07, R08): every state-changing HTML route refuses a POST without
a valid CSRF token, or from another origin, with 403, and the database stays as it was. A GET or HEAD
(a link, a prefetch, an image tag on another site) to a state-changing route changes nothing (R09)."""

import pytest
from fastapi import APIRouter, Depends
from sqlalchemy import text

from app import assessments as store
from app.models import Assessment, IdempotencyKey, Revision, ShareLink, Workspace
from app.questionnaire import load_questionnaire
from app.security.csrf import require_csrf
from tests.conftest import TEST_SECRET, csrf_token_for
from tests.security.routes import UNSAFE_METHODS, app_routes, fill_path, state_changing_html_routes

ROUTES = state_changing_html_routes()
EVIL = "https://evil.example"


@pytest.fixture
def victim(session):
    """A workspace with one assessment, and every token a route path can name."""
    secret = TEST_SECRET.encode()
    workspace, workspace_token = store.create_workspace(session=session, secret=secret)
    assessment = store.create_assessment(session=session, secret=secret, workspace=workspace,
                                         name="Support bot", answers={})
    links = store.links_of(assessment, session=session)
    session.commit()
    return {
        "workspace_token": workspace_token,
        "edit_token": store.link_token(links["edit"], secret),
        "view_token": store.link_token(links["view"], secret),
        "token": store.link_token(links["edit"], secret),
        "assessment_id": assessment.id,
        "section_id": load_questionnaire().sections[0].id,
        "kind": "view",
        "action": "revoke",
        "number": "1",
    }


def snapshot(session) -> list:
    """Everything a write could change: row counts, versions, names, link state."""
    rows = []
    for model in (Workspace, Assessment, Revision, ShareLink, IdempotencyKey):
        rows.append(session.execute(text(f"SELECT count(*) FROM {model.__tablename__}")).scalar())
    rows += session.execute(text(
        "SELECT id, name, version, status, deleted_at, updated_at FROM assessment ORDER BY id")).all()
    links = f"SELECT token_hash, revoked_at, expires_at FROM {ShareLink.__tablename__} ORDER BY token_hash"
    rows += session.execute(text(links)).all()
    rows += session.execute(text("SELECT token_hash FROM workspace ORDER BY token_hash")).all()
    return rows


FORM = {"name": "Hijacked", "task_type": "classification", "expires": "", "confirm": "yes"}
ATTACKS = {
    "no token": lambda token: ({}, {}),
    "token minted for another browser": lambda token: ({"csrf_token": "f" * 64}, {}),
    "valid token, foreign Origin": lambda token: ({"csrf_token": token}, {"Origin": EVIL}),
    "valid token, Sec-Fetch-Site cross-site": lambda token: (
        {"csrf_token": token}, {"Sec-Fetch-Site": "cross-site"}),
    "valid token, Origin null": lambda token: ({"csrf_token": token}, {"Origin": "null"}),
}


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_a_cross_site_request_to_a_state_changing_route_is_refused_and_changes_nothing(
    client, session, victim, method, path, attack
):
    token = csrf_token_for(client, "/")
    extra_form, headers = ATTACKS[attack](token)
    before = snapshot(session)
    response = client.request(method, fill_path(path, victim), data={**FORM, **extra_form}, headers=headers,
                              follow_redirects=False)
    assert response.status_code == 403, response.text[:300]
    assert "<html" in response.text.lower()
    assert snapshot(session) == before


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_the_same_request_from_the_app_itself_is_not_refused(client, victim, method, path):
    """The control for the test above: its 403s come from the attack, not from the route."""
    token = csrf_token_for(client, "/")
    response = client.request(method, fill_path(path, victim), data={**FORM, "csrf_token": token},
                              headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
                              follow_redirects=False)
    assert response.status_code != 403, response.text[:300]


# Every path a state-changing route serves (HTML and API).
UNSAFE_PATHS = sorted({path for path, methods in app_routes() if methods & UNSAFE_METHODS})
# The only ones where GET has a page of its own: the form that the POST sends, or the resource read.
# Any other state-changing path must refuse GET; a new page here is a decision, made by adding it.
FORM_PAGES = {
    "/new", "/w/{workspace_token}/new", "/w/{workspace_token}/import", "/e/{edit_token}/step/{section_id}",
    "/e/{edit_token}/delete", "/api/v1/assessments/{assessment_id}",
}


@pytest.mark.parametrize("path", UNSAFE_PATHS)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_get_or_head_to_a_state_changing_route_changes_nothing(client, session, victim, method, path):
    """With every token valid, so nothing is refused for a wrong link: only the method protects."""
    before = snapshot(session)
    response = client.request(method, fill_path(path, victim), follow_redirects=False,
                              headers={"Authorization": f"Bearer {victim['edit_token']}"})
    session.expire_all()
    assert snapshot(session) == before
    if path not in FORM_PAGES:  # no page lives here: the method is refused outright
        assert response.status_code == 405, (method, path, response.status_code)
        assert "GET" not in response.headers["allow"]
    elif method == "GET":
        assert response.status_code in (200, 303), (path, response.status_code)


def test_the_form_token_and_the_header_token_are_both_accepted(app, client):
    router = APIRouter(dependencies=[Depends(require_csrf)])

    @router.post("/test-only/echo")
    def echo():
        return {"ok": True}

    app.include_router(router)
    token = csrf_token_for(client, "/")
    assert client.post("/test-only/echo", data={"csrf_token": token}).status_code == 200
    assert client.post("/test-only/echo", headers={"X-CSRF-Token": token}).status_code == 200
    same_origin = {"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver", "X-CSRF-Token": token}
    assert client.post("/test-only/echo", headers=same_origin).status_code == 200
    assert client.post("/test-only/echo", data={"csrf_token": token + "0"}).status_code == 403


def test_the_csrf_cookie_is_http_only_and_same_site(client):
    response = client.get("/")
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "path=/" in cookie


def test_api_bodies_that_a_cross_site_form_could_send_are_refused_unprocessed(client):
    response = client.post("/api/v1/recommendations", content=b'{"task_type": "classification"}',
                           headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]
    response = client.post("/api/v1/recommendations", data={"task_type": "classification"})
    assert response.status_code == 415


def test_api_json_from_a_script_without_browser_headers_is_accepted(client):
    assert client.post("/api/v1/recommendations", json={}).status_code == 200
    same_origin = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    assert client.post("/api/v1/recommendations", json={}, headers=same_origin).status_code == 200


@pytest.mark.parametrize("headers", [{"Origin": EVIL}, {"Sec-Fetch-Site": "cross-site"},
                                     {"Sec-Fetch-Site": "same-site"}, {"Origin": "http://testserver.evil.example"}])
def test_api_json_sent_by_a_browser_on_another_site_is_refused(client, headers):
    response = client.post("/api/v1/recommendations", json={}, headers=headers)
    assert response.status_code == 403
    assert response.json()["detail"].startswith("Cross-site request refused")
