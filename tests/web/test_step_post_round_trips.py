"""On PostgreSQL a wizard step post is two or three statements with no transaction around them: the link
look-up, the workspace when the browser remembers it, and one statement that saves the assessment and its
editing session's revision (app.db.each_statement_commits, app.assessments.writes_in_one_statement).
Each statement is a network round trip; BEGIN and COMMIT were two more. What a team sees stays the same:
the answer is saved with its revision, and a page holding an older version is refused without writing
anything (R22)."""

import pytest
from sqlalchemy import event, func
from sqlmodel import Session, select

from app.models import Assessment, Revision
from app.questionnaire import load_questionnaire
from tests.conftest import using_postgres
from tests.web.conftest import filled

pytestmark = pytest.mark.skipif(not using_postgres(), reason="round trips to PostgreSQL; SQLite has none")

SECTION = load_questionnaire().sections[1]


def _statements(engine) -> list[tuple[str, bool]]:
    """Each statement sent, and whether its connection was in autocommit (no BEGIN before it)."""
    sent = []

    @event.listens_for(engine, "before_cursor_execute")
    def record(connection, _cursor, statement, *_args):
        sent.append((statement.split()[0], connection.connection.dbapi_connection.autocommit))

    return sent


def _stored(app, edit_version_of: str) -> tuple[int, dict, int]:
    with Session(app.state.engine) as session:
        assessment = session.exec(select(Assessment).where(Assessment.id == edit_version_of)).one()
        revisions = session.exec(select(func.count()).where(Revision.assessment_id == assessment.id)).one()
        return assessment.version, assessment.answers, revisions


def _only_assessment(app) -> str:
    with Session(app.state.engine) as session:
        return session.exec(select(Assessment.id)).one()


def test_a_step_post_is_a_look_up_and_one_save_each_committing_by_itself(own_database):
    app, team = own_database
    token = team.edit_token(team.start())
    first = team.post_step(token, SECTION, filled(SECTION))
    assert first.status_code == 303
    assessment_id = _only_assessment(app)
    version, _answers, revisions = _stored(app, assessment_id)
    question = next(q for q in SECTION.questions if q.type == "choice" and not q.show_if)
    other = next(c.value for c in question.choices if c.value != _answers[question.id])

    sent = _statements(app.state.write_engine)
    response = team.post_step(token, SECTION, filled(SECTION, **{question.id: other}), version=str(version))

    assert response.status_code == 303
    # The link look-up, the workspace (this browser remembers it: the page links to it), then the save.
    assert [kind for kind, _ in sent] == ["SELECT", "SELECT", "WITH"]
    assert all(autocommit for _, autocommit in sent)
    new_version, answers, new_revisions = _stored(app, assessment_id)
    assert (new_version, answers[question.id]) == (version + 1, other)
    assert new_revisions == revisions  # joined the editing session's revision


def test_a_post_from_an_older_version_writes_nothing_and_shows_the_conflict(own_database):
    app, team = own_database
    token = team.edit_token(team.start())
    assert team.post_step(token, SECTION, filled(SECTION)).status_code == 303
    assessment_id = _only_assessment(app)
    version, answers, revisions = _stored(app, assessment_id)
    question = next(q for q in SECTION.questions if q.type == "choice" and not q.show_if)
    other = next(c.value for c in question.choices if c.value != answers[question.id])

    stale = str(version - 1)
    response = team.post_step(token, SECTION, filled(SECTION, **{question.id: other}), version=stale)

    assert response.status_code == 409
    assert _stored(app, assessment_id) == (version, answers, revisions)
