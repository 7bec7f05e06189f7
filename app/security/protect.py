"""protect(app, settings): the one call in create_app that puts the protective layers in place.

From the outside in: security headers (around everything, even the last-resort 500 handler), the
Host check (R12), the body size limit (R30), the cross-origin guard (R07), the rate limits (R19,
R31); then the routes, where the CSRF token check (R08) is a router dependency.
"""

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import Response

from app.advisor.datacheck import FileTooLarge
from app.config import Settings
from app.security import logs
from app.security.body import BodyLimit, UploadLimit, too_large_message
from app.security.counters import Counters, DatabaseCounters, MemoryCounters
from app.security.headers import SecurityHeaders
from app.security.origin import CrossOriginGuard
from app.security.ratelimit import RateLimiter, rules_from
from app.security.refusals import refusal
from app.security.route_limits import is_api, route_table
from app.uploads import FORM_BYTES


def protect(app: FastAPI, settings: Settings) -> None:
    # Each layer reads what it applies from the route the request is for (app.security.route_limits).
    routes = route_table(app)
    # add_middleware puts each new layer outside the ones added before it.
    app.add_middleware(RateLimiter, rules=rules_from(settings), routes=routes,
                       counters=counters_for(app, settings))
    app.add_middleware(CrossOriginGuard, public_origin=settings.public_base_url, routes=routes)
    # Routes that take a training-data sample: the data checker reads the file as it streams and
    # never stores it, so they get ADVISOR_DATA_CHECK_MAX_BYTES instead of the small body limit.
    uploads = UploadLimit(settings.data_check_max_bytes + FORM_BYTES,
                          FileTooLarge(settings.data_check_max_bytes).message)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes,
                       timeout_seconds=settings.body_timeout_seconds, routes=routes, uploads=uploads)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.trusted_hosts)
    app.add_exception_handler(413, _body_too_large)
    wrap_outermost(app, lambda inner: SecurityHeaders(inner, https=settings.https, routes=routes))
    _document_refusals(app)
    logs.install()


def counters_for(app: FastAPI, settings: Settings) -> Counters:
    """In this process's memory for one process; in the database when several count together."""
    if settings.shared_rate_limits:
        return DatabaseCounters(app.state.engine)
    return MemoryCounters()


def _body_too_large(request: Request, exc: HTTPException) -> Response:
    limit = request.app.state.settings.max_body_bytes
    return refusal(request, 413, detail="too-large", message=too_large_message(limit))


def wrap_outermost(app: FastAPI, wrap) -> None:
    """Wrap the built middleware stack, outside ServerErrorMiddleware, so 500 pages get the layer too
    (add_middleware always lands inside it)."""
    build = app.build_middleware_stack
    app.build_middleware_stack = lambda: wrap(build())


PROBLEM = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
# What the layers above (and FastAPI's body parsing) may answer on any API operation, so that the
# OpenAPI document lists every status a client can get (R36).
REFUSALS = {
    "400": ("body", "The body could not be read (not UTF-8, or not parseable)."),
    "408": ("body", "The body did not arrive within the deadline (ADVISOR_BODY_TIMEOUT_SECONDS)."),
    "403": ("unsafe", "Sent by a browser from another site: refused, nothing changed."),
    "413": ("body", "The body is larger than this service accepts."),
    "415": ("body", "The body is not JSON: send Content-Type: application/json."),
    "429": ("any", "Too many requests from this address; wait the seconds in Retry-After."),
}


def _document_refusals(app: FastAPI) -> None:
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            _add_refusals(build())
        return app.openapi_schema

    app.openapi = openapi


def _add_refusals(schema: dict) -> None:
    for path, operations in schema.get("paths", {}).items():
        if not is_api(path):
            continue
        for method, operation in operations.items():
            applies = {"any": True, "unsafe": method != "get", "body": "requestBody" in operation}
            for status, (when, description) in REFUSALS.items():
                if applies[when]:
                    operation["responses"].setdefault(status, {
                        "description": description,
                        "content": {"application/json": {"schema": PROBLEM}},
                    })
