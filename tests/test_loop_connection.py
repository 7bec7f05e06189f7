"""app.db.LoopConnection: the statements the event loop sends on a connection of its own (the kept view page's
link, the wizard's step post), on a database of the test's own, with what is read committed first, as a
request would find it."""

import asyncio
import socket
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import make_url, text
from sqlmodel import Session

from app import assessments as store
from app import db, migrate
from app.db import LoopConnection, make_engine
from app.models import Assessment, utcnow
from tests.conftest import TEST_SECRET, drop_test_database, make_test_database, run_coroutine, using_postgres
from tests.factories import example_answers

SECRET = TEST_SECRET.encode()
postgres_only = pytest.mark.skipif(not using_postgres(), reason="PostgreSQL's connection of the event loop")


@pytest.fixture
def engine(tmp_path):
    url = make_test_database(tmp_path, "loop")
    migrate.upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    drop_test_database(url)


def new_assessment(engine, name="Support bot") -> tuple[str, str, str]:
    """A saved assessment: (id, view token, edit token)."""
    with Session(engine, expire_on_commit=False) as session:
        workspace, _token = store.create_workspace(session=session, secret=SECRET)
        assessment = store.create_assessment(session=session, secret=SECRET, workspace=workspace, name=name,
                                             answers=example_answers())
        links = store.links_of(assessment, session=session)
        session.commit()
        return assessment.id, store.link_token(links["view"], SECRET), store.link_token(links["edit"], SECRET)


def change(engine, assessment_id: str, act) -> None:
    """act(assessment, session), committed."""
    with Session(engine, expire_on_commit=False) as session:
        act(session.get(Assessment, assessment_id), session)
        session.commit()


def grant_by_token(engine, token: str, need: str):
    with engine.connect() as connection:
        return store.grant_by_token(token, connection=connection, need=need)


@contextmanager
def silent_server():
    """LoopConnection (and its grants) for a server that takes the connection and never says a word (a stalled
    database or proxy)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        connection = LoopConnection(make_engine(f"postgresql+psycopg://nobody@127.0.0.1:{silent.getsockname()[1]}/x"))
        yield connection, store.DriverGrants(connection.dialect)


async def loop_grant(connection: LoopConnection, grants: store.DriverGrants, token: str, need: str):
    found = await connection.fetch_keyed(grants.sql, grants.sql_many, grants.key(token))
    return grants.grant(found, need=need)


def test_the_loop_look_up_opens_a_link_by_the_same_rules_as_the_store(engine):
    """Live, expired, revoked, renewed and deleted links, and a view link asked to edit: the event loop's
    look-up (the kept view page's) agrees with store.grant_by_token each time."""
    connection = LoopConnection(engine)
    grants = store.DriverGrants(connection.dialect)
    assessment_id, view, edit = new_assessment(engine)

    async def opens(token: str, need: str = "view") -> bool:
        try:
            granted = await loop_grant(connection, grants, token, need)
        except store.NotFound:
            with pytest.raises(store.NotFound):
                grant_by_token(engine, token, need)
            return False
        assert granted == grant_by_token(engine, token, need)
        return True

    async def walk():
        try:
            assert await opens(view) and await opens(edit) and await opens(edit, "edit")
            assert await loop_grant(connection, grants, view, "view") == store.Grant(assessment_id, 1, "view")
            assert not await opens(view, "edit")
            assert not await opens("not a token") and not await opens(view[:-1] + "x")
            change(engine, assessment_id, lambda a, s: store.set_link_expiry(
                a, "view", utcnow() + timedelta(days=1), session=s))
            assert await opens(view)
            change(engine, assessment_id, lambda a, s: store.set_link_expiry(
                a, "view", utcnow() - timedelta(seconds=1), session=s))
            assert not await opens(view) and await opens(edit)
            change(engine, assessment_id, lambda a, s: store.revoke_link(a, "edit", session=s))
            assert not await opens(edit)
            change(engine, assessment_id, lambda a, s: store.renew_link(a, "edit", session=s, secret=SECRET))
            assert not await opens(edit)  # the old token stays dead
            with Session(engine) as session:
                links = store.links_of(session.get(Assessment, assessment_id), session=session)
                renewed = store.link_token(links["edit"], SECRET)
            assert await opens(renewed, "edit")
            change(engine, assessment_id, lambda a, s: store.soft_delete(a, session=s))
            assert not await opens(renewed)
        finally:
            connection.close()

    run_coroutine(walk)


@postgres_only
def test_look_ups_that_arrive_while_one_is_on_its_way_go_together_and_each_gets_its_own_row(engine,
                                                                                         monkeypatch):
    connection = LoopConnection(engine)
    grants = store.DriverGrants(connection.dialect)
    made = [new_assessment(engine, f"Bot {n}") for n in range(12)]
    sent: list[int] = []
    fetch = LoopConnection._pg_fetch

    async def counted(self, sql_many, keys):
        sent.append(len(keys))
        return await fetch(self, sql_many, keys)

    monkeypatch.setattr(LoopConnection, "_pg_fetch", counted)

    async def together():
        try:
            first = asyncio.create_task(loop_grant(connection, grants, made[0][1], "view"))
            while not sent:  # until the first look-up is on its way
                await asyncio.sleep(0)
            tokens = [view for _id, view, _edit in made] + [made[0][2], "not-a-link" * 5]
            results = await asyncio.gather(*(loop_grant(connection, grants, token, "view")
                                             for token in tokens),
                                           return_exceptions=True)
            return await first, results
        finally:
            connection.close()

    first, results = run_coroutine(together)
    expected = [store.Grant(assessment_id, 1, "view") for assessment_id, _view, _edit in made]
    assert first == expected[0] and results[:12] == expected  # made[0]'s asked again while on its way
    assert results[12] == store.Grant(made[0][0], 1, "edit")
    assert isinstance(results[13], store.NotFound)  # not a token: never sent
    # The first look-up went alone; the 13 links asked for while it was on its way went as one statement.
    assert sent == [1, 13], sent


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@postgres_only
def test_a_database_that_is_down_fails_the_look_up_at_once_and_is_tried_again_a_second_later(monkeypatch):
    connection = LoopConnection(make_engine(f"postgresql+psycopg://nobody@127.0.0.1:{closed_port()}/advisor"))
    grants = store.DriverGrants(connection.dialect)
    token = "a" * 43
    clock = [1000.0]
    monkeypatch.setattr(db.time, "monotonic", lambda: clock[0])
    tries: list[float] = []
    fetch = LoopConnection._pg_fetch

    async def counted(self, sql_many, keys):
        tries.append(clock[0])
        return await fetch(self, sql_many, keys)

    monkeypatch.setattr(LoopConnection, "_pg_fetch", counted)

    async def look():
        for moment in (1000.0, 1000.5, 1001.0 + db.LOOP_RETRY_SECONDS):
            clock[0] = moment
            with pytest.raises(LoopConnection.Unavailable):
                await loop_grant(connection, grants, token, "view")

    run_coroutine(look)
    # Refused at once half a second after the failure, without a try; tried again once the second passed.
    assert tries == [1000.0, 1001.0 + db.LOOP_RETRY_SECONDS]


@postgres_only
def test_a_database_that_does_not_answer_is_given_up_after_the_timeout_and_the_loop_runs_on(monkeypatch):
    """A server that takes the connection and never says a word (a stalled database or proxy): the look-up
    ends with Unavailable after LOOP_TIMEOUT_SECONDS, and the event loop serves others meanwhile."""
    monkeypatch.setattr(db, "LOOP_TIMEOUT_SECONDS", 0.3)
    with silent_server() as (connection, grants):

        async def look():
            ticks = 0

            async def tick():
                nonlocal ticks
                while True:
                    await asyncio.sleep(0.01)
                    ticks += 1

            ticker = asyncio.create_task(tick())
            started = time.monotonic()
            with pytest.raises(LoopConnection.Unavailable):
                await loop_grant(connection, grants, "a" * 43, "view")
            ticker.cancel()
            return time.monotonic() - started, ticks

        waited, ticks = run_coroutine(look)
    assert 0.25 <= waited < 2.0
    assert ticks >= 10  # the loop went on while the look-up waited


@postgres_only
def test_a_connection_opened_on_one_event_loop_is_replaced_on_another(engine):
    """A test client starts an event loop per request; the connection of a loop that is gone is dropped,
    and so is a look-up that loop left on its way (its loop closed under it)."""
    connection = LoopConnection(engine)
    grants = store.DriverGrants(connection.dialect)
    assessment_id, view, _edit = new_assessment(engine)

    async def left_on_its_way():
        # The look-up is queued and its sender started, and the loop ends before either runs.
        asyncio.get_running_loop().create_task(loop_grant(connection, grants, view, "view"))

    try:
        for _ in range(2):
            granted = run_coroutine(loop_grant, connection, grants, view, "view")
            assert granted == store.Grant(assessment_id, 1, "view")
        run_coroutine(left_on_its_way)

        async def next_look_up():  # not left waiting for the sender of the loop that is gone
            return await asyncio.wait_for(loop_grant(connection, grants, view, "view"), 5)

        assert run_coroutine(next_look_up) == store.Grant(assessment_id, 1, "view")
    finally:
        connection.close()


def test_the_engines_url_becomes_asyncpgs_keeping_what_asyncpg_knows_and_dropping_what_it_does_not():
    """asyncpg sends parameters it does not know to the server as settings, which refuses the connection."""
    url = make_url("postgresql+psycopg://ann:p%40ss%2Fw%3A%23rd@db.example:6543/advisor?sslmode=require"
                   "&connect_timeout=5&keepalives=1&application_name=advisor"
                   "&options=-c%20search_path%3Dadv%20-cwork_mem%3D4MB")
    dsn, settings = db.asyncpg_dsn(url)
    parsed = make_url(dsn)
    where = (parsed.drivername, parsed.username, parsed.password, parsed.host, parsed.port, parsed.database)
    assert where == ("postgresql", "ann", "p@ss/w:#rd", "db.example", 6543, "advisor")
    assert dict(parsed.query) == {"sslmode": "require", "application_name": "advisor"}
    assert settings == {"search_path": "adv", "work_mem": "4MB",
                        "statement_timeout": str(db.LOOP_STATEMENT_TIMEOUT_MS),
                        "lock_timeout": str(db.LOOP_LOCK_TIMEOUT_MS)}


@postgres_only
def test_a_look_up_held_up_by_a_lock_gives_up_and_leaves_no_statement_behind_on_the_server(engine):
    """A migration holding a table's lock: the look-up ends within the timeout, and its statement ends on the
    server too (the server's lock and statement timeouts), not left waiting with a server process of its
    own."""
    connection = LoopConnection(engine)
    grants = store.DriverGrants(connection.dialect)
    _id, view, _edit = new_assessment(engine)
    with engine.connect() as locker, engine.connect() as watcher:
        locker.exec_driver_sql("LOCK TABLE sharelink IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        with pytest.raises(LoopConnection.Unavailable):
            run_coroutine(loop_grant, connection, grants, view, "view")
        assert time.monotonic() - started < db.LOOP_TIMEOUT_SECONDS + 1
        waiting = text("SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE :look_up "
                       "AND pid <> pg_backend_pid()").bindparams(look_up="%token_hash = ANY%")
        deadline = time.monotonic() + 2
        while (left := watcher.execute(waiting).scalar()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert left == 0  # while the lock is still held
        locker.rollback()
    connection.close()


@postgres_only
def test_look_ups_left_when_the_sender_is_cancelled_are_all_answered():
    """The event loop closing under a look-up on its way and another queued behind it: both are told at
    once, none is left waiting."""
    with silent_server() as (connection, grants):

        async def cancel_the_sender():
            first = asyncio.create_task(loop_grant(connection, grants, "a" * 43, "view"))
            while connection._sender is None:
                await asyncio.sleep(0)
            await asyncio.sleep(0.05)  # the first look-up is on its way (connecting to the silent server)
            second = asyncio.create_task(loop_grant(connection, grants, "b" * 43, "view"))
            await asyncio.sleep(0)
            started = time.monotonic()
            connection._sender.cancel()
            results = await asyncio.gather(first, second, return_exceptions=True)
            return results, time.monotonic() - started

        results, waited = run_coroutine(cancel_the_sender)
    assert [type(result) for result in results] == [LoopConnection.Unavailable, LoopConnection.Unavailable]
    assert waited < 0.5


@postgres_only
def test_the_connection_serves_one_running_event_loop_at_a_time(engine):
    connection = LoopConnection(engine)
    grants = store.DriverGrants(connection.dialect)
    assessment_id, view, _edit = new_assessment(engine)
    other = asyncio.new_event_loop()
    thread = threading.Thread(target=other.run_forever, daemon=True)
    thread.start()
    try:
        asked = loop_grant(connection, grants, view, "view")
        granted = asyncio.run_coroutine_threadsafe(asked, other).result(5)
        assert granted == store.Grant(assessment_id, 1, "view")
        with pytest.raises(LoopConnection.Unavailable):  # that loop still runs: this one goes the usual way
            run_coroutine(loop_grant, connection, grants, view, "view")
    finally:
        other.call_soon_threadsafe(other.stop)
        thread.join()
        other.close()
    # Once it is closed, the next loop starts over.
    granted = run_coroutine(loop_grant, connection, grants, view, "view")
    assert granted == store.Grant(assessment_id, 1, "view")
    connection.close()


VERSION = text("SELECT version FROM assessment WHERE id = :id")
NAME = text("SELECT name FROM assessment WHERE id = :id")
RENAME = text("UPDATE assessment SET name = 'x' WHERE id = :id")


@postgres_only
def test_a_statement_of_its_own_goes_after_the_look_ups_waiting_with_it_and_a_refusal_keeps_the_connection(
        engine):
    """fetch_row (the wizard's save): sent alone, after the look-ups waiting with it. A statement the server
    refuses (a row lock not free within LOOP_LOCK_TIMEOUT_MS) is Unavailable to its request, and the
    connection stays for the next."""
    connection = LoopConnection(engine)
    grants = store.DriverGrants(connection.dialect)
    assessment_id, view, _edit = new_assessment(engine)
    order: list[str] = []

    async def in_turn():
        async def look():
            grant = await loop_grant(connection, grants, view, "view")
            order.append("look-up")
            return grant

        async def version():
            row = await connection.fetch_row(VERSION, {"id": assessment_id})
            order.append("statement")
            return row

        try:
            first = asyncio.create_task(look())
            await asyncio.sleep(0)  # the first look-up is queued, its sender started
            results = await asyncio.gather(version(), look(), first)
            driver_connection = connection._pg
            with engine.connect() as holder:
                holder.execute(text("SELECT 1 FROM assessment WHERE id = :id FOR UPDATE"),
                               {"id": assessment_id})
                with pytest.raises(LoopConnection.Unavailable, match="LockNotAvailable"):
                    await connection.fetch_row(RENAME, {"id": assessment_id})
                holder.rollback()
            assert connection._pg is driver_connection  # kept: no reconnection, no rest
            assert await connection.fetch_row(NAME, {"id": assessment_id}) == ("Support bot",)
            return results
        finally:
            connection.close()

    row, second, first = run_coroutine(in_turn)
    assert row == (1,) and first == second == store.Grant(assessment_id, 1, "view")
    # Both look-ups went first, together, then the statement: each round sends the look-ups waiting, then
    # the statements.
    assert order == ["look-up", "look-up", "statement"], order
