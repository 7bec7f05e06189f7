"""The workspace page: the team's assessments, searched, filtered, sorted and paged on the server."""

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlmodel import Session, select

from app import assessments as store
from app.access import WorkspaceAccess, secret_of
from app.advisor.words import VERDICT_LABELS, verdict_label
from app.db import SessionDep
from app.models import Assessment, ShareLink
from app.web.render import render, route_path
from app.web.workspace_cookie import remember_workspace

router = APIRouter()

SORT_LABELS = {"updated": "Last updated", "created": "Newest first", "name": "Name (A to Z)"}
# Deleted assessments shown for restoring; older ones stay restorable by paging the deleted list.
DELETED_SHOWN = 10
# Longest search text honoured: a name is at most 200 characters.
MAX_SEARCH_LENGTH = 200
# Assessment ids are 24 hex digits (app.links.new_id); anything else is not looked up.
ASSESSMENT_ID = re.compile(r"[0-9a-f]{24}")


@dataclass(frozen=True)
class ListQuery:
    """What the visitor asked the list for, normalised so bad values fall back to the defaults."""

    search: str = ""
    verdict: str = ""
    sort: str = "updated"
    page: int = 1

    @classmethod
    def parse(cls, q: str, verdict: str, sort: str, page: str) -> "ListQuery":
        return cls(
            search=q.strip()[:MAX_SEARCH_LENGTH],
            verdict=verdict if verdict in store.VERDICTS else "",
            sort=sort if sort in store.SORTS else "updated",
            page=int(page) if page.isdigit() and 0 < int(page) <= store.MAX_PAGE else 1,
        )

    def params(self, **changes) -> str:
        """The query string of this list with `changes`, defaults left out so links stay short."""
        values = {"q": self.search, "verdict": self.verdict, "sort": self.sort, "page": self.page} | changes
        defaults = {"q": "", "verdict": "", "sort": "updated", "page": 1}
        return urlencode({key: value for key, value in values.items() if value != defaults[key]})


@dataclass(frozen=True)
class Row:
    assessment: Assessment
    edit_token: str | None  # None when the edit link is revoked or expired

    @property
    def verdict_label(self) -> str:
        return verdict_label(self.assessment.verdict)


def _restored(workspace, assessment_id: str, *, session: Session) -> Assessment | None:
    if not ASSESSMENT_ID.fullmatch(assessment_id):
        return None
    found = store.assessments_by_ids(workspace, [assessment_id], session=session)
    return found[0] if found else None


def rows_with_edit_links(items: list[Assessment], *, session: Session, secret: bytes) -> list[Row]:
    """Each assessment with its live edit token, read in one query for the whole page."""
    ids = [item.id for item in items]
    if not ids:
        return []
    links = session.exec(select(ShareLink).where(ShareLink.assessment_id.in_(ids), ShareLink.kind == "edit"))
    tokens = {link.assessment_id: store.link_token(link, secret)
              for link in links if store.link_is_live(link)}
    return [Row(item, tokens.get(item.id)) for item in items]


@router.get("/w/{workspace_token}", name="workspace")
def workspace_page(
    request: Request,
    access: WorkspaceAccess,
    session: SessionDep,
    q: str = "",
    verdict: str = "",
    sort: str = "updated",
    page: str = "1",
    restored: str = "",
):
    query = ListQuery.parse(q, verdict, sort, page)
    secret = secret_of(request)
    settings = request.app.state.settings
    listing = store.list_assessments(
        access.workspace, session=session, search=query.search, verdict=query.verdict or None,
        sort=query.sort, page=query.page, page_size=settings.page_size,
    )
    deleted = store.list_assessments(access.workspace, session=session, deleted=True, page_size=DELETED_SHOWN)
    workspace_path = route_path(request, "workspace", workspace_token=access.token)
    context = {
        "workspace_token": access.token,
        "workspace_url": settings.public_base_url + workspace_path,
        "list_url": workspace_path,
        "query": query,
        "listing": listing,
        "rows": rows_with_edit_links(listing.items, session=session, secret=secret),
        "deleted_rows": rows_with_edit_links(deleted.items, session=session, secret=secret),
        "verdict_labels": VERDICT_LABELS,
        "sort_labels": SORT_LABELS,
        "new_url": route_path(request, "new_in_workspace", workspace_token=access.token),
        # Just brought back with "Undo: restore it": named above the list.
        "restored": _restored(access.workspace, restored, session=session),
    }
    response = render(request, "workspace/workspace.html", context, block="assessment_list",
                      headers={"Cache-Control": "no-store"})
    # Pages of its assessments can then lead back here (this browser only: workspace_cookie).
    remember_workspace(request, response, access.token)
    return response
