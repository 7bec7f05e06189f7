"""Bounded requests (R30) and rate limits (R19, R31): too big -> 413, too many -> 429, bad shape -> 4xx."""

import select
import socket

import httpx
import pytest
from fastapi import APIRouter, Depends, Request
from fastapi.testclient import TestClient

from app.access import ViewableAssessment
from app.main import create_app
from app.security.counters import SlidingWindow
from app.security.csrf import require_csrf
from tests.conftest import csrf_token_for

MIB = 1024 * 1024


@pytest.fixture
def form_route(app):
    """A CSRF-checked HTML form route like the wizard's, so these tests do not depend on its fields."""
    router = APIRouter(dependencies=[Depends(require_csrf)])

    @router.post("/test-only/form")
    async def form(request: Request):
        return {"fields": len(await request.form())}

    app.include_router(router)
    return "/test-only/form"


# --- body size ----------------------------------------------------------------------------------


def test_a_json_body_over_the_limit_is_refused_with_413_and_a_readable_message(client):
    response = client.post("/api/v1/recommendations", content=b'{"x": "' + b"a" * MIB + b'"}',
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert "larger than the 64 KiB" in response.json()["detail"]


def test_a_chunked_body_without_content_length_is_refused_with_413(client):
    chunks = (b" " * 16384 for _ in range(64))
    response = client.post("/api/v1/recommendations", content=chunks,
                           headers={"Content-Type": "application/json"})
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert "larger than the 64 KiB" in response.json()["detail"]


def test_a_live_server_answers_a_streamed_body_with_413_before_it_is_all_sent(security_server):
    host, port = security_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"POST /api/v1/recommendations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        sent, reply = 0, b""
        chunk = b"4000\r\n" + b" " * 0x4000 + b"\r\n"
        while sent < 4 * MIB and not reply:
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += 0x4000
            ready, _, _ = select.select([sock], [], [], 0.005)
            if ready:
                reply = sock.recv(65536)
        reply = reply or sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 413")
    assert sent < 1 * MIB


def test_an_oversized_form_post_gets_the_friendly_413_page(client, form_route):
    token = csrf_token_for(client, "/")
    response = client.post(form_route, data={"csrf_token": token, "notes": "x" * (100 * 1024)})
    assert response.status_code == 413
    assert "That was too much to send" in response.text


def test_a_form_with_thousands_of_fields_is_refused_not_a_500(client, form_route):
    token = csrf_token_for(client, "/")
    body = "&".join(f"f{i}=1" for i in range(2000)) + f"&csrf_token={token}"
    response = client.post(form_route, content=body,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code in (400, 413)


def test_a_body_within_the_limit_is_accepted(client, form_route):
    token = csrf_token_for(client, "/")
    response = client.post(form_route, data={"csrf_token": token, "notes": "x" * 30_000})
    assert response.status_code == 200


# --- sliding window -----------------------------------------------------------------------------


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_the_window_allows_the_limit_then_tells_how_long_to_wait():
    clock = FakeClock()
    window = SlidingWindow(3, window=60, clock=clock)
    for _ in range(3):
        assert window.retry_after("1.2.3.4") == 0
        window.hit("1.2.3.4")
        clock.now += 10
    assert window.retry_after("1.2.3.4") == 30  # the first hit leaves the window 60 s after it happened
    assert window.retry_after("5.6.7.8") == 0
    clock.now += 30
    assert window.retry_after("1.2.3.4") == 0


def test_the_window_forgets_the_least_recent_clients_beyond_its_bound(monkeypatch):
    from app.security import counters

    monkeypatch.setattr(counters, "MAX_CLIENTS", 100)
    window = SlidingWindow(1)
    for i in range(500):
        window.hit(f"10.0.{i // 256}.{i % 256}")
    assert len(window._events) == 100


# --- token guessing -----------------------------------------------------------------------------


@pytest.fixture
def strict_app(settings, connection, app):
    """The test app, but with the token-miss limit at 5 per minute."""
    strict = create_app(settings.model_copy(update={"rate_limit_token_misses_per_minute": 5}))
    strict.dependency_overrides = app.dependency_overrides

    @strict.get("/v/{view_token}/test-only-probe")
    def probe(access: ViewableAssessment):
        return {"name": access.assessment.name}

    yield strict
    strict.state.engine.dispose()


def test_guessing_tokens_is_stopped_with_429_while_other_clients_are_unaffected(strict_app, session):
    from app import assessments as store
    from tests.conftest import TEST_SECRET

    secret = TEST_SECRET.encode()
    workspace, _ = store.create_workspace(session=session, secret=secret)
    assessment = store.create_assessment(session=session, secret=secret, workspace=workspace, name="Real",
                                         answers={})
    view_token = store.link_token(store.links_of(assessment, session=session)["view"], secret)
    session.commit()

    guesser = TestClient(strict_app, client=("203.0.113.7", 40000))
    colleague = TestClient(strict_app, client=("198.51.100.2", 40000))
    statuses = [guesser.get(f"/v/{'G' * 42}{i % 10}/test-only-probe").status_code for i in range(20)]
    assert statuses[:5] == [404] * 5
    assert set(statuses[5:]) == {429}
    refused = guesser.get(f"/v/{view_token}/test-only-probe")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "Too many requests" in refused.text
    assert colleague.get(f"/v/{view_token}/test-only-probe").json() == {"name": "Real"}


def test_creating_assessments_is_rate_limited_per_client(settings, connection, app):
    strict = create_app(settings.model_copy(update={"rate_limit_create_per_minute": 3}))
    strict.dependency_overrides = app.dependency_overrides
    with TestClient(strict, client=("203.0.113.9", 1)) as client, \
            TestClient(strict, client=("198.51.100.9", 1)) as neighbour:
        statuses = [client.post("/api/v1/assessments", json={"name": f"n{i}"}).status_code for i in range(5)]
        refused = client.post("/api/v1/assessments", json={"name": "again"})
        other = neighbour.post("/api/v1/assessments", json={"name": "neighbour"})
    strict.state.engine.dispose()
    assert statuses == [201, 201, 201, 429, 429]
    assert "Too many assessments" in refused.json()["detail"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert other.status_code == 201


# The app's own loopback address is the trusted proxy by default (ADVISOR_FORWARDED_ALLOW_IPS); another
# loopback address is a peer it does not trust.
UNTRUSTED_PEER = "127.0.0.2"


def test_a_spoofed_forwarded_for_from_an_untrusted_peer_counts_against_the_sender(served):
    """Served as `advisor serve` runs it, proxy headers on: each request claims another client in
    X-Forwarded-For, and the limit still falls on the address that actually sent them."""
    spoofer = httpx.Client(base_url=served.url, transport=httpx.HTTPTransport(local_address=UNTRUSTED_PEER))
    proxy = httpx.Client(base_url=served.url)  # the trusted proxy, on 127.0.0.1
    with spoofer, proxy:
        statuses = [spoofer.post("/api/v1/assessments", json={"name": f"Spoofed {n}"},
                                 headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
                    for n in range(served.create_limit + 1)]
        # The controls: through the trusted proxy, X-Forwarded-For names the client, so the spoofer's
        # own address finds its bucket full while another client is served.
        same_client = proxy.post("/api/v1/assessments", json={"name": "Via the proxy"},
                                 headers={"X-Forwarded-For": UNTRUSTED_PEER})
        other_client = proxy.post("/api/v1/assessments", json={"name": "Someone else"},
                                  headers={"X-Forwarded-For": "203.0.113.50"})
    assert statuses == [201] * served.create_limit + [429]
    assert same_client.status_code == 429
    assert other_client.status_code == 201
