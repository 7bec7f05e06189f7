"""A wizard step post's database work, done by plain statements on the event loop when it can be.

On PostgreSQL a wizard step post is two statements, each committing by itself: the link look-up (with the
assessment's workspace, for its link) and one statement that saves the assessment and its editing session's
revision. Each is a network round trip. The usual post is done on the event loop, both statements sent on
the worker's own connection (app.db.LoopConnection, app.web.loop_saves); anything else, or a
post the loop cannot do at once, goes the usual way, on a worker thread, through the pool, in autocommit
(app.db.each_statement_commits). What a team sees stays the same either way: the answer is saved with its
revision, and a page holding an older version is refused without writing anything (R22). On SQLite the same
usual post is done on the event loop by plain statements too (store.save_edited), in one transaction."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, text
from sqlmodel import Session, select

from app.db import LoopConnection
from app.models import Assessment, Revision, utcnow
from app.questionnaire import load_questionnaire
from app.web import loop_saves
from tests.conftest import using_postgres
from tests.web.conftest import HTMX, filled

postgres_only = pytest.mark.skipif(not using_postgres(), reason="round trips to PostgreSQL; SQLite has none")

SECTIONS = load_questionnaire().sections
SECTION = SECTIONS[1]
QUESTION = next(q for q in SECTION.questions if q.type == "choice" and not q.show_if)


def _statements(engine) -> list[tuple[str, bool]]:
    """Each statement sent through the pool, and whether its connection was in autocommit (no BEGIN)."""
    sent = []

    @event.listens_for(engine, "before_cursor_execute")
    def record(connection, _cursor, statement, *_args):
        sent.append((statement.split()[0], connection.connection.dbapi_connection.autocommit))

    return sent


@pytest.fixture
def loop_sent(monkeypatch) -> list[str]:
    """The first word of each statement the event loop's connection sent (or failed to)."""
    sent = []
    real = LoopConnection._pg_run

    async def recording(self, method, sql, *arguments):
        sent.append(sql.split()[0])
        return await real(self, method, sql, *arguments)

    monkeypatch.setattr(LoopConnection, "_pg_run", recording)
    return sent


def _stored(app, assessment_id: str) -> tuple[int, dict, int]:
    with Session(app.state.engine) as session:
        assessment = session.get(Assessment, assessment_id)
        revisions = session.exec(select(func.count()).where(Revision.assessment_id == assessment.id)).one()
        return assessment.version, assessment.answers, revisions


def _only_assessment(app) -> str:
    with Session(app.state.engine) as session:
        return session.exec(select(Assessment.id)).one()


def _started(app, team) -> tuple[str, str, int, dict, int]:
    """An assessment past its second step: (id, edit token, version, answers, revisions)."""
    token = team.edit_token(team.start())
    assert team.post_step(token, SECTION, filled(SECTION)).status_code == 303
    assessment_id = _only_assessment(app)
    return assessment_id, token, *_stored(app, assessment_id)


def _other(answers: dict) -> str:
    return next(c.value for c in QUESTION.choices if c.value != answers[QUESTION.id])


@postgres_only
def test_a_step_post_is_a_look_up_and_one_save_sent_on_the_event_loops_connection(own_database, loop_sent):
    app, team = own_database
    assessment_id, token, version, answers, revisions = _started(app, team)
    pooled = _statements(app.state.write_engine)
    loop_sent.clear()

    response = team.post_step(token, SECTION, filled(SECTION, **{QUESTION.id: _other(answers)}),
                              version=str(version))

    assert response.status_code == 303
    assert loop_sent == ["SELECT", "WITH"] and pooled == []
    new_version, new_answers, new_revisions = _stored(app, assessment_id)
    assert (new_version, new_answers[QUESTION.id]) == (version + 1, _other(answers))
    assert new_revisions == revisions  # joined the editing session's revision


@postgres_only
def test_going_back_is_a_look_up_the_workspace_and_one_save_each_committing_by_itself(own_database,
                                                                                       loop_sent):
    """The usual way (here: "Save and go back", which the event loop leaves to it)."""
    app, team = own_database
    assessment_id, token, version, answers, revisions = _started(app, team)
    pooled = _statements(app.state.write_engine)
    loop_sent.clear()

    response = team.post_step(token, SECTION, filled(SECTION, **{QUESTION.id: _other(answers)}),
                              version=str(version), action="back")

    assert response.status_code == 303 and loop_sent == []
    # The link look-up, the workspace (this browser remembers it: the page links to it), then the save.
    assert [kind for kind, _ in pooled] == ["SELECT", "SELECT", "WITH"]
    assert all(autocommit for _, autocommit in pooled)
    assert _stored(app, assessment_id) == (version + 1, answers | {QUESTION.id: _other(answers)}, revisions)


@pytest.mark.parametrize("action", ["next", "autosave"])
def test_a_post_from_an_older_version_writes_nothing_and_shows_the_conflict(own_database, action):
    app, team = own_database
    assessment_id, token, version, answers, revisions = _started(app, team)

    stale = str(version - 1)
    response = team.post_step(token, SECTION, filled(SECTION, **{QUESTION.id: _other(answers)}),
                              version=stale, action=action, headers=HTMX)

    if action == "next":
        assert response.status_code == 409
    else:
        assert response.status_code == 200 and "someone else saved this assessment" in response.text
    assert _stored(app, assessment_id) == (version, answers, revisions)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite hands back naive UTC


def _saved_between(app, assessment_id: str, started: datetime, ended: datetime) -> bool:
    """Whether the assessment was last saved in that time, and its open editing session's revision, when this
    save wrote it (a change of answers), says the same moment: the times a save writes, with their time
    zone, checked apart from the rows."""
    with Session(app.state.engine) as session:
        assessment = session.get(Assessment, assessment_id)
        open_revision = session.exec(select(Revision).where(Revision.assessment_id == assessment_id,
                                                            Revision.session_open == True)).first()  # noqa: E712
        saved = _aware(assessment.updated_at)
        revision_saved = None if open_revision is None else _aware(open_revision.saved_at)
        in_session = revision_saved is None or revision_saved < started or revision_saved == saved
        return started <= saved <= ended and in_session


def _stored_rows(app, assessment_id: str) -> tuple:
    """What a save leaves in the database, but for its times."""
    with Session(app.state.engine) as session:
        assessment = session.get(Assessment, assessment_id)
        kept = assessment.model_dump(exclude={"id", "created_at", "updated_at", "workspace_id", "name_lower"})
        revisions = session.exec(select(Revision).where(Revision.assessment_id == assessment_id)
                                 .order_by(Revision.number)).all()
        return kept, [revision.model_dump(exclude={"id", "assessment_id", "created_at", "saved_at"})
                      for revision in revisions]


def _walk(app, team, token: str, assessment_id: str) -> list[tuple]:
    """Posts of every kind the event loop does, and some it leaves to the usual way: after each, what the
    browser got (status, redirect, body: with the edit and workspace tokens and the times taken out) and
    what the database holds (_stored_rows)."""
    answered = []
    renamed = {"name": "Renamed bot"}
    plan = [(SECTIONS[0], renamed, "autosave"), (SECTIONS[0], renamed, "next"),
            (SECTION, {}, "autosave"), (SECTION, {QUESTION.id: QUESTION.choices[1].value}, "autosave"),
            (SECTION, {QUESTION.id: QUESTION.choices[1].value}, "next"),
            (SECTION, {QUESTION.id: QUESTION.choices[0].value}, "back"),
            *[(section, {}, "next") for section in SECTIONS[1:]]]
    for section, changes, action in plan:
        form = filled(section, **changes)
        version = _stored(app, assessment_id)[0]
        started = utcnow()
        response = team.post_step(token, section, form, action=action, headers=HTMX)
        if _stored(app, assessment_id)[0] != version:
            assert _saved_between(app, assessment_id, started, utcnow()), (section.id, action)
        body = re.sub(r"\d{1,2} \w{3} \d{4}, \d{2}:\d{2}", "<time>", response.text.replace(token, "<token>"))
        body = re.sub(r"/w/[A-Za-z0-9_-]{43}", "/w/<workspace>", body)
        redirect = response.headers.get("hx-redirect", "").replace(token, "<token>")
        answered.append((response.status_code, redirect, body, _stored_rows(app, assessment_id)))
    return answered


def test_the_event_loop_saves_and_answers_as_the_usual_way_does(own_database, monkeypatch):
    """The same walk, by plain statements on the event loop and with that refused: after each post, the same
    answer to the browser and the same rows stored (the assessment and its revisions). Both databases."""
    app, team = own_database
    done_on_loop = []  # what the event loop answered each post with (None: left to the usual way)
    real = loop_saves.save_on_loop

    async def counted(*args):
        done_on_loop.append(await real(*args))
        return done_on_loop[-1]

    monkeypatch.setattr(loop_saves, "save_on_loop", counted)
    walks = {}
    for way in ("event loop", "usual"):
        if way == "usual":
            async def refused(*_args):
                return None
            monkeypatch.setattr(loop_saves, "save_on_loop", refused)
        with Session(app.state.engine) as session:
            before = set(session.exec(select(Assessment.id)).all())
        token = team.edit_token(team.start(name="Support bot"))
        with Session(app.state.engine) as session:
            (assessment_id,) = set(session.exec(select(Assessment.id)).all()) - before
        done_on_loop.clear()
        walks[way] = _walk(app, team, token, assessment_id)
        if way == "event loop":
            assert len([done for done in done_on_loop if done is not None]) >= 5  # the posts it did itself
    for after_loop, after_usual in zip(walks["event loop"], walks["usual"], strict=True):
        assert after_loop == after_usual


@postgres_only
def test_a_row_held_by_another_transaction_sends_the_post_the_usual_way(own_database, loop_sent, monkeypatch):
    """The event loop's connection waits at most LOOP_LOCK_TIMEOUT_MS for a row lock: everything queued
    behind it would wait as long. The post then goes the usual way, which saves once the lock is let go."""
    app, team = own_database
    assessment_id, token, version, answers, _revisions = _started(app, team)
    loop_sent.clear()
    pooled = _statements(app.state.write_engine)
    holder = app.state.engine.connect()
    holder.begin()
    holder.execute(text("SELECT 1 FROM assessment WHERE id = :id FOR UPDATE"), {"id": assessment_id})
    refusals = []
    recording = LoopConnection._pg_run

    async def let_go_once_refused(self, method, sql, *arguments):
        try:
            return await recording(self, method, sql, *arguments)
        except LoopConnection.Unavailable as refused:
            refusals.append(str(refused))
            holder.rollback()  # the lock goes once the event loop gave up on it
            raise

    monkeypatch.setattr(LoopConnection, "_pg_run", let_go_once_refused)
    try:
        response = team.post_step(token, SECTION, filled(SECTION, **{QUESTION.id: _other(answers)}),
                                  version=str(version))
    finally:
        holder.close()

    assert response.status_code == 303
    assert loop_sent == ["SELECT", "WITH"] and len(refusals) == 1 and "LockNotAvailable" in refusals[0]
    assert [kind for kind, _ in pooled] == ["SELECT", "SELECT", "WITH"]  # then saved the usual way
    assert _stored(app, assessment_id)[:2] == (version + 1, answers | {QUESTION.id: _other(answers)})
