"""Fixtures for the security tests: an app with a route that fails on purpose, a client that shows
500s as responses (as a browser sees them) instead of raising, and a live server of our own."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from app import migrate
from tests.conftest import (
    ROOT,
    TEST_SECRET,
    LiveServer,
    drop_test_database,
    free_port,
    make_test_database,
    stop_server,
)


class Boom(Exception):
    """The failure the test-only route raises."""


@pytest.fixture
def failing_app(app):
    @app.get("/test-only/boom")
    def boom():
        raise Boom("/secret/path/in/traceback.py SELECT * FROM assessment")

    return app


@pytest.fixture
def browser_client(failing_app):
    with TestClient(failing_app, base_url="http://testserver", raise_server_exceptions=False) as client:
        yield client


# Seconds a server may take to answer /healthz: on a loaded two-CPU CI machine importing the app
# (WeasyPrint above all) alone can take half a minute, more than start_server waits.
START_DEADLINE = 180


def start_patiently(tmp_dir: Path, database_url: str, *, extra_env: dict | None = None) -> LiveServer:
    """Like tests.conftest.start_server (same command and environment), with a longer deadline."""
    migrate.upgrade(database_url)
    port = free_port()
    env = {**os.environ, "ADVISOR_DATABASE_URL": database_url, "ADVISOR_SECRET_KEY": TEST_SECRET,
           "ADVISOR_HOST": "127.0.0.1", "ADVISOR_PORT": str(port), **(extra_env or {})}
    command = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "warning"]
    log = open(tmp_dir / f"server-{port}.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return LiveServer(url, database_url, process)
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not start in {START_DEADLINE} s; see {log.name}")


@pytest.fixture(scope="module")
def security_server(tmp_path_factory):
    """A real uvicorn on a fresh database, for what only a real server shows (streaming, sockets)."""
    tmp_dir = tmp_path_factory.mktemp("security-live")
    url = make_test_database(tmp_dir, "security")
    server = start_patiently(tmp_dir, url)
    yield server
    stop_server(server)
    drop_test_database(url)
