"""OpenTelemetry tracing, off unless ADVISOR_TELEMETRY=1, and then with no link token in any span.

FastAPI (0.165 and later) traces requests by itself as soon as a tracer provider is configured (by
`opentelemetry-instrument`, or any library that sets the global provider), and it puts the raw path in
each server span (`url.path`) and the query in `url.query`. A path here is a secret: `/e/{edit_token}`
opens an assessment for editing; traced as is, every link of every user would sit in the tracing backend
(issue 16). So:

- FastAPI's own telemetry is switched off unless ADVISOR_TELEMETRY=1: a provider configured for some
  other reason traces nothing here (and costs nothing per request).
- With ADVISOR_TELEMETRY=1, FastAPI gets a tracer provider of ours in front of the configured one: every
  span it starts has anything shaped like a link token (app.security.logs.TOKEN, as in the logs, also
  percent-encoded in a query) replaced by `***` in its name and attributes, before any exporter sees it.
  Span names are `GET /e/{edit_token}` (the route template) anyway; `http.route` is the template.
- FastAPI's telemetry *logs* stay off: they record validation failures with the values sent.

Operators install the SDK and an exporter themselves (they are not dependencies of the app), e.g.
    pip install opentelemetry-sdk opentelemetry-exporter-otlp
    ADVISOR_TELEMETRY=1 opentelemetry-instrument advisor serve --no-migrate
(FastAPI's instrumentation package is not needed; if one is present it finds our middleware stack and
stays out of the way, logging "Skipping FastAPI instrumentation".)
"""

from urllib.parse import unquote_plus

from opentelemetry import trace

from app.security.logs import redact

# FastAPI's telemetry when ADVISOR_TELEMETRY is off: nothing traced, measured or logged.
OFF = {"tracing": False, "metrics": False, "logs": False}


def scrub(value: str) -> str:
    """`value` without link tokens, also when they are percent-encoded (`?from=%2Fe%2F<token>`)."""
    value = redact(value)
    decoded = unquote_plus(value)
    return redact(decoded) if redact(decoded) != decoded else value


def _scrubbed(attributes):
    if not attributes:
        return attributes
    return {key: scrub(value) if isinstance(value, str) else value for key, value in attributes.items()}


class ScrubbingTracer(trace.Tracer):
    def __init__(self, name: str, args: tuple, kwargs: dict) -> None:
        self._name, self._args, self._kwargs = name, args, kwargs
        self._provider = None
        self._tracer = None

    def _inner(self) -> trace.Tracer:
        provider = trace.get_tracer_provider()  # the configured one, whenever it was configured
        if provider is not self._provider:
            self._tracer = provider.get_tracer(self._name, *self._args, **self._kwargs)
            self._provider = provider
        return self._tracer

    def start_span(self, name, context=None, kind=trace.SpanKind.INTERNAL, attributes=None, *args, **kwargs):
        return self._inner().start_span(scrub(name), context, kind, _scrubbed(attributes), *args, **kwargs)

    def start_as_current_span(self, name, context=None, kind=trace.SpanKind.INTERNAL, attributes=None,
                              *args, **kwargs):
        return self._inner().start_as_current_span(scrub(name), context, kind, _scrubbed(attributes),
                                                   *args, **kwargs)


class ScrubbingTracerProvider(trace.TracerProvider):
    """In front of the globally configured provider: the spans FastAPI starts carry no link token."""

    def get_tracer(self, instrumenting_module_name, *args, **kwargs) -> trace.Tracer:
        return ScrubbingTracer(instrumenting_module_name, args, kwargs)


def fastapi_config(settings) -> dict:
    """FastAPI(telemetry=...) for these settings."""
    if not settings.telemetry:
        return dict(OFF)
    return {"tracing": True, "metrics": True, "logs": False, "tracer_provider": ScrubbingTracerProvider()}
