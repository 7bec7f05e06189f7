"""What a browser holds to post a form: the CSRF cookie and the token of the page it loaded."""

import re
from dataclasses import dataclass

import httpx

TOKEN_IN_PAGE = re.compile(r'name="csrf_token" value="([^"]+)"|"X-CSRF-Token": "([^"]+)"')
COOKIE = "advisor_csrf"


@dataclass(frozen=True)
class BrowserSession:
    cookie: str
    token: str

    def htmx_headers(self) -> dict[str, str]:
        """Headers of an htmx form post from one of the app's own pages."""
        return {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"{COOKIE}={self.cookie}",
            "X-CSRF-Token": self.token,
            "HX-Request": "true",
            "Sec-Fetch-Site": "same-origin",
        }


def open_session(base_url: str) -> BrowserSession:
    """Load the home page as a browser does and keep the cookie and token it hands out."""
    response = httpx.get(base_url + "/")
    response.raise_for_status()
    match = TOKEN_IN_PAGE.search(response.text)
    if match is None or COOKIE not in response.cookies:
        raise RuntimeError("the home page handed out no CSRF cookie and token")
    return BrowserSession(response.cookies[COOKIE], match.group(1) or match.group(2))
