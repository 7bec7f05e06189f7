"""In a real browser (R10, R11): the whole journey raises no Content-Security-Policy violation, and
another site cannot frame the app."""

import httpx
import pytest

from app.questionnaire import load_questionnaire

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
    assert {path: found for path, found in seen.items() if found} == {}
    assert [text for text in console if "Content Security Policy" in text] == []


def test_another_site_cannot_frame_the_app(page, live_server):
    page.set_content(f'<iframe id="victim" src="{live_server.url}/" width="600" height="400"></iframe>')
    page.wait_for_timeout(1500)
    frame = page.frame_locator("#victim")
    assert frame.locator("text=Prompt engineering, fine-tuning, or both?").count() == 0
