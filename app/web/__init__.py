"""HTML routes. Every state-changing route checks the CSRF token (router dependency)."""

from fastapi import Depends, FastAPI

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
from app.web.respondents import router as respondents_router
from app.web.starter_kit import router as starter_kit_router

ROUTERS = (pages.router, wizard.router, results.router, workspaces.router, compare.router,
           assessment_actions.router, share.router, exports.router, pdf.router, datachecks.router,
           starter_kit_router, respondents_router)


def include_in(app: FastAPI) -> None:
    # Each module's routes go straight into the app: FastAPI matches a request again at every level of
    # nested routers, which cost a loaded server a fifth of its time on one more level.
    for router in ROUTERS:
        app.include_router(router, dependencies=[Depends(require_csrf)], include_in_schema=False)
    # Checks its CSRF token itself from the streamed upload (the dependency would spool the file to disk).
    app.include_router(datachecks.upload_router, include_in_schema=False)
