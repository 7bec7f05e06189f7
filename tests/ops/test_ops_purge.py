"""`advisor purge [--dry-run]` on SQLite and on PostgreSQL: deleted assessments past the retention go with
everything of theirs, stale idempotency keys go, nothing else is touched, and a dry run changes nothing."""

import json
import os
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app import cli, migrate
from app.config import Settings
from app.main import create_app
from tests.conftest import EXAMPLES

POSTGRES = os.environ.get("ADVISOR_TEST_DATABASE_URL", "postgresql://127.0.0.1:5432/test")


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'purge.db'}"
        migrate.upgrade(url)
        yield url
        return
    base = Settings(database_url=POSTGRES if POSTGRES.startswith("postgres") else
                    "postgresql://127.0.0.1:5432/test").database_url
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"advisor_ops_purge_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except OperationalError:
        admin.dispose()
        pytest.skip("no PostgreSQL at " + make_url(base).render_as_string(hide_password=True))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    migrate.upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _seed(url: str, tmp_path) -> dict[str, str]:
    """Four assessments through the API: long deleted, lately deleted, live, live with an old key."""
    answers = json.loads((EXAMPLES / "legal-assistant.json").read_text())["answers"]
    settings = Settings(database_url=url, secret_key="p" * 50, secret_key_file=tmp_path / "unused.key",
                        base_url="http://testserver")
    ids = {}
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        for label in ("old-deleted", "new-deleted", "live", "live-old-key"):
            created = client.post("/api/v1/assessments", json={"name": label, "answers": answers},
                                  headers={"Idempotency-Key": f"key-{label}"})
            assert created.status_code == 201, created.text
            ids[label] = created.json()["id"]
    now = datetime.now(UTC)
    engine = create_engine(url)
    with engine.begin() as connection:
        for label, days in (("old-deleted", 31), ("new-deleted", 29)):
            connection.execute(text("UPDATE assessment SET deleted_at = :at WHERE id = :id"),
                               {"at": now - timedelta(days=days), "id": ids[label]})
        connection.execute(text("UPDATE idempotencykey SET created_at = :at WHERE assessment_id = :id"),
                           {"at": now - timedelta(hours=25), "id": ids["live-old-key"]})
    engine.dispose()
    return ids


def _rows(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        counts = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                  for table in ("assessment", "revision", "sharelink", "idempotencykey", "workspace")}
    engine.dispose()
    return counts


def test_purge_deletes_what_is_past_its_time_and_a_dry_run_changes_nothing(database, tmp_path, monkeypatch,
                                                                             capsys):
    ids = _seed(database, tmp_path)
    monkeypatch.setenv("ADVISOR_DATABASE_URL", database)
    before = _rows(database)
    assert before["assessment"] == 4 and before["sharelink"] == 8 and before["idempotencykey"] == 4

    assert cli.main(["purge", "--dry-run"]) == 0
    dry = capsys.readouterr().out
    assert "dry run, nothing changed" in dry
    assert _rows(database) == before

    assert cli.main(["purge"]) == 0
    out = capsys.readouterr().out
    assert dry.splitlines()[1:] == out.splitlines()[1:]  # the dry run counted exactly what went
    counted = {line.split(None, 1)[1]: int(line.split(None, 1)[0]) for line in out.splitlines()[1:]}
    assert counted["deleted assessments"] == 1
    assert counted["their sharelink rows"] == 2 and counted["their revision rows"] >= 1
    assert counted["their idempotencykey rows"] == 1  # the deleted assessment's own key
    assert counted["stale idempotency keys"] == 1  # the live assessment's 25-hour-old key
    after = _rows(database)
    assert after["assessment"] == 3 and after["sharelink"] == 6 and after["idempotencykey"] == 2
    assert after["workspace"] == before["workspace"]
    engine = create_engine(database)
    with engine.connect() as connection:
        left = {row[0] for row in connection.execute(text("SELECT id FROM assessment"))}
    engine.dispose()
    assert left == {ids["new-deleted"], ids["live"], ids["live-old-key"]}  # 29 days: still restorable

    assert cli.main(["purge"]) == 0  # nothing more to do the second time
    again = capsys.readouterr().out
    assert all(line.split()[0] == "0" for line in again.splitlines()[1:])


def test_the_retention_is_a_setting(database, tmp_path, monkeypatch, capsys):
    _seed(database, tmp_path)
    monkeypatch.setenv("ADVISOR_DATABASE_URL", database)
    monkeypatch.setenv("ADVISOR_RETENTION_DAYS", "7")
    assert cli.main(["purge"]) == 0
    assert "       2  deleted assessments" in capsys.readouterr().out
    assert _rows(database)["assessment"] == 2
