"""Signed double-submit CSRF tokens (R08), for forms with and without JavaScript.

The browser holds a random value in an HttpOnly cookie; pages carry HMAC(secret, value) in a hidden
field and in the htmx request header. A cross-site page can make the browser send the cookie but
cannot read it, so it cannot produce the matching token.
"""

import hashlib
import hmac
import secrets

from fastapi import HTTPException, Request

from app.links import secrets_of

HEADER = "x-csrf-token"
FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def cookie_name(https: bool) -> str:
    # The __Host- prefix (Secure, no Domain, Path=/) is only accepted by browsers over HTTPS.
    return "__Host-csrf" if https else "advisor_csrf"


def _sign(secret: bytes, value: str) -> str:
    return hmac.new(secret, f"csrf:{value}".encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token for this browser's cookie, minting the cookie value if it has none yet."""
    settings = request.app.state.settings
    value = request.cookies.get(cookie_name(settings.https))
    value = value or getattr(request.state, "new_csrf_cookie", None)
    if not value:
        value = secrets.token_urlsafe(32)
        request.state.new_csrf_cookie = value
    return _sign(settings.secret, value)


def token_is_valid(request: Request, token: str | None) -> bool:
    settings = request.app.state.settings
    value = request.cookies.get(cookie_name(settings.https))
    if not value or not token:
        return False
    # A page opened before a key rotation still posts: its token was signed with the previous secret.
    return any(hmac.compare_digest(_sign(key, value), token) for key in secrets_of(settings.secret))


async def require_csrf(request: Request) -> None:
    """Router dependency for HTML routes: unsafe methods need a token matching the cookie."""
    if request.method in SAFE_METHODS:
        return
    token = request.headers.get(HEADER)
    if token is None:
        form = await request.form()
        token = form.get(FIELD)
    if not token_is_valid(request, token if isinstance(token, str) else None):
        raise HTTPException(status_code=403, detail="csrf")


def set_cookie_if_minted(request: Request, response) -> None:
    value = getattr(request.state, "new_csrf_cookie", None)
    if value:
        https = request.app.state.settings.https
        response.set_cookie(
            cookie_name(https), value, httponly=True, secure=https, samesite="lax", path="/"
        )
