"""Security headers on every response: pages, fragments, API, static files, PDFs and errors (R10, R17).

The middleware wraps the whole application, outside Starlette's last-resort error handler, so even a
500 carries the headers. A route may set its own value for any of these; the middleware only fills
in what is missing. Which set a response gets is read from its route (app.security.route_limits).
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.security.route_limits import RouteTable

# Everything from our own origin only: no inline script or style, no eval (htmx is configured with
# allowEval:false and includeIndicatorStyles:false to match). img-src allows data: because Pico CSS
# draws its form icons as data: SVG images.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
# Browser features the app never uses, switched off for it and anything it might embed.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
# One year, the minimum HSTS preload lists and ASVS accept.
HSTS = "max-age=31536000; includeSubDomains"

EVERY_RESPONSE = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # No Referer anywhere (R10): most pages' URLs hold a secret link token. Same-origin posts are
    # still recognised: the cross-origin guard reads Sec-Fetch-Site, which this does not touch.
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# Routes whose URL or response holds a secret link token (app.security.route_limits: `secret_links`):
# the page must not sit in a shared cache or be indexed (W3C TAG note on capability URLs). That is every
# route taking a token, and every create (the API's answer carries all three links, issue 17, finding 5).
SECRET_LINK_PAGES = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


def headers_for(*, secret_links: bool, https: bool) -> dict[str, str]:
    headers = dict(EVERY_RESPONSE)
    if secret_links:
        headers.update(SECRET_LINK_PAGES)
    if https:
        headers["Strict-Transport-Security"] = HSTS
    return headers


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers above to each response start message."""

    def __init__(self, app: ASGIApp, *, https: bool, routes: RouteTable) -> None:
        self.app = app
        self.routes = routes
        # Encoded once: the two sets a response can get (routes with a secret link get the stricter one).
        self._plain = _raw(headers_for(secret_links=False, https=https))
        self._secret = _raw(headers_for(secret_links=True, https=https))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = self._secret if self.routes.resolve(scope).secret_links else self._plain

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                message["headers"] = headers + [header for header in wanted if header[0] not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)
