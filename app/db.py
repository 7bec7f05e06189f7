"""Engine and sessions. SQLite gets the pragmas a web server needs; PostgreSQL the same URL setting."""

import asyncio
import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

from fastapi import Depends, Request
from sqlalchemy import event, make_url
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.sql.expression import Executable
from sqlmodel import Session, create_engine
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("advisor")

# Milliseconds a SQLite writer waits for the lock before giving up (R20: at least 5,000).
SQLITE_BUSY_TIMEOUT_MS = 10_000


# Connections kept open for SQLite: one per worker thread (anyio's default limit is 40), so none is
# opened and closed per request under load. SQLAlchemy's default (5, and 10 more opened and closed on
# demand) spent a quarter of a loaded server's CPU reconnecting and setting the pragmas again.
SQLITE_POOL_SIZE = 40


# The app copies SQLite's write-ahead log into the database file on a thread of its own (Checkpoints),
# once a second. SQLite's own rule (checkpoint at 1,000 pages) makes the commit that crosses the mark do
# it, fsync included, while that request holds the one write lock: 1 commit in 150 took 10-90 ms under
# load, and every save queued behind it (wizard step p99 64 ms at 8 connections, p50 27 ms). The app's
# engine raises the mark to 10,000 pages (40 MB): reached only if the thread is not running.
SQLITE_CHECKPOINT_SECONDS = 1.0
SQLITE_APP_AUTOCHECKPOINT_PAGES = 10_000


# PostgreSQL pool, per worker process; each is a setting (ADVISOR_DB_*), these are the defaults.
# Every connection counts against the server's max_connections (100 by default, 3 reserved for superusers):
# instances x workers x (pool + overflow + 1, LoopConnection) must stay below it, or the last instance to
# start gets "too many clients" under load. The old fixed 10 + 10 made 3 instances x 2 workers ask for 120
# (issue 16).
# 10 kept open: the steady load of a worker (its 40 threads rarely hold more than a few at once) never
# reconnects; 4 more for bursts (5 before the kept view pages' look-ups left the pool for the event loop's own
# connection, LoopConnection): 3 x 2 x (10 + 4 + 1) = 90 fits the default 97, with room for migrate, purge,
# backups and psql.
PG_POOL_SIZE = 10
PG_MAX_OVERFLOW = 4
# Seconds a request waits for a free connection: SQLAlchemy's 30 outlasts most proxies' timeouts, so the
# client would see the proxy's 504, not our 503 with Retry-After; 10 fails inside them.
PG_POOL_TIMEOUT_SECONDS = 10.0
# Connections older than this are reopened on checkout: a proxy or firewall in between (PgBouncer, cloud
# NAT) drops idle ones after some minutes without telling us; the idle ping (below) catches that too, but
# at the cost of a failed round trip. Half an hour is below the usual idle limits.
PG_POOL_RECYCLE_SECONDS = 1800
# A connection idle longer than this is pinged before it is handed out, and replaced if the database
# dropped it (R29). SQLAlchemy's pool_pre_ping pings on every checkout: one more round trip per request,
# 9 % of a wizard step post's CPU under load (1.90 against 2.08 ms, three interleaved pairs at -c8). Under
# load every connection is back in use within milliseconds; after a restart of the database, a
# connection used within this second that fails anyway answers 503 (Retry-After) and makes the pool
# drop every connection opened before it, so the retry gets a fresh one.
PG_PING_AFTER_IDLE_SECONDS = 1.0

# The event loop's own connection (LoopConnection). A statement over this (a look-up or a step's save takes
# a millisecond, tens of them queued behind each other under load) means the database is stalled: the
# request goes the usual way, through the pool, whose waits and 503s are made for that. After a failure the
# loop leaves the database alone this long, so a database that is down costs one attempt a second on the
# loop, not one a request.
LOOP_TIMEOUT_SECONDS = 1.0
LOOP_RETRY_SECONDS = 1.0
# The server ends a statement of that connection itself after this, below the timeout above. A connection
# given up on leaves its statement running on the server (asyncpg's cancel request goes with it), holding a
# server process while it waits, say, for a migration's lock; one a second per worker would soon use up
# max_connections.
LOOP_STATEMENT_TIMEOUT_MS = 900
# A request waits no longer than this for its statement, whatever happens to the one sending it.
LOOP_WAIT_SECONDS = 2 * LOOP_TIMEOUT_SECONDS + 0.5
# A statement of that connection waiting this long for a row lock fails (PostgreSQL's lock_timeout), and its
# request goes the usual way: everything queued behind it on the one connection would wait as long. A step
# post's save holds its assessment's row for well under a millisecond; this is only met when another
# request's transaction holds it (an API save, a restore), which the usual way waits out.
LOOP_LOCK_TIMEOUT_MS = 50


def make_engine(url: str, *, pool_size: int = PG_POOL_SIZE, max_overflow: int = PG_MAX_OVERFLOW,
                pool_timeout: float = PG_POOL_TIMEOUT_SECONDS,
                pool_recycle: int = PG_POOL_RECYCLE_SECONDS,
                sqlite_autocheckpoint: int | None = None) -> Engine:
    """The engine for `url`. The pool arguments apply to PostgreSQL only; SQLite keeps its own pool.
    `sqlite_autocheckpoint`: pages of write-ahead log before a commit checkpoints it (SQLite's default,
    1,000, when None)."""
    if url.startswith("sqlite"):
        pool = {} if in_memory(url) else {"pool_size": SQLITE_POOL_SIZE, "max_overflow": 10}
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)
        _configure_sqlite(engine, sqlite_autocheckpoint)
        return engine
    engine = create_engine(url, pool_size=pool_size, max_overflow=max_overflow, pool_timeout=pool_timeout,
                           pool_recycle=pool_recycle)
    _ping_when_idle(engine, PG_PING_AFTER_IDLE_SECONDS)
    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """pool_pre_ping for connections idle over `idle_seconds`: a connection dropped while the database
    was away is replaced, not reused (SQLAlchemy's "Disconnect Handling - Pessimistic", done by hand)."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is not None and time.monotonic() - idle_since <= idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                # The pool drops this connection and hands out another (a new one if need be).
                raise DisconnectionError("the database dropped this connection") from error
            raise


def in_memory(url: str) -> bool:
    """A SQLite database in memory: one connection, shared by every thread (so no Checkpoints on it)."""
    return url.startswith("sqlite") and make_url(url).database in (None, "", ":memory:")


def engine_for(settings) -> Engine:
    """The app's engine, with the pool the settings ask for (ADVISOR_DB_POOL_SIZE and the rest)."""
    return make_engine(settings.database_url, pool_size=settings.db_pool_size,
                       max_overflow=settings.db_max_overflow, pool_timeout=settings.db_pool_timeout_seconds,
                       pool_recycle=settings.db_pool_recycle_seconds,
                       sqlite_autocheckpoint=SQLITE_APP_AUTOCHECKPOINT_PAGES)


def _configure_sqlite(engine: Engine, autocheckpoint: int | None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        if autocheckpoint is not None:
            cursor.execute(f"PRAGMA wal_autocheckpoint={int(autocheckpoint)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A deferred transaction that later writes can fail at once with "database is locked";
        # writers take the lock up front so busy_timeout applies (sqlite.org/lang_transaction.html).
        # sqlite_begin=None: no BEGIN, so each statement is a transaction of its own (autocommit).
        options = connection.get_execution_options()
        mode = options.get("sqlite_begin", "DEFERRED")
        if mode is None:
            return
        if options.get("sqlite_wait", True):
            connection.exec_driver_sql(f"BEGIN {mode}")
            return
        # Only if the lock is free now (writer(wait=False)): no busy handler for this BEGIN. The pragmas go
        # to sqlite3 directly: through SQLAlchemy they cost 5 % of a step post (cProfile).
        sqlite = connection.connection.driver_connection
        sqlite.execute("PRAGMA busy_timeout=0")
        try:
            connection.exec_driver_sql(f"BEGIN {mode}")
        finally:
            sqlite.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


def writer(engine: Engine, *, wait: bool = True) -> Engine:
    """The same engine, but each SQLite transaction starts with BEGIN IMMEDIATE. With wait=False that
    BEGIN takes the write lock only if it is free now: a busy lock fails it at once (lock_was_busy)
    instead of after SQLITE_BUSY_TIMEOUT_MS; for work done on the event loop (the wizard's step post on
    SQLite), where waiting would stall every request of the process."""
    if wait:
        return engine.execution_options(sqlite_begin="IMMEDIATE")
    return engine.execution_options(sqlite_begin="IMMEDIATE", sqlite_wait=False)


class LoopConnection:
    """A connection of this worker's own for short statements done on the event loop, never waiting there
    long for a lock or a dead database: a statement it cannot do at once (on PostgreSQL: within
    LOOP_LOCK_TIMEOUT_MS for a lock, LOOP_TIMEOUT_SECONDS for an answer) raises Unavailable, and the caller
    goes the usual way (a worker thread and the pool, with their waits and their 503s).

    For statements so short that the hop to a worker thread and back would cost more than the statement
    itself: the kept view page's link look-up (app.web.share.KeptViewPages) and, on PostgreSQL, the wizard
    step post's look-up and one-statement save (app.web.loop_saves). Each is a transaction of its own.
    - SQLite: a sqlite3 connection in autocommit (no BEGIN, so no read is left open to hold back
      checkpoints), whose busy timeout is 0: a locked database fails the read at once.
    - PostgreSQL: an asyncpg connection, its round trip awaited on the loop. On a worker thread, through
      the pool and psycopg, the look-up was about 1 ms of a kept page's 1.2 ms of CPU under load (-c32);
      asyncpg costs this process 40 % less CPU a round trip than psycopg's async connection (5,000
      look-ups in a loop: 120-140 against 200-215 µs). The look-ups of requests that arrive while one is
      on its way are sent together, as one statement, when it is back: under load a round trip serves
      several pages (0.43 -> 0.21 ms a page at -c32). A look-up is always sent after its request
      arrived, so a link revoked before that is seen as revoked (R16).
      It is one connection more per worker process, which `check --deploy` counts. A round trip that
      fails or takes over LOOP_TIMEOUT_SECONDS closes it; the next is opened after
      LOOP_RETRY_SECONDS, so a database that is down costs the loop one attempt a second, not one
      a request.
    """

    class Unavailable(Exception):
        """The statement was not done (a write whose answer did not come back may have been done); the caller
        goes the usual way."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        if engine.dialect.name == "sqlite":
            self.dialect = engine.dialect
        else:
            from sqlalchemy.dialects.postgresql.asyncpg import dialect
            self.dialect = dialect()  # the statements are compiled for the driver that runs them
        self._sqlite: Connection | None = None
        # PostgreSQL: all of it belongs to one event loop, the worker's (test clients start one a request).
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pg = None  # asyncpg.Connection
        self._retry_at = 0.0
        self._waiting: dict[str, dict[object, list[asyncio.Future]]] = {}  # sql_many -> key -> waiters
        self._statements: list[tuple[str, list, asyncio.Future]] = []  # sent one by one, after the look-ups
        self._compiled: dict[tuple, DriverStatement] = {}  # fetch_row's, by statement and parameter names
        self._sender: asyncio.Task | None = None

    async def fetch_keyed(self, sql: str, sql_many: str | None, key) -> tuple | None:
        """The row `sql` finds for `key` (its one parameter), or None. `sql_many` (PostgreSQL) finds the rows
        of a list of keys, each row ending with its key."""
        if self.engine.dialect.name == "sqlite":
            return self._sqlite_fetchone(sql, key)
        waiter = self._queued()
        self._waiting.setdefault(sql_many, {}).setdefault(key, []).append(waiter)
        return await self._answer(waiter)

    async def fetch_row(self, statement: Executable, parameters: dict) -> tuple | None:
        """The first row of a Core statement of its own (PostgreSQL), sent alone, after the look-ups waiting
        with it; compiled for the driver once per statement and parameter names. For a write: Unavailable
        when it was not sent, or when its answer did not come back (then it may or may not have been
        committed)."""
        key = (statement, frozenset(parameters))
        driver = self._compiled.get(key)
        if driver is None:
            driver = self._compiled[key] = DriverStatement(statement, self.dialect, key[1])
        arguments = driver.arguments(parameters)
        waiter = self._queued()
        self._statements.append((driver.sql, arguments, waiter))
        return await self._answer(waiter)

    def _queued(self) -> asyncio.Future:
        """A future for a statement about to be queued; the sender started if none runs."""
        if self.engine.dialect.name != "postgresql":
            raise self.Unavailable("only PostgreSQL's statements are queued")
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._move_to(loop)
        self._refuse_while_resting()
        if self._sender is None:
            self._sender = loop.create_task(self._send_waiting())
        return loop.create_future()

    @classmethod
    async def _answer(cls, waiter: asyncio.Future):
        try:
            async with asyncio.timeout(LOOP_WAIT_SECONDS):
                return await waiter
        except TimeoutError as error:
            raise cls.Unavailable("no answer in time") from error

    def _refuse_while_resting(self) -> None:
        """Unavailable within LOOP_RETRY_SECONDS of a failure: asked before queueing a look-up, and
        again before sending one that was queued before the failure."""
        if self._pg is None and time.monotonic() < self._retry_at:
            raise self.Unavailable("the event loop's connection failed less than a second ago")

    def _move_to(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start over on `loop`: what the previous loop left (its connection, its queued look-ups, its
        sender) went with it. Refused while that loop still runs: its sender may be using the connection."""
        if self._loop is not None and not self._loop.is_closed():
            raise self.Unavailable("the connection belongs to another event loop, still running")
        self._drop_pg()
        self._loop, self._waiting, self._statements, self._sender = loop, {}, [], None

    def _sqlite_fetchone(self, sql: str, key) -> tuple | None:
        try:
            if self._sqlite is None:
                self._sqlite = self.engine.connect().execution_options(sqlite_begin=None)
                self._sqlite.exec_driver_sql("PRAGMA busy_timeout=0")
            return self._sqlite.connection.driver_connection.execute(sql, (key,)).fetchone()
        except (DBAPIError, sqlite3.Error) as error:
            if self._sqlite is not None:
                self._sqlite.invalidate()  # never back to the pool with busy_timeout=0
                self._sqlite = None
            raise self.Unavailable(str(error)) from error

    async def _send_waiting(self) -> None:
        """Sends what waits until nothing does: the look-ups, one statement for each kind, then the
        statements of their own, one at a time."""
        taken: list[tuple[str, dict]] = []  # look-ups taken off the queue and not answered yet
        statements: list[tuple[str, list, asyncio.Future]] = []  # the same for statements of their own
        try:
            while self._waiting or self._statements:
                taken, self._waiting = list(self._waiting.items()), {}
                statements, self._statements = self._statements, []
                while taken:
                    sql_many, waiters = taken[0]
                    try:
                        rows = await self._pg_fetch(sql_many, list(waiters))
                    except self.Unavailable as error:
                        for futures in waiters.values():
                            _settle(futures, error=error)
                    else:
                        found = {row[-1]: tuple(row) for row in rows}
                        for key, futures in waiters.items():
                            _settle(futures, result=found.get(key))
                    taken.pop(0)
                while statements:
                    sql, arguments, waiter = statements[0]
                    if not waiter.done():  # its request may have given up: then it is not sent
                        try:
                            row = await self._pg_run("fetchrow", sql, *arguments)
                        except self.Unavailable as error:
                            _settle([waiter], error=error)
                        else:
                            _settle([waiter], result=None if row is None else tuple(row))
                    statements.pop(0)
        except BaseException:  # cancelled, its loop closing: no request is left waiting
            closing = self.Unavailable("the event loop is closing")
            for _sql, waiters in [*taken, *self._waiting.items()]:
                for futures in waiters.values():
                    _settle(futures, error=closing)
            _settle([waiter for *_statement, waiter in [*statements, *self._statements]], error=closing)
            self._waiting, self._statements = {}, []
            raise
        finally:
            self._sender = None

    async def _pg_fetch(self, sql_many: str, keys: list) -> list:
        return await self._pg_run("fetch", sql_many, keys)

    async def _pg_run(self, method: str, *arguments):
        """The connection's `method(*arguments)`, awaited within LOOP_TIMEOUT_SECONDS."""
        self._refuse_while_resting()
        import asyncpg  # only PostgreSQL deployments need it

        try:
            async with asyncio.timeout(LOOP_TIMEOUT_SECONDS):
                if self._pg is None:
                    dsn, server_settings = asyncpg_dsn(self.engine.url)
                    self._pg = await asyncpg.connect(dsn, server_settings=server_settings)
                return await getattr(self._pg, method)(*arguments)
        except asyncpg.PostgresError as error:
            if self._pg is not None and not self._pg.is_closed():
                # The server refused a statement (a lock not free in time, say): the connection stays.
                raise self.Unavailable(f"{type(error).__name__}: {error}") from error
            self._rest(error)  # refused to connect (too many clients, starting up) or closed it
        except Exception as error:  # asyncpg, the network, the timeout, anything: the usual way, not a 500
            self._rest(error)

    def _rest(self, error: Exception) -> NoReturn:
        """Close the connection and leave the database alone for LOOP_RETRY_SECONDS."""
        log.warning("the event loop's PostgreSQL connection failed (%s: %s); its look-ups and saves go "
                    "through the pool for the next %.0f s", type(error).__name__, error, LOOP_RETRY_SECONDS)
        self._drop_pg()
        self._retry_at = time.monotonic() + LOOP_RETRY_SECONDS
        raise self.Unavailable(str(error)) from error

    def _drop_pg(self) -> None:
        if self._pg is not None:
            # terminate: closes the socket, no await, no round trip. RuntimeError: its event loop is closed
            # (a test client's), and the socket goes with the connection.
            with contextlib.suppress(RuntimeError):
                self._pg.terminate()
        self._pg = None

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.invalidate()
            self._sqlite = None
        self._drop_pg()


class DriverStatement:
    """A Core statement as the driver of `dialect` runs it (LoopConnection.fetch_row), for parameters named
    `keys`: compiled once, as SQLAlchemy's own execution compiles it for them (an UPDATE or INSERT also sets
    the columns named like a parameter), its parameters (and the literals the statement holds) put in the
    compiled order and converted by their types."""

    def __init__(self, statement, dialect, keys: frozenset[str]) -> None:
        self._compiled = statement.compile(dialect=dialect, column_keys=sorted(keys))
        if self._compiled.post_compile_params:
            raise ValueError("a statement with parameters expanded at execution (IN lists) is not supported")
        self.sql = str(self._compiled)
        self._names = list(self._compiled.positiontup)
        types = [self._compiled.binds[name].type for name in self._names]
        self._processors = [type_.dialect_impl(dialect).bind_processor(dialect) for type_ in types]

    def arguments(self, parameters: dict) -> list:
        values = self._compiled.construct_params(parameters, escape_names=False)
        return [convert(values[name]) if convert else values[name]
                for name, convert in zip(self._names, self._processors, strict=True)]


# libpq's connection parameters that asyncpg does not know: it would send them to the server as settings,
# which refuses the connection. connect_timeout is LOOP_TIMEOUT_SECONDS's; `options` (-c name=value)
# becomes server settings.
_LIBPQ_ONLY = frozenset({"connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval",
                         "keepalives_count", "tcp_user_timeout", "gssencmode", "channel_binding", "hostaddr",
                         "client_encoding", "requiressl", "sslcompression", "options"})


def asyncpg_dsn(url) -> tuple[str, dict[str, str]]:
    """The DSN and server settings for asyncpg of the engine's PostgreSQL URL (password, host, port, database,
    sslmode and the like kept), with the statement and lock timeouts of LoopConnection."""
    settings: dict[str, str] = {}
    options = url.query.get("options", "")
    words = (options if isinstance(options, str) else " ".join(options)).split()
    for index, word in enumerate(words):
        setting = words[index + 1] if word == "-c" and index + 1 < len(words) else (
            word[2:] if word.startswith(("-c", "--")) and len(word) > 2 else "")
        name, equals, value = setting.partition("=")
        if equals:
            settings[name.replace("-", "_")] = value
    settings["statement_timeout"] = str(LOOP_STATEMENT_TIMEOUT_MS)
    settings["lock_timeout"] = str(LOOP_LOCK_TIMEOUT_MS)
    query = {key: value for key, value in url.query.items() if key not in _LIBPQ_ONLY}
    dsn = url.set(drivername="postgresql", query=query).render_as_string(hide_password=False)
    return dsn, settings


def _settle(futures: list[asyncio.Future], *, result=None, error: Exception | None = None) -> None:
    for future in futures:
        if not future.done():  # its request may have been cancelled
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)


class Checkpoints:
    """Copies SQLite's write-ahead log into the database file once a second (SQLITE_CHECKPOINT_SECONDS), on
    a thread of its own, so no request's commit does it. Started and stopped with the app (its lifespan).

    PASSIVE: copies what it can without waiting for any reader or writer, so it never holds up a request;
    with several worker processes on one file, a checkpoint that finds another one running just yields.
    """

    def __init__(self, engine: Engine, seconds: float = SQLITE_CHECKPOINT_SECONDS) -> None:
        self.engine = engine
        self.seconds = seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoints", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.wait(self.seconds):
            self.checkpoint()

    def checkpoint(self) -> None:
        try:
            # sqlite_begin=None: outside a transaction, where SQLite can checkpoint.
            with self.engine.connect().execution_options(sqlite_begin=None) as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except DBAPIError:
            pass  # the file is busy or gone for now: the next round tries again (and the thread lives on)


class OneWriterAtATime:
    """ASGI middleware for SQLite: requests that may write wait here, in arrival order, one at a time.

    SQLite has one writer. Left to its busy handler, waiting writers sleep and retry (up to 100 ms a
    nap) while the lock sits free, and late arrivals overtake early ones: under load a wizard save
    took seconds (p99 6.7 s at 32 connections) and saves meant for one version overtook each other.
    Other processes on the same file still meet the busy timeout.

    The lock covers the handler and its transaction only (issue 17): the body was read whole before
    (app.security.body.BodyLimit, outside this layer), and the lock is let go when the response starts,
    which is after the commit (SessionDep commits before the response is sent). A client trickling its
    body, or reading its response slowly, holds nothing. Routes that never write do not take it.
    """

    def __init__(self, app: ASGIApp, *, unlocked: Callable[[Scope], bool] | None = None) -> None:
        self.app = app
        self.lock = asyncio.Lock()
        # Upload routes stream their body through (app.security.body) and write nothing: never locked.
        self.unlocked = unlocked

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] in READ_METHODS or scope["path"] in WRITE_FREE_PATHS
                or (self.unlocked is not None and self.unlocked(scope))):
            await self.app(scope, receive, send)
            return
        await self.lock.acquire()
        held = True

        async def send_then_release(message: Message) -> None:
            nonlocal held
            if held and message["type"] == "http.response.start":
                held = False
                self.lock.release()
            await send(message)

        try:
            await self.app(scope, receive, send_then_release)
        finally:
            if held:
                self.lock.release()


# POST routes that store nothing: answers in, recommendation out.
WRITE_FREE_PATHS = frozenset({"/api/v1/recommendations"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def open_session(request: Request, *, lock_at_once: bool = False) -> Session:
    """`lock_at_once`: a writer whose every transaction (the first, and any after a rollback) fails at
    once when SQLite's lock is busy (writer(wait=False)); the same as any other writer elsewhere."""
    state = request.app.state
    if request.method in READ_METHODS:
        return Session(state.engine, expire_on_commit=False)
    return Session(state.write_engine_at_once if lock_at_once else state.write_engine, expire_on_commit=False)


def each_statement_commits(session: Session) -> None:
    """On PostgreSQL, run this session's statements without a transaction around them: each commits by
    itself. Only for a request whose every write is one statement (the wizard's step post: its save is one,
    app.assessments.writes_in_one_statement); its reads need no snapshot, as a write checks the version it
    read (R22). psycopg's BEGIN and COMMIT are a network round trip each: 2 of a step post's 5 before.
    Call it before the session's first statement. SQLite keeps its transaction: no round trips to save."""
    bind = session.bind  # a session joined to a connection's transaction (the tests') stays in it
    if isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def lock_was_busy(error: OperationalError) -> bool:
    """Whether SQLite refused a statement because another connection holds the lock: SQLITE_BUSY, or one
    of its extended codes (sqlite3 reports the extended one, e.g. SQLITE_BUSY_SNAPSHOT)."""
    code = getattr(error.orig, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back if it raises.

    A session does no I/O until its first query, so it is opened here on the event loop; only the
    commit or rollback goes to a worker thread, and only when a transaction is open. (A plain
    generator would cost two thread hops a request, about 0.1 ms each, before any work is done.)
    """
    session = open_session(request)
    try:
        yield session
        if session.in_transaction():
            await run_in_threadpool(session.commit)
    except Exception:
        if session.in_transaction():
            await run_in_threadpool(session.rollback)
        raise
    finally:
        session.close()  # no transaction is left: nothing to send to the database


@contextmanager
def request_session(request: Request, *, lock_at_once: bool = False) -> Iterator[Session]:
    """What SessionDep gives, for a route that opens its session itself where it does its database work,
    on a worker thread or the event loop (the wizard's step post: the dependency's async generator, run
    in an exit stack, was 0.4 of a post's 5.8 M instructions, callgrind). Committed when the block ends,
    rolled back if it raises; a test's replacement of get_session (app.dependency_overrides, a generator
    taking nothing) is used as FastAPI would use it. `lock_at_once`: see open_session."""
    replacement = request.app.dependency_overrides.get(get_session)
    if replacement is not None:
        with contextmanager(replacement)() as session:
            yield session
        return
    session = open_session(request, lock_at_once=lock_at_once)
    try:
        yield session
        if session.in_transaction():
            session.commit()
    except Exception:
        if session.in_transaction():
            session.rollback()
        raise
    finally:
        session.close()


# scope="function": commit before the response is sent, so a client never reads ahead of its own write
# and a failed commit still becomes an error response.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
