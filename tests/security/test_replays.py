"""Issue 17, finding 1: an idempotency key never hands out an assessment's links to someone else.

The attack: a second browser posting `/new` with the first one's `idempotency_key` (and any name) was
sent to the first assessment's edit link; on the API, key plus name, answers and notes (all shown to a
view-link holder) returned `edit_url` and `workspace_url`, even after the owner renewed or revoked them.
Keys are now scoped to the workspace named and the content, expire after 24 hours, and a replay never
answers with links once they were renewed or revoked.
"""

import uuid
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import select

from app.models import Assessment, IdempotencyKey, utcnow
from tests.conftest import csrf_token_for
from tests.web.conftest import EDIT_PATH, Walker

API = "/api/v1/assessments"
ANSWERS = {"task_type": "classification", "labeled_examples": 300, "budget": "low"}
BODY = {"name": "Support bot", "answers": ANSWERS, "notes": {"budget": "Ask finance in May."}}


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def api_create(client, body=BODY, key=None):
    return client.post(API, json=body, headers={"Idempotency-Key": key} if key else {})


def count(session, model) -> int:
    session.expire_all()
    return len(session.exec(select(model)).all())


@pytest.fixture
def stranger(app):
    """Another browser on the same server: its own cookies, no link of the victim's."""
    with TestClient(app, base_url="http://testserver") as other:
        yield other


def post_form(client, path: str) -> int:
    form = {"csrf_token": csrf_token_for(client, "/")}
    return client.post(path, data=form, follow_redirects=False).status_code


def no_secret_of(response, *secrets: str) -> None:
    where = response.text + " ".join(response.headers.values())
    for secret in secrets:
        assert secret not in where


# --- the web path -------------------------------------------------------------------------------


def test_a_second_browser_sending_the_first_ones_form_key_with_another_name_learns_no_link(client, stranger):
    owner, intruder = Walker(client), Walker(stranger)
    key = uuid.uuid4().hex
    first = owner.start(name="Our secret project", key=key)
    assert first.status_code == 303
    owners_edit = owner.edit_token(first)
    answered = intruder.start(name="Anything at all", key=key)
    assert answered.status_code == 409
    assert not EDIT_PATH.search(answered.headers.get("location", "") + answered.text)
    no_secret_of(answered, owners_edit, "Our secret project")


def test_the_same_form_sent_into_another_workspace_makes_its_own_assessment(client):
    team = Walker(client)
    key = uuid.uuid4().hex
    first = team.edit_token(team.start(key=key))
    ours = api_create(client)  # a workspace of our own, to send the same form into
    other_workspace = token_of(ours.json()["workspace_url"])
    second = team.start(key=key, workspace_token=other_workspace)
    assert second.status_code == 303
    assert team.edit_token(second) != first


def test_a_double_submitted_first_step_replays_only_while_its_links_are_unchanged(client, stranger):
    team = Walker(client)
    key = uuid.uuid4().hex
    edit = team.edit_token(team.start(key=key))
    assert team.edit_token(team.start(key=key)) == edit  # the double click: one assessment
    renewed = client.post(f"/e/{edit}/share/edit/renew", data={"csrf_token": team.csrf},
                          follow_redirects=False)
    assert renewed.status_code == 303
    new_edit = EDIT_PATH.search(renewed.headers["location"]).group(1)
    # Whoever sends the very same form now (the owner's old tab, or someone who copied it) learns nothing.
    replay = Walker(stranger).start(key=key)
    assert replay.status_code == 409
    no_secret_of(replay, new_edit, edit)


# --- the API path -------------------------------------------------------------------------------


CHANGES = ["renew edit", "revoke edit", "renew view", "revoke view", "renew workspace", "delete assessment"]


@pytest.mark.parametrize("change", CHANGES)
def test_an_api_replay_after_the_owner_renewed_or_revoked_a_link_gets_409_and_no_link(client, change):
    key = str(uuid.uuid4())
    first = api_create(client, key=key).json()
    edit, workspace = token_of(first["edit_url"]), token_of(first["workspace_url"])
    action, kind = change.split()
    if kind == "workspace":
        assert post_form(client, f"/w/{workspace}/renew-link") == 200
    elif action == "delete":
        assert post_form(client, f"/e/{edit}/delete") == 303
    else:
        assert post_form(client, f"/e/{edit}/share/{kind}/{action}") in (200, 303)
    replay = api_create(client, key=key)
    assert replay.status_code == 409
    assert "renewed or revoked" in replay.json()["detail"]
    assert set(replay.json()) == {"type", "title", "status", "detail"}  # no link, not even the old ones


def test_an_api_replay_of_an_untouched_create_returns_the_same_assessment(client):
    key = str(uuid.uuid4())
    first, again = api_create(client, key=key), api_create(client, key=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()


def test_a_key_sent_without_a_workspace_does_not_replay_a_create_made_in_a_workspace(client, session):
    home = api_create(client).json()
    key = str(uuid.uuid4())
    inside = api_create(client, BODY | {"workspace": token_of(home["workspace_url"])}, key=key)
    outside = api_create(client, key=key)
    assert inside.status_code == outside.status_code == 201
    assert outside.json()["id"] != inside.json()["id"]
    assert outside.json()["workspace_url"] != inside.json()["workspace_url"]


def test_a_key_older_than_a_day_is_forgotten_and_makes_a_new_assessment(client, session):
    key = str(uuid.uuid4())
    first = api_create(client, key=key).json()
    session.execute(update(IdempotencyKey).values(created_at=utcnow() - timedelta(hours=24, seconds=1)))
    session.commit()
    later = api_create(client, key=key)
    assert later.status_code == 201
    assert later.json()["id"] != first["id"]
    assert token_of(later.json()["edit_url"]) != token_of(first["edit_url"])
    assert api_create(client, key=key).json()["id"] == later.json()["id"]  # the key counts again, once
    assert count(session, IdempotencyKey) == 1


def test_the_database_holds_no_client_key_in_the_clear(client, session):
    key = "client-key-" + uuid.uuid4().hex
    api_create(client, key=key)
    session.expire_all()
    assert [row.key for row in session.exec(select(IdempotencyKey)) if key in row.key] == []
    assert count(session, Assessment) >= 1


class TestGuessing:
    """Trying keys costs the same as creating: refusals count towards the create limit."""

    LIMIT = 3

    @pytest.fixture
    def settings(self, settings):
        return settings.model_copy(update={"rate_limit_create_per_minute": self.LIMIT})

    def test_guessing_keys_with_other_content_is_rate_limited(self, client):
        key = str(uuid.uuid4())
        assert api_create(client, key=key).status_code == 201
        guesses = [api_create(client, BODY | {"name": f"guess {n}"}, key=key).status_code for n in range(4)]
        assert guesses[: self.LIMIT - 1] == [422] * (self.LIMIT - 1)
        assert guesses[-1] == 429


# --- finding 3: an edit link never shows the workspace link ------------------------------------


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if value and (name in ("href", "action", "src")
                                                                   or name.startswith("hx-"))]


def urls_in(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.urls


def test_a_colleague_holding_only_the_edit_link_is_never_shown_the_workspace_link(client, stranger):
    team = Walker(client)
    edit = team.complete()
    result = client.get(f"/e/{edit}/result")
    workspace = next(url for url in urls_in(result.text) if url.startswith("/w/")).split("/")[2]
    assert workspace  # the owner's browser, which made the workspace, is shown it
    # The colleague has a workspace of their own (their browser remembers it), just not this one.
    colleague = Walker(stranger)
    colleague.edit_token(colleague.start(name="Their own"))
    pages = [f"/e/{edit}", f"/e/{edit}/result", f"/e/{edit}/history", f"/e/{edit}/share",
             *(f"/e/{edit}/step/{section.id}" for section in team.sections)]
    for path in pages:
        response = stranger.get(path)
        assert response.status_code == 200, path
        assert workspace not in response.text, path
        assert [url for url in urls_in(response.text) if url.startswith(f"/w/{workspace}")] == [], path
