"""The only way a PDF rendering reaches outside its HTML: the app's own static files (R33).

WeasyPrint follows every URL a document names (stylesheets, images, fonts). User text is escaped, so
it cannot add elements, but the fetcher is the second wall: deny by default, serve files under
`static/` only, never the network, never the rest of the file system, never a redirect.
"""

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger("advisor.reports")


class RefusedURL(ValueError):
    """A document named something outside the app's static files."""


class StaticOnlyFetcher(URLFetcher):
    def __init__(self, static_dir: Path):
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
        self.static_dir = static_dir.resolve()
        self.refused: list[str] = []  # what a rendering asked for and did not get (for tests and logs)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = self._static_path(url)
        if path is None:
            self.refused.append(url)
            log.info("PDF rendering refused to fetch a %s URL", urlsplit(url).scheme or "relative")
            raise RefusedURL("only the app's static files can be used in a report")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": content_type})

    def _static_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not path.is_relative_to(self.static_dir) or not path.is_file():
            return None
        return path
