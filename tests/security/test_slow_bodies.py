"""Issue 17, finding 2: a slow request body holds nothing but its own connection.

The attack: a POST to /new trickling one byte a second made an unrelated API create wait 19 s on SQLite,
because the writer lock was taken before the body had arrived. Bodies are now read whole, within
ADVISOR_BODY_TIMEOUT_SECONDS, before any lock; the lock covers the handler and its commit only.
"""

import asyncio
import socket
import threading
import time
from urllib.parse import urlsplit

import httpx

from app.db import OneWriterAtATime
from app.security.body import BodyLimit
from tests.conftest import run_coroutine

# How long the trickling client keeps sending before it gives up: far longer than a create takes, so a
# create that had to wait for the trickle to end is told apart from one that did not.
TRICKLE_FOR_SECONDS = 20
TRICKLE_BYTES = 10_000


class Trickle(threading.Thread):
    """A client sending a form body to /new one byte per tenth of a second (no token, no Origin)."""

    def __init__(self, url: str, path: str = "/new"):
        super().__init__(daemon=True)
        parts = urlsplit(url)
        self.address = (parts.hostname, parts.port)
        self.path = path
        self.started_body = threading.Event()
        self.stop = threading.Event()
        self.finished = threading.Event()

    def run(self) -> None:
        with socket.create_connection(self.address, timeout=TRICKLE_FOR_SECONDS + 10) as sock:
            head = (f"POST {self.path} HTTP/1.1\r\nHost: {self.address[0]}:{self.address[1]}\r\n"
                    "Content-Type: application/x-www-form-urlencoded\r\n"
                    f"Content-Length: {TRICKLE_BYTES}\r\n\r\n")
            sock.sendall(head.encode())
            deadline = time.monotonic() + TRICKLE_FOR_SECONDS
            sent = 0
            try:
                while sent < TRICKLE_BYTES and time.monotonic() < deadline and not self.stop.wait(0.1):
                    sock.sendall(b"a")
                    sent += 1
                    if sent == 3:
                        self.started_body.set()
            except OSError:  # the server gave up on us (408): the trickle is over either way
                pass
            finally:
                self.finished.set()


def test_a_trickled_body_does_not_hold_up_another_clients_create(security_server):
    trickle = Trickle(security_server.url)
    trickle.start()
    assert trickle.started_body.wait(30)
    started = time.monotonic()
    body = {"name": "Unrelated", "answers": {}}
    created = httpx.post(security_server.url + "/api/v1/assessments", json=body, timeout=60)
    took = time.monotonic() - started
    still_trickling = not trickle.finished.is_set()
    trickle.stop.set()
    trickle.join(30)
    assert created.status_code == 201
    assert still_trickling, f"the create waited for the trickle to end ({took:.1f} s)"


def _call(layer, scope: dict, messages: list[dict], hang: bool = False) -> list[dict]:
    """Run an ASGI layer with these request messages (then silence if `hang`); what it sent."""
    sent = []
    queue = list(messages)

    async def receive():
        if queue:
            return queue.pop(0)
        if hang:
            await asyncio.Event().wait()  # a client that stopped sending without going away
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    run_coroutine(layer, scope, receive, send)
    return sent


def http_scope(method: str, path: str, headers: dict[str, str] | None = None) -> dict:
    raw = [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]
    return {"type": "http", "method": method, "path": path, "headers": raw, "query_string": b"",
            "scheme": "http", "server": ("testserver", 80), "root_path": "", "app": None}


def test_a_body_that_stops_arriving_gets_408_after_the_deadline_without_reaching_the_app():
    reached = []

    async def app(scope, receive, send):
        reached.append(scope["path"])

    layer = BodyLimit(app, max_bytes=65536, timeout_seconds=0.2)
    scope = http_scope("POST", "/api/v1/assessments", {"content-length": "100"})
    sent = _call(layer, scope, [{"type": "http.request", "body": b"{", "more_body": True}], hang=True)
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 408
    assert (b"connection", b"close") in sent[0]["headers"]
    assert reached == []


def test_the_app_gets_the_whole_body_at_once_after_it_arrived_in_pieces():
    bodies = []

    async def app(scope, receive, send):
        bodies.append(await receive())

    layer = BodyLimit(app, max_bytes=65536, timeout_seconds=5)
    pieces = [{"type": "http.request", "body": part, "more_body": True} for part in (b"a=", b"1", b"&b")]
    _call(layer, http_scope("POST", "/new", {"transfer-encoding": "chunked"}),
          [*pieces, {"type": "http.request", "body": b"=2", "more_body": False}])
    assert bodies == [{"type": "http.request", "body": b"a=1&b=2", "more_body": False}]


def _second_writer_finishes_while_first_holds(first_path: str, *, first_started_response: bool) -> bool:
    """Does a POST get through OneWriterAtATime while a first POST to `first_path` is still running?"""
    release_first = None
    second_done = None

    async def app(scope, receive, send):
        if scope["path"] == first_path:
            if first_started_response:
                await send({"type": "http.response.start", "status": 200, "headers": []})
            await release_first.wait()
        else:
            second_done.set()

    queue = OneWriterAtATime(app)

    async def scenario() -> bool:
        nonlocal release_first, second_done
        release_first, second_done = asyncio.Event(), asyncio.Event()

        async def send(message):
            pass

        first = asyncio.create_task(queue(http_scope("POST", first_path), None, send))
        await asyncio.sleep(0)  # the first request is inside and holds what it holds
        second = asyncio.create_task(queue(http_scope("POST", "/api/v1/assessments"), None, send))
        try:
            await asyncio.wait_for(second_done.wait(), timeout=2)
            return True
        except TimeoutError:
            return False
        finally:
            release_first.set()
            await asyncio.gather(first, second)

    return run_coroutine(scenario)


def test_a_recommendation_request_never_takes_the_writer_lock():
    assert _second_writer_finishes_while_first_holds("/api/v1/recommendations", first_started_response=False)


def test_the_writer_lock_is_let_go_once_the_response_starts():
    assert _second_writer_finishes_while_first_holds("/new", first_started_response=True)


def test_a_writer_still_running_its_handler_keeps_the_lock():
    assert not _second_writer_finishes_while_first_holds("/new", first_started_response=False)
