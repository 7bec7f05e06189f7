"""Uploads stream through the body limit instead of being read whole first, so they get a deadline of
their own for the whole body: a trickled upload is answered 408, it does not hold its slot for ever."""

import asyncio

from app.security import body
from tests.conftest import run_coroutine


def test_an_upload_that_stops_arriving_is_answered_408_at_its_deadline(app, monkeypatch):
    monkeypatch.setattr(body, "UPLOAD_TIMEOUT_SECONDS", 0.3)
    first = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.jsonl\"\r\n"
             b"Content-Type: application/jsonl\r\n\r\n{\"prompt\": \"a\", ")
    chunks = [{"type": "http.request", "body": first, "more_body": True}]

    async def trickle():
        if chunks:
            return chunks.pop()
        await asyncio.Event().wait()  # the rest of the file never comes

    sent = []

    async def send(message):
        sent.append(message)

    path = "/api/v1/data-checks"
    scope = {"type": "http", "method": "POST", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "scheme": "http", "server": ("testserver", 80),
             "client": ("127.0.0.1", 5000), "http_version": "1.1", "asgi": {"version": "3.0"},
             "headers": [(b"host", b"testserver"), (b"content-type", b"multipart/form-data; boundary=b"),
                         (b"transfer-encoding", b"chunked")]}

    async def run():
        async with asyncio.timeout(10):
            await app(scope, trickle, send)

    run_coroutine(run)
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 408
