"""One URL, two renderings: a whole page, or a named block of it for an htmx request."""

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.applications import Starlette

from app import dates
from app.charts import break_even_words
from app.models import MAX_NAME_LENGTH
from app.paths import resource_dir
from app.security.csrf import csrf_token, set_cookie_if_minted
from app.web.kept_questions import KeptQuestions

# Pages that hold an edit form, a link or a person's answers: never kept by a browser or a proxy.
NO_STORE = {"Cache-Control": "no-store"}
# The site's name, last in every page title.
SITE = "LLM Customization Advisor"


def make_templates() -> Jinja2Blocks:
    # autoescape=True for every file, whatever its extension (R03); StrictUndefined turns a typo
    # in a template into an error in tests instead of a silently empty value.
    env = Environment(
        loader=FileSystemLoader(resource_dir("templates")),
        autoescape=True,
        undefined=StrictUndefined,
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["csrf_token"] = csrf_token
    env.filters.update(dates.FILTERS)  # one date style on every page and in the PDF
    env.filters["break_even"] = break_even_words
    env.globals["url_for"] = _url_for
    env.globals["question_field"] = KeptQuestions(env)  # a wizard question, kept once rendered
    env.globals["MAX_NAME_LENGTH"] = MAX_NAME_LENGTH  # one maximum for a name, in every form and the server
    return Jinja2Blocks(env=env)


class RoutePaths:
    """Paths of named routes without walking the router on every call.

    Starlette finds a route by name by trying each route in turn (an exception per miss): a page with
    a dozen links spent a tenth of its time there. Each route name and set of parameters is looked up
    once with placeholders and filled in afterwards, as Starlette would (values as given). Only string
    parameters qualify; a route with an int parameter takes the slow path every time.
    """

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self._templates: dict[tuple, _PathTemplate | None] = {}

    def path(self, name: str, /, **params: Any) -> str:
        shape = (name, *sorted(params))
        if shape not in self._templates:
            self._templates[shape] = self._template(name, params)
        template = self._templates[shape]
        fits = template is not None and all(
            isinstance(value, str) and value and ("/" not in value or key in template.slashes)
            for key, value in params.items()
        )
        if not fits:  # Starlette builds it, or refuses with its own error
            return str(self.app.url_path_for(name, **params))
        path = template.path
        for key, value in params.items():
            path = path.replace(_placeholder(key), value)
        return path

    def _template(self, name: str, params: dict) -> "_PathTemplate | None":
        placeholders = {key: _placeholder(key) for key in params}
        try:
            path = str(self.app.url_path_for(name, **placeholders))
        except (AssertionError, ValueError, TypeError):  # an int or other typed parameter
            return None
        slashes = set()
        for key in params:  # a {name:path} parameter takes slashes, a plain one refuses them
            try:
                self.app.url_path_for(name, **placeholders | {key: "a/b"})
                slashes.add(key)
            except AssertionError:
                pass
        return _PathTemplate(path, frozenset(slashes))


@dataclass(frozen=True)
class _PathTemplate:
    path: str
    slashes: frozenset[str]  # parameters whose values may hold "/"


def _placeholder(key: str) -> str:
    return f"\x00{key}\x00"  # no route path or parameter value holds this character


def route_path(request: Request, name: str, /, **params: Any) -> str:
    """The path of a named route, under the app's root path: what links and forms point at."""
    paths: RoutePaths = request.app.state.route_paths
    return request.scope.get("root_path", "") + paths.path(name, **params)


@pass_context
def _url_for(context, name: str, /, **params: Any) -> str:
    return route_path(context["request"], name, **params)


def is_htmx(request: Request) -> bool:
    headers = request.headers
    return headers.get("hx-request") == "true" and headers.get("hx-history-restore-request") != "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """The page, or only `block` of it when htmx asked; either way the response varies on HX-Request."""
    templates: Jinja2Blocks = request.app.state.templates
    kwargs = {"block_name": block} if block and is_htmx(request) else {}
    response = templates.TemplateResponse(
        request, template, context or {}, status_code=status_code, headers=headers, **kwargs
    )
    response.headers["Vary"] = "HX-Request"
    set_cookie_if_minted(request, response)
    return response


def html_page(request: Request, html: str, *, headers: dict[str, str] | None = None) -> Response:
    """HTML rendered apart (a kept step), answered as `render` answers."""
    response = _kept_response(html, headers)
    set_cookie_if_minted(request, response)
    return response


# Pages kept per process (about 25 kB each): enough for every shared result in regular use.
PAGE_CACHE_ENTRIES = 1000


class PageCache:
    """One rendered page per key and the version it shows (a newer version replaces it), least
    recently used dropped first; safe across threadpool threads. Pages are kept encoded, as sent."""

    def __init__(self, entries: int = PAGE_CACHE_ENTRIES) -> None:
        self.entries = entries
        self._html: OrderedDict[Hashable, tuple[Hashable, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: Hashable) -> bytes | None:
        with self._lock:
            kept = self._html.get(key)
            if kept is None or kept[0] != version:
                return None
            self._html.move_to_end(key)
            return kept[1]

    def put(self, key: Hashable, version: Hashable, html: bytes) -> None:
        with self._lock:
            self._html[key] = (version, html)
            self._html.move_to_end(key)
            while len(self._html) > self.entries:
                self._html.popitem(last=False)


def kept_page(request: Request, *, key: Hashable, version: Hashable,
              headers: dict[str, str] | None = None) -> Response | None:
    """The page kept for `key` at `version`, or None. Cheap enough for the event loop: no template, no
    database."""
    html = request.app.state.page_cache.get(key, version)
    return None if html is None else _kept_response(html, headers)


def keep_page(request: Request, template: str, context: dict[str, Any], *, key: Hashable, version: Hashable,
              headers: dict[str, str] | None = None) -> Response:
    """Render the whole page, keep it for `key` at `version`, and answer with it.

    Only for pages that are the same for every visitor: `version` must change whenever anything on the
    page would (for a result: the saved version of the assessment). Such a page cannot hold a CSRF
    token, which is each visitor's own, so it must have nothing to post.
    """
    page = request.app.state.templates.env.get_template(template)
    html = page.render({"request": request, **context, "csrf_token": _no_token_in_kept_pages}).encode()
    request.app.state.page_cache.put(key, version, html)
    return _kept_response(html, headers)


def _no_token_in_kept_pages(_request: Request) -> str:
    raise RuntimeError("a page kept for every visitor cannot carry a visitor's CSRF token")


def _kept_response(html: bytes, headers: dict[str, str] | None) -> Response:
    response = HTMLResponse(html, headers=headers)
    response.headers["Vary"] = "HX-Request"
    return response
