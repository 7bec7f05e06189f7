"""Limits declared on the routes they guard (issue 13): which routes count against which limit, which
responses are kept out of caches, and counts shared by every instance on one database."""

import os
import re
import subprocess
import sys
import time

import httpx
import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from app import migrate
from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.models import RateLimitHit
from app.security.counters import WINDOW_SECONDS, DatabaseCounters, MemoryCounters, wait_seconds
from app.security.route_limits import RouteTable, limit, route_table
from tests.conftest import (
    ROOT,
    TEST_SECRET,
    LiveServer,
    drop_test_database,
    free_port,
    make_test_database,
    stop_server,
    wait_until_up,
)
from tests.security.conftest import START_DEADLINE
from tests.security.routes import UNSAFE_METHODS, app_routes

TOKEN = "A" * 43

# Every route that changes something, and whether it creates an assessment (or a workspace with one):
# those count against the create limit. A new POST route fails the test below until it is placed here.
CREATES = {
    ("POST", "/new"): True,
    ("POST", "/w/{workspace_token}/new"): True,
    ("POST", "/w/{workspace_token}/import"): True,
    ("POST", "/e/{edit_token}/duplicate"): True,
    ("POST", "/api/v1/assessments"): True,
    # A new respond link each: as many as anyone may ask for, so limited like creates.
    ("POST", "/e/{edit_token}/respondents/invite"): True,
    ("POST", "/api/v1/assessments/{assessment_id}/respondents"): True,
    # Answers in, a recommendation out: nothing is stored.
    ("POST", "/api/v1/recommendations"): False,
    # A file checked as it streams, never stored.
    ("POST", "/api/v1/data-checks"): False,
    ("POST", "/e/{edit_token}/data-check"): False,
    # Changes to an assessment or workspace that already exists.
    ("POST", "/e/{edit_token}/step/{section_id}"): False,
    ("PUT", "/api/v1/assessments/{assessment_id}/answers"): False,
    ("PATCH", "/api/v1/assessments/{assessment_id}"): False,
    ("POST", "/e/{edit_token}/reevaluate"): False,
    ("POST", "/e/{edit_token}/delete"): False,
    ("POST", "/e/{edit_token}/restore"): False,
    ("POST", "/e/{edit_token}/share/{kind}/{action}"): False,
    ("POST", "/w/{workspace_token}/a/{assessment_id}/share/{kind}/{action}"): False,
    ("POST", "/w/{workspace_token}/renew-link"): False,
    ("POST", "/e/{edit_token}/data-check/use"): False,
    ("DELETE", "/api/v1/assessments/{assessment_id}"): False,
    ("POST", "/api/v1/assessments/{assessment_id}/restore"): False,
    ("POST", "/api/v1/assessments/{assessment_id}/links/{kind}/renew"): False,
    ("POST", "/api/v1/assessments/{assessment_id}/links/{kind}/revoke"): False,
    ("PUT", "/api/v1/assessments/{assessment_id}/links/{kind}/expiry"): False,
    ("DELETE", "/api/v1/assessments/{assessment_id}/links/{kind}/expiry"): False,
    ("POST", "/e/{edit_token}/respondents/resolve"): False,
    ("POST", "/e/{edit_token}/respondents/{respondent_id}/revoke"): False,
    # A respondent's answers replace their earlier ones: one row per respondent, made at the invitation.
    ("POST", "/r/{respond_token}/answers"): False,
    ("PUT", "/api/v1/responses/{response_id}"): False,
}


@pytest.fixture(scope="module")
def table() -> RouteTable:
    # Only the route table is read: the engine is created lazily and never connects.
    return route_table(create_app(Settings(database_url="sqlite://", secret_key=TEST_SECRET)))


def declared(table: RouteTable, method: str, path: str):
    """The limits the app applies to a request for this path template and method."""
    return table.resolve({"type": "http", "method": method, "path": _example(path), "root_path": ""})


def _example(path: str) -> str:
    """A concrete path for a template: tokens and ids filled with something of the right shape."""
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: "data" if m.group(1) == "section_id" else TOKEN, path)


def test_every_route_that_changes_something_is_placed_and_every_create_has_the_create_limit(table):
    unsafe = {(method, path) for path, methods in app_routes() for method in methods & UNSAFE_METHODS}
    assert unsafe == set(CREATES), "place each new unsafe route in CREATES, saying whether it creates"
    for (method, path), creates in CREATES.items():
        rates = declared(table, method, path).rates
        assert ("create" in rates) is creates, (method, path, sorted(rates))


def test_every_pdf_route_has_the_pdf_limit_and_no_other_route_has_it(table):
    for path, methods in app_routes():
        for method in methods - {"HEAD"}:
            rates = declared(table, method, path).rates
            assert ("pdf" in rates) is path.endswith(".pdf"), (method, path)


def test_every_route_taking_a_link_token_counts_misses_and_is_kept_out_of_caches(table):
    for path, methods in app_routes():
        by_bearer = path.startswith(("/api/v1/assessments/", "/api/v1/workspace/", "/api/v1/responses/"))
        takes_token = "_token}" in path or by_bearer
        for method in methods - {"HEAD"}:
            limits = declared(table, method, path)
            assert ("token-misses" in limits.rates) is takes_token, (method, path)
            if takes_token:
                assert limits.secret_links, (method, path)


def test_only_the_upload_routes_stream_their_body_under_the_upload_limit(table):
    uploads = {(method, path) for path, methods in app_routes() for method in methods - {"HEAD"}
               if declared(table, method, path).body == "upload"}
    assert uploads == {("POST", "/api/v1/data-checks"), ("POST", "/e/{edit_token}/data-check")}


def test_a_request_is_matched_to_the_route_starlette_picks(table):
    assert declared(table, "GET", "/e/{edit_token}/report.pdf").name == "edit_report_pdf"
    assert declared(table, "GET", "/e/{edit_token}").name == "resume"
    assert declared(table, "POST", "/new").name == "wizard_create"
    assert declared(table, "GET", "/new").name == "new_assessment"
    # No route: nothing to count, and kept out of caches (a mistyped link still holds its token).
    unrouted = declared(table, "GET", "/e/{edit_token}/no-such-page")
    assert unrouted.name == "" and unrouted.rates == frozenset() and unrouted.secret_links


def test_a_misspelt_limit_is_refused_when_the_route_is_declared():
    with pytest.raises(ValueError, match="unknown rate limits"):
        limit("creates")


# --- headers per route ----------------------------------------------------------------------------


@pytest.fixture
def routed_client(app):
    router = APIRouter()

    @router.get("/test-only/plain", name="test_plain")
    def plain():
        return {"ok": True}

    @router.get("/test-only/{edit_token}/secret", name="test_secret")
    def secret(edit_token: str):
        return {"ok": True}

    @router.post("/test-only/creates", name="test_creates", dependencies=[limit("create")])
    def creates():
        return {"ok": True}

    app.include_router(router)
    with TestClient(app) as client:
        yield client


def test_caching_and_indexing_follow_the_route_not_the_path(routed_client):
    plain = routed_client.get("/test-only/plain")
    secret = routed_client.get(f"/test-only/{TOKEN}/secret")
    creates = routed_client.post("/test-only/creates")
    unrouted = routed_client.get("/test-only/nothing/here")
    static = routed_client.get("/static/css/app.css")
    for response in (secret, creates, unrouted):
        assert response.headers["cache-control"] == "no-store", response.url
        assert response.headers["x-robots-tag"] == "noindex, nofollow", response.url
    for response in (plain, static):
        assert response.headers.get("cache-control") != "no-store", response.url
        assert "x-robots-tag" not in response.headers, response.url
    # Every response still has the headers every response gets.
    assert {r.headers["x-frame-options"] for r in (plain, secret, creates, unrouted, static)} == {"DENY"}


def test_a_route_declaring_a_limit_is_limited_without_any_path_pattern(settings, connection, app):
    strict = create_app(settings.model_copy(update={"rate_limit_create_per_minute": 2}))
    strict.dependency_overrides = app.dependency_overrides

    @strict.post("/test-only/anything/{name}", dependencies=[limit("create")])
    def anything(name: str):
        return {"name": name}

    with TestClient(strict, client=("203.0.113.31", 1)) as client:
        statuses = [client.post(f"/test-only/anything/n{i}").status_code for i in range(4)]
    strict.state.engine.dispose()
    assert statuses == [200, 200, 429, 429]


# --- counts shared across instances ---------------------------------------------------------------


@pytest.fixture
def shared_database(tmp_path):
    url = make_test_database(tmp_path, "shared_limits")
    migrate.upgrade(url)
    yield url
    drop_test_database(url)


def two_instances(settings, url: str, storage: str, limit_per_minute: int):
    chosen = {"database_url": url, "rate_limit_storage": storage,
              "rate_limit_create_per_minute": limit_per_minute}
    return [create_app(settings.model_copy(update=chosen)) for _ in range(2)]


def within_one_minute(burst):
    """Run `burst` inside one wall-clock minute, and return what it returns.

    Counts in the database are kept per minute, the minute before weighted by how much of it is still inside
    the last 60 s (app.security.counters): just after a boundary, 3 hits of the minute before weigh 2.97, so
    a 4th fits under a limit of 3, as the estimate allows. A burst that must meet the limit exactly starts
    with 20 s left in its minute, waiting for the next minute if need be."""
    left = WINDOW_SECONDS - time.time() % WINDOW_SECONDS
    if left < 20:
        time.sleep(left)
    minute = time.time() // WINDOW_SECONDS
    result = burst()
    assert time.time() // WINDOW_SECONDS == minute, "the burst took over 20 s and crossed into a new minute"
    return result


def test_the_create_limit_holds_across_two_instances_sharing_one_database(settings, shared_database):
    apps = two_instances(settings, shared_database, "database", 3)
    with TestClient(apps[0], client=("203.0.113.40", 1)) as first, \
            TestClient(apps[1], client=("203.0.113.40", 2)) as second, \
            TestClient(apps[1], client=("198.51.100.40", 1)) as neighbour:
        def burst():
            statuses = [(first, second)[i % 2].post("/api/v1/assessments", json={"name": f"n{i}"})
                        .status_code for i in range(6)]
            return statuses, second.post("/api/v1/assessments", json={"name": "again"})

        statuses, refused = within_one_minute(burst)
        other = neighbour.post("/api/v1/assessments", json={"name": "neighbour"})
    for instance in apps:
        instance.state.engine.dispose()
    assert statuses == [201, 201, 201, 429, 429, 429]
    assert "Too many assessments" in refused.json()["detail"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert other.status_code == 201


def test_counted_in_memory_each_instance_allows_the_whole_limit(settings, shared_database):
    """The control for the test above: what happened before counts were shared."""
    apps = two_instances(settings, shared_database, "memory", 3)
    with TestClient(apps[0], client=("203.0.113.41", 1)) as first, \
            TestClient(apps[1], client=("203.0.113.41", 2)) as second:
        statuses = [(first, second)[i % 2].post("/api/v1/assessments", json={"name": f"n{i}"}).status_code
                    for i in range(6)]
    for instance in apps:
        instance.state.engine.dispose()
    assert statuses == [201] * 6


def test_guessed_tokens_are_counted_across_instances_and_then_even_a_right_one_is_refused(
        settings, shared_database):
    chosen = {"database_url": shared_database, "rate_limit_storage": "database",
              "rate_limit_token_misses_per_minute": 5}
    apps = [create_app(settings.model_copy(update=chosen)) for _ in range(2)]
    with TestClient(apps[0], client=("198.51.100.50", 1)) as owner, \
            TestClient(apps[0], client=("203.0.113.50", 1)) as first, \
            TestClient(apps[1], client=("203.0.113.50", 2)) as second:
        view_url = owner.post("/api/v1/assessments", json={"name": "Real"}).json()["view_url"]
        view_path = "/v/" + view_url.rsplit("/", 1)[-1]
        def burst():
            statuses = [(first, second)[i % 2].get(f"/v/{'G' * 42}{i % 10}").status_code for i in range(20)]
            return statuses, [client.get(view_path).status_code for client in (first, second)]

        statuses, right_token = within_one_minute(burst)
        colleague = owner.get(view_path).status_code
    for instance in apps:
        instance.state.engine.dispose()
    assert statuses[:5] == [404] * 5
    # Each instance learns of the block from a count: the other may answer one more miss first.
    assert statuses.count(404) <= 5 + 1
    assert set(statuses[6:]) == {429}
    assert right_token == [429, 429]
    assert colleague == 200


@pytest.mark.slow
def test_two_workers_of_advisor_serve_share_the_create_limit(tmp_path):
    """As deployed: `advisor serve --workers 2` on SQLite counts in the database (ADVISOR_WORKERS > 1),
    so the limit holds whichever worker takes each new connection. (Sequential connections here often
    all go to one worker; the count found in the database is what shows the workers share it.)"""
    url = make_test_database(tmp_path, "two_workers")
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("ADVISOR_")}
    env |= {"ADVISOR_DATABASE_URL": url, "ADVISOR_SECRET_KEY": TEST_SECRET,
            "ADVISOR_RATE_LIMIT_CREATE_PER_MINUTE": "3"}
    with open(tmp_path / "serve.log", "w") as output:
        command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", "2"]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", url, process)
    try:
        wait_until_serving(server)
        # A new connection each time, so the kernel hands them to either worker.
        statuses = within_one_minute(lambda: [
            httpx.post(f"{server.url}/api/v1/assessments", json={"name": f"n{i}"}, timeout=30).status_code
            for i in range(8)])
        engine = make_engine(url)
        with engine.connect() as connection:
            counted = connection.execute(select(func.sum(RateLimitHit.hits)).where(
                RateLimitHit.rule == "create")).scalar()
        engine.dispose()
    finally:
        stop_server(server)
        drop_test_database(url)
    assert statuses == [201] * 3 + [429] * 5
    assert counted == 3


def wait_until_serving(server: LiveServer) -> None:
    if not wait_until_up(server.url, server.process, path="/healthz", seconds=START_DEADLINE):
        raise RuntimeError("advisor serve did not start")


def test_storage_is_chosen_by_setting_workers_and_database(settings):
    def shared(**update):
        return settings.model_copy(update=update).shared_rate_limits

    assert shared(database_url="sqlite:///a.db", rate_limit_storage="auto") is False
    assert shared(database_url="sqlite:///a.db", rate_limit_storage="auto", workers=4) is True
    assert shared(database_url="postgresql+psycopg://h/db", rate_limit_storage="auto") is True
    assert shared(database_url="postgresql+psycopg://h/db", rate_limit_storage="memory") is False
    assert shared(database_url="sqlite:///a.db", rate_limit_storage="database") is True


class FakeClock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_database_counts_are_shared_and_old_minutes_are_deleted(engine):
    clock = FakeClock(1_000_040.0)  # 20 s into the minute that starts at 1_000_020
    one, other = DatabaseCounters(engine, clock=clock), DatabaseCounters(engine, clock=clock)
    key = "192.0.2.77"
    for counters in (one, other, one):
        assert counters.retry_after("test-shared", key, 3) == 0
        counters.hit("test-shared", key)
    assert other.retry_after("test-shared", key, 3) == 40  # this minute's hits count until it ends
    assert one.retry_after("test-shared", "192.0.2.78", 3) == 0
    clock.now += 2 * WINDOW_SECONDS + 1  # two minutes on: nothing counts, and the next hit cleans up
    assert one.retry_after("test-shared", key, 3) == 0
    one.hit("test-shared", "192.0.2.79")
    with engine.connect() as connection:
        rows = connection.execute(select(func.count()).select_from(RateLimitHit).where(
            RateLimitHit.rule == "test-shared")).scalar_one()
        connection.execute(RateLimitHit.__table__.delete().where(RateLimitHit.rule == "test-shared"))
        connection.commit()
    assert rows == 1


def test_without_the_database_nothing_is_counted_or_refused_and_nothing_raises(tmp_path):
    unreachable = make_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'advisor.db'}")
    counters = DatabaseCounters(unreachable)
    assert counters.retry_after("create", "192.0.2.80", 1) == 0
    counters.hit("create", "192.0.2.80", 1)
    assert counters.known_wait("create", "192.0.2.80", 1) == 0


@pytest.mark.parametrize(
    ("elapsed", "previous", "current", "limit", "wait"),
    [
        (10, 0, 2, 3, 0),    # under the limit
        (10, 0, 3, 3, 50),   # full this minute: wait for the next one
        (10, 0, 6, 3, 80),   # twice over: and half of the next, until 6 x (1 - s/60) < 3
        (30, 4, 1, 3, 1),    # 4 x 0.5 + 1 = 3: the previous minute's weight must fall a little more
        (15, 6, 0, 3, 15),   # 6 x 0.75 = 4.5: below 3 once 6 x (1 - t/60) < 3, at 30 s
    ],
)
def test_the_shared_window_says_how_long_to_wait(elapsed, previous, current, limit, wait):
    assert wait_seconds(1_000_000 + elapsed, 1_000_000, previous, current, limit) == wait


def test_memory_counts_are_exact_and_per_rule():
    clock = FakeClock(100.0)
    counters = MemoryCounters(clock=clock)
    for _ in range(2):
        assert counters.retry_after("create", "a", 2) == 0
        counters.hit("create", "a", 2)
    assert counters.retry_after("create", "a", 2) == 60
    assert counters.retry_after("pdf", "a", 2) == 0
