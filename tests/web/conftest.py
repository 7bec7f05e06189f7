"""Fixtures for the wizard and result pages: a team walking the wizard through the app's own forms."""

import re
import uuid
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from app import migrate
from app.main import create_app
from app.questionnaire import load_questionnaire
from tests.conftest import csrf_token_for, drop_test_database, make_test_database
from tests.factories import HTMX  # noqa: F401 - the web tests import it from here

EDIT_PATH = re.compile(r"/e/([A-Za-z0-9_-]{43})")


def valid_value(question) -> str:
    """An answer the questionnaire accepts, as a form would send it."""
    if question.type == "yesno":
        return "yes"
    if question.type == "choice":
        return str(question.choices[0].value)
    low = question.min if question.min is not None else 0
    high = question.max if question.max is not None else 10_000
    return str(int(min(max(1000, low), high)))


def filled(section, **overrides) -> dict:
    form = {q.id: valid_value(q) for q in section.questions}
    return form | {key: str(value) for key, value in overrides.items()}


def number_question():
    """The first number question of the first section that has one: (section, question)."""
    for section in load_questionnaire().sections:
        for question in section.questions:
            if question.type == "number" and not question.show_if:
                return section, question
    raise AssertionError("the questionnaire has no number question")


class Walker:
    """A browser-like client going through the wizard with the forms' own hidden fields."""

    def __init__(self, client: TestClient):
        self.client = client
        self.csrf = csrf_token_for(client, "/new")
        self.sections = load_questionnaire().sections

    def start(self, name="Support bot", workspace_token=None, key=None, **answers):
        # A fresh key per call, as a browser gets with each /new page: one key sent again with other
        # content is refused (issue 17), so only a double submit passes the same key on purpose.
        key = key or uuid.uuid4().hex
        path = f"/w/{workspace_token}/new" if workspace_token else "/new"
        form = filled(self.sections[0], **answers) | {
            "name": name, "csrf_token": self.csrf, "idempotency_key": key, "action": "next"}
        return self.client.post(path, data=form, follow_redirects=False)

    def edit_token(self, response) -> str:
        location = response.headers.get("location") or response.headers.get("hx-push-url")
        return EDIT_PATH.search(location).group(1)

    def version(self, edit_token: str, section_id: str) -> str:
        html = self.client.get(f"/e/{edit_token}/step/{section_id}").text
        return re.search(r'name="version"[^>]*value="(\d+)"', html).group(1)

    def post_step(self, edit_token, section, form, version=None, action="next", headers=None):
        version = version or self.version(edit_token, section.id)
        data = form | {"csrf_token": self.csrf, "version": version, "action": action}
        return self.client.post(f"/e/{edit_token}/step/{section.id}", data=data, headers=headers,
                                follow_redirects=False)

    def complete(self, **overrides) -> str:
        """Every step answered; returns the edit token."""
        token = self.edit_token(self.start())
        for section in self.sections[1:]:
            own = {k: v for k, v in overrides.items() if any(q.id == k for q in section.questions)}
            response = self.post_step(token, section, filled(section, **own))
            assert response.status_code == 303, response.text
        return token


def path_of(response) -> str:
    return urlsplit(response.headers["location"]).path


@pytest.fixture
def team(client) -> Walker:
    return Walker(client)


@pytest.fixture
def own_database(settings, tmp_path):
    """The app on a database of its own (a SQLite file, or a PostgreSQL database made for the test), with
    its own sessions: no test transaction to join, so its engines, statements and locks are the real ones.
    Gives the app and a Walker."""
    url = make_test_database(tmp_path, "own")
    migrate.upgrade(url)
    app = create_app(settings.model_copy(update={"database_url": url}))
    try:
        with TestClient(app, base_url="http://testserver") as client:
            yield app, Walker(client)
    finally:
        app.state.engine.dispose()
        drop_test_database(url)
