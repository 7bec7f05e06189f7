"""Rotating ADVISOR_SECRET_KEY with the old key in ADVISOR_SECRET_KEY_FALLBACKS keeps every link working
and shown correctly until it is renewed; without the fallback the app shows links that open nothing."""

import json

from fastapi.testclient import TestClient

from app import migrate
from app.config import Settings
from app.main import create_app
from tests.conftest import EXAMPLES

OLD, NEW = "old-secret-" + "o" * 40, "new-secret-" + "n" * 40


def _client(tmp_path, url: str, secret: str, fallbacks: list[str] = ()) -> TestClient:
    settings = Settings(database_url=url, secret_key=secret, secret_key_fallbacks=list(fallbacks),
                        secret_key_file=tmp_path / "unused.key", base_url="http://testserver")
    return TestClient(create_app(settings), base_url="http://testserver")


def _token(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def _read(client: TestClient, created: dict, url_key: str):
    return client.get(f"/api/v1/assessments/{created['id']}",
                      headers={"Authorization": f"Bearer {_token(created[url_key])}"})


def _create(tmp_path):
    url = f"sqlite:///{tmp_path / 'rotate.db'}"
    migrate.upgrade(url)
    answers = json.loads((EXAMPLES / "legal-assistant.json").read_text())["answers"]
    with _client(tmp_path, url, OLD) as before:
        created = before.post("/api/v1/assessments", json={"name": "Rotated", "answers": answers}).json()
    return url, created


def test_after_a_rotation_with_the_old_key_as_fallback_links_open_and_are_shown_as_they_were(tmp_path):
    url, created = _create(tmp_path)
    with _client(tmp_path, url, NEW, [OLD]) as after:
        shown = _read(after, created, "edit_url")
        assert shown.status_code == 200
        # The links the app shows now are the ones people already hold.
        assert shown.json()["edit_url"] == created["edit_url"]
        assert shown.json()["view_url"] == created["view_url"]
        workspace = after.get("/w/" + _token(created["workspace_url"]))
        assert workspace.status_code == 200 and _token(created["edit_url"]) in workspace.text


def test_without_the_fallback_the_shown_links_are_not_the_ones_people_hold(tmp_path):
    url, created = _create(tmp_path)
    with _client(tmp_path, url, NEW) as after:
        shown = _read(after, created, "edit_url")
        assert shown.status_code == 200  # the held token still finds its row by hash
        assert shown.json()["edit_url"] != created["edit_url"]  # but the app shows a link that opens nothing
