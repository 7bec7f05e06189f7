"""In a real browser (R05, R10, R11): the whole journey raises no Content-Security-Policy violation,
another site cannot frame the app, and an edit page leaves nothing of itself in browser storage."""

import json
import re

import httpx
import pytest
from playwright.sync_api import expect

from app.questionnaire import load_questionnaire
from tests.conftest import EXAMPLES, screenshot

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '')));
"""

def _violations(page) -> list[str]:
    return page.evaluate("window.__csp || []")


def test_the_journey_raises_no_csp_violation(page, live_server):
    api = httpx.Client(base_url=live_server.url, timeout=60)
    first = api.post("/api/v1/assessments", json={"name": "CSP one", "answers": {"task_type": "code"}}).json()
    workspace = first["workspace_url"].rsplit("/", 1)[-1]
    second = api.post("/api/v1/assessments", json={"name": "CSP two", "workspace": workspace}).json()
    api.close()
    edit = first["edit_url"].rsplit("/", 1)[-1]
    pages = ["/", "/new", f"/e/{edit}/result", f"/e/{edit}/share", f"/e/{edit}/history",
             first["view_url"], first["workspace_url"],
             f"/w/{workspace}/compare?a={first['id']}&a={second['id']}"]
    pages += [f"/e/{edit}/step/{section.id}" for section in load_questionnaire().sections]
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)
    seen = {}
    for path in pages:
        response = page.goto(path if path.startswith("http") else live_server.url + path)
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")
        seen[path] = _violations(page)
    # One htmx round trip: saving a step swaps the next one in.
    page.goto(f"{live_server.url}/e/{edit}/step/{load_questionnaire().sections[0].id}")
    page.locator("button[name=action][value=next]").first.click()
    page.wait_for_load_state("networkidle")
    seen["after an htmx save"] = _violations(page)
    screenshot(page, "csp-journey-after-htmx-save")
    assert {path: found for path, found in seen.items() if found} == {}
    assert [text for text in console if "Content Security Policy" in text] == []


def test_another_site_cannot_frame_the_app(page, live_server):
    page.set_content(f'<iframe id="victim" src="{live_server.url}/" width="600" height="400"></iframe>')
    page.wait_for_timeout(1500)
    screenshot(page, "framed-by-another-site")  # the frame stays empty
    frame = page.frame_locator("#victim")
    assert frame.locator("text=Prompt engineering, fine-tuning, or both?").count() == 0


STORAGE = """() => JSON.stringify({
  local: Object.fromEntries(Object.entries(localStorage)),
  session: Object.fromEntries(Object.entries(sessionStorage)),
})"""


def assert_nothing_of_the_page_is_stored(page, edit_token: str) -> None:
    stored = json.loads(page.evaluate(STORAGE))
    here = page.evaluate("location.pathname + location.search")
    # htmx 2.0.11 writes the tab's own address under this key on every page load, with no setting to
    # stop it: it may hold what the address bar shows and nothing more.
    assert stored["session"].pop("htmx-current-path-for-history", here) == here
    assert "htmx-history-cache" not in stored["session"] | stored["local"]
    assert edit_token not in json.dumps(stored)


def test_an_edit_page_leaves_neither_htmx_history_nor_its_link_in_browser_storage(page, live_server):
    """htmx keeps a copy of each page it swaps away from in sessionStorage unless historyCacheSize is 0:
    on a shared computer the edit link (in the page, in its forms) would outlive the tab's history."""
    answers = json.loads((EXAMPLES / "legal-assistant.json").read_text())["answers"]
    created = httpx.post(live_server.url + "/api/v1/assessments", json={"name": "Kept?", "answers": answers})
    edit = created.json()["edit_url"].rsplit("/", 1)[-1]
    first, second, third = (section.id for section in load_questionnaire().sections[:3])
    page.goto(f"{live_server.url}/e/{edit}/step/{first}")
    for following in (second, third):  # htmx swaps the next step in and pushes its URL
        page.locator("button[name=action][value=next]").first.click()
        page.wait_for_url(re.compile(f"/step/{following}$"))
        expect(page.locator(".htmx-request")).to_have_count(0)
    assert_nothing_of_the_page_is_stored(page, edit)
    page.evaluate("window.beforeGoingBack = true")
    page.go_back()  # nothing cached: htmx reloads the step from the server (refreshOnHistoryMiss)
    page.wait_for_function("() => !window.beforeGoingBack && document.readyState === 'complete'")
    expect(page.locator("h1#step-title")).to_have_text(load_questionnaire().sections[1].title)
    screenshot(page, "edit-page-after-going-back")
    assert_nothing_of_the_page_is_stored(page, edit)
