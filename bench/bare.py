"""The baseline: a bare Starlette app answering every GET and POST with a fixed page of a given size.

Sizes come from BENCH_BARE_GET_BYTES and BENCH_BARE_POST_BYTES, so it returns as many bytes as the
advisor page it stands in for. Served by the same uvicorn command as the app (bench.servers).
"""

import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route


def _page(size: int) -> bytes:
    head = b"<!doctype html><html><body><p>"
    tail = b"</p></body></html>"
    return head + b"x" * max(0, size - len(head) - len(tail)) + tail


def create_app() -> Starlette:
    pages = {
        "GET": _page(int(os.environ.get("BENCH_BARE_GET_BYTES", "10000"))),
        "POST": _page(int(os.environ.get("BENCH_BARE_POST_BYTES", "10000"))),
    }

    async def page(request: Request) -> HTMLResponse:
        # A post answers with the header the app's wizard step answers with: the load script reads it.
        pushed = {"HX-Push-Url": request.url.path} if request.method == "POST" else None
        return HTMLResponse(pages[request.method], headers=pushed)

    return Starlette(routes=[Route("/{path:path}", page, methods=["GET", "POST"])])
