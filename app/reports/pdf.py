"""HTML to PDF with WeasyPrint, off the event loop, bounded in parallelism and time (R34)."""

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


class PdfRenderer:
    """Runs render_pdf in worker threads: at most `concurrency` at once, each given `timeout` seconds.

    A thread cannot be killed, so a rendering past its timeout is abandoned (it finishes in the
    background and still holds its slot), while the request gets a 503 at once.
    """

    def __init__(self, concurrency: int, timeout: float):
        self._limiter = anyio.CapacityLimiter(concurrency)
        self._timeout = timeout

    async def render(self, html: str) -> bytes:
        try:
            with anyio.fail_after(self._timeout):
                return await anyio.to_thread.run_sync(
                    render_pdf, html, limiter=self._limiter, abandon_on_cancel=True
                )
        except TimeoutError as exc:
            raise ReportUnavailable("the report took too long to render") from exc
