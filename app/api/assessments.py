"""Assessments over JSON: create one, read it with its link token, change, delete, restore or export it.

Tokens travel only in the `Authorization: Bearer <token>` header, never in the URL, so they stay out
of access logs, proxies and shell history (reliability.md, open decision 2).
"""

import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Header, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app import assessments as store
from app.access import AssessmentAccess, secret_of
from app.advisor import Answers
from app.api.problems import problem, problem_doc
from app.db import SessionDep
from app.models import MAX_NAME_LENGTH, MAX_NOTE_LENGTH, Assessment, Workspace
from app.reports.downloads import RETRY_AFTER_SECONDS, assessment_pdf, assessment_starter_kit, busy_headers
from app.reports.export import EXPORT_FORMAT, EXPORT_FORMAT_VERSION, export_document
from app.security.route_limits import limit

router = APIRouter(prefix="/assessments", tags=["assessments"])

BEARER_HELP = (
    "The assessment's **edit** or **view** token (the last part of its `/e/...` or `/v/...` link, or "
    "the `edit_url` / `view_url` returned on create), sent as `Authorization: Bearer <token>`. "
    "A view token reads; changes need the edit token. A wrong, revoked or expired token, or a token "
    "of another assessment, gets 404."
)
bearer = HTTPBearer(auto_error=False, scheme_name="LinkToken", description=BEARER_HELP)
# Idempotency keys are client-chosen (a UUID is typical); the column holds 64 characters.
MAX_IDEMPOTENCY_KEY = 64
# A replay after the owner renewed or revoked a link would hand out the current links (issue 17).
REPLAY_REFUSED = (
    "This Idempotency-Key created an assessment whose links were renewed or revoked since, or which was "
    "deleted; its links are not handed out again. Use the links you kept, or send a new key."
)
ENTITY_TAG = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')


def _plain_text(text: str) -> str:
    """Text the databases store alike: no NUL, no lone surrogates (R02)."""
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError("must be valid Unicode text") from error
    return text


def _name(text: str) -> str:
    text = _plain_text(text).strip()
    if not text:
        raise ValueError("must not be empty")
    return text


# The patterns say in the schema what the validators refuse: NUL anywhere, and a name of spaces only.
NO_NUL = r"^[^\x00]*$"
SOME_TEXT = r"^[^\x00]*[^\s\x00][^\x00]*$"
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH, pattern=SOME_TEXT),
                 AfterValidator(_name)]
Note = Annotated[str, Field(max_length=MAX_NOTE_LENGTH, pattern=NO_NUL), AfterValidator(_plain_text)]
QuestionId = Literal[tuple(Answers.model_fields)]  # type: ignore[valid-type]

EXAMPLE_ANSWERS = {
    "task_type": "conversation",
    "accuracy_criticality": "medium",
    "labeled_examples": 0,
    "budget": "low",
    "gpu_access": "none",
    "ml_expertise": "none",
    "time_to_deploy_weeks": 2,
    "monthly_requests": 5000,
    "requirements_change_frequency": "weekly",
    "model_access": "api_only",
}


class AssessmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name = Field(description="What the team calls this project (1-200 characters).")
    answers: Answers = Field(default_factory=Answers,
                             description="answers-v2 (v1 bodies stay valid); every field optional.")
    notes: dict[QuestionId, Note] = Field(
        default_factory=dict, description="A note per question id (why we answered so, what is still open)."
    )
    workspace: str | None = Field(
        None,
        description="A workspace token (the last part of a `/w/...` link) to add the assessment to; "
        "without it a new workspace is made and its link returned as `workspace_url`.",
    )


class AssessmentPatch(BaseModel):
    """Only what is sent changes. In `answers` and `notes`, null clears that question."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    answers: Answers | None = Field(
        None, description="Answers to change; a field set to null becomes unanswered."
    )
    notes: dict[QuestionId, Note | None] | None = Field(
        None, description="Notes to change; null removes one."
    )


def _utc(moment: datetime) -> datetime:
    # SQLite hands back the stored UTC times without their zone; RFC 3339 (and the schema's
    # date-time format) needs one (issue 17, finding 8).
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


class AssessmentOut(BaseModel):
    id: str
    name: str
    status: str
    version: int = Field(description="Send it back in `If-Match` to change the assessment.")
    verdict: str
    confidence: float
    questionnaire_version: int
    engine_version: str
    created_at: UtcDatetime
    updated_at: UtcDatetime
    answers: dict[str, Any]
    notes: dict[str, str]
    recommendation: dict[str, Any] = Field(description="As returned by POST /api/v1/recommendations.")
    view_url: str | None = Field(description="The read-only link; null while it is revoked or expired.")
    edit_url: str | None = Field(description="The editing link; only for the edit token's holder.")


class AssessmentCreated(AssessmentOut):
    workspace_url: str = Field(
        description="The workspace's link: keep it, it lists and manages the team's work."
    )


class AssessmentExport(BaseModel):
    """The same document as the page's "Export JSON" download, which the workspace page imports back."""

    format: Literal[EXPORT_FORMAT] = Field(description="Names this kind of file.")  # type: ignore[valid-type]
    format_version: int = Field(description=f"{EXPORT_FORMAT_VERSION} today; raised when the shape changes.")
    exported_at: str = Field(description="When this document was made (ISO 8601, UTC).")
    name: str
    status: str = Field(description="`complete`, or `draft` for an assessment saved part way.")
    created_at: str
    updated_at: str
    questionnaire_version: int
    engine_version: str = Field(description="The rules that produced `recommendation`.")
    answers: dict[str, Any] = Field(description="answers-v2.")
    notes: dict[str, str] = Field(description="A note per question id.")
    recommendation: dict[str, Any] = Field(description="As returned by POST /api/v1/recommendations.")


_problem = problem_doc
BINARY = {"type": "string", "format": "binary"}  # a file download, described as such in the schema
NOT_FOUND = {404: _problem("No assessment for this id and token (wrong, revoked or expired token).")}
NO_TOKEN = {401: _problem("No `Authorization: Bearer <token>` header.")}


# --- who may do what --------------------------------------------------------------------------


def bearer_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> str:
    if credentials is None:
        raise HTTPException(
            401,
            "Send the assessment's edit or view token as 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return credentials.credentials


def _opened(
    assessment_id: str, token: str, session: Session, need: Literal["view", "edit"]
) -> AssessmentAccess:
    assessment, link = store.assessment_by_token(token, session=session, need=need)
    if assessment.id != assessment_id:
        raise store.NotFound("this token opens another assessment")
    return AssessmentAccess(assessment, link, token)


def _readable(
    assessment_id: str, token: Annotated[str, Depends(bearer_token)], session: SessionDep
) -> AssessmentAccess:
    return _opened(assessment_id, token, session, "view")


def _writable(
    assessment_id: str, token: Annotated[str, Depends(bearer_token)], session: SessionDep
) -> AssessmentAccess:
    return _opened(assessment_id, token, session, "edit")


def _restorable(
    assessment_id: str, token: Annotated[str, Depends(bearer_token)], session: SessionDep
) -> AssessmentAccess:
    # Only for undoing a delete, as on the pages: every other operation refuses a deleted assessment.
    assessment, link = store.assessment_by_token(token, session=session, need="edit", include_deleted=True)
    if assessment.id != assessment_id:
        raise store.NotFound("this token opens another assessment")
    return AssessmentAccess(assessment, link, token)


ReadableByToken = Annotated[AssessmentAccess, Depends(_readable)]
WritableByToken = Annotated[AssessmentAccess, Depends(_writable)]
RestorableByToken = Annotated[AssessmentAccess, Depends(_restorable)]


# --- representation -----------------------------------------------------------------------------


def absolute_url(request: Request, route: str, **params: str) -> str:
    return request.app.state.settings.public_base_url + request.app.url_path_for(route, **params)


def _links(
    request: Request, assessment: Assessment, *, session: Session, can_edit: bool
) -> dict[str, str | None]:
    secret = secret_of(request)
    links = store.links_of(assessment, session=session)
    view, edit = links["view"], links["edit"]
    return {
        "view_url": absolute_url(request, "view_assessment", view_token=store.link_token(view, secret))
        if store.link_is_live(view)
        else None,
        "edit_url": absolute_url(request, "resume", edit_token=store.link_token(edit, secret))
        if can_edit
        else None,
    }


def _out(request: Request, assessment: Assessment, *, session: Session, can_edit: bool) -> dict[str, Any]:
    fields = {
        name: getattr(assessment, name) for name in AssessmentOut.model_fields if hasattr(assessment, name)
    }
    return fields | _links(request, assessment, session=session, can_edit=can_edit)


def _etag(assessment: Assessment) -> str:
    return f'"{assessment.version}"'


# --- routes -------------------------------------------------------------------------------------


@router.post(
    "",
    dependencies=[limit("create")],
    status_code=201,
    response_model=AssessmentCreated,
    operation_id="createAssessment",
    summary="Save an assessment and get its links",
    description="Evaluates the answers, stores the assessment and returns its absolute view, edit and "
    "workspace links. Send an `Idempotency-Key` header to make a retried request return the first "
    "result instead of creating a second assessment: a key counts for 24 hours, within the workspace "
    "named (or none), for the same name, answers and notes, and only while the links it returned are "
    "unchanged.",
    responses={
        **NOT_FOUND,
        409: _problem("The same Idempotency-Key is being used by a request in progress, or the links "
                      "its first request handed out were renewed or revoked since."),
        422: {"description": "Invalid body, or an Idempotency-Key reused with a different body."},
    },
)
def create_assessment(
    request: Request,
    response: Response,
    session: SessionDep,
    body: Annotated[
        AssessmentCreate,
        Body(
            openapi_examples={
                "new workspace": {
                    "summary": "A support bot, in a new workspace",
                    "value": {"name": "Support bot", "answers": EXAMPLE_ANSWERS},
                },
                "with notes": {
                    "summary": "With a note on one answer",
                    "value": {
                        "name": "Support bot",
                        "answers": EXAMPLE_ANSWERS,
                        "notes": {"labeled_examples": "Support could label 500 tickets by May."},
                    },
                },
            }
        ),
    ],
    idempotency_key: Annotated[
        str | None,
        Header(min_length=1, max_length=MAX_IDEMPOTENCY_KEY, description="Any unique string, e.g. a UUID4."),
    ] = None,
):
    secret = secret_of(request)
    named = store.workspace_by_token(body.workspace, session=session) if body.workspace is not None else None
    try:
        assessment = None
        if idempotency_key:
            # A key is scoped to the workspace named (or to none), checked against the content and the
            # links handed out: a replay never makes a throwaway workspace, nor reveals renewed links.
            assessment = store.replay_of(idempotency_key, named, name=body.name, answers=body.answers,
                                         notes=body.notes, session=session)
        if assessment is None:
            workspace = named or store.create_workspace(session=session, secret=secret)[0]
            assessment = store.create_assessment(
                session=session,
                secret=secret,
                workspace=workspace,
                name=body.name,
                answers=body.answers,
                notes=body.notes,
                status="complete",
                idempotency_key=idempotency_key,
                fresh_workspace=named is None,
            )
    except store.IdempotencyConflict as error:
        raise HTTPException(422, "This Idempotency-Key was already used with a different request.") from error
    except store.ReplayRefused as error:
        raise HTTPException(409, REPLAY_REFUSED) from error
    except IntegrityError as error:  # a concurrent request with the same key won the race
        session.rollback()
        raise HTTPException(
            409, "A request with this Idempotency-Key is already being handled; retry."
        ) from error
    response.headers["Location"] = request.app.url_path_for("get_assessment", assessment_id=assessment.id)
    response.headers["ETag"] = _etag(assessment)
    # A replayed request answers with the first one's workspace, not the one this request made.
    workspace = session.get(Workspace, assessment.workspace_id)
    workspace_token = store.workspace_token(workspace, secret)
    workspace_url = absolute_url(request, "workspace", workspace_token=workspace_token)
    return _out(request, assessment, session=session, can_edit=True) | {"workspace_url": workspace_url}


@router.get(
    "/{assessment_id}",
    response_model=AssessmentOut,
    operation_id="getAssessment",
    summary="Read an assessment with its recommendation",
    description="Needs the assessment's edit or view token as `Authorization: Bearer <token>`. "
    "The `ETag` header carries the version to send back in `If-Match` when changing it.",
    responses={**NO_TOKEN, **NOT_FOUND},
)
def get_assessment(request: Request, response: Response, access: ReadableByToken, session: SessionDep):
    response.headers["ETag"] = _etag(access.assessment)
    return _out(request, access.assessment, session=session, can_edit=access.can_edit)


def _expected_version(if_match: str | None) -> int:
    if if_match is None:
        raise HTTPException(
            428, "Send the version you started from as 'If-Match' (the ETag of your last read)."
        )
    match = ENTITY_TAG.match(if_match.strip())
    if match is None:
        raise HTTPException(400, 'If-Match must be the ETag of the assessment, for example "3".')
    return int(match.group(1))


CHANGE_RESPONSES = {
    **NO_TOKEN,
    **NOT_FOUND,
    400: _problem("The If-Match header is not an ETag of this API."),
    412: _problem("Someone saved a newer version since yours (R22): read it again, then retry."),
    428: _problem("No If-Match header."),
}
IfMatch = Annotated[str | None, Header(description="The ETag (version) your change starts from.")]


def _save(
    request: Request,
    response: Response,
    access: AssessmentAccess,
    session: Session,
    *,
    if_match: str | None,
    answers: dict,
    notes: dict,
    name: str | None = None,
) -> dict[str, Any]:
    expected = _expected_version(if_match)
    try:
        Answers.model_validate(answers)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", "answers", *e["loc"])} for e in error.errors()]
        ) from error
    try:
        assessment = store.save_answers(
            access.assessment,
            session=session,
            expected_version=expected,
            answers=answers,
            notes=notes,
            name=name,
        )
    except store.StaleRevision as error:
        raise HTTPException(
            412,
            f"The assessment is at version {error.current.version}; you started from "
            f"{expected}. Read it again and reapply your change.",
        ) from error
    response.headers["ETag"] = _etag(assessment)
    return _out(request, assessment, session=session, can_edit=True)


@router.put(
    "/{assessment_id}/answers",
    response_model=AssessmentOut,
    operation_id="replaceAnswers",
    summary="Replace all answers",
    description="Needs the edit token and `If-Match`. Questions left out become unanswered; notes stay.",
    responses=CHANGE_RESPONSES,
)
def replace_answers(
    request: Request,
    response: Response,
    access: WritableByToken,
    session: SessionDep,
    answers: Annotated[Answers, Body(openapi_examples={"answers": {"value": EXAMPLE_ANSWERS}})],
    if_match: IfMatch = None,
):
    return _save(
        request,
        response,
        access,
        session,
        if_match=if_match,
        answers=answers.model_dump(mode="json", exclude_none=True),
        notes=access.assessment.notes,
    )


@router.patch(
    "/{assessment_id}",
    response_model=AssessmentOut,
    operation_id="updateAssessment",
    summary="Change some answers, notes or the name",
    description="Needs the edit token and `If-Match`. Only the fields sent change; null clears one.",
    responses=CHANGE_RESPONSES,
)
def patch_assessment(
    request: Request,
    response: Response,
    access: WritableByToken,
    session: SessionDep,
    patch: Annotated[
        AssessmentPatch,
        Body(
            openapi_examples={
                "more data": {
                    "summary": "The data grew",
                    "value": {"answers": {"labeled_examples": 5000, "data_quality": "high"}},
                },
                "clear": {
                    "summary": "Unanswer a question and drop its note",
                    "value": {"answers": {"budget": None}, "notes": {"budget": None}},
                },
            }
        ),
    ],
    if_match: IfMatch = None,
):
    assessment = access.assessment
    answers = dict(assessment.answers)
    if patch.answers is not None:
        changes = patch.answers.model_dump(mode="json", include=patch.answers.model_fields_set)
        answers = {k: v for k, v in (answers | changes).items() if v is not None}
    notes = dict(assessment.notes)
    if patch.notes is not None:
        notes = {k: v for k, v in (notes | patch.notes).items() if v}
    return _save(
        request, response, access, session, if_match=if_match, answers=answers, notes=notes, name=patch.name
    )


@router.get(
    "/{assessment_id}/report.pdf",
    operation_id="getAssessmentReport",
    dependencies=[limit("pdf")],
    summary="The assessment's PDF summary",
    description="The same report as the web page's PDF link. Needs the edit or view token as "
    "`Authorization: Bearer <token>`.",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {"schema": BINARY}}, "description": "The PDF report."},
               **NO_TOKEN,
               **NOT_FOUND, 503: _problem("Too many reports are being rendered, or this one took too long.")},
)
async def get_report_pdf(request: Request, access: ReadableByToken, session: SessionDep) -> Response:
    return await assessment_pdf(request, access.assessment, session=session, busy=_report_busy)


def _report_busy(_request: Request) -> Response:
    return problem(503, f"The report could not be made just now; retry in {RETRY_AFTER_SECONDS} s.",
                   headers=busy_headers())


@router.get(
    "/{assessment_id}/starter-kit.zip",
    operation_id="getAssessmentStarterKit",
    summary="A starter kit from the answers",
    description="A zip to start work with: `prompt.md`, `eval/cases.csv` and `eval/README.md`, "
    "`training/` when the verdict tunes a model, and `PLAN.md` with the view link (never the edit link). "
    "Needs the edit or view token as `Authorization: Bearer <token>`.",
    response_class=Response,
    responses={200: {"content": {"application/zip": {"schema": BINARY}}, "description": "The starter kit."},
               **NO_TOKEN,
               **NOT_FOUND},
)
def get_starter_kit(request: Request, access: ReadableByToken, session: SessionDep) -> Response:
    return assessment_starter_kit(request, access.assessment, session=session)


@router.get(
    "/{assessment_id}/export",
    response_model=AssessmentExport,
    operation_id="exportAssessment",
    summary="The assessment as the page's JSON export",
    description="The document the page's **Export JSON** button downloads (name, status, answers, notes, "
    "the recommendation and the versions that produced it, never a link); a workspace page imports it "
    "back. Needs the edit or view token: a view link already shows all of it.",
    responses={**NO_TOKEN, **NOT_FOUND},
)
def export_assessment(response: Response, access: ReadableByToken) -> dict[str, Any]:
    response.headers["ETag"] = _etag(access.assessment)
    return export_document(access.assessment)


@router.delete(
    "/{assessment_id}",
    status_code=204,
    response_class=Response,
    operation_id="deleteAssessment",
    summary="Delete an assessment (it can be restored)",
    description="Needs the edit token. As on the page, the assessment leaves the workspace list and its "
    "links stop working, but it is kept: `POST .../restore` with the same edit token brings it back "
    "(the workspace list shows it with `deleted=true`). `If-Match` is optional here; when sent, the "
    "assessment is deleted only if it is still at that version.",
    responses={
        204: {"description": "Deleted."},
        **NO_TOKEN,
        **NOT_FOUND,
        400: _problem("The If-Match header is not an ETag of this API."),
        412: _problem("If-Match was sent and someone saved a newer version since (R22)."),
    },
)
def delete_assessment(access: WritableByToken, session: SessionDep, if_match: IfMatch = None) -> Response:
    if if_match is not None:
        expected = _expected_version(if_match)
        if expected != access.assessment.version:
            raise HTTPException(412, f"The assessment is at version {access.assessment.version}; you sent "
                                f"{expected}. Read it again before deleting it.")
    store.soft_delete(access.assessment, session=session)
    return Response(status_code=204)


@router.post(
    "/{assessment_id}/restore",
    response_model=AssessmentOut,
    operation_id="restoreAssessment",
    summary="Undo a delete",
    description="Needs the edit token the assessment had when it was deleted (the one operation that "
    "accepts it then). Restoring an assessment that is not deleted changes nothing and answers the same.",
    responses={**NO_TOKEN, **NOT_FOUND},
)
def restore_assessment(request: Request, response: Response, access: RestorableByToken, session: SessionDep):
    if access.assessment.deleted_at is not None:
        store.restore(access.assessment, session=session)
    response.headers["ETag"] = _etag(access.assessment)
    return _out(request, access.assessment, session=session, can_edit=True)
