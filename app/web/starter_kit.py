"""Starter-kit downloads: the zip of app.reports.starter_kit, by edit or view link (pages) and by token (API).

The kit carries the view link only, whoever downloads it: a zip is mailed and committed to repositories,
and the edit link would hand anyone who opens it the right to change the assessment.
"""

import io
import zipfile

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.access import EditableAssessment, ViewableAssessment
from app.advisor.models import Recommendation
from app.db import SessionDep
from app.models import Assessment, utcnow
from app.reports.starter_kit import starter_kit
from app.web.exports import attachment
from app.web.pdf import _view_link
from app.web.share import SHARED_PAGE_HEADERS

router = APIRouter()


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
    """The kit as a download; the web routes and the API both answer with this."""
    today = utcnow().date()
    files = starter_kit(
        assessment.answers,
        Recommendation.model_validate(assessment.recommendation),
        name=assessment.name,
        view_url=_view_link(request, assessment, session=session) or None,
        as_of=today,
    )
    body = zip_files(files, stamp=(today.year, today.month, today.day))
    headers = {"Content-Disposition": attachment(f"{assessment.name} starter kit", "zip"),
               **SHARED_PAGE_HEADERS}
    return Response(body, media_type="application/zip", headers=headers)


@router.get("/e/{edit_token}/starter-kit.zip", name="edit_starter_kit")
def edit_starter_kit(request: Request, access: EditableAssessment, session: SessionDep) -> Response:
    return assessment_starter_kit(request, access.assessment, session=session)


@router.get("/v/{view_token}/starter-kit.zip", name="view_starter_kit")
def view_starter_kit(request: Request, access: ViewableAssessment, session: SessionDep) -> Response:
    return assessment_starter_kit(request, access.assessment, session=session)
