"""Several colleagues answer one assessment (issue 15) over JSON: invite, respond, compare.

Tokens travel in `Authorization: Bearer <token>` as everywhere in the API: the edit token to invite and
to read the responses, a respond token (the last part of a `respond_url`) to submit one person's answers.
A wrong, revoked or expired token, or a token of another assessment or respondent, gets 404.
"""

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from sqlmodel import Session

from app import assessments as store
from app import respondents as team_store
from app.access import secret_of
from app.advisor import Answers
from app.advisor.disagreements import Disagreements
from app.api.assessments import (
    EXAMPLE_ANSWERS,
    NO_TOKEN,
    NOT_FOUND,
    Note,
    QuestionId,
    UtcDatetime,
    WritableByToken,
)
from app.db import SessionDep
from app.models import MAX_RESPONDENT_NAME_LENGTH, Respondent
from app.security.route_limits import limit

router = APIRouter(tags=["respondents"])

RESPOND_HELP = (
    "The respondent's token: the last part of the `respond_url` returned when they were invited, sent "
    "as `Authorization: Bearer <token>`."
)
respond_bearer = HTTPBearer(auto_error=False, scheme_name="RespondToken", description=RESPOND_HELP)
# Same pattern as an assessment's name: some text, no NUL.
SOME_TEXT = r"^[^\x00]*[^\s\x00][^\x00]*$"


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _date_time_text(value: Any) -> Any:
    # An RFC 3339 date-time string only, as the schema says: pydantic would read a bare number as seconds
    # since 1970.
    if not isinstance(value, str | datetime):
        raise ValueError("must be a date-time string such as 2030-01-31T00:00:00Z")
    return value


ExpiresAt = Annotated[datetime, BeforeValidator(_date_time_text), AfterValidator(_as_utc)]
RespondentName = Annotated[str, Field(min_length=1, max_length=MAX_RESPONDENT_NAME_LENGTH, pattern=SOME_TEXT)]


class RespondentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: RespondentName = Field(description="Who is asked (shown to the owner beside their answers).")
    expires_at: ExpiresAt | None = Field(
        None, description="When the respond link stops (optional; a moment already past makes a link that "
        "opens nothing, as an expired view or edit link does).")


class RespondentCreated(BaseModel):
    id: str = Field(description="The response's id: `PUT /api/v1/responses/{id}` submits their answers.")
    respond_url: str = Field(description="Give it to the respondent only; its last part is their token.")


class ResponseSubmit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: Answers = Field(description="This person's answers-v2; a question left out is 'not sure yet'.")
    notes: dict[QuestionId, Note] = Field(default_factory=dict, description="A note per question id.")


class ResponseOut(BaseModel):
    id: str
    name: str
    verdict: str
    submitted_at: UtcDatetime


class Alternative(BaseModel):
    answer: Any
    given_by: list[str] = Field(description="'Assessment' stands for the assessment's own answer.")
    verdict: str = Field(description="The verdict with this answer in place of the assessment's.")


class DifferingQuestion(BaseModel):
    question: str
    changes_verdict: bool
    answers: dict[str, Any] = Field(description="Who answered what; null is 'not sure yet'.")
    alternatives: list[Alternative]


class ResponsesOut(BaseModel):
    verdict: str = Field(description="The assessment's own verdict.")
    responses: list[ResponseOut]
    differing: list[DifferingQuestion] = Field(description="Questions whose answers differ, those that "
                                               "change the verdict first.")


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(respond_bearer)]


def _respond_token(credentials: Credentials) -> str:
    if credentials is None:
        raise HTTPException(401, "Send the respondent's token as 'Authorization: Bearer <token>'.",
                            headers={"WWW-Authenticate": "Bearer"})
    return credentials.credentials


def _respondent(response_id: str, token: Annotated[str, Depends(_respond_token)],
                session: SessionDep) -> Respondent:
    respondent, _ = team_store.respondent_by_token(token, session=session)
    if respondent.id != response_id:
        raise store.NotFound("this token belongs to another respondent")
    return respondent


RespondingPerson = Annotated[Respondent, Depends(_respondent)]


def respond_url(request: Request, respondent: Respondent) -> str:
    token = team_store.respond_token(respondent, secret_of(request))
    path = request.app.url_path_for("respond", respond_token=token)
    return request.app.state.settings.public_base_url + path


def _response_out(response) -> dict:
    return {"id": response.respondent_id, "name": response.name, "verdict": response.verdict,
            "submitted_at": response.submitted_at}


def differing_out(found: Disagreements) -> list[dict]:
    return [
        {"question": q.question, "changes_verdict": q.changes_verdict, "answers": dict(q.answers),
         "alternatives": [{"answer": a.value, "given_by": list(a.given_by), "verdict": a.verdict}
                          for a in q.alternatives]}
        for q in found.differing
    ]


@router.post(
    "/assessments/{assessment_id}/respondents",
    dependencies=[limit("create")],
    operation_id="inviteRespondent",
    status_code=201,
    response_model=RespondentCreated,
    summary="Invite a colleague to answer on their own",
    description="Needs the edit token. Returns the respondent's link; they see neither the others' "
    "answers nor the edit link.",
    responses=NO_TOKEN | NOT_FOUND,
)
def invite_respondent(request: Request, access: WritableByToken, session: SessionDep, body: RespondentCreate):
    respondent, _ = team_store.invite(access.assessment, body.name, session=session,
                                      secret=secret_of(request), expires_at=body.expires_at)
    return {"id": respondent.id, "respond_url": respond_url(request, respondent)}


@router.put(
    "/responses/{response_id}",
    operation_id="submitResponse",
    response_model=ResponseOut,
    summary="Submit (or replace) one respondent's answers",
    description="Needs that respondent's token. The answers are kept apart from the assessment's.",
    responses=NO_TOKEN | NOT_FOUND,
    openapi_extra={"requestBody": {"content": {"application/json": {
        "example": {"answers": EXAMPLE_ANSWERS}}}}},
)
def submit_response(respondent: RespondingPerson, session: SessionDep, body: ResponseSubmit):
    saved = team_store.save_response(respondent, session=session,
                                     answers=body.answers.model_dump(mode="json", exclude_none=True),
                                     notes=dict(body.notes))
    return _response_out(saved)


@router.get(
    "/assessments/{assessment_id}/responses",
    operation_id="listResponses",
    response_model=ResponsesOut,
    summary="Each response's verdict, and where the answers differ",
    description="Needs the edit token. For each differing question: who answered what, and whether "
    "taking one side or another changes the assessment's verdict.",
    responses=NO_TOKEN | NOT_FOUND,
)
def list_responses(access: WritableByToken, session: SessionDep):
    return responses_body(access.assessment, session=session)


def responses_body(assessment, *, session: Session) -> dict:
    found = team_store.responses(assessment, session=session)
    compared = team_store.compare(assessment, session=session, found=found)
    return {"verdict": assessment.verdict, "responses": [_response_out(r) for r in found],
            "differing": differing_out(compared)}

