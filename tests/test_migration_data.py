"""Migrations carry data (R26): real rows written at the first revision survive every step up, every
step down and the way up again, and the app still opens them by their links afterwards.

Idempotency keys are the one thing a migration may drop (0003: they are 24-hour replay records whose
stored form changed); everything a team made is compared column by column.
"""

import json

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlmodel import Session

from app import assessments as store
from app import migrate
from app.db import make_engine
from tests.conftest import TEST_SECRET, drop_test_database, make_test_database

KEPT_TABLES = {"workspace": "id", "assessment": "id", "revision": "id", "sharelink": "id"}


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def _snapshot(url: str) -> dict[str, list]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {table: [_plain(row) for row in connection.execute(text(f"SELECT * FROM {table} "
                                                                           f"ORDER BY {key}"))]
                    for table, key in KEPT_TABLES.items()}
    finally:
        engine.dispose()


def _as_written(snapshot: dict[str, list], written: dict[str, list]) -> dict[str, list]:
    """The snapshot's rows in the columns the rows were written with: later migrations may add columns."""
    return {table: [{name: row[name] for name in old} for row, old in zip(rows, written[table], strict=True)]
            for table, rows in snapshot.items()}


def _plain(row) -> dict:
    """A row as comparable values: JSON columns decoded, times as ISO text without their zone (SQLite
    stores none)."""
    values = {}
    for name, value in row._mapping.items():
        if isinstance(value, str) and value[:1] in "{[":
            value = json.loads(value)
        elif hasattr(value, "isoformat"):
            value = value.replace(tzinfo=None).isoformat()
        values[name] = value
    return values


def _write_team_work(url: str) -> tuple[str, str]:
    """Two assessments, one edited (two revisions), one with a revoked view link: (edit token, id)."""
    engine = make_engine(url)
    secret = TEST_SECRET.encode()
    try:
        with Session(engine, expire_on_commit=False) as session:
            workspace, _ = store.create_workspace(session=session, secret=secret)
            first = store.create_assessment(session=session, secret=secret, workspace=workspace,
                                            name="Support bot «β»", answers={"task_type": "classification",
                                                                             "labeled_examples": 300},
                                            notes={"budget": "Ask finance\nin May."})
            grown = {"task_type": "classification", "labeled_examples": 5000, "budget": "low"}
            store.save_answers(first, session=session, expected_version=first.version, answers=grown,
                               notes=first.notes)
            second = store.create_assessment(session=session, secret=secret, workspace=workspace,
                                             name="Contract extraction", answers={"model_access": "api_only"})
            store.revoke_link(second, "view", session=session)
            edit = store.link_token(store.links_of(first, session=session)["edit"], secret)
            session.commit()
            return edit, first.id
    finally:
        engine.dispose()


def test_rows_survive_every_migration_up_down_and_up_again(tmp_path):
    url = make_test_database(tmp_path, "carry")
    revisions = _revisions()
    try:
        migrate.upgrade(url, revisions[0])
        edit, assessment_id = _write_team_work(url)
        written = _snapshot(url)
        assert len(written["revision"]) == 3 and len(written["sharelink"]) == 4
        for revision in revisions[1:]:
            migrate.upgrade(url, revision)
            assert _as_written(_snapshot(url), written) == written, f"upgrading to {revision} changed data"
        for revision in reversed(revisions[:-1]):
            migrate.downgrade(url, revision)
            assert _as_written(_snapshot(url), written) == written, f"downgrading to {revision} changed data"
        migrate.upgrade(url)
        assert _as_written(_snapshot(url), written) == written
        engine = make_engine(url)
        try:
            with Session(engine) as session:
                assessment, _ = store.assessment_by_token(edit, session=session, need="edit")
                assert assessment.id == assessment_id
                assert assessment.answers["labeled_examples"] == 5000
                assert assessment.notes == {"budget": "Ask finance\nin May."}
        finally:
            engine.dispose()
    finally:
        drop_test_database(url)
