"""OpenTelemetry tracing with ADVISOR_TELEMETRY=1, and no link token in any span.

FastAPI's instrumentation names spans and sets attributes (`url.path`, `http.target`, `http.url`) from
the raw path, and a path here is a secret: `/e/{edit_token}` opens an assessment for editing. Traced as
is, every link of every user would sit in the tracing backend (issue 16). Here each server span is
scrubbed as it starts: anything shaped like a link token (app.security.logs.TOKEN, as in the logs) in its
name or string attributes becomes `***`; its `http.route` (set later) is the route template anyway.

The packages are the operator's choice, not a dependency of the app:
    pip install opentelemetry-sdk opentelemetry-instrumentation-fastapi opentelemetry-exporter-otlp
and the SDK is set up from the standard OTEL_* variables, e.g. by starting under
`opentelemetry-instrument advisor serve`. If that auto-instrumentation already instrumented the app
(without this scrubbing), install() instruments it again with the scrubbing in place.
"""

from fastapi import FastAPI

from app.security.logs import redact


def scrub_span(span, scope=None) -> None:
    """server_request_hook: the span's name and string attributes without link tokens."""
    if span is None or not span.is_recording():
        return
    name = getattr(span, "name", "")
    if name and redact(name) != name:
        span.update_name(redact(name))
    for key, value in dict(getattr(span, "attributes", None) or {}).items():
        if isinstance(value, str) and redact(value) != value:
            span.set_attribute(key, redact(value))


def install(app: FastAPI, tracer_provider=None) -> None:
    try:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    except ImportError as error:
        raise RuntimeError("ADVISOR_TELEMETRY=1 needs OpenTelemetry: pip install opentelemetry-sdk "
                           "opentelemetry-instrumentation-fastapi (and an exporter)") from error
    if getattr(app, "_is_instrumented_by_opentelemetry", False):
        FastAPIInstrumentor.uninstrument_app(app)  # auto-instrumented without the scrubbing
    FastAPIInstrumentor.instrument_app(app, server_request_hook=scrub_span, tracer_provider=tracer_provider)
