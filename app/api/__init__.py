"""JSON routes under /api/v1."""

from fastapi import APIRouter

from app.api import assessments, datachecks, recommendations, responses

router = APIRouter(prefix="/api/v1")
router.include_router(recommendations.router)
router.include_router(assessments.router)
router.include_router(datachecks.router)
router.include_router(responses.router)
