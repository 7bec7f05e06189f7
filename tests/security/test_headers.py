"""Every response carries the security headers: pages, errors (even a 500), static files and the API."""

import re

import pytest

from app.config import Settings
from app.main import create_app
from app.security.headers import CONTENT_SECURITY_POLICY
from tests.conftest import ROOT

EXPECTED = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}
TOKEN = "A" * 43


def _requests(client):
    yield "home page", client.get("/")
    yield "404 page", client.get("/no/such/page")
    yield "static css", client.get("/static/css/app.css")
    yield "static 404", client.get("/static/css/missing.css")
    yield "api json", client.post("/api/v1/recommendations", json={})
    yield "api 422", client.post("/api/v1/recommendations", json={"unknown_field": 1})
    yield "forced 500", client.get("/test-only/boom")
    yield "cross-site 403", client.post("/api/v1/recommendations", json={},
                                        headers={"Sec-Fetch-Site": "cross-site"})
    yield "405", client.post("/healthz")
    yield "healthz", client.get("/healthz")
    yield "token page 404", client.get(f"/v/{TOKEN}")


def test_every_kind_of_response_carries_the_security_headers(browser_client):
    seen = []
    for label, response in _requests(browser_client):
        seen.append((label, response.status_code))
        for name, value in EXPECTED.items():
            assert response.headers.get(name) == value, (label, name)
        assert response.headers["referrer-policy"] == "no-referrer", label
        assert "camera=()" in response.headers["permissions-policy"], label
        assert "strict-transport-security" not in response.headers, label
    statuses = {status for _, status in seen}
    assert {200, 403, 404, 405, 422, 500} <= statuses


def test_the_policy_allows_no_inline_script_no_eval_and_no_other_origin():
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["default-src"] == "'none'"
    sources = " ".join(directives.values()).split()
    assert set(sources) <= {"'self'", "'none'", "data:"}


def test_htmx_is_configured_to_match_the_policy():
    base = (ROOT / "templates" / "base.html").read_text()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', base).group(1)
    import json

    values = json.loads(config)
    assert values["allowEval"] is False
    assert values["allowScriptTags"] is False
    assert values["includeIndicatorStyles"] is False
    assert values["historyCacheSize"] == 0
    assert values["selfRequestsOnly"] is True


def test_pages_reached_by_a_token_leak_no_referrer_and_are_not_cached_or_indexed(client):
    response = client.get(f"/e/{TOKEN}/result")
    assert response.status_code == 404
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-robots-tag"] == "noindex, nofollow"


def test_hsts_is_sent_only_when_served_over_https(settings):
    from fastapi.testclient import TestClient

    https_settings = settings.model_copy(update={"https": True, "base_url": "https://testserver"})
    with TestClient(create_app(https_settings), base_url="https://testserver") as client:
        response = client.get("/")
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


def test_a_route_may_choose_its_own_referrer_policy(app, client):
    @app.get("/test-only/share")
    def share():
        from fastapi.responses import PlainTextResponse

        return PlainTextResponse("ok", headers={"Referrer-Policy": "strict-origin"})

    assert client.get("/test-only/share").headers["referrer-policy"] == "strict-origin"


@pytest.mark.parametrize("host", ["evil.example", "testserver.evil.example"])
def test_a_foreign_host_header_is_refused(client, host):
    response = client.get("/", headers={"Host": host})
    assert response.status_code == 400
    assert response.headers["x-frame-options"] == "DENY"


def test_the_default_trusted_hosts_follow_the_public_url():
    settings = Settings(base_url="https://advisor.example.com", secret_key="s" * 40)
    assert "advisor.example.com" in settings.trusted_hosts
    assert "evil.example" not in settings.trusted_hosts
