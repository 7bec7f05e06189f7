"""HTML routes. Every state-changing route checks the CSRF token (router dependency)."""

from fastapi import APIRouter, Depends

from app.security.csrf import require_csrf
from app.web import assessment_actions, compare, exports, pages, pdf, results, share, wizard, workspaces

router = APIRouter(dependencies=[Depends(require_csrf)], include_in_schema=False)
router.include_router(pages.router)
router.include_router(wizard.router)
router.include_router(results.router)
router.include_router(workspaces.router)
router.include_router(compare.router)
router.include_router(assessment_actions.router)
router.include_router(share.router)
router.include_router(exports.router)
router.include_router(pdf.router)
