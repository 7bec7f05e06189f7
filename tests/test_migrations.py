"""The schema comes only from Alembic, and the migrations agree with the models, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

import app.models  # noqa: F401 - registers the tables
from app import migrate
from app.db import make_engine
from tests.conftest import drop_test_database, make_test_database

TABLES = {"workspace", "assessment", "revision", "sharelink", "idempotencykey"}


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_and_upgrade_again_leave_the_full_schema(tmp_path):
    url = make_test_database(tmp_path, "updown")
    try:
        migrate.upgrade(url)
        assert _tables(url) >= TABLES
        migrate.downgrade(url, "base")
        assert _tables(url) == set()
        migrate.upgrade(url)
        assert _tables(url) >= TABLES
    finally:
        drop_test_database(url)


def test_models_and_migrations_agree(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_migration_history_has_a_single_head():
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
