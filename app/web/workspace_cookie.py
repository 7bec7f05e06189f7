"""The workspaces a browser remembers, in a cookie, so the wizard and result link back to them.

The browser remembers the workspaces it made or opened; the home page starts the next assessment in
the same one. A page links to an assessment's workspace only when this browser holds its token: a
colleague holding just one assessment's edit link must not learn the workspace link.
"""

import secrets

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from app import assessments as store
from app.links import hash_token, looks_like_token
from app.models import Assessment, Workspace
from app.web.render import route_path

WORKSPACE_COOKIE = "advisor_workspace"
WORKSPACE_COOKIE_SECONDS = 400 * 24 * 3600
# Workspaces remembered per browser, most recent first: a second team's workspace must not make the
# first one's pages lose their way back. Five tokens keep the cookie near 220 bytes.
REMEMBERED_WORKSPACES = 5


def remembered_tokens(request: Request) -> list[str]:
    """The workspace tokens this browser remembers, most recent first (well-formed ones only)."""
    raw = request.cookies.get(WORKSPACE_COOKIE, "")
    return [token for token in raw.split(".") if looks_like_token(token)][:REMEMBERED_WORKSPACES]


def remembered_workspace(request: Request, *, session: Session) -> str | None:
    """The token of the most recent workspace this browser remembers that still opens, or None."""
    for token in remembered_tokens(request):
        try:
            store.workspace_by_token(token, session=session)
        except store.NotFound:  # renewed or never existed: try the next one
            continue
        return token
    return None


def remember_workspace(request: Request, response: Response, token: str) -> None:
    """Put `token` first in this browser's remembered workspaces, keeping the others."""
    tokens = [token, *(t for t in remembered_tokens(request) if t != token)][:REMEMBERED_WORKSPACES]
    https = request.app.state.settings.https
    # Tokens are base64url, so "." separates them without quoting.
    response.set_cookie(WORKSPACE_COOKIE, ".".join(tokens), max_age=WORKSPACE_COOKIE_SECONDS, httponly=True,
                        secure=https, samesite="lax", path="/")


def workspace_link(request: Request, assessment: Assessment, *, session: Session,
                   token: str | None = None) -> str | None:
    """The workspace page, when this browser made (or opened) the assessment's workspace.

    `token` is a workspace token just made or granted in this request (its cookie is not sent yet).
    """
    if not token and not remembered_tokens(request):
        return None
    workspace = session.get(Workspace, assessment.workspace_id)
    return None if workspace is None else workspace_link_of(request, workspace.token_hash, token=token)


def workspace_link_of(request: Request, token_hash: str | None, *, token: str | None = None) -> str | None:
    """The workspace page of the workspace whose token hashes to `token_hash`, when this browser made (or
    opened) it: workspace_link, for a caller that read the hash already."""
    tokens = ([token] if token else []) + remembered_tokens(request)
    mine = next((t for t in tokens if token_hash and secrets.compare_digest(hash_token(t), token_hash)), None)
    return None if mine is None else route_path(request, "workspace", workspace_token=mine)
