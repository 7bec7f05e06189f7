"""Prometheus metrics at /metrics (prometheus_client): off unless ADVISOR_METRICS=1, and then only for a
caller with the bearer token ADVISOR_METRICS_TOKEN (without a token set, /metrics stays 404).

Requests are labelled by route TEMPLATE (`/e/{edit_token}`), method and status class (`2xx`..`5xx`),
never by the raw path: a path holds link tokens, and one label value per token would also grow the
series without bound. A request no route answered (refused before routing, or unknown) is labelled
UNMATCHED. Besides: a latency histogram, the PDF renderings waiting or running and their outcomes, and
saves (successful writes).

Several worker processes (`advisor serve --workers N`): each keeps its own counters, and a scrape reaches
one worker. `advisor serve` then points PROMETHEUS_MULTIPROC_DIR at a fresh folder before the workers
start, prometheus_client's multiprocess mode writes every worker's values there, and /metrics adds them
up, whichever worker answers (tests/ops/test_ops_metrics.py).
"""

import hmac
import os
import re
import time

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.routing import iter_route_contexts
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.routing import Mount, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db import WRITE_FREE_PATHS
from app.security.logs import redact
from app.security.protect import wrap_outermost
from app.security.route_limits import route_table

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# The route label of requests no route answered (refused by a protection before routing, or no such path).
UNMATCHED = "(unmatched)"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter("advisor_http_requests",
                   "HTTP requests answered, by route template, method and status class",
                   ["route", "method", "status"], registry=REGISTRY)
# Buckets around what pages take (a few ms) up to a PDF (seconds) and the 30 s PDF deadline.
LATENCY = Histogram("advisor_http_request_duration_seconds", "Time to answer a request, by route template",
                    ["route", "method"], registry=REGISTRY,
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
SAVES = Counter("advisor_saves", "Writes that succeeded (assessments, links, workspaces), by route template",
                ["route"], registry=REGISTRY)
PDF_QUEUE = Gauge("advisor_pdf_in_progress", "PDF reports waiting for a rendering slot or rendering",
                  registry=REGISTRY, multiprocess_mode="livesum")
PDF_RENDERS = Counter("advisor_pdf_renders", "PDF renderings by outcome (ok, refused, timeout, error)",
                      ["outcome"], registry=REGISTRY)


def route_template(scope: Scope, templates: "Templates | None" = None) -> str:
    """The template of the route that answered, prefixes included (`/api/v1/assessments/{assessment_id}`),
    or UNMATCHED. A routed request's template is its path with each parameter's segment put back as its
    name (an included router's route knows only its own part); one answered before routing (a kept view
    page, a refusal) is looked up in the app's templates."""
    route = scope.get("route")
    if route is None:
        return templates.match(scope["path"]) if templates is not None else UNMATCHED
    names = {str(value): name for name, value in scope.get("path_params", {}).items()}
    parts = scope["path"].split("/")
    template = "/".join("{" + names[part] + "}" if part in names else part for part in parts)
    return redact(template)  # a parameter spanning segments ({path:path}) keeps no token either


class Templates:
    """Every route's full path template, as compiled patterns, in routing order."""

    def __init__(self, app) -> None:
        self.patterns = []
        for context in iter_route_contexts(app.router.routes):
            if isinstance(context.original_route, Mount):  # /static: one label for every file under it
                self.patterns.append((re.compile(re.escape(context.path) + "/"), context.path + "/{path}"))
            elif context.path:
                self.patterns.append((compile_path(context.path)[0], context.path))

    def match(self, path: str) -> str:
        return next((template for pattern, template in self.patterns if pattern.match(path)), UNMATCHED)


class Metrics:
    """Outer middleware: counts and times every request as it was answered, 500s included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.templates: Templates | None = None  # built at the first request, when every route is in

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            if self.templates is None and "app" in scope:
                self.templates = Templates(scope["app"])
            route, method = route_template(scope, self.templates), scope["method"]
            REQUESTS.labels(route, method, f"{status // 100}xx").inc()
            LATENCY.labels(route, method).observe(time.perf_counter() - started)
            if (status < 400 and method in WRITE_METHODS and route != UNMATCHED
                    and scope["path"] not in WRITE_FREE_PATHS
                    and route_table(scope["app"]).resolve(scope).body != "upload"):
                SAVES.labels(route).inc()


def watch_pdf(renderer) -> None:
    """Count the renderer's work without changing it: its `render` is wrapped on this instance only."""
    render = renderer.render

    async def counted(html: str) -> bytes:
        PDF_QUEUE.inc()
        try:
            pdf = await render(html)
        except Exception as error:
            name = type(error).__name__
            PDF_RENDERS.labels("refused" if name == "ReportUnavailable" else
                               "timeout" if "Timeout" in name else "error").inc()
            raise
        finally:
            PDF_QUEUE.dec()
        PDF_RENDERS.labels("ok").inc()
        return pdf

    renderer.render = counted


def exposition() -> bytes:
    if os.environ.get(MULTIPROCESS_DIR):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # every worker's values, added up
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def install(app: FastAPI, settings) -> None:
    """/metrics and the counting middleware, when ADVISOR_METRICS is on (called by create_app)."""
    token = settings.metrics_token.get_secret_value().encode() if settings.metrics_token else None
    watch_pdf(app.state.pdf_renderer)
    wrap_outermost(app, Metrics)

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        if token is None:  # on but unprotected would publish it: refuse to exist instead
            return Response(status_code=404)
        given = request.headers.get("authorization", "")
        scheme, _, credentials = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(credentials.strip().encode(), token):
            return Response(status_code=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
        return Response(exposition(), media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


def worker_stopped() -> None:
    """A worker's live gauges stop counting when it ends (multiprocess mode keeps its files)."""
    if os.environ.get(MULTIPROCESS_DIR):
        multiprocess.mark_process_dead(os.getpid())
