"""Log lines an operator can follow: a timestamp and the request's id on every line, as text or JSON.

Each request gets an id: the caller's `X-Request-ID` when it is a short plain token (a proxy's or a load
balancer's, so one id follows the request across hops), else a new random one. It is returned in the
response's `X-Request-ID` and set on every log record made while the request runs, uvicorn's access line
included (uvicorn writes it from inside the app's `send`, in the request's context). Link tokens are masked
by app.security.logs before any formatter sees a message.
"""

import json
import logging
import re
import secrets
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Literal

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LogFormat = Literal["text", "json"]
HEADER = "x-request-id"
HEADER_BYTES = HEADER.encode()  # as ASGI carries header names: encoded once, not per header per request
# Accepted from a caller: what proxies send (UUIDs, hex, Amazon's "Root=1-..."), and nothing that could
# forge a log line (no spaces, quotes or newlines).
ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:=-]{1,64}")
NO_REQUEST = "-"

request_id: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)


class RequestIds:
    """Outermost middleware: the request's id for its logs and its response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((value.decode("latin-1") for name, value in scope["headers"] if name == HEADER_BYTES),
                     "")
        current = given if ACCEPTED_ID.fullmatch(given) else secrets.token_hex(8)
        token = request_id.set(current)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = current
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)


class WithRequestId(logging.Filter):
    """Puts the current request's id on each record (NO_REQUEST outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonLines(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, request_id, message [, error]."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", NO_REQUEST),
            "message": record.getMessage(),
        }
        if record.exc_info or record.exc_text:
            line["error"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def log_config(log_format: LogFormat, level: str = "INFO") -> dict:
    """A logging.config.dictConfig for uvicorn (its `log_config`) and the app's own loggers."""
    formatter = ({"()": "app.logs.JsonLines"} if log_format == "json"
                 else {"format": TEXT_FORMAT, "datefmt": "%Y-%m-%dT%H:%M:%S%z"})
    handler = {"class": "logging.StreamHandler", "formatter": "default", "filters": ["request_id"],
               "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "app.logs.WithRequestId"}},
        "formatters": {"default": formatter},
        "handlers": {"default": handler},
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": ["default"], "level": level, "propagate": False},
            "advisor": {"handlers": ["default"], "level": level, "propagate": False},
        },
    }
