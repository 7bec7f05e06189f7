"""Issue 17, finding 7: `advisor serve` bounds connections: half-sent headers are closed, idle
keep-alives end, and a worker takes a bounded number of connections (beyond: 503 from uvicorn).

What uvicorn cannot do, and what covers it instead: it has no header timeout (our protocol,
app.security.connections) and no body timeout (app.security.body, in the app).
"""

import socket
import time
from urllib.parse import urlsplit

import pytest

from app import cli
from app.config import Settings

HALF_SENT = 20


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname, parts.port


def _closed_by_server(sock: socket.socket, by: float | None = None) -> bool:
    """Wait for the server to close the connection (EOF or reset), until the monotonic time `by` if
    given; False if it does not."""
    if by is not None:
        sock.settimeout(max(0.01, by - time.monotonic()))
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_connections_that_never_finish_their_headers_are_closed_after_the_deadline(served):
    sockets = []
    try:
        started = time.monotonic()
        for _ in range(HALF_SENT):
            sock = socket.create_connection(_address(served.url), timeout=30)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            sockets.append(sock)
        # One deadline for all: each is closed at the header timeout, give or take a busy machine.
        by = started + served.header_timeout + 10
        closed = [_closed_by_server(sock, by) for sock in sockets]
        took = time.monotonic() - started
    finally:
        for sock in sockets:
            sock.close()
    assert all(closed), f"{closed.count(False)} of {HALF_SENT} half-sent requests were left open"
    assert took < served.header_timeout + 10


def test_headers_sent_in_pieces_within_the_deadline_still_get_their_answer(served):
    with socket.create_connection(_address(served.url), timeout=30) as sock:
        for piece in (b"GET /healthz HTTP/1.1\r\n", b"Host: 127.0.0.1\r\n", b"Connection: close\r\n\r\n"):
            sock.sendall(piece)
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200")


def _read_response(sock: socket.socket) -> bytes:
    """One whole response (headers, then Content-Length bytes of body) from a kept-alive connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        body += sock.recv(4096)
    return head


def test_a_second_request_on_a_kept_alive_connection_gets_the_same_deadline(served):
    with socket.create_connection(_address(served.url), timeout=30) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert _read_response(sock).startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        assert _closed_by_server(sock, time.monotonic() + served.header_timeout + 10)


@pytest.mark.parametrize("env, expected", [
    ({}, {"limit_concurrency": 1000, "timeout_keep_alive": 5}),
    ({"ADVISOR_LIMIT_CONCURRENCY": "200", "ADVISOR_KEEP_ALIVE_SECONDS": "2"},
     {"limit_concurrency": 200, "timeout_keep_alive": 2}),
])
def test_serve_hands_uvicorn_its_connection_bounds(monkeypatch, env, expected):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    limits = cli.connection_limits(Settings())
    assert limits == expected | {"http": "app.security.connections:HeaderDeadlineProtocol"}
