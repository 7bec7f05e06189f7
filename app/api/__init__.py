"""JSON routes under /api/v1."""

from fastapi import APIRouter
from fastapi.routing import APIRoute

from app.api import assessments, datachecks, links, recommendations, responses, workspaces


def operation_id(route: APIRoute) -> str:
    """A route without its own `operation_id` gets its function's name in camelCase (`create_assessment`
    -> `createAssessment`), never FastAPI's `create_assessment_api_v1_assessments_post`: client generators
    name their methods after it."""
    first, *rest = route.name.split("_")
    return first + "".join(word.capitalize() for word in rest)


router = APIRouter(prefix="/api/v1", generate_unique_id_function=operation_id)
router.include_router(recommendations.router)
router.include_router(assessments.router)
router.include_router(links.router)
router.include_router(workspaces.router)
router.include_router(datachecks.router)
router.include_router(responses.router)
