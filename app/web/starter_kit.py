"""Starter-kit downloads by edit or view link: the zip of app.reports.starter_kit, made by
`app.reports.downloads` (the API answers with the same function)."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.access import EditableAssessment, ViewableAssessment
from app.db import SessionDep
from app.reports.downloads import assessment_starter_kit

router = APIRouter()


@router.get("/e/{edit_token}/starter-kit.zip", name="edit_starter_kit")
def edit_starter_kit(request: Request, access: EditableAssessment, session: SessionDep) -> Response:
    return assessment_starter_kit(request, access.assessment, session=session)


@router.get("/v/{view_token}/starter-kit.zip", name="view_starter_kit")
def view_starter_kit(request: Request, access: ViewableAssessment, session: SessionDep) -> Response:
    return assessment_starter_kit(request, access.assessment, session=session)
