"""Starting for real: a bounded wait for the database, `serve --no-migrate` after a one-shot
`db upgrade`, and the PostgreSQL pool from settings (issue 16)."""

import time

import pytest

from app import cli, migrate
from app.config import Settings
from app.db import SQLITE_POOL_SIZE, engine_for
from app.deploy_check import deploy_problems
from tests.conftest import free_port

CLOSED = "postgresql://nobody:secret@127.0.0.1:{port}/advisor"


def test_the_wait_for_a_closed_port_retries_with_backoff_then_gives_up_in_one_line():
    port = free_port()  # bound and released: nothing listens there
    started = time.monotonic()
    with pytest.raises(migrate.DatabaseUnreachable) as raised:
        migrate.wait_for_database(CLOSED.format(port=port), 1.0)
    elapsed = time.monotonic() - started
    message = str(raised.value)
    assert 1.0 <= elapsed < 5.0  # waited the second it was given, not a 30 s default nor nothing
    assert "\n" not in message and "gave up after 1 s" in message
    tries = int(message.rsplit(", ", 1)[1].split()[0])
    assert 3 <= tries <= 6  # 0.25 + 0.5 + at most the rest: backoff, not a busy loop


def test_the_wait_ends_as_soon_as_the_database_answers(tmp_path):
    folder = tmp_path / "not-yet"
    url = f"sqlite:///{folder / 'advisor.db'}"  # the folder appears "later": SQLite cannot open it before
    naps = []

    def nap(seconds):  # the database "comes up" during the first nap
        naps.append(seconds)
        folder.mkdir()

    assert migrate.wait_for_database(url, 30, sleep=nap) == 2
    assert naps == [migrate.WAIT_FIRST_STEP]


def test_db_upgrade_against_a_closed_port_exits_non_zero_with_one_line(monkeypatch, capsys):
    monkeypatch.setenv("ADVISOR_DATABASE_URL", CLOSED.format(port=free_port()))
    monkeypatch.setenv("ADVISOR_DB_WAIT_SECONDS", "0.5")
    assert cli.main(["db", "upgrade"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot reach the database" in err and "gave up after 0.5 s" in err
    assert "secret" not in err and "Traceback" not in err


@pytest.fixture
def no_server(monkeypatch):
    """uvicorn.run recorded, not run: these tests are about what happens before the server starts."""
    import uvicorn

    runs = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: runs.append(kwargs))
    return runs


def test_serve_no_migrate_refuses_an_unmigrated_database_then_serves_after_db_upgrade(
        tmp_path, monkeypatch, capsys, no_server):
    monkeypatch.setenv("ADVISOR_DATABASE_URL", f"sqlite:///{tmp_path / 'a.db'}")
    monkeypatch.setenv("ADVISOR_SECRET_KEY_FILE", str(tmp_path / "k.key"))
    assert cli.main(["serve", "--no-migrate"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "run `advisor db upgrade` first" in err
    assert no_server == []

    assert cli.main(["db", "upgrade"]) == 0

    def no_upgrade(*args, **kwargs):
        raise AssertionError("serve --no-migrate ran the migrations")

    monkeypatch.setattr(migrate, "upgrade", no_upgrade)
    assert cli.main(["serve", "--no-migrate"]) == 0
    assert len(no_server) == 1


def test_postgres_pool_comes_from_the_settings_and_sqlite_keeps_its_own(tmp_path):
    settings = Settings(database_url=CLOSED.format(port=5432), db_pool_size=3, db_max_overflow=2,
                        db_pool_timeout_seconds=4, db_pool_recycle_seconds=60)
    pool = engine_for(settings).pool  # no connection is opened to build it
    assert (pool.size(), pool._max_overflow, pool._timeout, pool._recycle) == (3, 2, 4, 60)
    sqlite = engine_for(Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}", db_pool_size=3)).pool
    assert sqlite.size() == SQLITE_POOL_SIZE


def test_check_deploy_warns_when_the_pools_exceed_the_stated_max_connections(tmp_path):
    base = dict(database_url=CLOSED.format(port=5432), secret_key="k" * 60, base_url="https://a.example.com",
                https=True, secret_key_file=tmp_path / "unused.key")
    fits = Settings(**base, db_instances=3, workers=2, db_max_connections=97)  # 3 x 2 x (10 + 4 + 1) = 90
    assert not [p for p in deploy_problems(fits) if "ADVISOR_DB_POOL_SIZE" in p]
    over = Settings(**base, db_instances=3, workers=2, db_pool_size=10, db_max_overflow=10,
                    db_max_connections=97)
    [problem] = [p for p in deploy_problems(over) if "ADVISOR_DB_POOL_SIZE" in p]
    assert "= 126 connections" in problem and "ADVISOR_DB_MAX_CONNECTIONS=97" in problem
    # The event loop's own connection (app.db.LoopConnection) counts: 90 do not fit in 89.
    tight = Settings(**base, db_instances=3, workers=2, db_max_connections=89)
    [problem] = [p for p in deploy_problems(tight) if "ADVISOR_DB_POOL_SIZE" in p]
    assert "+ 1 for the event loop) = 90 connections" in problem
