"""Alembic, driven from Python: `advisor serve` and `advisor db upgrade` call these."""

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


class DatabaseUnreachable(Exception):
    """The database could not be reached (down, wrong address or credentials): say so in one line."""


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resource_dir("migrations")))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
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
