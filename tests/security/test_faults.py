"""Faults (R21, R25, R27, R28, R29): the database going away gives 503 and the app recovers by itself;
a write is acknowledged only once it is committed, and one that fails half-way leaves nothing behind; a
server killed mid-write leaves a consistent database with every acknowledged write; a backup taken
during writes is consistent and restorable; a double submit creates one assessment."""

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import asyncpg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.engine.default import DefaultDialect
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app import assessments as store
from app import migrate
from app.main import create_app
from tests.conftest import (
    ROOT,
    TEST_SECRET,
    drop_test_database,
    make_test_database,
    stop_server,
    using_postgres,
)
from tests.security.conftest import start_patiently
from tests.security.live import Api, Saved, random_number_answer, token_of
from tests.web.conftest import Walker, filled

UNLIMITED = {"ADVISOR_RATE_LIMIT_CREATE_PER_MINUTE": "1000000"}


@pytest.fixture
def fresh_server(tmp_path):
    """A live server on a database of its own, stopped (if still running) and dropped afterwards."""
    url = make_test_database(tmp_path, "faults")
    servers = []

    def start(database_url: str = url):
        server = start_patiently(tmp_path, database_url, extra_env=UNLIMITED)
        servers.append(server)
        return server

    yield start
    for server in servers:
        if server.process.poll() is None:
            stop_server(server)
    drop_test_database(url)


def sqlite_path(url: str) -> str:
    return make_url(url).database


# --- the database goes away ---------------------------------------------------------------------


@pytest.mark.skipif(using_postgres(), reason="SQLite fault; the PostgreSQL one is below")
def test_a_locked_sqlite_database_gives_503_then_the_app_recovers_by_itself(fresh_server):
    server = fresh_server()
    api = Api(server.url)
    assert api.create("before the fault").status_code == 201
    # Another process holds the write lock longer than the app's busy timeout (10 s).
    blocker = sqlite3.connect(sqlite_path(server.database_url), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        during = api.create("during the fault")
        html = _html_create(server.url)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert during.status_code == 503
    assert during.headers["retry-after"]
    assert "unavailable" in during.json()["detail"]
    assert html.status_code == 503
    assert "Temporarily unavailable" in html.text and "Traceback" not in html.text
    after = api.create("after the fault")
    assert after.status_code == 201, after.text
    names = {api.read(s.id, s.view_token).json()["name"] for s in [api.created(after)]}
    assert names == {"after the fault"}


def _html_create(base_url: str):
    """Start an assessment through the wizard's first form, as a browser without JavaScript."""
    import httpx

    from tests.security.live import wizard_form

    with httpx.Client(base_url=base_url, timeout=60) as browser:
        form = wizard_form(browser.get("/new").text)
        data = dict(form["fields"]) | {"name": "html during the fault"}
        return browser.post(form["action"] or "/new", data=data)


@pytest.mark.skipif(not using_postgres(), reason="PostgreSQL fault; the SQLite one is above")
def test_postgres_refusing_connections_gives_503_then_the_app_recovers_by_itself(fresh_server):
    server = fresh_server()
    api = Api(server.url)
    saved = api.created(api.create("before the fault"))
    name = make_url(server.database_url).database
    admin_url = make_url(server.database_url).set(database="postgres")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
        try:
            during_write = api.create("during the fault")
            during_read = api.read(saved.id, saved.view_token)
            health = api.http.get("/healthz")
        finally:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    admin.dispose()
    for response in (during_write, during_read, health):
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"]
        assert "Traceback" not in response.text
    assert api.read(saved.id, saved.view_token).json()["name"] == "before the fault"
    assert api.create("after the fault").status_code == 201
    assert api.http.get("/healthz").status_code == 200


# --- a write is acknowledged only once it is committed -------------------------------------------


@dataclass
class OwnDatabase:
    """A client of the app as deployed: each request's session really commits or rolls back (no test
    transaction around it), on a database of the test's own."""

    client: TestClient
    url: str

    def count(self, table: str) -> int:
        return self.scalar(f"SELECT count(*) FROM {table}")

    def scalar(self, query: str, **params):
        engine = create_engine(self.url)
        with engine.connect() as connection:
            value = connection.execute(text(query), params).scalar()
        engine.dispose()
        return value


@pytest.fixture
def own_database(settings, tmp_path):
    url = make_test_database(tmp_path, "commits")
    migrate.upgrade(url)
    app = create_app(settings.model_copy(update={"database_url": url}))
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as client:
        yield OwnDatabase(client, url)
    app.state.engine.dispose()
    drop_test_database(url)


def commits_fail(monkeypatch) -> None:
    """From now on every COMMIT fails, as on a full disk or a dropped connection at the last moment. A write
    sent in autocommit (the wizard's step post on PostgreSQL, app.db.each_statement_commits, and on the event
    loop's own connection) is its own commit: it fails as that statement, which then writes nothing."""
    def fail(self):
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    execute = DefaultDialect.do_execute

    def fail_autocommitted_writes(self, cursor, statement, parameters, context=None):
        autocommit = getattr(cursor.connection, "autocommit", False) is True  # psycopg's; sqlite3 has none
        if autocommit and not statement.lstrip().startswith("SELECT"):
            raise OperationalError(statement, parameters, Exception("disk I/O error"))
        return execute(self, cursor, statement, parameters, context)

    fetchrow = asyncpg.Connection.fetchrow

    async def fail_loop_writes(self, query, *args, **kwargs):
        # The event loop's own connection (app.db.LoopConnection): the wizard's step post saves through it.
        if not query.lstrip().startswith("SELECT"):
            raise asyncpg.exceptions.DiskFullError("could not extend file: No space left on device")
        return await fetchrow(self, query, *args, **kwargs)

    monkeypatch.setattr(Session, "commit", fail)
    # A connection's own transaction (SQLite's step post on the event loop, app.web.loop_saves): its COMMIT.
    monkeypatch.setattr(DefaultDialect, "do_commit", lambda self, dbapi_connection: fail(self))
    monkeypatch.setattr(DefaultDialect, "do_execute", fail_autocommitted_writes)
    monkeypatch.setattr(asyncpg.Connection, "fetchrow", fail_loop_writes)


def _created(own: OwnDatabase) -> Saved:
    """An assessment made through the API (committed), as a writer would have before the fault."""
    response = own.client.post("/api/v1/assessments", json={"name": "Before the fault",
                                                             "answers": {"labeled_examples": 10}})
    assert response.status_code == 201
    body = response.json()
    return Saved(body["id"], token_of(body["edit_url"]), token_of(body["view_url"]), body["version"])


def _edit_api(own, saved, _team):
    headers = {"Authorization": f"Bearer {saved.edit_token}", "If-Match": f'"{saved.version}"'}
    return own.client.patch(f"/api/v1/assessments/{saved.id}", json={"answers": {"labeled_examples": 99}},
                            headers=headers)


def _autosave_step(_own, saved, team):
    section = next(s for s in team.sections if any(q.id == "labeled_examples" for q in s.questions))
    form = filled(section, labeled_examples=99)
    return team.post_step(saved.edit_token, section, form, version=str(saved.version), action="autosave")


def _revoke_view_link(own, saved, team):
    return own.client.post(f"/e/{saved.edit_token}/share/view/revoke", data={"csrf_token": team.csrf},
                           follow_redirects=False)


def _assessments(own, _saved):
    return own.count("assessment")


def _version(own, saved):
    return own.scalar("SELECT version FROM assessment WHERE id = :id", id=saved.id)


def _live_links(own, saved):
    return own.scalar("SELECT count(*) FROM sharelink WHERE assessment_id = :id AND revoked_at IS NULL",
                      id=saved.id)


# Each write a person makes, and what the database holds afterwards: unchanged when the commit failed.
WRITES = {
    "create through the API": (
        lambda own, saved, team: own.client.post("/api/v1/assessments", json={"name": "Lost"}), _assessments),
    "create through the wizard": (lambda own, saved, team: team.start(name="Lost"), _assessments),
    "edit through the API": (_edit_api, _version),
    "autosave in the wizard": (_autosave_step, _version),
    "revoke the view link": (_revoke_view_link, _live_links),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_a_write_whose_commit_fails_is_never_acknowledged(own_database, monkeypatch, write):
    """R28's guarantee rests on this: the response goes out only after the COMMIT succeeded. A server
    killed in the ~1 ms between an early acknowledgement and its commit is too rare to catch live."""
    send, stored = WRITES[write]
    saved = _created(own_database)
    team = Walker(own_database.client)  # loads a page, as the person did, for the form's CSRF token
    before = stored(own_database, saved)
    commits_fail(monkeypatch)
    response = send(own_database, saved, team)
    monkeypatch.undo()
    assert not 200 <= response.status_code < 400, f"{write} was acknowledged ({response.status_code})"
    assert response.status_code == 503 and response.headers["retry-after"]
    assert "Traceback" not in response.text
    assert stored(own_database, saved) == before
    retried = send(own_database, saved, team)
    assert 200 <= retried.status_code < 400, retried.text
    assert stored(own_database, saved) != before


# --- a create that fails half-way -------------------------------------------------------------------


def test_a_create_that_fails_half_way_leaves_nothing_behind_and_says_so_kindly(own_database, monkeypatch):
    team = Walker(own_database.client)
    make_link = store._new_link

    def fail_at_the_edit_link(assessment, kind, *, session, secret):
        link = make_link(assessment, kind, session=session, secret=secret)
        session.flush()  # the workspace, the assessment and its view link are written by now
        if kind == "edit":
            raise RuntimeError("the disk filled up while saving the edit link")
        return link

    monkeypatch.setattr(store, "_new_link", fail_at_the_edit_link)
    response = team.start(name="Half-made")
    monkeypatch.undo()
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "Your saved answers are safe" in response.text
    for leak in ("Traceback", "RuntimeError", "disk filled up", "sharelink"):
        assert leak not in response.text
    tables = ("workspace", "assessment", "sharelink", "revision", "idempotencykey")
    assert {table: own_database.count(table) for table in tables} == dict.fromkeys(tables, 0)
    assert team.start(name="Made whole").status_code == 303  # the same form, sent again, works
    assert own_database.count("assessment") == 1


# --- a server killed in the middle of writes ----------------------------------------------------


class Writers:
    """Threads that each create an assessment and keep changing its answers, noting what the server
    acknowledged (2xx) and what was in flight when the server died."""

    def __init__(self, api: Api, count: int):
        self.api = api
        self.count = count
        self.stop = threading.Event()
        self.acknowledged: dict[str, dict] = {}  # id -> answers the server confirmed last
        self.in_flight: dict[str, dict] = {}  # id -> answers sent, not (yet) confirmed
        self.tokens: dict[str, str] = {}
        self.created_keys: dict[str, str] = {}  # idempotency key -> id, for acknowledged creates
        self.sent_keys: set[str] = set()
        self.requests = 0
        self.lock = threading.Lock()
        # Notified on every acknowledged write, so a test waits for progress, not for a guessed time.
        self.progress = threading.Condition(self.lock)

    def wait_for_acknowledged(self, assessments: int, writes: int = 0, timeout: float = 120) -> None:
        """Block until at least `assessments` exist and `writes` more requests were acknowledged."""
        with self.progress:
            target = self.requests + writes
            reached = self.progress.wait_for(
                lambda: len(self.acknowledged) >= assessments and self.requests >= target, timeout)
        assert reached, f"the writers stalled: {len(self.acknowledged)} assessments, {self.requests} writes"

    def run(self, seed: int) -> None:
        rng = random.Random(seed)
        while not self.stop.is_set():
            key = str(uuid.uuid4())
            with self.lock:
                self.sent_keys.add(key)
            try:
                response = self.api.create(f"writer {seed}", random_number_answer(rng), key=key)
            except Exception:
                return
            if response.status_code != 201:
                return
            saved = self.api.created(response)
            with self.progress:
                self.requests += 1
                self.created_keys[key] = saved.id
                self.acknowledged[saved.id] = dict(saved.answers)
                self.tokens[saved.id] = saved.edit_token
                self.progress.notify_all()
            for _ in range(rng.randint(1, 5)):
                change = random_number_answer(rng)
                self.in_flight[saved.id] = saved.answers | change
                try:
                    response = self.api.patch(saved, change)
                except Exception:
                    return
                if response.status_code != 200:
                    return
                saved.version = response.json()["version"]
                saved.answers = response.json()["answers"]
                with self.progress:
                    self.requests += 1
                    self.acknowledged[saved.id] = dict(saved.answers)
                    self.progress.notify_all()

    def start(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.run, args=(seed,), daemon=True) for seed in range(self.count)]
        for thread in threads:
            thread.start()
        return threads


def test_a_server_killed_mid_write_leaves_a_consistent_database_with_every_acknowledged_write(fresh_server):
    server = fresh_server()
    writers = Writers(Api(server.url, timeout=10), count=8)
    threads = writers.start()
    # Kill once the writers are well under way: eight of them keep writing, so the kill lands mid-write.
    writers.wait_for_acknowledged(assessments=8, writes=40)
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=10)
    writers.stop.set()
    for thread in threads:
        thread.join(timeout=15)
    assert len(writers.acknowledged) >= 5, "the writers barely wrote before the kill"

    check_consistency(server.database_url)
    restarted = fresh_server(server.database_url)
    api = Api(restarted.url)
    for assessment_id, answers in writers.acknowledged.items():
        response = api.read(assessment_id, writers.tokens[assessment_id])
        assert response.status_code == 200, f"acknowledged {assessment_id} is gone: {response.text}"
        stored = response.json()["answers"]
        assert stored in (answers, writers.in_flight.get(assessment_id)), assessment_id
    print(f"SIGKILL test: {writers.requests} writes acknowledged, {len(writers.acknowledged)} "
          f"assessments verified after restart")


def check_consistency(database_url: str) -> None:
    """The database's own integrity check, and no half-saved assessment: each has its two links,
    at least one revision and a version no lower than its revisions' count."""
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
        half_saved = connection.execute(text(
            "SELECT a.id FROM assessment a "
            "WHERE (SELECT count(*) FROM sharelink l WHERE l.assessment_id = a.id) <> 2 "
            "OR NOT EXISTS (SELECT 1 FROM revision r WHERE r.assessment_id = a.id)"
        )).all()
        orphans = connection.execute(text(
            "SELECT count(*) FROM idempotencykey k LEFT JOIN assessment a ON a.id = k.assessment_id "
            "WHERE a.id IS NULL")).scalar()
    engine.dispose()
    assert half_saved == []
    assert orphans == 0


# --- backups during writes ----------------------------------------------------------------------


@pytest.mark.skipif(using_postgres(), reason="advisor db backup copies SQLite; PostgreSQL uses pg_dump")
def test_a_backup_taken_during_writes_is_consistent_and_serves_the_old_links(fresh_server, tmp_path):
    server = fresh_server()
    database = sqlite_path(server.database_url)
    # A reader (a long report, a stuck request) holds its snapshot from before the writes: no checkpoint
    # can move later commits into the main file, so they live only in the WAL. A copy of the file would
    # miss them; only a real backup (the backup API or VACUUM INTO) sees them.
    reader = sqlite3.connect(database, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM assessment").fetchone()
    writers = Writers(Api(server.url), count=20)
    threads = writers.start()
    try:
        writers.wait_for_acknowledged(assessments=10)
        with writers.lock:
            committed_before = dict(writers.tokens)
        plain_copy = tmp_path / "plain-copy.db"
        shutil.copyfile(database, plain_copy)
        backup = tmp_path / "backup.db"
        env = {**os.environ, "ADVISOR_DATABASE_URL": server.database_url, "ADVISOR_SECRET_KEY": TEST_SECRET}
        done = subprocess.run([sys.executable, "-m", "app.cli", "db", "backup", str(backup)], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=120)
        writers.wait_for_acknowledged(assessments=0, writes=20)  # writes go on after the backup
    finally:
        writers.stop.set()
        for thread in threads:
            thread.join(timeout=15)
        reader.execute("ROLLBACK")
        reader.close()
    with sqlite3.connect(plain_copy) as copy:
        in_the_file = {row[0] for row in copy.execute("SELECT id FROM assessment")}
    assert not set(committed_before) <= in_the_file, "commits reached the main file: this run proves nothing"
    assert done.returncode == 0, done.stderr
    assert "integrity check: ok" in done.stdout
    check_consistency(f"sqlite:///{backup}")
    with sqlite3.connect(backup) as copy:
        ids = {row[0] for row in copy.execute("SELECT id FROM assessment")}
    assert set(committed_before) <= ids

    again = subprocess.run([sys.executable, "-m", "app.cli", "db", "backup", str(backup)], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=60)
    assert again.returncode != 0 and "refusing to overwrite" in again.stderr

    restored = fresh_server(f"sqlite:///{backup}")
    api = Api(restored.url)
    some_id, token = next(iter(committed_before.items()))
    assert api.read(some_id, token).status_code == 200
    print(f"backup test: {writers.requests} writes during the backup, {len(ids)} assessments in the copy")


# --- double submits -----------------------------------------------------------------------------


def test_the_same_create_sent_twice_at_once_makes_one_assessment(fresh_server):
    server = fresh_server()
    apis = [Api(server.url) for _ in range(2)]
    for attempt in range(10):
        key = str(uuid.uuid4())
        barrier = threading.Barrier(2)

        def send(api, key=key, barrier=barrier):
            barrier.wait()
            return api.create("Double click", {"task_type": "classification"}, key=key)

        with ThreadPoolExecutor(2) as pool:
            responses = list(pool.map(send, apis))
        statuses = sorted(r.status_code for r in responses)
        assert statuses in ([201, 201], [201, 409]), (attempt, statuses, [r.text for r in responses])
        ids = {r.json()["id"] for r in responses if r.status_code == 201}
        assert len(ids) == 1
    engine = create_engine(server.database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM assessment")).scalar() == 10
    engine.dispose()


def test_the_wizard_form_sent_twice_at_once_makes_one_assessment(fresh_server):
    import httpx

    from tests.security.live import wizard_form

    server = fresh_server()
    for attempt in range(10):
        with httpx.Client(base_url=server.url, timeout=30) as browser:
            form = wizard_form(browser.get("/new").text)
            data = dict(form["fields"]) | {"name": f"Double click {attempt}"}
            barrier = threading.Barrier(2)

            def send(_, browser=browser, barrier=barrier, action=form["action"] or "/new", data=data):
                barrier.wait()
                return browser.post(action, data=data)

            with ThreadPoolExecutor(2) as pool:
                responses = list(pool.map(send, range(2)))
        statuses = [r.status_code for r in responses]
        assert all(s < 500 for s in statuses), (attempt, statuses)
        targets = {r.headers.get("location") for r in responses if r.status_code == 303}
        assert len(targets) <= 1
    engine = create_engine(server.database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM assessment")).scalar() == 10
    engine.dispose()

