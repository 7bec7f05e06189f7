"""HTML to PDF with WeasyPrint, in worker processes, bounded in parallelism and time (R34)."""

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING

import anyio

from app.paths import resource_dir

if TYPE_CHECKING:
    from app.reports.fetcher import StaticOnlyFetcher


class ReportUnavailable(Exception):
    """The renderer was too busy or too slow; the edge answers 503."""


def render_pdf(html: str, fetcher: "StaticOnlyFetcher | None" = None) -> bytes:
    """A PDF from a document whose relative URLs point into static/ (e.g. `css/report.css`)."""
    # Imported here, not at the top: WeasyPrint takes seconds to import, and every app start (tests,
    # workers, CLI) would pay for it while only PDF downloads need it.
    from weasyprint import HTML

    from app.reports.fetcher import StaticOnlyFetcher

    static_dir = resource_dir("static")
    fetcher = fetcher or StaticOnlyFetcher(static_dir)
    document = HTML(string=html, base_url=static_dir.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf()


# Renderings a worker process does before a fresh one replaces it: WeasyPrint's caches and the
# allocator's fragmentation stay bounded in the renderer, and never reach the web worker.
RENDERS_PER_PROCESS = 50


class PdfRenderer:
    """Runs `render` in worker processes (R34): at most `concurrency` at once, at most `max_waiting`
    waiting for a turn (more get 503 at once), each answered within `timeout` s of its arrival.

    Processes, not threads: a rendering past its timeout is stopped (a thread could only be
    abandoned, still holding its slot), and WeasyPrint's CPU time and memory stay out of the web
    worker, which keeps answering other requests at full speed. The pool starts with the first
    report, so an app whose users never download one never pays for it.
    """

    def __init__(self, concurrency: int, timeout: float, render: Callable[[str], bytes] = render_pdf,
                 max_waiting: int = 4):
        self._concurrency = concurrency
        self._timeout = timeout
        self._render = render
        self._limiter = anyio.CapacityLimiter(concurrency)  # requests beyond it wait here, not in the pool
        # Requests allowed to wait for a slot; more are turned away at once. Unbounded, 30 requests at
        # once all got 200, the last after 78 s (issue 17, finding 6).
        self._max_waiting = max_waiting
        self._waiting = 0
        self._pool: ProcessPoolExecutor | None = None

    async def render(self, html: str) -> bytes:
        """The PDF, within `timeout` seconds of the request's arrival, waiting for a slot included."""
        if self._waiting >= self._max_waiting and self._limiter.available_tokens == 0:
            raise ReportUnavailable("too many reports are waiting")
        deadline = anyio.current_time() + self._timeout
        self._waiting += 1
        try:
            with anyio.move_on_after(self._timeout) as waited:
                await self._limiter.acquire()
        finally:
            self._waiting -= 1
        if waited.cancelled_caught:
            raise ReportUnavailable("no rendering slot came free in time")
        try:
            pool = self._pool = self._pool or self._new_pool()
            try:
                with anyio.fail_after(max(0.0, deadline - anyio.current_time())):
                    return await asyncio.wrap_future(pool.submit(self._render, html))
            except TimeoutError as exc:
                self._stop(pool)
                raise ReportUnavailable("the report took too long to render") from exc
            except BrokenProcessPool as exc:  # a renderer died (killed, out of memory): start afresh
                self._stop(pool)
                raise ReportUnavailable("the report renderer stopped") from exc
        finally:
            self._limiter.release()

    def close(self) -> None:
        if self._pool is not None:
            self._stop(self._pool)

    def _new_pool(self) -> ProcessPoolExecutor:
        # spawn: a fork of a threaded web worker could copy a lock held by another thread.
        return ProcessPoolExecutor(self._concurrency, mp_context=multiprocessing.get_context("spawn"),
                                   max_tasks_per_child=RENDERS_PER_PROCESS)

    def _stop(self, pool: ProcessPoolExecutor) -> None:
        """Kill the pool's processes (a stuck rendering ignores anything gentler) and forget the pool;
        renderings still in it fail and get 503, the next report starts a new one."""
        if self._pool is pool:
            self._pool = None
        # Python 3.14 has pool.kill(); before it, the pool's own table of its processes.
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
