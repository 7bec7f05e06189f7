"""Share links: the page that shows and manages an assessment's view and edit links, the read-only
view page a colleague opens, and renewing the workspace link.

Links are managed by whoever holds the edit link (`/e/{edit}/share`) or the workspace link
(`/w/{ws}/a/{id}/share`, which also rescues an assessment whose edit link was revoked). Pages
reached by a secret link send no referrer, are not indexed and are not cached (R17).
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from app import assessments as store
from app.access import EditableAssessment, ViewGrant, ViewLink, WorkspaceAccess, secret_of
from app.assessments import LinkKind
from app.db import LoopConnection, SessionDep
from app.links import parse_expiry
from app.models import Assessment, utcnow
from app.reports.answers import answer_sections
from app.reports.downloads import SHARED_PAGE_HEADERS
from app.reports.downloads import public_url as absolute_url
from app.reports.result_view import result_view
from app.web.render import keep_page, kept_page, render, route_path

router = APIRouter()



def shared_page(
    request: Request, template: str, context: dict, *, block: str | None = None, status_code: int = 200
) -> Response:
    return render(
        request, template, context, block=block, status_code=status_code, headers=SHARED_PAGE_HEADERS
    )


# --- the links page -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkState:
    kind: LinkKind
    url: str
    live: bool
    revoked: bool
    expires_at: datetime | None

    @property
    def expires_on(self) -> str:
        """The last day the link works, as the date input shows it."""
        return (self.expires_at - timedelta(seconds=1)).date().isoformat() if self.expires_at else ""

    @property
    def expired(self) -> bool:
        return not self.revoked and not self.live


@dataclass(frozen=True)
class Manager:
    """Who is managing the links, and the routes their forms post to."""

    assessment: Assessment
    page_route: str
    action_route: str
    params: dict[str, str]
    via_edit_link: bool

    def action_path(self, request: Request, kind: LinkKind, action: str) -> str:
        return route_path(request, self.action_route, kind=kind, action=action, **self.params)

    def page_path(self, request: Request) -> str:
        return route_path(request, self.page_route, **self.params)

    @property
    def back_label(self) -> str:
        return "Back to the assessment" if self.via_edit_link else "Back to the workspace"

    def back_path(self, request: Request) -> str:
        if self.via_edit_link:
            return route_path(request, "assessment_result", **self.params)
        return route_path(request, "workspace", workspace_token=self.params["workspace_token"])


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def link_states(request: Request, assessment: Assessment, *, session) -> dict[str, LinkState]:
    secret = secret_of(request)
    states = {}
    for kind, link in store.links_of(assessment, session=session).items():
        token = store.link_token(link, secret)
        route = "view_assessment" if kind == "view" else "resume"
        states[kind] = LinkState(
            kind=kind,
            url=absolute_url(request, route, **{f"{kind}_token": token}),
            live=store.link_is_live(link),
            revoked=link.revoked_at is not None,
            expires_at=_aware(link.expires_at),
        )
    return states


def _links_page(
    request: Request, manager: Manager, *, session, errors: dict | None = None, status_code: int = 200
) -> Response:
    context = {
        "assessment": manager.assessment,
        "links": link_states(request, manager.assessment, session=session),
        "manager": manager,
        "renewed": request.query_params.get("renewed", ""),
        "errors": errors or {},
        "today": utcnow().date().isoformat(),
    }
    return shared_page(request, "share/links.html", context, block="links", status_code=status_code)


def _edit_manager(access) -> Manager:
    return Manager(access.assessment, "share_links", "share_link_action", {"edit_token": access.token}, True)


def _workspace_manager(request: Request, grant, assessment_id: str, *, session) -> Manager:
    assessment = store.get_in_workspace(grant.workspace, assessment_id, session=session)
    params = {"workspace_token": grant.token, "assessment_id": assessment.id}
    return Manager(assessment, "workspace_share_links", "workspace_share_link_action", params, False)


@router.get("/e/{edit_token}/share", name="share_links")
def share_links(request: Request, access: EditableAssessment, session: SessionDep):
    return _links_page(request, _edit_manager(access), session=session)


@router.get("/w/{workspace_token}/a/{assessment_id}/share", name="workspace_share_links")
def workspace_share_links(request: Request, grant: WorkspaceAccess, assessment_id: str, session: SessionDep):
    return _links_page(
        request, _workspace_manager(request, grant, assessment_id, session=session), session=session
    )


@router.post("/e/{edit_token}/share/{kind}/{action}", name="share_link_action")
def share_link_action(
    request: Request,
    access: EditableAssessment,
    session: SessionDep,
    kind: LinkKind,
    action: Literal["revoke", "renew", "expiry"],
    expires_on: Annotated[str, Form()] = "",
):
    return _act(request, _edit_manager(access), kind, action, expires_on, session=session)


@router.post(
    "/w/{workspace_token}/a/{assessment_id}/share/{kind}/{action}", name="workspace_share_link_action"
)
def workspace_share_link_action(
    request: Request,
    grant: WorkspaceAccess,
    assessment_id: str,
    session: SessionDep,
    kind: LinkKind,
    action: Literal["revoke", "renew", "expiry"],
    expires_on: Annotated[str, Form()] = "",
):
    manager = _workspace_manager(request, grant, assessment_id, session=session)
    return _act(request, manager, kind, action, expires_on, session=session)


def _act(
    request: Request, manager: Manager, kind: LinkKind, action: str, expires_on: str, *, session
) -> Response:
    assessment = manager.assessment
    if action == "expiry":
        expires_at, error = parse_expiry(expires_on)
        if error:
            return _links_page(request, manager, session=session, errors={kind: error}, status_code=422)
        store.set_link_expiry(assessment, kind, expires_at, session=session)
        return _back(manager.page_path(request))
    if action == "revoke":
        store.revoke_link(assessment, kind, session=session)
        if kind == "edit" and manager.via_edit_link:
            return shared_page(request, "share/edit_link_revoked.html", {"assessment": assessment})
        return _back(manager.page_path(request))
    link = store.renew_link(assessment, kind, session=session, secret=secret_of(request))
    if kind == "edit" and manager.via_edit_link:
        # The page's own address just stopped working: continue at the new one.
        new_path = route_path(request, "share_links", edit_token=store.link_token(link, secret_of(request)))
        return _back(new_path + "?renewed=edit")
    return _back(manager.page_path(request) + f"?renewed={kind}")


def _back(path: str) -> Response:
    """Post/redirect/get; htmx follows the 303 and swaps in the links block of the page."""
    return RedirectResponse(path, status_code=303, headers=SHARED_PAGE_HEADERS)


# --- the read-only view ---------------------------------------------------------------------------


@router.get("/v/{view_token}", name="view_assessment")
async def view_assessment(request: Request, link: ViewLink, session: SessionDep):
    # The page changes only when the assessment is saved: it is rendered here once per saved version
    # and kept; repeat visits get the kept page from KeptViewPages, before any routing.
    key = _view_page_key(link.grant.assessment_id, link.token)
    return await run_in_threadpool(_render_view, request, link, key, session)


def _view_page_key(assessment_id: str, token: str) -> tuple:
    return ("share/view.html", assessment_id, token)


class KeptViewPages:
    """Pure ASGI layer, innermost: `GET /v/{token}` answered with the kept page, before any routing.

    Opening a shared result is the app's most frequent request, and once its page is kept for the
    saved version it needs only the indexed link look-up: FastAPI's routing and dependencies cost
    four times that. Anything else (no kept page, a query string, a dead or wrong link, a database
    error) goes on to the route, which renders and keeps the page, or answers 404 and is counted by
    the rate limit on wrong links.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["query_string"] \
                or not scope["path"].startswith("/v/"):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        token = scope["path"][len("/v/"):]
        grant = await self._grant(request.app.state.loop_connection, token)
        kept = grant and kept_page(request, key=_view_page_key(grant.assessment_id, token),
                                   version=grant.version, headers=SHARED_PAGE_HEADERS)
        await (kept or self.app)(scope, receive, send)

    async def _grant(self, connection: LoopConnection, token: str) -> store.Grant | None:
        # The indexed read costs less than a hop to a worker thread and back: it is done on the event loop,
        # on the worker's own connection for that (app.db.LoopConnection), straight through the driver
        # (store.DriverGrants). A read it cannot do at once sends the request down the usual path.
        try:
            grants = store.driver_look_up(store.DriverGrants, connection.dialect)
            found = await connection.fetch_keyed(grants.sql, grants.sql_many, grants.key(token))
            return grants.grant(found, need="view")
        except (store.NotFound, LoopConnection.Unavailable):
            return None


def _render_view(request: Request, link: ViewGrant, key: tuple, session: Session) -> Response:
    assessment = session.get(Assessment, link.grant.assessment_id)
    if assessment is None:  # gone since the link was checked
        raise store.NotFound("no such assessment")
    result = assessment.recommendation
    context = {
        "assessment": assessment,
        "can_edit": False,
        "result": result,
        "view": result_view(request.query_params, assessment, store.recommendation_of(assessment)),
        "answer_sections": answer_sections(assessment.answers, assessment.notes, status=assessment.status),
        "report_url": route_path(request, "view_report_pdf", view_token=link.token),
        "kit_url": route_path(request, "view_starter_kit", view_token=link.token),
    }
    if request.query_params:  # costs redone with other assumptions: shown once, not kept
        return shared_page(request, "share/view.html", context)
    return keep_page(request, "share/view.html", context, key=key, version=assessment.version,
                     headers=SHARED_PAGE_HEADERS)


# --- the workspace link ---------------------------------------------------------------------------


@router.post("/w/{workspace_token}/renew-link", name="renew_workspace_link")
def renew_workspace_link(request: Request, grant: WorkspaceAccess, session: SessionDep):
    token = store.renew_workspace_link(grant.workspace, session=session, secret=secret_of(request))
    context = {
        "workspace_url": absolute_url(request, "workspace", workspace_token=token),
        "workspace_path": route_path(request, "workspace", workspace_token=token),
    }
    return shared_page(request, "share/workspace_link_renewed.html", context)
