"""create_app(): the only place the application is wired together."""

import gc
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException  # the base class: unknown routes raise this one
from starlette.routing import compile_path

from app import api, metrics, telemetry, web
from app.api import problems
from app.assessments import NotFound
from app.config import Settings
from app.db import Checkpoints, LoopConnection, OneWriterAtATime, engine_for, in_memory, writer
from app.logs import RequestIds
from app.paths import resource_dir
from app.questionnaire import load_questionnaire
from app.reports.pdf import PdfRenderer
from app.security.protect import protect, wrap_outermost
from app.security.route_limits import is_api, route_table
from app.web import api_docs
from app.web.kept_steps import KeptSteps
from app.web.render import PageCache, RoutePaths, make_templates, render
from app.web.share import KeptViewPages

log = logging.getLogger("advisor")

# Seconds a client is told to wait when the database is unavailable.
RETRY_AFTER_SECONDS = "5"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    settings.secret  # noqa: B018 - resolve (or create) the secret now, not in the first request
    load_questionnaire()  # a broken questionnaire file stops the start, naming the question
    app = FastAPI(
        title="LLM Customization Advisor",
        version="1.0.0",
        description="Decide between prompt engineering, fine-tuning, or both.",
        docs_url=None,  # our own /docs (app/web/api_docs.py): FastAPI's loads a CDN the CSP blocks
        redoc_url=None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
        lifespan=_lifespan,
        telemetry=telemetry.fastapi_config(settings),  # off unless ADVISOR_TELEMETRY=1; never a link token
    )
    app.state.settings = settings
    app.state.engine = engine_for(settings)  # the pool from ADVISOR_DB_POOL_SIZE and the rest
    app.state.write_engine = writer(app.state.engine)
    app.state.write_engine_at_once = writer(app.state.engine, wait=False)  # the step post on the event loop
    # The kept view page's look-up and the wizard step post's (PostgreSQL) on the event loop.
    app.state.loop_connection = LoopConnection(app.state.engine)
    app.state.templates = make_templates()
    app.state.page_cache = PageCache()
    app.state.kept_steps = KeptSteps()
    # One renderer per app: its limit caps PDF renderings across all requests (R34).
    app.state.pdf_renderer = PdfRenderer(settings.pdf_max_concurrency, settings.pdf_timeout_seconds,
                                         max_waiting=settings.pdf_max_waiting)
    app.state.route_paths = RoutePaths(app)
    app.add_middleware(KeptViewPages)  # innermost: after every protection, before any routing
    if settings.is_sqlite:
        # Inside the protections: only requests they let through, bodies already read (uploads stream).
        app.add_middleware(OneWriterAtATime, unlocked=route_table(app).is_upload)
    protect(app, settings)
    if settings.metrics:  # outside the protections and the 500 handler: it counts what they answer too
        metrics.install(app, settings)
    # Outermost, outside even the last-resort 500 handler: every log line of a request has its id.
    wrap_outermost(app, RequestIds)

    # Routes are matched in this order, each router scanned in full (twice for the one that matches), so
    # the order is by traffic: the probes (polled every few seconds, three exact paths), then the pages
    # (the wizard's step posts first), then the API, then static files (cached by browsers). Moving the
    # API's routes behind the pages took 5% of the instructions off each wizard step post (callgrind,
    # 10.1 M -> 9.6 M); no path is matched by two routes, so order changes nothing else (tests/test_app.py).
    _add_health(app)
    web.include_in(app)
    app.include_router(api.router)
    if settings.docs_enabled:
        app.include_router(api_docs.router)
    app.mount("/static", StaticFiles(directory=resource_dir("static")), name="static")
    problems.install(app)  # after protect(): the refusals it documents become problem+json too
    _add_error_handlers(app)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # What is alive once the app has started (modules, routes, templates) lives as long as the
    # process: taken out of the garbage collector's full passes, which otherwise walk it all and
    # stalled a loaded server for tens of milliseconds now and then.
    gc.collect()
    gc.freeze()
    settings = app.state.settings
    on_file = settings.is_sqlite and not in_memory(settings.database_url)
    checkpoints = Checkpoints(app.state.engine) if on_file else None
    if checkpoints:
        checkpoints.start()
    app.state.checkpoints = checkpoints
    yield
    if checkpoints:
        checkpoints.stop()
    app.state.loop_connection.close()
    gc.unfreeze()
    app.state.pdf_renderer.close()  # its worker processes end with the app
    if app.state.settings.metrics:
        metrics.worker_stopped()


def _add_health(app: FastAPI) -> None:
    # Two probes: /livez says only that the process answers, so an orchestrator's liveness probe does not
    # restart every instance when the shared database is down (restarting cannot mend it); /readyz (and
    # /healthz, its older name) also checks the database, for readiness probes and load balancers.
    @app.get("/livez", include_in_schema=False)
    def livez() -> Response:
        return JSONResponse({"status": "ok"})

    @app.get("/readyz", include_in_schema=False)
    @app.get("/healthz", include_in_schema=False)
    def healthz() -> Response:
        try:
            with app.state.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except (OperationalError, DBAPIError):
            return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503,
                                headers={"Retry-After": RETRY_AFTER_SECONDS})
        return JSONResponse({"status": "ok", "database": "up"})


def _wants_json(request: Request) -> bool:
    return is_api(request.url.path)


def _api_methods(app: FastAPI, path: str) -> str:
    """Every method the API serves at `path`, for a 405's Allow header. Starlette names only the methods
    of the first route matching the path, and the API serves GET and PATCH of one path from two routes."""
    if not hasattr(app.state, "api_paths"):
        app.state.api_paths = [(compile_path(template)[0], sorted(method.upper() for method in operations))
                               for template, operations in app.openapi()["paths"].items()]
    methods = {method for pattern, allowed in app.state.api_paths if pattern.match(path)
               for method in allowed}
    return ", ".join(sorted(methods))


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _wants_json(request):
            headers = exc.headers
            if exc.status_code == 405:
                headers = (headers or {}) | {"Allow": _api_methods(app, request.url.path)}
            return problems.problem(exc.status_code, exc.detail, headers=headers)
        return render(request, "errors/error.html", {"status": exc.status_code, "detail": exc.detail},
                      status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        if _wants_json(request):
            return problems.problem(404, "Not found: the link may be wrong, revoked or expired.")
        return render(request, "errors/error.html", {"status": 404, "detail": "not_found"}, status_code=404)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return problems.validation_problem(exc.errors())
        errors = [
            {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
            for err in exc.errors()
        ]
        return JSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(OperationalError)
    async def database_unavailable(request: Request, exc: OperationalError) -> Response:
        log.warning("database unavailable: %s", exc.__class__.__name__)
        headers = {"Retry-After": RETRY_AFTER_SECONDS}
        if _wants_json(request):
            return problems.problem(503, "The database is unavailable; try again shortly.", headers=headers)
        return render(request, "errors/error.html", {"status": 503, "detail": "database"},
                      status_code=503, headers=headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        error_id = secrets.token_hex(6)
        route = request.scope.get("route_name", "?")
        log.error("unhandled error %s on %s %s", error_id, request.method, route, exc_info=exc)
        if _wants_json(request):
            return problems.problem(500, "Internal error", error_id=error_id)
        context = {"status": 500, "detail": "internal", "error_id": error_id}
        return render(request, "errors/error.html", context, status_code=500)
