"""PDF downloads: an assessment's report (by edit or view link) and a comparison's (by workspace link)."""

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from app import assessments as store
from app.access import EditableAssessment, ViewableAssessment, WorkspaceAccess, secret_of
from app.db import SessionDep
from app.models import Assessment, utcnow
from app.reports.document import assessment_report_html, day
from app.reports.pdf import ReportUnavailable
from app.security.route_limits import is_api, limit
from app.web.compare import (
    MAX_COLUMNS,
    MIN_COLUMNS,
    answer_lines,
    load_columns,
    parse_references,
    result_lines,
)
from app.web.exports import attachment
from app.web.render import render, route_path
from app.web.results import result_view
from app.web.share import SHARED_PAGE_HEADERS, absolute_url

router = APIRouter()


async def _pdf_response(request: Request, html: str, name: str) -> Response:
    try:
        pdf = await request.app.state.pdf_renderer.render(html)
    except ReportUnavailable:
        headers = {"Retry-After": "30", **SHARED_PAGE_HEADERS}
        if is_api(request.url.path):
            return JSONResponse({"detail": "The report could not be made just now; retry in 30 s."},
                                status_code=503, headers=headers)
        return render(request, "report/busy.html", {}, status_code=503, headers=headers)
    headers = {"Content-Disposition": attachment(name, "pdf"), **SHARED_PAGE_HEADERS}
    return Response(pdf, media_type="application/pdf", headers=headers)


def _view_link(request: Request, assessment: Assessment, *, session) -> str:
    """The link printed on the report: the view link, never the edit link (a PDF travels far)."""
    link = store.links_of(assessment, session=session)["view"]
    if not store.link_is_live(link):
        return ""
    return absolute_url(request, "view_assessment", view_token=store.link_token(link, secret_of(request)))


def _report_html(request: Request, assessment: Assessment, *, session) -> str:
    """The stored result on paper; cost assumptions in the query redo the costs, as on the page."""
    view = result_view(request, assessment, assessment.recommendation)
    link_url = _view_link(request, assessment, session=session)
    return assessment_report_html(request.app.state.templates.env, assessment, view, link_url=link_url)


async def assessment_pdf(request: Request, assessment: Assessment, *, session) -> Response:
    """The report as a download; the web routes and the API both answer with this."""
    return await _pdf_response(request, _report_html(request, assessment, session=session), assessment.name)


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
