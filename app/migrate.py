"""Alembic, driven from Python: `advisor serve` and `advisor db upgrade` call these."""

import time
from collections.abc import Callable

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import OperationalError

from app.db import make_engine
from app.paths import resource_dir

# Instances started together on an empty PostgreSQL database raced to create alembic_version: with two,
# one died with UniqueViolation; with four, one died in 2 of 2 tries (issue 16). A session advisory lock
# makes them take turns: the first migrates, the others then find the database at head and do nothing.
# The number only has to be the same in every instance and unlikely to be used by anything else.
MIGRATION_LOCK = 7_245_016_301


# The bounded wait at start (ADVISOR_DB_WAIT_SECONDS): the first retry after this many seconds, each
# next one twice as late, none later than WAIT_MAX_STEP. A database container coming up takes a few
# seconds (PostgreSQL's own start plus its init scripts); a step of 2 s at most notices it soon after
# it is ready without hammering a database that is still replaying its WAL.
WAIT_FIRST_STEP = 0.25
WAIT_MAX_STEP = 2.0


class DatabaseUnreachable(Exception):
    """The database could not be reached (down, wrong address or credentials): say so in one line."""


def wait_for_database(database_url: str, seconds: float, *, sleep: Callable[[float], None] = time.sleep,
                      clock: Callable[[], float] = time.monotonic) -> int:
    """Connect until the database answers or `seconds` have passed; returns the number of tries.

    Instances started together with their database (compose, a reboot) find it still starting; without
    a wait they exit and depend on a restart policy. Past the deadline, DatabaseUnreachable with the
    last error's first line and how long was waited, so the operator sees one line, not a traceback.
    """
    engine = make_engine(database_url)
    deadline = clock() + max(seconds, 0.0)
    step, tries = WAIT_FIRST_STEP, 0
    try:
        while True:
            tries += 1
            try:
                with engine.connect() as connection:
                    connection.exec_driver_sql("SELECT 1")
                return tries
            except OperationalError as error:
                left = deadline - clock()
                if left <= 0:
                    waited = f" (gave up after {seconds:g} s, {tries} tries)" if seconds > 0 else ""
                    raise DatabaseUnreachable(_first_line(error) + waited) from error
                sleep(min(step, left))
                step = min(step * 2, WAIT_MAX_STEP)
    finally:
        engine.dispose()


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resource_dir("migrations")))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head", *, wait_seconds: float = 0) -> None:
    if wait_seconds > 0:
        wait_for_database(database_url, wait_seconds)
    config = alembic_config(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            postgres = connection.dialect.name == "postgresql"
            if postgres:
                connection.exec_driver_sql(f"SELECT pg_advisory_lock({MIGRATION_LOCK})")
                connection.commit()  # a session lock: held across transactions until unlocked
            try:
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                connection.commit()
            finally:
                if postgres:
                    connection.exec_driver_sql(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})")
                    connection.commit()
    except OperationalError as error:
        raise DatabaseUnreachable(_first_line(error)) from error
    finally:
        engine.dispose()


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def current(database_url: str) -> tuple[str | None, str]:
    """(the database's revision or None when never migrated, the newest revision this code knows)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
    except OperationalError as error:
        raise DatabaseUnreachable(_first_line(error)) from error
    finally:
        engine.dispose()
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    return revision, head


def _first_line(error: OperationalError) -> str:
    return str(error.orig or error).strip().splitlines()[0]
