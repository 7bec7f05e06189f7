"""On SQLite a wizard step post does its database work on the event loop itself when the write lock is free
(no hop to a worker thread and back: a fifth of a post's CPU). When another process holds the lock, the
post waits for it on a worker thread instead, so the server goes on answering everyone else meanwhile,
and the answer is saved once the lock is let go."""

import asyncio
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from sqlalchemy import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from app.db import lock_was_busy, request_session
from app.models import Assessment
from app.questionnaire import load_questionnaire
from app.web import loop_saves, wizard
from tests.conftest import using_postgres
from tests.web.conftest import filled

pytestmark = pytest.mark.skipif(using_postgres(), reason="SQLite's write lock; PostgreSQL posts use a thread")

SECTION = load_questionnaire().sections[1]
QUESTION = next(q for q in SECTION.questions if q.type == "choice" and not q.show_if)


@pytest.fixture
def where_saved(monkeypatch) -> list[str]:
    """Where each attempt at a step post's database work ran: "event loop" or "worker thread" (by plain
    statements, loop_saves.saved_in_sqlite, or in a session, wizard._save_step_in_session)."""
    places = []
    for module, way in ((loop_saves, "saved_in_sqlite"), (wizard, "_save_step_in_session")):
        real = getattr(module, way)

        def recording(*args, real=real, **kwargs):
            try:
                asyncio.get_running_loop()
                places.append("event loop")
            except RuntimeError:
                places.append("worker thread")
            return real(*args, **kwargs)

        monkeypatch.setattr(module, way, recording)
    return places


def _stored_answer(app) -> object:
    with Session(app.state.engine) as session:
        return session.exec(select(Assessment)).one().answers[QUESTION.id]


def _other_choice(app) -> str:
    return next(c.value for c in QUESTION.choices if c.value != _stored_answer(app))


def test_with_the_lock_free_the_post_is_saved_on_the_event_loop(own_database, where_saved):
    app, team = own_database
    token = team.edit_token(team.start())
    assert team.post_step(token, SECTION, filled(SECTION)).status_code == 303
    choice = _other_choice(app)
    where_saved.clear()

    response = team.post_step(token, SECTION, filled(SECTION, **{QUESTION.id: choice}))

    assert response.status_code == 303
    assert where_saved == ["event loop"]
    assert _stored_answer(app) == choice


def test_while_another_process_holds_the_lock_the_post_waits_on_a_thread_and_others_are_answered(
        own_database, where_saved):
    app, team = own_database
    token = team.edit_token(team.start())
    assert team.post_step(token, SECTION, filled(SECTION)).status_code == 303
    choice = _other_choice(app)
    version = team.version(token, SECTION.id)
    where_saved.clear()
    waiting = threading.Event()
    real = wizard._save_step_in_session

    def signalling(*args, **kwargs):
        if not kwargs.get("on_event_loop"):
            waiting.set()  # the worker thread's attempt, which waits for the lock
        return real(*args, **kwargs)

    wizard._save_step_in_session = signalling  # monkeypatch (where_saved) puts the original back
    # Another process (the CLI, a second worker) holds SQLite's write lock.
    blocker = sqlite3.connect(make_url(str(app.state.engine.url)).database, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with ThreadPoolExecutor(1) as browser:
            post = browser.submit(team.post_step, token, SECTION, filled(SECTION, **{QUESTION.id: choice}),
                                  version)
            assert waiting.wait(timeout=5)  # at once, not after the 10 s busy timeout
            # The event loop is free: another request is answered while the post waits for the lock.
            assert team.client.get("/livez").status_code == 200
            assert not post.done()
            blocker.execute("ROLLBACK")
            response = post.result(timeout=30)
    finally:
        blocker.close()

    assert response.status_code == 303
    assert where_saved == ["event loop", "worker thread"]
    assert _stored_answer(app) == choice


def test_every_transaction_of_a_session_on_the_event_loop_fails_at_once_on_a_busy_lock(own_database):
    """Not only the first: a post that finds a colleague's save rolls back and reads again, in a new
    transaction, which must not wait on the loop either (the whole post then goes to a worker thread)."""
    app, _team = own_database
    request = SimpleNamespace(app=app, method="POST")
    blocker = sqlite3.connect(make_url(str(app.state.engine.url)).database, isolation_level=None)
    try:
        with (pytest.raises(OperationalError) as refused,
              request_session(request, lock_at_once=True) as session):
            session.connection()  # the first transaction: the lock is free
            session.rollback()
            blocker.execute("BEGIN IMMEDIATE")
            started = time.monotonic()
            session.connection()  # the next one
        waited = time.monotonic() - started
    finally:
        blocker.close()
    assert lock_was_busy(refused.value)
    assert waited < 2  # at once, not after the 10 s busy timeout
