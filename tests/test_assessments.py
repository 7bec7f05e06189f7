"""The store (app/assessments.py) against a real database, outside the per-test transaction where a
test needs two connections that commit."""

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, delete

from app import assessments as store
from app.models import Assessment, Revision, ShareLink, Workspace
from tests.conftest import TEST_SECRET, using_postgres

SECRET = TEST_SECRET.encode()


@pytest.fixture
def committed(engine):
    """An assessment committed to the suite's database, and a way to open sessions on it."""
    with Session(engine, expire_on_commit=False) as setup:
        workspace, _ = store.create_workspace(session=setup, secret=SECRET)
        assessment = store.create_assessment(session=setup, secret=SECRET, workspace=workspace,
                                             name="Raced", answers={"labeled_examples": 100})
        setup.commit()
    yield assessment.id
    with Session(engine) as cleanup:
        for table in (Revision, ShareLink):
            cleanup.exec(delete(table).where(table.assessment_id == assessment.id))
        cleanup.exec(delete(Assessment).where(Assessment.id == assessment.id))
        cleanup.exec(delete(Workspace).where(Workspace.id == workspace.id))
        cleanup.commit()


def test_two_saves_from_the_same_version_never_both_land(engine, committed):
    """Alice and Bob opened version 1; Alice saves first. Bob's save must be refused, not overwrite hers:
    on PostgreSQL the version check is in the UPDATE itself; on SQLite his stale snapshot cannot write."""
    with Session(engine, expire_on_commit=False) as alice, Session(engine, expire_on_commit=False) as bob:
        hers, his = alice.get(Assessment, committed), bob.get(Assessment, committed)
        store.save_answers(hers, session=alice, expected_version=1, answers={"labeled_examples": 5000})
        alice.commit()
        refused = (store.StaleRevision,) if using_postgres() else (store.StaleRevision, OperationalError)
        with pytest.raises(refused):
            store.save_answers(his, session=bob, expected_version=1, answers={"labeled_examples": 20})
            bob.commit()
    with Session(engine) as reader:
        stored = reader.get(Assessment, committed)
        assert stored.answers == {"labeled_examples": 5000}
        assert stored.version == 2
