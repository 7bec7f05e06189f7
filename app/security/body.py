"""Request bodies are bounded in size (R30) and in time (issue 17), and read whole before the app runs.

413 before the body is read when Content-Length says it is too big, and as soon as the limit is crossed
for a body streamed without one (chunked). 408 when the body has not fully arrived within the deadline.

Reading the whole body here, outside every layer that holds something while the request runs (the
SQLite writer lock above all, app.db.OneWriterAtATime), means a client trickling its body holds
nothing but its own connection: a POST to /new sending one byte a second made an unrelated API create
wait 19 s, and uvicorn itself has no body timeout. Bodies are at most `max_bytes` (64 KiB by default),
so keeping one in memory costs no more than the app's own form and JSON parsing does anyway.

Our own pure-ASGI layer rather than FastAPI's `max_body_size`: that one replaces whatever the app
answers to an over-long Content-Length with a bare "Content Too Large", and we want the readable page.
"""

import asyncio

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.security.refusals import send_refusal


class BodyTooLarge(HTTPException):
    """The body crossed the limit while it was being read."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="too-large")


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


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int, timeout_seconds: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
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
            message = too_slow_message(self.timeout_seconds)
            await send_refusal(scope, receive, send, 408, detail="too-slow", message=message,
                               headers={"Connection": "close"})
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

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = too_large_message(self.max_bytes)
        await send_refusal(scope, receive, send, 413, detail="too-large", message=message)
