"""Link tokens are long, distinct and independent (R13); SQLite is configured for a web server (R20)."""

import sqlite3
import threading
import time

import pytest
from sqlalchemy import text

from app import assessments as store
from app.links import TOKEN_LENGTH
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
