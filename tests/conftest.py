"""Shared fixtures. ADVISOR_TEST_DATABASE_URL picks the database (default: a fresh SQLite file).

With a PostgreSQL URL, the suite creates a database of its own on that server, migrates it and drops
it at the end. Each test runs inside a transaction that is rolled back afterwards; tests that need
a real server (browser, load) get a separate database of their own.
"""

import asyncio
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app import migrate
from app.config import Settings
from app.db import get_session, make_engine
from app.main import create_app

ROOT = Path(__file__).resolve().parent.parent
# The public example answer files and the answers schema: the repository's own copies.
EXAMPLES = ROOT / "examples"
SCHEMA_FILE = ROOT / "app" / "contracts" / "answers-v1.schema.json"
TEST_SECRET = "test-secret-" + "x" * 40


# A test that starts a real server (or several), kills one, or builds and installs a wheel takes seconds,
# not milliseconds: it is marked slow, so the quick loop (`./dev test -m "not slow and not browser"`)
# leaves it out. CI runs everything.
SERVER_FIXTURES = {"live_server", "fresh_server", "security_server", "served", "two_instances"}
SLOW_FILES = {"test_install.py", "test_faults.py", "test_load.py"}


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.name in SLOW_FILES or SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def run_coroutine(coroutine_function, *args):
    """asyncio.run in a thread of its own. Once a browser test has run, Playwright's sync API keeps an
    event loop running in the worker's main thread for the rest of the session, and asyncio.run (or
    anyio.run) refuses to start inside it: which tests failed then depended on test order."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coroutine_function(*args))).result()


def _base_database_url() -> str:
    return Settings(database_url=os.environ.get("ADVISOR_TEST_DATABASE_URL", "sqlite:///unused.db")).database_url


def using_postgres() -> bool:
    return _base_database_url().startswith("postgresql")


def make_test_database(tmp_dir: Path, label: str) -> str:
    """A new, empty database URL of the configured kind (not yet migrated)."""
    base = _base_database_url()
    if not base.startswith("postgresql"):
        return f"sqlite:///{tmp_dir / (label + '.db')}"
    name = f"advisor_{label}_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return make_url(base).set(database=name).render_as_string(hide_password=False)


def drop_test_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    name = make_url(url).database
    admin = create_engine(_base_database_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    url = make_test_database(tmp_path_factory.mktemp("db"), "suite")
    migrate.upgrade(url)
    yield url
    drop_test_database(url)


@pytest.fixture(scope="session")
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key=TEST_SECRET,
        secret_key_file=tmp_path / "unused.key",
        base_url="http://testserver",
        # Counts in memory, per app: counts in the database would outlive each test's rolled-back
        # transaction and add up across tests (the tests of shared counts ask for them).
        rate_limit_storage="memory",
    )


@pytest.fixture
def connection(engine):
    """The test's transaction: everything the app writes through it is rolled back afterwards."""
    connection = engine.connect()
    transaction = connection.begin()
    yield connection
    transaction.rollback()
    connection.close()


@pytest.fixture
def session(connection) -> Iterator[Session]:
    options = {"join_transaction_mode": "create_savepoint", "expire_on_commit": False}
    with Session(bind=connection, **options) as session:
        yield session


@pytest.fixture
def app(settings, connection):
    application = create_app(settings)

    def session_in_test_transaction():
        with Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False) as s:
            try:
                yield s
                s.commit()
            except Exception:
                s.rollback()
                raise

    application.dependency_overrides[get_session] = session_in_test_transaction
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client


CSRF_IN_PAGE = re.compile(r'name="csrf_token" value="([^"]+)"|"X-CSRF-Token": "([^"]+)"')


def csrf_token_for(client: TestClient, page: str = "/") -> str:
    """Load a page as a browser would (getting the CSRF cookie) and return the page's token."""
    html = client.get(page).text
    match = CSRF_IN_PAGE.search(html)
    assert match, f"no CSRF token on {page}"
    return match.group(1) or match.group(2)


# --- a real server, for browser and load tests ----------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, url: str, database_url: str, process: subprocess.Popen):
        self.url = url
        self.database_url = database_url
        self.process = process


def start_server(
    tmp_dir: Path, database_url: str, *, workers: int = 1, extra_env: dict | None = None
) -> LiveServer:
    migrate.upgrade(database_url)
    port = free_port()
    env = {
        **os.environ,
        "ADVISOR_DATABASE_URL": database_url,
        "ADVISOR_SECRET_KEY": TEST_SECRET,
        "ADVISOR_HOST": "127.0.0.1",
        "ADVISOR_PORT": str(port),
        **(extra_env or {}),
    }
    command = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
               "--log-level", "warning"]
    log = open(tmp_dir / f"server-{port}.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    # A loaded 2-core machine can take a while to import and migrate.
    if wait_until_up(url, process, path="/healthz", seconds=120):
        return LiveServer(url, database_url, process)
    process.kill()
    raise RuntimeError(f"server did not start; see {log.name}")


def wait_until_up(url: str, process: subprocess.Popen, *, path: str, seconds: float) -> bool:
    """Whether the server answers 200 at `path` before `seconds` pass; False at once if its process ends."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + path, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            return False
        time.sleep(0.1)
    return False


def stop_server(server: LiveServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    tmp_dir = tmp_path_factory.mktemp("live")
    url = make_test_database(tmp_dir, "live")
    server = start_server(tmp_dir, url)
    yield server
    stop_server(server)
    drop_test_database(url)


# --- a real browser ----------------------------------------------------------------------------

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

# Flags for a headless Chromium in a sandboxed container with a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


# Where to look for a Chromium when ADVISOR_TEST_CHROMIUM does not name one: PATH, then macOS's apps.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_APPS = ("/Applications/Chromium.app/Contents/MacOS/Chromium",
                 "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome")
INSTALL_HINTS = {
    "chromium": "Debian/Ubuntu: apt-get install chromium; Fedora: dnf install chromium; "
                "macOS: brew install --cask chromium; or set ADVISOR_TEST_CHROMIUM to a Chromium or Chrome",
    "pdftoppm": "Debian/Ubuntu: apt-get install poppler-utils; Fedora: dnf install poppler-utils; "
                "macOS: brew install poppler",
}


def find_chromium() -> str | None:
    configured = os.environ.get("ADVISOR_TEST_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    on_path = (shutil.which(name) for name in CHROMIUM_NAMES)
    return next((found for found in on_path if found), None) or next(
        (app for app in CHROMIUM_APPS if Path(app).is_file()), None)


def require_tool(name: str) -> str:
    """The path of a command-line tool a test needs, or a skip that says how to install it."""
    found = find_chromium() if name == "chromium" else shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed ({INSTALL_HINTS[name]})")
    return found


@pytest.fixture(scope="session")
def browser():
    chromium = require_tool("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def audited_page(browser):
    """A page that may inject axe-core (tests.factories.serious_violations): the app's strict CSP would
    refuse the injected script."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page_without_js(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
