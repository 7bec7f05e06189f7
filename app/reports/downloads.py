"""The files an assessment is downloaded as, one way for both edges: the web pages and the API.

The report PDF and the starter kit carry the view link only, whoever downloads them: a file is mailed
and committed to repositories, and the edit link would hand anyone who opens it the right to change
the assessment.
"""

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from app import assessments as store
from app.models import Assessment, utcnow
from app.reports.document import report_pdf
from app.reports.pdf import ReportUnavailable
from app.reports.starter_kit import starter_kit

# Anything reached through a shared link: no referrer to leak it, no index, no cache to keep it.
SHARED_PAGE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
}
# The renderer is busy: a browser (or a client) may try again after this many seconds.
RETRY_AFTER_SECONDS = 30


def slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()[:60] or "assessment"


def attachment(name: str, extension: str) -> str:
    """Content-Disposition for a download named after `name`: an ASCII slug plus the UTF-8 original (R35)."""
    encoded = quote(f"{name}.{extension}", safe="")
    return f"attachment; filename=\"{slug(name)}.{extension}\"; filename*=UTF-8''{encoded}"


def public_url(request: Request, route: str, **params: str) -> str:
    """A link for sharing: the configured public origin, never the request's Host header (R12)."""
    return request.app.state.settings.public_base_url + request.app.state.route_paths.path(route, **params)


def view_link(request: Request, assessment: Assessment, *, session) -> str:
    """The link printed on a download: the view link ("" when it is revoked or expired)."""
    link = store.links_of(assessment, session=session)["view"]
    if not store.link_is_live(link):
        return ""
    secret = request.app.state.settings.secret
    return public_url(request, "view_assessment", view_token=store.link_token(link, secret))


def busy_headers() -> dict[str, str]:
    return {"Retry-After": str(RETRY_AFTER_SECONDS), **SHARED_PAGE_HEADERS}


def pdf_response(pdf: bytes, name: str) -> Response:
    headers = {"Content-Disposition": attachment(name, "pdf"), **SHARED_PAGE_HEADERS}
    return Response(pdf, media_type="application/pdf", headers=headers)


async def assessment_pdf(request: Request, assessment: Assessment, *, session,
                         busy: Callable[[Request], Response]) -> Response:
    """The report as a download; cost assumptions in the query redo the costs, as on the page.

    `busy` answers when the renderer cannot take it now: problem+json for the API, a page for the pages.
    """
    state = request.app.state
    try:
        pdf = await report_pdf(assessment, env=state.templates.env, renderer=state.pdf_renderer,
                               link_url=view_link(request, assessment, session=session),
                               params=request.query_params)
    except ReportUnavailable:
        return busy(request)
    return pdf_response(pdf, assessment.name)


def zip_files(files: dict[str, bytes], *, stamp: tuple[int, int, int]) -> bytes:
    """The files zipped with one fixed date, so the same kit on the same day is the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in files.items():
            info = zipfile.ZipInfo(path, date_time=(*stamp, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16  # a plain readable file when unzipped on Unix
            archive.writestr(info, content)
    return buffer.getvalue()


def assessment_starter_kit(request: Request, assessment: Assessment, *, session) -> Response:
    """The starter kit as a download."""
    today = utcnow().date()
    files = starter_kit(
        assessment.answers,
        store.recommendation_of(assessment),
        name=assessment.name,
        view_url=view_link(request, assessment, session=session) or None,
        as_of=today,
    )
    body = zip_files(files, stamp=(today.year, today.month, today.day))
    headers = {"Content-Disposition": attachment(f"{assessment.name} starter kit", "zip"),
               **SHARED_PAGE_HEADERS}
    return Response(body, media_type="application/zip", headers=headers)
