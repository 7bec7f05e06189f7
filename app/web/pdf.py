"""PDF downloads: an assessment's report (by edit or view link) and a comparison's (by workspace link)."""

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.access import EditableAssessment, ViewableAssessment, WorkspaceAccess
from app.dates import day
from app.db import SessionDep
from app.models import Assessment, utcnow
from app.reports import downloads
from app.reports.downloads import SHARED_PAGE_HEADERS, busy_headers, pdf_response
from app.reports.pdf import ReportUnavailable
from app.security.route_limits import limit
from app.web.compare import (
    MAX_COLUMNS,
    MIN_COLUMNS,
    answer_lines,
    load_columns,
    parse_references,
    result_lines,
)
from app.web.render import render, route_path

router = APIRouter()


def _busy_page(request: Request) -> Response:
    return render(request, "report/busy.html", {}, status_code=503, headers=busy_headers())


async def _pdf_response(request: Request, html: str, name: str) -> Response:
    try:
        pdf = await request.app.state.pdf_renderer.render(html)
    except ReportUnavailable:
        return _busy_page(request)
    return pdf_response(pdf, name)


async def assessment_pdf(request: Request, assessment: Assessment, *, session) -> Response:
    return await downloads.assessment_pdf(request, assessment, session=session, busy=_busy_page)


@router.get("/e/{edit_token}/report.pdf", name="edit_report_pdf", dependencies=[limit("pdf")])
async def edit_report_pdf(request: Request, access: EditableAssessment, session: SessionDep) -> Response:
    return await assessment_pdf(request, access.assessment, session=session)


@router.get("/v/{view_token}/report.pdf", name="view_report_pdf", dependencies=[limit("pdf")])
async def view_report_pdf(request: Request, access: ViewableAssessment, session: SessionDep) -> Response:
    return await assessment_pdf(request, access.assessment, session=session)


@router.get("/w/{workspace_token}/compare/report.pdf", name="compare_report_pdf", dependencies=[limit("pdf")])
async def compare_report_pdf(
    request: Request,
    grant: WorkspaceAccess,
    session: SessionDep,
    a: list[str] = Query(default_factory=list),  # noqa: B008 - FastAPI reads repeated ?a= this way
) -> Response:
    references = parse_references(a)
    if references is None or not MIN_COLUMNS <= len(references) <= MAX_COLUMNS:
        # The comparison page explains what is wrong with the choice, and lets the user fix it.
        path = route_path(request, "compare", workspace_token=grant.token)
        return RedirectResponse(f"{path}?{request.url.query}", status_code=303, headers=SHARED_PAGE_HEADERS)
    columns = load_columns(grant.workspace, references, session=session)
    context = {
        "columns": columns,
        "result_lines": result_lines(columns),
        "answer_lines": answer_lines(columns),
        "generated_on": day(utcnow()),
        "day": day,
    }
    html = request.app.state.templates.env.get_template("report/compare.html").render(context)
    return await _pdf_response(request, html, "comparison")
