"""Link tokens are long, distinct and independent (R13); SQLite is configured for a web server (R20)."""

import sqlite3
import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app import assessments as store
from app import migrate
from app.config import Settings
from app.db import SQLITE_APP_AUTOCHECKPOINT_PAGES, Checkpoints
from app.links import TOKEN_LENGTH
from app.main import create_app
from tests.conftest import TEST_SECRET, csrf_token_for, using_postgres

SECRET = TEST_SECRET.encode()


def test_view_edit_and_workspace_tokens_are_long_distinct_and_carry_no_id(session):
    workspace, workspace_token = store.create_workspace(session=session, secret=SECRET)
    tokens = [workspace_token]
    ids = []
    for number in range(300):
        assessment = store.create_assessment(session=session, secret=SECRET, workspace=workspace,
                                             name=f"Token check {number}", answers={})
        links = store.links_of(assessment, session=session)
        tokens += [store.link_token(links["view"], SECRET), store.link_token(links["edit"], SECRET)]
        ids.append(assessment.id)
    assert len(set(tokens)) == len(tokens) == 601
    assert all(len(token) == TOKEN_LENGTH == 43 for token in tokens)  # 256 bits, base64url
    assert not any(assessment_id in token for token in tokens for assessment_id in ids)


@pytest.mark.skipif(using_postgres(), reason="SQLite pragmas")
def test_every_sqlite_connection_gets_the_web_server_pragmas(app):
    with app.state.engine.connect() as connection:
        pragma = {name: connection.execute(text(f"PRAGMA {name}")).scalar()
                  for name in ("journal_mode", "busy_timeout", "foreign_keys", "synchronous")}
    assert pragma == {"journal_mode": "wal", "busy_timeout": 10_000, "foreign_keys": 1, "synchronous": 1}


@pytest.mark.skipif(using_postgres(), reason="SQLite checkpoints")
def test_the_app_copies_the_write_ahead_log_on_its_own_thread_not_in_a_request(tmp_path):
    """A request's commit no longer checkpoints the log (10-90 ms under the write lock); the app's thread
    does, from start to stop, and what was written is in the database file afterwards."""
    database = tmp_path / "app.db"
    url = f"sqlite:///{database}"
    migrate.upgrade(url)
    settings = Settings(database_url=url, secret_key="s" * 40, secret_key_file=tmp_path / "k",
                        base_url="http://testserver")
    app = create_app(settings)
    with app.state.engine.connect() as connection:
        pages = connection.execute(text("PRAGMA wal_autocheckpoint")).scalar()
    assert pages == SQLITE_APP_AUTOCHECKPOINT_PAGES
    with TestClient(app):
        checkpoints = app.state.checkpoints
        assert checkpoints.running
    assert not checkpoints.running  # stopped with the app

    # A database in memory is one connection shared by every thread: no thread of checkpoints beside it.
    memory = create_app(settings.model_copy(update={"database_url": "sqlite://"}))
    with TestClient(memory):
        assert memory.state.checkpoints is None

    # One round by hand: the log's pages are copied into the file, which grows by them.
    with app.state.engine.begin() as connection:
        connection.execute(text("CREATE TABLE filler (body TEXT)"))
        connection.execute(text("INSERT INTO filler VALUES (:body)"), [{"body": "x" * 4000}] * 200)
    before = database.stat().st_size
    Checkpoints(app.state.engine).checkpoint()
    assert database.stat().st_size >= before + 200 * 4000
    app.state.engine.dispose()


@pytest.mark.skipif(using_postgres(), reason="SQLite locking")
def test_a_save_waits_for_another_writer_instead_of_failing(live_server):
    import httpx

    database = live_server.database_url.removeprefix("sqlite:///")
    with httpx.Client(base_url=live_server.url) as client:
        token = csrf_token_for(client, "/")
        held = threading.Event()

        def hold_the_write_lock():
            other = sqlite3.connect(database, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            held.set()
            time.sleep(1)
            other.execute("COMMIT")
            other.close()

        holder = threading.Thread(target=hold_the_write_lock)
        holder.start()
        held.wait()
        created = client.post("/api/v1/assessments", json={"name": "Waits", "answers": {}},
                              headers={"X-CSRF-Token": token})
        holder.join()
    assert created.status_code == 201


@pytest.mark.skipif(using_postgres(), reason="SQLite locking")
def test_the_apps_writes_take_the_write_lock_when_they_begin_and_its_reads_do_not(settings, tmp_path):
    """A write that begins DEFERRED and reads first only asks for the lock at its first write, and then
    fails at once with "database is locked" if another writer got in meanwhile (busy_timeout cannot
    help: waiting would break its snapshot). BEGIN IMMEDIATE takes the lock up front and waits."""
    from app import migrate
    from app.main import create_app

    database = tmp_path / "locks.db"
    migrate.upgrade(f"sqlite:///{database}")
    app = create_app(settings.model_copy(update={"database_url": f"sqlite:///{database}"}))
    other = sqlite3.connect(database, timeout=0, isolation_level=None)  # another writer, no patience
    try:
        with app.state.write_engine.begin() as writing:
            writing.execute(text("SELECT count(*) FROM assessment"))  # a write's first statement reads
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                other.execute("BEGIN IMMEDIATE")
        with app.state.engine.begin() as reading:
            reading.execute(text("SELECT count(*) FROM assessment"))
            other.execute("BEGIN IMMEDIATE")  # a page being read never holds up a save
            other.execute("ROLLBACK")
    finally:
        other.close()
        app.state.engine.dispose()
