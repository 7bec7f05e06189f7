"""Sharing in headless Chromium: copy a link, revoke it in place, open the view link, axe-core."""

import httpx
import pytest

from tests.conftest import ROOT, screenshot
from tests.share.conftest import example_answers

pytestmark = pytest.mark.browser

AXE = ROOT / "tests" / "vendor" / "axe-core-4.11.0" / "axe.min.js"


def create(live_server, name: str) -> dict:
    body = {
        "name": name,
        "answers": example_answers("clinic-triage-hybrid"),
        "notes": {"labeled_examples": "Nurses reviewed 3,000 triage notes last quarter."},
    }
    response = httpx.post(f"{live_server.url}/api/v1/assessments", json=body)
    assert response.status_code == 201
    return response.json()


def local(url: str, live_server) -> str:
    """The app builds links from its configured base URL; the test server listens elsewhere."""
    return live_server.url + "/" + url.split("/", 3)[3]


@pytest.fixture
def audited_page(browser):
    """A page that may inject axe-core (the app's strict CSP would refuse the injected script)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    yield context.new_page()
    context.close()


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_copy_button_copies_the_link_and_revoke_swaps_in_place(browser, live_server):
    created = create(live_server, "Clinic triage")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(local(created["edit_url"], live_server) + "/share")
    view_field = page.locator("#view-link-url")
    page.get_by_role("button", name="Copy").first.click()
    page.wait_for_function("document.getElementById('view-copy-status').textContent.includes('Copied')")
    assert page.evaluate("navigator.clipboard.readText()") == view_field.input_value()
    screenshot(page, "share-links")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke view link").click()
    page.wait_for_selector("text=This link was revoked")
    assert page.url.endswith("/share")  # swapped in place, no navigation
    assert httpx.get(local(created["view_url"], live_server)).status_code == 404
    assert violations == []
    context.close()


def test_without_javascript_the_links_are_selectable_and_forms_still_work(page_without_js, live_server):
    page = page_without_js
    created = create(live_server, "No scripts")
    page.goto(local(created["edit_url"], live_server) + "/share")
    assert page.locator("#view-link-url").input_value() == created["view_url"]
    assert not page.get_by_role("button", name="Copy").first.is_visible()  # nothing to copy with
    screenshot(page, "share-links-no-js")
    page.get_by_role("button", name="Renew view link").click()
    assert "was renewed" in page.content()
    assert page.locator("#view-link-url").input_value() != created["view_url"]
    screenshot(page, "share-link-renewed-no-js")


def test_share_view_and_import_pages_pass_axe(audited_page, live_server):
    page = audited_page
    created = create(live_server, "Audited")
    problems = {}
    for name, url in (
        ("share", local(created["edit_url"], live_server) + "/share"),
        ("view", local(created["view_url"], live_server)),
        ("import", local(created["workspace_url"], live_server) + "/import"),
    ):
        page.goto(url)
        screenshot(page, f"axe-{name}")
        problems[name] = serious_violations(page)
    assert problems == {"share": [], "view": [], "import": []}
