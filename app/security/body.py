"""Request bodies are bounded in size (R30) and in time (issue 17), and read whole before the app runs.

413 before the body is read when Content-Length says it is too big, and as soon as the limit is crossed
for a body streamed without one (chunked). 408 when the body has not fully arrived within the deadline.

Reading the whole body here, outside every layer that holds something while the request runs (the
SQLite writer lock above all, app.db.OneWriterAtATime), means a client trickling its body holds
nothing but its own connection: a POST to /new sending one byte a second made an unrelated API create
wait 19 s, and uvicorn itself has no body timeout. Bodies are at most `max_bytes` (64 KiB by default),
so keeping one in memory costs no more than the app's own form and JSON parsing does anyway.

Uploads (the training-data checker: routes declaring `limit(body="upload")`, found before routing as
app.security.route_limits explains) are the one exception: up to 20 MB, so
they stream through instead of being kept in memory, under their own limit and a longer deadline for
the whole body. They write nothing and take no writer lock, so a slow upload holds only its connection
and one of the checker's few slots.

Our own pure-ASGI layer rather than FastAPI's `max_body_size`: that one replaces whatever the app
answers to an over-long Content-Length with a bare "Content Too Large", and we want the readable page.
"""

import asyncio
from dataclasses import dataclass

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.security.refusals import send_refusal
from app.security.route_limits import RouteTable

# Seconds a whole upload may take: 20 MB over a slow 2 Mbit/s uplink takes about 80 s.
UPLOAD_TIMEOUT_SECONDS = 120.0


class BodyTooLarge(HTTPException):
    """The body crossed the limit while it was being read (raised from `receive` on upload paths, where
    the app's 413 handler answers it: an HTTPException, so body parsing passes it on)."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="too-large")


class BodyTooSlow(HTTPException):
    """An upload's body did not arrive within UPLOAD_TIMEOUT_SECONDS."""

    def __init__(self) -> None:
        super().__init__(status_code=408, detail="too-slow")


class ClientGone(Exception):
    """The client disconnected before its body was complete: there is no one to answer."""


def too_large_message(max_bytes: int) -> str:
    return f"The request is larger than the {max_bytes // 1024} KiB this service accepts."


def too_slow_message(seconds: float) -> str:
    return f"The request body did not arrive within {seconds:g} seconds; send it again."


def _declared_length(headers: Headers) -> int | None:
    value = headers.get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


@dataclass(frozen=True)
class UploadLimit:
    """Routes that take a file (the training-data checker) get their own, larger limit. They answer an
    over-long Content-Length themselves, without reading the body (the wizard's answer names the limit
    in a form htmx can show); this layer still stops a body streamed past the limit or past its time."""

    max_bytes: int
    message: str


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int, timeout_seconds: float,
                 routes: RouteTable | None = None, uploads: UploadLimit | None = None) -> None:
        self.app = app
        self.routes = routes
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds
        self.uploads = uploads

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.uploads is not None and self.routes is not None and self.routes.is_upload(scope):
            await self._stream_upload(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = _declared_length(headers)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        if not declared and "transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body: nothing to wait for
            return
        try:
            async with asyncio.timeout(self.timeout_seconds):
                body = await self._read(receive)
        except TimeoutError:
            await self._refuse_slow(scope, receive, send, self.timeout_seconds)
            return
        except BodyTooLarge:
            await self._refuse(scope, receive, send)
            return
        except ClientGone:
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: only http.disconnect comes

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientGone()
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_bytes:
                raise BodyTooLarge()
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _stream_upload(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.uploads.max_bytes
        deadline = asyncio.get_running_loop().time() + UPLOAD_TIMEOUT_SECONDS
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise BodyTooSlow() from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
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
            await send_refusal(scope, receive, send, 413, detail="too-large", message=self.uploads.message)
        except BodyTooSlow:
            if started:
                raise
            await self._refuse_slow(scope, receive, send, UPLOAD_TIMEOUT_SECONDS)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = too_large_message(self.max_bytes)
        await send_refusal(scope, receive, send, 413, detail="too-large", message=message)

    async def _refuse_slow(self, scope: Scope, receive: Receive, send: Send, seconds: float) -> None:
        await send_refusal(scope, receive, send, 408, detail="too-slow", message=too_slow_message(seconds),
                           headers={"Connection": "close"})
