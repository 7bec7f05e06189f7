"""Fixtures for running the benchmarks in their quick mode: they need wrk, and PostgreSQL for scale-out."""

import shutil

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from app.config import Settings
from tests.conftest import _base_database_url, using_postgres

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def needs_wrk():
    if shutil.which("wrk") is None:
        pytest.skip("the HTTP benchmarks need wrk (apt-get install wrk)")


@pytest.fixture
def postgres_server() -> str:
    """A PostgreSQL server the benchmark may create a database on, or skip."""
    url = _base_database_url() if using_postgres() else DEFAULT_POSTGRES
    engine = create_engine(Settings(database_url=url).database_url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError:
        pytest.skip(f"no PostgreSQL server at {url}")
    finally:
        engine.dispose()
    return url
