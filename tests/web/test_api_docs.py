"""/docs renders the API in a real browser under the app's own Content-Security-Policy."""

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import screenshot


@pytest.mark.browser
def test_the_api_docs_render_every_operation_without_a_policy_violation(page, live_server):
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    outside = []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith(live_server.url) else None)
    page.goto(live_server.url + "/docs")
    page.wait_for_selector(".opblock", timeout=15_000)
    operations = page.locator(".opblock").count()
    paths = len(page.request.get(live_server.url + "/openapi.json").json()["paths"])
    screenshot(page, "api-docs")
    assert operations >= paths > 0
    assert violations == []
    assert outside == []


def test_docs_and_the_openapi_description_are_off_when_disabled(settings):
    with TestClient(create_app(settings.model_copy(update={"docs_enabled": False}))) as off:
        assert off.get("/docs").status_code == 404
        assert off.get("/openapi.json").status_code == 404
