"""Fixtures for the security tests: an app with a route that fails on purpose, a client that shows
500s as responses (as a browser sees them) instead of raising, a live server of our own, and the app
as `advisor serve` runs it."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
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


@dataclass
class Served:
    """The app started by `advisor serve`, as deployed: uvicorn's own logging at info level with the
    access log on, proxy headers trusted from ADVISOR_FORWARDED_ALLOW_IPS only (default 127.0.0.1)."""

    url: str
    log: Path
    create_limit: int
    header_timeout: float

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


# Creates per minute per client on the served app: low, so a test reaches the limit in a few requests.
SERVED_CREATE_LIMIT = 3
# Seconds the served app gives a connection to finish its request headers: short, for a quick test.
SERVED_HEADER_TIMEOUT = 2


@pytest.fixture(scope="session")
def served(tmp_path_factory) -> Iterator[Served]:
    tmp_dir = tmp_path_factory.mktemp("served")
    url = make_test_database(tmp_dir, "served")
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("ADVISOR_")}
    env |= {"ADVISOR_DATABASE_URL": url, "ADVISOR_SECRET_KEY": TEST_SECRET,
            "ADVISOR_RATE_LIMIT_CREATE_PER_MINUTE": str(SERVED_CREATE_LIMIT),
            "ADVISOR_HEADER_TIMEOUT_SECONDS": str(SERVED_HEADER_TIMEOUT)}
    log = tmp_dir / "advisor-serve.log"
    with open(log, "w") as output:
        process = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)], cwd=ROOT,
                                   env=env, stdout=output, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", url, process)
    deadline = time.monotonic() + START_DEADLINE
    while True:
        try:
            if httpx.get(server.url + "/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"advisor serve did not start; see {log}")
    yield Served(server.url, log, SERVED_CREATE_LIMIT, SERVED_HEADER_TIMEOUT)
    stop_server(server)
    drop_test_database(url)
