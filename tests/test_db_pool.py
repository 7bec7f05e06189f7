"""PostgreSQL's pool pings a connection only after it sat idle (app.db.PG_PING_AFTER_IDLE_SECONDS): one
dropped while the database was away is replaced unseen (R29), and a loaded server does not pay a round
trip per request for the check."""

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from app import db
from tests.conftest import _base_database_url, using_postgres

pytestmark = pytest.mark.skipif(not using_postgres(), reason="PostgreSQL's pool; SQLite keeps its own")


def _backend(engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()


def _drop(pid: int) -> None:
    """What a database restart, a failover or a proxy's idle timeout does to a pooled connection."""
    admin = create_engine(_base_database_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        assert connection.exec_driver_sql(f"SELECT pg_terminate_backend({pid})").scalar()
    admin.dispose()


def _engine(database_url: str, idle_seconds: float):
    engine = create_engine(database_url, pool_size=1, max_overflow=0)
    db._ping_when_idle(engine, idle_seconds)
    return engine


def test_a_connection_idle_past_the_limit_that_the_database_dropped_is_replaced_unseen(database_url):
    engine = _engine(database_url, idle_seconds=0.0)  # every connection counts as idle
    try:
        dropped = _backend(engine)
        _drop(dropped)
        assert _backend(engine) != dropped  # no error: the ping found it gone and the pool reconnected
    finally:
        engine.dispose()


def test_a_connection_back_in_use_at_once_is_not_pinged(database_url, monkeypatch):
    engine = db.make_engine(database_url, pool_size=1, max_overflow=0)
    pings = []
    real_ping = engine.dialect.do_ping

    def counted_ping(connection):
        pings.append(connection)
        return real_ping(connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted_ping)
    try:
        backends = {_backend(engine) for _ in range(50)}
        assert len(backends) == 1
        assert len(pings) <= 1  # the new connection's first checkout at most; none while it is in steady use
    finally:
        engine.dispose()


def test_a_dropped_connection_used_within_the_limit_fails_once_and_the_pool_recovers(database_url):
    # The price of not pinging busy connections: one request meets the drop (the app answers 503 with
    # Retry-After, R29) and the pool replaces the connection for the next one.
    engine = _engine(database_url, idle_seconds=3600.0)
    try:
        dropped = _backend(engine)
        _drop(dropped)
        with pytest.raises(OperationalError) as failed:
            _backend(engine)
        assert failed.value.connection_invalidated
        assert _backend(engine) != dropped
    finally:
        engine.dispose()
