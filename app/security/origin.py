"""Cross-origin state changes are refused before any route runs (R07).

Browsers label each request with Fetch Metadata (`Sec-Fetch-Site`) and, on unsafe methods, `Origin`.
A request another site makes a browser send says `cross-site` / `same-site` or carries a foreign
Origin: refused with 403. Clients that send neither (curl, scripts, the CLI) pass on to the CSRF token
check (HTML forms) or must send JSON (API): a cross-site HTML form cannot send `application/json`, so
the API answers any other body type with 415 and never processes it.
"""

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.security.refusals import send_refusal
from app.security.route_limits import RouteTable, is_api

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SAME_ORIGIN_SITES = frozenset({"same-origin", "none"})  # "none": typed in the address bar, a bookmark


def _origin_of_request(scope: Scope, headers: Headers) -> str:
    return f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def _is_multipart(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "multipart/form-data"


def _has_body(headers: Headers) -> bool:
    return headers.get("content-length", "0") != "0" or "transfer-encoding" in headers


class CrossOriginGuard:
    def __init__(self, app: ASGIApp, *, public_origin: str, routes: RouteTable) -> None:
        self.app = app
        self.public_origin = public_origin
        # Upload routes (declared on the route) take a file as multipart. Safe to accept without JSON:
        # they change and store nothing, so a cross-site form posting one gains nothing (and browsers'
        # Fetch Metadata still has it refused above).
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if self._is_cross_origin(scope, headers):
            await send_refusal(scope, receive, send, 403, detail="cross-site",
                               message="Cross-site request refused: nothing was changed.")
            return
        content_type = headers.get("content-type", "")
        upload = _is_multipart(content_type) and self.routes.is_upload(scope)
        if is_api(scope["path"]) and _has_body(headers) and not _is_json(content_type) and not upload:
            await send_refusal(scope, receive, send, 415, detail="content-type",
                               message="Send the request body as JSON, with Content-Type: application/json.")
            return
        await self.app(scope, receive, send)

    def _is_cross_origin(self, scope: Scope, headers: Headers) -> bool:
        site = headers.get("sec-fetch-site")
        if site is not None:
            return site not in SAME_ORIGIN_SITES
        origin = headers.get("origin")
        if origin is None:
            return False
        return origin not in (self.public_origin, _origin_of_request(scope, headers))
