"""The schema comes only from Alembic, and the migrations agree with the models, on both databases."""

import multiprocessing

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

import app.models  # noqa: F401 - registers the tables
from app import migrate
from app.db import make_engine
from tests.conftest import drop_test_database, make_test_database, using_postgres

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


def _upgrade_after(barrier, url: str, failures) -> None:
    barrier.wait()
    try:
        migrate.upgrade(url)
    except Exception as error:  # reported to the test, which names it
        failures.put(f"{type(error).__name__}: {error}")


@pytest.mark.skipif(not using_postgres(), reason="instances share one database on PostgreSQL only")
def test_four_instances_starting_together_on_an_empty_database_all_migrate(tmp_path):
    # Four processes (as four `advisor serve`) released at the same moment against one empty database.
    url = make_test_database(tmp_path, "together")
    context = multiprocessing.get_context("spawn")
    barrier, failures = context.Barrier(4), context.Queue()
    processes = [context.Process(target=_upgrade_after, args=(barrier, url, failures)) for _ in range(4)]
    try:
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout=120)
        errors = [failures.get() for _ in range(failures.qsize())]
        assert errors == [] and [p.exitcode for p in processes] == [0, 0, 0, 0]
        revision, head = migrate.current(url)
        assert revision == head
    finally:
        drop_test_database(url)


def test_an_unreachable_database_is_named_in_one_line():
    with pytest.raises(migrate.DatabaseUnreachable) as raised:
        migrate.upgrade("postgresql://nobody@127.0.0.1:1/none")
    assert "\n" not in str(raised.value) and str(raised.value)


def test_current_names_the_database_revision_and_the_newest(tmp_path):
    url = make_test_database(tmp_path, "current")
    try:
        assert migrate.current(url)[0] is None
        migrate.upgrade(url)
        revision, head = migrate.current(url)
        assert revision == head and head
    finally:
        drop_test_database(url)
