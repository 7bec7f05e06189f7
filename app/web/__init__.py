"""HTML routes. Every state-changing route checks the CSRF token (router dependency)."""

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response

from app.security.csrf import require_csrf
from app.web import (
    assessment_actions,
    compare,
    datachecks,
    exports,
    pages,
    pdf,
    results,
    share,
    wizard,
    workspaces,
)
from app.web.render import render
from app.web.respondents import router as respondents_router
from app.web.starter_kit import router as starter_kit_router

# In the order routes are matched (app.main): the wizard's step posts, sent on every answer, first.
ROUTERS = (wizard.step_posts, wizard.router, results.router, share.router, pages.router, workspaces.router,
           compare.router, assessment_actions.router, exports.router, pdf.router, datachecks.router,
           starter_kit_router, respondents_router)


def error_page(request: Request, status: int, detail: str, headers: dict[str, str] | None) -> Response:
    """The friendly error page; the protections below the web layer refuse with it (app.security.refusals)."""
    return render(request, "errors/error.html", {"status": status, "detail": detail},
                  status_code=status, headers=headers)


def include_in(app: FastAPI) -> None:
    app.state.error_page = error_page
    # Each module's routes go straight into the app: FastAPI matches a request again at every level of
    # nested routers, which cost a loaded server a fifth of its time on one more level.
    for router in ROUTERS:
        app.include_router(router, dependencies=[Depends(require_csrf)], include_in_schema=False)
    # Checks its CSRF token itself from the streamed upload (the dependency would spool the file to disk).
    app.include_router(datachecks.upload_router, include_in_schema=False)
