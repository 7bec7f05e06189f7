"""SQLite writers queue in the app, in arrival order, instead of sleeping in SQLite's busy handler."""

import asyncio

from app.db import OneWriterAtATime
from tests.conftest import run_coroutine


def _run(methods: list[str]) -> list[tuple[str, str]]:
    events = []

    async def handler(scope, receive, send):
        events.append(("start", scope["path"]))
        await asyncio.sleep(0.01)
        events.append(("end", scope["path"]))

    queue = OneWriterAtATime(handler)

    async def requests():
        scopes = [{"type": "http", "method": method, "path": f"/{n}"} for n, method in enumerate(methods)]
        await asyncio.gather(*(queue(scope, None, None) for scope in scopes))

    run_coroutine(requests)
    return events


def test_posts_run_one_at_a_time_in_the_order_they_arrived():
    assert _run(["POST", "POST", "POST"]) == [
        ("start", "/0"), ("end", "/0"), ("start", "/1"), ("end", "/1"), ("start", "/2"), ("end", "/2"),
    ]


def test_reads_do_not_wait_for_writers():
    events = _run(["POST", "GET", "GET"])
    assert events[:3] == [("start", "/0"), ("start", "/1"), ("start", "/2")]
