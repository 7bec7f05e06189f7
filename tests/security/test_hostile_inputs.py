"""Issue 17, findings 4, 5 and 8 and R12: hostile imports, the cacheable create response, API
timestamps, and the hosts production trusts."""

from datetime import datetime
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from app import migrate
from app.config import Settings
from app.main import create_app
from app.reports.export import EXPORT_FORMAT
from app.web.exports import read_import
from tests.conftest import csrf_token_for

API = "/api/v1/assessments"
DEEP = b"[" * 3000 + b"]" * 3000
HUGE_INTEGER = b'{"format": "' + EXPORT_FORMAT.encode() + b'", "n": ' + b"9" * 5000 + b"}"
DEEP_IN_A_FIELD = (b'{"format": "' + EXPORT_FORMAT.encode() + b'", "name": "x", "answers": {"budget": '
                   + DEEP + b"}}")
HOSTILE = {"nested 3,000 levels": DEEP, "an integer of 5,000 digits": HUGE_INTEGER,
           "nested 3,000 levels inside a field": DEEP_IN_A_FIELD}


class Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def page_text(html: str) -> str:
    parser = Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.mark.parametrize("content", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_import_file_is_refused_with_a_message_not_a_500(client, content):
    home = client.post(API, json={"name": "Home", "answers": {}}).json()
    workspace = home["workspace_url"].rsplit("/", 1)[1]
    response = client.post(f"/w/{workspace}/import", data={"csrf_token": csrf_token_for(client, "/")},
                           files={"file": ("export.json", content, "application/json")})
    assert response.status_code == 422
    text = page_text(response.text)
    assert "This file is not JSON" in text or "not an assessment exported from this app" in text


@pytest.mark.parametrize("content", HOSTILE.values(), ids=HOSTILE.keys())
def test_reading_a_hostile_import_gives_reasons_not_an_exception(content):
    imported, problems = read_import(content)
    assert imported is None and problems


@pytest.mark.parametrize("content", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("path", [API, "/api/v1/recommendations"])
def test_a_hostile_api_body_gets_400_not_a_500(client, path, content):
    response = client.post(path, content=content, headers={"Content-Type": "application/json"})
    assert response.status_code in (400, 422)


def test_the_create_response_with_its_three_links_is_never_cached_nor_indexed(client):
    response = client.post(API, json={"name": "Support bot", "answers": {}})
    assert response.status_code == 201
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-robots-tag"] == "noindex, nofollow"


def test_api_timestamps_carry_their_time_zone(client):
    created = client.post(API, json={"name": "Support bot", "answers": {}})
    token = created.json()["view_url"].rsplit("/", 1)[1]
    read = client.get(f"{API}/{created.json()['id']}", headers={"Authorization": f"Bearer {token}"})
    for body in (created.json(), read.json()):
        for field in ("created_at", "updated_at"):
            assert datetime.fromisoformat(body[field]).tzinfo is not None, body[field]


# --- R12: production settings trust only their own host -------------------------------------------


def test_production_settings_do_not_trust_the_test_clients_host(tmp_path):
    production = Settings(base_url="https://advisor.example.com", secret_key="s" * 40,
                          secret_key_file=tmp_path / "unused.key",
                          database_url=f"sqlite:///{tmp_path / 'p.db'}")
    assert "testserver" not in production.trusted_hosts
    migrate.upgrade(production.database_url)
    app = create_app(production)
    try:
        with TestClient(app, base_url="https://advisor.example.com") as browser:
            assert browser.get("/").status_code == 200
            assert browser.get("/", headers={"Host": "testserver"}).status_code == 400
    finally:
        app.state.engine.dispose()
