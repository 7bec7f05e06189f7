"""A workspace's assessments over JSON: the workspace page's list, searched, filtered, sorted and paged.

The workspace token (sent as `Authorization: Bearer <token>`) opens it, as the `/w/...` link opens the
page; the filters are the page's (app/web/workspaces.py), but a bad value is refused with 422 instead of
falling back to the default, so a client learns of its mistake.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field
from sqlmodel import Session, select

from app import assessments as store
from app.access import secret_of
from app.api.assessments import NO_TOKEN, UtcDatetime, absolute_url
from app.api.links import workspace_bearer
from app.api.problems import problem_doc
from app.db import SessionDep
from app.models import Assessment, ShareLink, Workspace

router = APIRouter(prefix="/workspace", tags=["workspace"])

# Most assessments one page of the API returns: a page is read in one query with its links.
MAX_LIMIT = 100
# Longest search text: a name is at most 200 characters (the page's MAX_SEARCH_LENGTH).
MAX_SEARCH_LENGTH = 200
Verdict = Literal[store.VERDICTS]  # type: ignore[valid-type]
Sort = Literal[tuple(store.SORTS)]  # type: ignore[valid-type]


class AssessmentSummary(BaseModel):
    id: str
    name: str
    status: str = Field(description="`complete`, or `draft` for one saved part way through the wizard.")
    verdict: str = Field(description="`prompt_engineering`, `fine_tuning` or `hybrid`.")
    confidence: float
    created_at: UtcDatetime
    updated_at: UtcDatetime
    deleted_at: UtcDatetime | None = Field(
        description="Set in the `deleted=true` list: restore it with its "
        "edit link's token (`POST /api/v1/assessments/{id}/restore`)."
    )
    view_url: str | None = Field(description="The read-only link; null while it is revoked or expired.")
    edit_url: str | None = Field(
        description="The editing link; null while it is revoked or expired (renew "
        "it with the workspace token: `POST .../links/edit/renew`)."
    )


class AssessmentList(BaseModel):
    items: list[AssessmentSummary]
    page: int = Field(description="This page's number, from 1.")
    limit: int = Field(description="Assessments per page.")
    has_next: bool = Field(description="Whether page `page + 1` has any.")
    next_page: int | None = Field(description="The next page's number, or null on the last page.")


def _workspace(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(workspace_bearer)],
    session: SessionDep,
) -> Workspace:
    if credentials is None:
        raise HTTPException(
            401,
            "Send the workspace's token as 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return store.workspace_by_token(credentials.credentials, session=session)


def _live_urls(request: Request, items: list[Assessment], *, session: Session) -> dict[tuple[str, str], str]:
    """The live view and edit links of the page's assessments, read in one query."""
    if not items:
        return {}
    secret = secret_of(request)
    links = session.exec(select(ShareLink).where(ShareLink.assessment_id.in_([item.id for item in items])))
    urls = {}
    for link in links:
        if store.link_is_live(link):
            route = "view_assessment" if link.kind == "view" else "resume"
            token = store.link_token(link, secret)
            urls[(link.assessment_id, link.kind)] = absolute_url(
                request, route, **{f"{link.kind}_token": token}
            )
    return urls


@router.get(
    "/assessments",
    response_model=AssessmentList,
    operation_id="listAssessments",
    summary="List and search the workspace's assessments",
    description="Needs the workspace token. The workspace page's list: `q` searches names (case ignored), "
    "`verdict` filters, `sort` orders (`updated`: last changed first; `created`: newest first; `name`: A to "
    "Z) and `page` with `limit` pages (follow `next_page` until it is null). `deleted=true` lists the "
    "deleted assessments instead, most recently deleted first, for restoring.",
    responses={**NO_TOKEN, 404: problem_doc("No workspace for this token (wrong, or renewed since).")},
)
def list_assessments(
    request: Request,
    session: SessionDep,
    workspace: Annotated[Workspace, Depends(_workspace)],
    q: Annotated[str, Query(max_length=MAX_SEARCH_LENGTH, description="Text in the name.")] = "",
    verdict: Annotated[Verdict | None, Query(description="Only this verdict.")] = None,
    sort: Annotated[Sort, Query(description="The order.")] = "updated",
    page: Annotated[int, Query(ge=1, le=store.MAX_PAGE, description="From 1.")] = 1,
    limit: Annotated[
        int | None,
        Query(ge=1, le=MAX_LIMIT, description="Per page; the page's size (ADVISOR_PAGE_SIZE) when left out."),
    ] = None,
    deleted: Annotated[bool, Query(description="List the deleted assessments instead.")] = False,
) -> AssessmentList:
    limit = limit or min(request.app.state.settings.page_size, MAX_LIMIT)
    listing = store.list_assessments(
        workspace,
        session=session,
        search=q,
        verdict=verdict,
        sort=sort,
        page=page,
        page_size=limit,
        deleted=deleted,
    )
    urls = _live_urls(request, listing.items, session=session)
    items = [
        AssessmentSummary(
            id=item.id,
            name=item.name,
            status=item.status,
            verdict=item.verdict,
            confidence=item.confidence,
            created_at=item.created_at,
            updated_at=item.updated_at,
            deleted_at=item.deleted_at,
            view_url=urls.get((item.id, "view")),
            edit_url=urls.get((item.id, "edit")),
        )
        for item in listing.items
    ]
    return AssessmentList(
        items=items,
        page=listing.page,
        limit=limit,
        has_next=listing.has_next,
        next_page=listing.page + 1 if listing.has_next and listing.page < store.MAX_PAGE else None,
    )
