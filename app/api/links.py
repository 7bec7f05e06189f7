"""An assessment's share links over JSON: list, revoke, renew, and set or clear their expiry.

The same rules as the share page (app/web/share.py): the edit token manages both links, and so does the
workspace token (the page's rescue for an assessment whose edit link was revoked or lost); a view token
manages nothing. Each assessment has exactly one view and one edit link, made with it: there is nothing
to create, renewing gives a link a new token and lifts a revocation.
"""

from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from app import assessments as store
from app.access import secret_of
from app.api.assessments import NO_TOKEN, UtcDatetime, absolute_url, bearer_token
from app.api.problems import problem_doc
from app.db import SessionDep
from app.links import parse_expiry
from app.models import Assessment, ShareLink

router = APIRouter(prefix="/assessments/{assessment_id}/links", tags=["share links"])

WORKSPACE_HELP = (
    "The workspace's token (the last part of its `/w/...` link, or the `workspace_url` returned on "
    "create), sent as `Authorization: Bearer <token>`. It lists the workspace's assessments and manages "
    "their share links. A wrong or renewed token gets 404."
)
# Declared so the OpenAPI document says either token is accepted; the header is read once, below.
workspace_bearer = HTTPBearer(auto_error=False, scheme_name="WorkspaceToken", description=WORKSPACE_HELP)
LinkKind = Literal["view", "edit"]
MANAGE_RESPONSES = {
    **NO_TOKEN,
    404: problem_doc(
        "No assessment for this id and token: a wrong, revoked or expired edit token, a view "
        "token, or a workspace token of another workspace."
    ),
}


class ShareLinkOut(BaseModel):
    kind: LinkKind = Field(description="`view` reads; `edit` also changes the assessment.")
    url: str = Field(description="The link to hand out (it works only while `live`).")
    live: bool = Field(description="Opens the assessment now: neither revoked nor expired.")
    revoked: bool
    expires_at: UtcDatetime | None = Field(
        description="When the link stops working (the end of `expires_on`, UTC); null for never."
    )
    expires_on: date | None = Field(description="The last day the link works, as the page shows it.")
    created_at: UtcDatetime


class ExpiryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expires_on: date | None = Field(
        description="The last day the link works (it stops at the end of that "
        "day, UTC): today or later, within five years. null: never expires."
    )


def _manager_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(workspace_bearer)],
    token: Annotated[str, Depends(bearer_token)],
) -> str:
    return token


def _managed(
    assessment_id: str, token: Annotated[str, Depends(_manager_token)], session: SessionDep
) -> Assessment:
    """The assessment whose links this token may manage: its own edit token, or its workspace's token."""
    try:
        assessment, _ = store.assessment_by_token(token, session=session, need="edit")
    except store.NotFound:
        workspace = store.workspace_by_token(token, session=session)
        return store.get_in_workspace(workspace, assessment_id, session=session)
    if assessment.id != assessment_id:
        raise store.NotFound("this token opens another assessment")
    return assessment


Managed = Annotated[Assessment, Depends(_managed)]
# An expiry is the first moment after the last day (share.parse_expiry); one second back is that day.
_ONE_SECOND = timedelta(seconds=1)


def _link_out(request: Request, link: ShareLink) -> ShareLinkOut:
    route = "view_assessment" if link.kind == "view" else "resume"
    url = absolute_url(request, route, **{f"{link.kind}_token": store.link_token(link, secret_of(request))})
    out = ShareLinkOut(
        kind=link.kind,
        url=url,
        live=store.link_is_live(link),
        revoked=link.revoked_at is not None,
        expires_at=link.expires_at,
        expires_on=None,
        created_at=link.created_at,
    )
    if out.expires_at is not None:  # the page's "last day": the link stops at the start of the next one
        out.expires_on = (out.expires_at - _ONE_SECOND).date()
    return out


def _all(request: Request, assessment: Assessment, *, session: Session) -> list[ShareLinkOut]:
    links = store.links_of(assessment, session=session)
    return [_link_out(request, links[kind]) for kind in ("view", "edit") if kind in links]


@router.get(
    "",
    response_model=list[ShareLinkOut],
    operation_id="listShareLinks",
    summary="The assessment's view and edit links",
    description="Needs the edit token or the workspace token.",
    responses=MANAGE_RESPONSES,
)
def list_share_links(request: Request, assessment: Managed, session: SessionDep):
    return _all(request, assessment, session=session)


@router.post(
    "/{kind}/revoke",
    response_model=ShareLinkOut,
    operation_id="revokeShareLink",
    summary="Stop a link now",
    description="Needs the edit token or the workspace token. The link stops at once; `renew` gives it a "
    "new token. As on the share page, the edit link may be revoked with itself: that token then opens "
    "nothing, and only the workspace token can renew it.",
    responses=MANAGE_RESPONSES,
)
def revoke_share_link(request: Request, assessment: Managed, kind: LinkKind, session: SessionDep):
    return _link_out(request, store.revoke_link(assessment, kind, session=session))


@router.post(
    "/{kind}/renew",
    response_model=ShareLinkOut,
    operation_id="renewShareLink",
    summary="Give a link a new token",
    description="Needs the edit token or the workspace token. The old token stops at once, a revocation is "
    "lifted and the expiry kept; `url` is the new link. Renewing the edit link with itself: continue "
    "with the new token in `url`.",
    responses=MANAGE_RESPONSES,
)
def renew_share_link(request: Request, assessment: Managed, kind: LinkKind, session: SessionDep):
    return _link_out(request, store.renew_link(assessment, kind, session=session, secret=secret_of(request)))


@router.put(
    "/{kind}/expiry",
    response_model=ShareLinkOut,
    operation_id="setShareLinkExpiry",
    summary="Set or clear the last day a link works",
    description="Needs the edit token or the workspace token. The same choices as the share page: a day "
    "from today to five years ahead, or null for no expiry.",
    responses={
        **MANAGE_RESPONSES,
        422: problem_doc("Not a date, a past day, or more than five years ahead: `errors` says which."),
    },
)
def set_share_link_expiry(
    request: Request,
    assessment: Managed,
    kind: LinkKind,
    session: SessionDep,
    expiry: Annotated[
        ExpiryIn,
        Body(
            openapi_examples={
                "a day": {
                    "summary": "Works until the end of 31 January 2030 (UTC)",
                    "value": {"expires_on": "2030-01-31"},
                },
                "never": {"summary": "No expiry", "value": {"expires_on": None}},
            }
        ),
    ],
):
    expires_at, error = parse_expiry(expiry.expires_on.isoformat() if expiry.expires_on else "")
    if error:
        raise RequestValidationError([{"loc": ("body", "expires_on"), "msg": error, "type": "value_error"}])
    return _link_out(request, store.set_link_expiry(assessment, kind, expires_at, session=session))


@router.delete(
    "/{kind}/expiry",
    response_model=ShareLinkOut,
    operation_id="clearShareLinkExpiry",
    summary="Make a link work with no expiry",
    description="Needs the edit token or the workspace token. The same as setting `expires_on` to null.",
    responses=MANAGE_RESPONSES,
)
def clear_share_link_expiry(request: Request, assessment: Managed, kind: LinkKind, session: SessionDep):
    return _link_out(request, store.set_link_expiry(assessment, kind, None, session=session))
