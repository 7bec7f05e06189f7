"""The answer a protective middleware gives when it refuses a request: the friendly error page for
browsers, an RFC 9457 problem+json body (app/api/problems.py) for the API. Same shape as the app's own
error handlers.

The page is drawn by the web layer's renderer, handed to the app at wiring time
(`app.state.error_page`, set by `app.web.include_in`), so this lower layer never imports the pages.
"""

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from app.api.problems import problem
from app.security.route_limits import is_api

# (request, status, detail, headers) -> the error page; detail names the wording in errors/error.html.
ErrorPage = Callable[[Request, int, str, dict[str, str] | None], Response]


def refusal(request: Request, status: int, *, detail: str, message: str,
            headers: dict[str, str] | None = None) -> Response:
    # A layer tested on its own runs without the app (no `app` in the scope): then the API's answer.
    state = getattr(request.scope.get("app"), "state", None)
    error_page: ErrorPage | None = getattr(state, "error_page", None)
    if is_api(request.url.path) or error_page is None:
        return problem(status, message, headers=headers)
    return error_page(request, status, detail, headers)


async def send_refusal(scope: Scope, receive: Receive, send: Send, status: int, *, detail: str, message: str,
                       headers: dict[str, str] | None = None) -> None:
    response = refusal(Request(scope, receive), status, detail=detail, message=message, headers=headers)
    await response(scope, receive, send)
