"""The answer a protective middleware gives when it refuses a request: the friendly error page for
browsers, an RFC 9457 problem+json body (app/api/problems.py) for the API. Same shape as the app's own
error handlers.
"""

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from app.api.problems import problem
from app.security.route_limits import is_api
from app.web.render import render


def refusal(request: Request, status: int, *, detail: str, message: str,
            headers: dict[str, str] | None = None) -> Response:
    if is_api(request.url.path):
        return problem(status, message, headers=headers)
    return render(request, "errors/error.html", {"status": status, "detail": detail},
                  status_code=status, headers=headers)


async def send_refusal(scope: Scope, receive: Receive, send: Send, status: int, *, detail: str, message: str,
                       headers: dict[str, str] | None = None) -> None:
    response = refusal(Request(scope, receive), status, detail=detail, message=message, headers=headers)
    await response(scope, receive, send)
