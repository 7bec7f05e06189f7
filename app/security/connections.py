"""Connections that never finish their request headers are closed (issue 17, finding 7).

uvicorn has no header timeout: its keep-alive timer runs only between requests, and any data received
stops it. An attack held 800 connections with half-sent headers open for over 30 s, and nothing would
have closed them. This protocol is uvicorn's httptools one with two bounds while a request's headers
are arriving: HEADER_TIMEOUT_SECONDS (ADVISOR_HEADER_TIMEOUT_SECONDS), then the connection is closed;
and MAX_HEADER_BYTES received before the headers end (llhttp, under httptools, sets no size limit).

`advisor serve` passes the class to uvicorn by name; workers import it afresh, so the timeout is read
from the environment at import (`advisor serve` puts the setting there).
"""

import asyncio
import os

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

DEFAULT_HEADER_TIMEOUT_SECONDS = 10.0
HEADER_TIMEOUT_SECONDS = float(os.environ.get("ADVISOR_HEADER_TIMEOUT_SECONDS",
                                              DEFAULT_HEADER_TIMEOUT_SECONDS))
# Bytes a connection may send before its request's headers end. One read can also hold the start of
# the body (asyncio reads up to 256 KiB at once), so the bound is well above any real header block.
MAX_HEADER_BYTES = 1024 * 1024


class HeaderDeadlineProtocol(HttpToolsProtocol):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._awaiting_headers = False
        self._header_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_headers()

    def data_received(self, data: bytes) -> None:
        if self._awaiting_headers:
            self._header_bytes += len(data)
            if self._header_bytes > MAX_HEADER_BYTES:
                self._close()
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._awaiting_headers = False
        self._cancel_timer()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self.pipeline:
            self._await_headers()  # the next request on this connection gets the same deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()
        super().connection_lost(exc)

    def _await_headers(self) -> None:
        self._awaiting_headers = True
        self._header_bytes = 0
        self._cancel_timer()
        self._header_timer = self.loop.call_later(HEADER_TIMEOUT_SECONDS, self._headers_too_slow)

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self._awaiting_headers:
            self._close()

    def _cancel_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _close(self) -> None:
        # Nothing to answer: no request was read. Closing is what uvicorn does for an idle keep-alive.
        if not self.transport.is_closing():
            self.transport.close()
