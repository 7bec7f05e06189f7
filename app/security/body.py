"""Request bodies are bounded (R30): 413 before the body is read when Content-Length says it is too big,
and as soon as the limit is crossed for a body streamed without one (chunked).

Our own pure-ASGI layer rather than FastAPI's `max_body_size`: that one replaces whatever the app
answers to an over-long Content-Length with a bare "Content Too Large", and we want the readable page.
"""

import re
from dataclasses import dataclass

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.security.refusals import send_refusal


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a streamed body crosses the limit; the app's 413 handler answers it
    (a FastAPI HTTPException, so body parsing passes it on instead of turning it into a 400)."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="too-large")


def too_large_message(max_bytes: int) -> str:
    return f"The request is larger than the {max_bytes // 1024} KiB this service accepts."


def _declared_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


@dataclass(frozen=True)
class UploadLimit:
    """Routes that take a file (the training-data checker) get their own, larger limit. They answer an
    over-long Content-Length themselves, without reading the body (the wizard's answer names the limit
    in a form htmx can show); this layer still stops a body streamed past the limit."""

    paths: re.Pattern[str]
    max_bytes: int
    message: str


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int, uploads: UploadLimit | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.uploads = uploads

    def _limit(self, scope: Scope) -> tuple[int, str, bool]:
        if self.uploads is not None and self.uploads.paths.fullmatch(scope["path"]):
            return self.uploads.max_bytes, self.uploads.message, False
        return self.max_bytes, too_large_message(self.max_bytes), True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes, refusal_message, refuse_declared = self._limit(scope)
        declared = _declared_length(scope)
        if refuse_declared and declared is not None and declared > max_bytes:
            await _refuse(scope, receive, send, refusal_message)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            # Only reached when nothing inside answered it (e.g. a route reading the body itself).
            if started:
                raise
            await _refuse(scope, receive, send, refusal_message)


async def _refuse(scope: Scope, receive: Receive, send: Send, message: str) -> None:
    await send_refusal(scope, receive, send, 413, detail="too-large", message=message)
