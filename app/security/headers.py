"""Security headers on every response: pages, fragments, API, static files, PDFs and errors (R10, R17).

The middleware wraps the whole application, outside Starlette's last-resort error handler, so even a
500 carries the headers. A route may set its own value for any of these; the middleware only fills
in what is missing.
"""

import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
# Paths whose URL holds a secret link token: the page must not sit in a shared cache or be indexed
# (W3C TAG note on capability URLs).
TOKEN_PATH = re.compile(r"^/(e|v|w)/|^/api/v1/assessments/")
TOKEN_PAGES = {
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


def headers_for(path: str, *, https: bool) -> dict[str, str]:
    headers = dict(EVERY_RESPONSE)
    if TOKEN_PATH.match(path):
        headers.update(TOKEN_PAGES)
    if https:
        headers["Strict-Transport-Security"] = HSTS
    return headers


class SecurityHeaders:
    """Pure ASGI middleware: adds the headers above to each response start message."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = headers_for(scope["path"], https=self.https)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
