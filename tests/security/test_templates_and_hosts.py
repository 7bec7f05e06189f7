"""Templates escape everything (R03, R11); share links ignore a forged Host (R12); tokens are not stored
in plaintext (R14); PDF rendering is rate-limited per client (R31)."""

import re

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import ROOT

TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_every_template_is_autoescaped_and_has_no_inline_script_style_or_handler(app, template):
    name = str(template.relative_to(ROOT / "templates"))
    env = app.state.templates.env
    assert env.autoescape is True or env.autoescape(name)
    source = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source), "inline <script>"
    assert "style=" not in source and "<style" not in source, "inline style"
    assert not re.search(r"\son[a-z]+\s*=", source), "on*= handler"
    assert "hx-on" not in source
    # |safe is only for markup the app built itself; never straight on a name, note or answer.
    assert not re.search(r"\b(name|note|notes|answer|answers|label)\s*\|\s*safe", source)


def test_share_links_use_the_configured_origin_whatever_host_the_request_claims(client):
    forged = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https",
              "Forwarded": "host=evil.example"}
    response = client.post("/api/v1/assessments", json={"name": "Host check"}, headers=forged)
    assert response.status_code == 201
    body = response.json()
    for key in ("view_url", "edit_url", "workspace_url"):
        assert body[key].startswith("http://testserver/"), body[key]
    foreign_host = client.post("/api/v1/assessments", json={"name": "x"}, headers={"Host": "evil.example"})
    assert foreign_host.status_code == 400


def test_the_database_file_holds_no_link_token(tmp_path):
    from app import migrate
    from app.config import Settings

    url = f"sqlite:///{tmp_path / 'raw.db'}"
    migrate.upgrade(url)
    settings = Settings(database_url=url, secret_key="k" * 50, secret_key_file=tmp_path / "k",
                        base_url="http://testserver")
    with TestClient(create_app(settings)) as client:
        body = client.post("/api/v1/assessments", json={"name": "Raw bytes"}).json()
        tokens = [body[key].rsplit("/", 1)[-1] for key in ("view_url", "edit_url", "workspace_url")]
        assert client.get(body["view_url"].removeprefix("http://testserver")).status_code == 200
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("raw.db*"))
    for token in tokens:
        assert token.encode() not in raw


def test_pdf_reports_are_rate_limited_per_client(settings, connection, app):
    strict = create_app(settings.model_copy(update={"rate_limit_pdf_per_minute": 1}))
    strict.dependency_overrides = app.dependency_overrides
    with TestClient(strict) as client:
        body = client.post("/api/v1/assessments", json={"name": "PDF"}).json()
        pdf = body["view_url"].removeprefix("http://testserver") + "/report.pdf"
        assert client.get(pdf).status_code == 200
        refused = client.get(pdf)
    strict.state.engine.dispose()
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
