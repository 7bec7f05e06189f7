"""The view link on a real server, where a repeat visit is answered from the page kept for the saved
version before any routing (app.web.share.KeptViewPages). In-process tests cannot reach that path: their
data sits in a transaction only the routes' sessions see. The kept page must never outlive a save, a
revoked link or a deleted assessment."""

import httpx
import pytest

from tests.security.live import Api
from tests.share.conftest import post_form


@pytest.fixture
def api(live_server):
    client = Api(live_server.url)
    yield client
    client.close()


@pytest.fixture
def colleague(live_server):
    with httpx.Client(base_url=live_server.url) as client:
        yield client


def _visit_twice(client: httpx.Client, path: str) -> str:
    """Render and keep the page, then get it from memory; both answers must be the same page."""
    first, second = client.get(path), client.get(path)
    assert first.status_code == second.status_code == 200
    assert first.text == second.text
    return second.text


def test_a_kept_view_page_shows_a_save_at_once(api, colleague):
    saved = api.created(api.create("Kept ticket triage", {"labeled_examples": 80}))
    assert "Kept ticket triage" in _visit_twice(colleague, f"/v/{saved.view_token}")
    headers = {"Authorization": f"Bearer {saved.edit_token}", "If-Match": f'"{saved.version}"'}
    renamed = api.http.patch(f"/api/v1/assessments/{saved.id}", json={"name": "Kept ticket routing"},
                             headers=headers)
    assert renamed.status_code == 200
    page = _visit_twice(colleague, f"/v/{saved.view_token}")
    assert "Kept ticket routing" in page and "Kept ticket triage" not in page


def test_a_kept_view_page_is_never_served_for_a_revoked_link(api, colleague, live_server):
    saved = api.created(api.create("Kept then revoked", {"labeled_examples": 80}))
    _visit_twice(colleague, f"/v/{saved.view_token}")
    with httpx.Client(base_url=live_server.url) as owner:
        assert post_form(owner, f"/e/{saved.edit_token}/share/view/revoke").status_code == 303
    gone = colleague.get(f"/v/{saved.view_token}")
    assert gone.status_code == 404 and "revoked" in gone.text.lower()


def test_a_kept_view_page_is_never_served_for_a_deleted_assessment(api, colleague, live_server):
    saved = api.created(api.create("Kept then deleted", {"labeled_examples": 80}))
    _visit_twice(colleague, f"/v/{saved.view_token}")
    with httpx.Client(base_url=live_server.url) as owner:
        assert post_form(owner, f"/e/{saved.edit_token}/delete").status_code == 303
    assert colleague.get(f"/v/{saved.view_token}").status_code == 404


def test_a_view_page_sets_no_cookie_and_holds_no_csrf_token(api, colleague):
    saved = api.created(api.create("Read-only page", {}))
    for _visit in range(2):
        page = colleague.get(f"/v/{saved.view_token}")
        assert page.status_code == 200
        assert "set-cookie" not in page.headers and "X-CSRF-Token" not in page.text
        assert page.headers["referrer-policy"] == "no-referrer"
        assert page.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
