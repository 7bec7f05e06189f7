"""Issue 17, finding 6: the PDF queue is bounded, and its timeout counts from a request's arrival.

The attack: 30 simultaneous report requests all got 200, the last after 78 s, because requests waited
for a rendering slot without limit and the 30 s timeout started only once a slot was free.
"""

import time

import anyio

from app.reports.pdf import PdfRenderer, ReportUnavailable
from tests.conftest import run_coroutine
from tests.share import renderers

TIMEOUT = 2.0


def test_requests_beyond_the_queue_get_503_at_once_and_waiting_counts_towards_the_timeout():
    renderer = PdfRenderer(1, TIMEOUT, render=renderers.stuck, max_waiting=1)
    outcomes: dict[str, tuple[str, float]] = {}
    order: list[str] = []

    async def ask(name: str) -> None:
        started = time.monotonic()
        try:
            await renderer.render("")
            result = "rendered"
        except ReportUnavailable:
            result = "503"
        outcomes[name] = (result, time.monotonic() - started)
        order.append(name)

    async def scenario() -> None:
        async with anyio.create_task_group() as group:
            for name in ("rendering", "waiting", "turned away"):
                group.start_soon(ask, name)
                await anyio.sleep(0)  # each request in, in this order, before the next one

    try:
        run_coroutine(scenario)
    finally:
        renderer.close()
    assert {name: result for name, (result, _) in outcomes.items()} == dict.fromkeys(outcomes, "503")
    assert order[0] == "turned away"  # answered before any rendering slot came free
    # The waiting request had TIMEOUT seconds in all, not TIMEOUT after the first one's slot came free.
    assert outcomes["waiting"][1] < TIMEOUT * 1.75, outcomes
