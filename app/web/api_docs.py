"""/docs: Swagger UI for /openapi.json, served from our own origin.

FastAPI's built-in page loads Swagger UI from a CDN and starts it with an inline script; the app's
Content-Security-Policy (script-src 'self', no inline script) blocks both, so that page rendered blank.
Here the files are vendored (static/vendor/swagger-ui-*) and started from static/js/api-docs.js.
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.web.render import render

router = APIRouter()


@router.get("/docs", include_in_schema=False, response_class=HTMLResponse, name="api_docs")
def api_docs(request: Request) -> HTMLResponse:
    return render(request, "api_docs.html", {})
