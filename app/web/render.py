"""One URL, two renderings: a whole page, or a named block of it for an htmx request."""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2_fragments.fastapi import Jinja2Blocks

from app.paths import resource_dir
from app.security.csrf import csrf_token, set_cookie_if_minted


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
    # Any page including assessment/_result.html gets its charts and cost form without extra wiring.
    from app.web.results import result_view

    env.globals["result_view"] = result_view
    return Jinja2Blocks(env=env)


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


# Rendered blocks kept per process (about 20 kB each): enough for every result page in regular use.
BLOCK_CACHE_ENTRIES = 1000


class BlockCache:
    """One rendered block per key and the version it shows (a newer version replaces it), least
    recently used dropped first; safe across threadpool threads."""

    def __init__(self, entries: int = BLOCK_CACHE_ENTRIES) -> None:
        self.entries = entries
        self._html: OrderedDict[Hashable, tuple[Hashable, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: Hashable) -> str | None:
        with self._lock:
            kept = self._html.get(key)
            if kept is None or kept[0] != version:
                return None
            self._html.move_to_end(key)
            return kept[1]

    def put(self, key: Hashable, version: Hashable, html: str) -> None:
        with self._lock:
            self._html[key] = (version, html)
            self._html.move_to_end(key)
            while len(self._html) > self.entries:
                self._html.popitem(last=False)


def render_cached_block(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    block: str,
    key: Hashable,
    version: Hashable,
    block_context: Callable[[], dict[str, Any]],
    headers: dict[str, str] | None = None,
) -> Response:
    """The whole page as render() makes it, with `block` rendered once per `key` and `version`.

    The rest of the page (CSRF token included) is rendered every time. `key` says what the block
    shows (for a result: the assessment and the link it was opened with); `version` must change
    whenever the block would (the saved version), and replaces the kept block when it does.
    `block_context()` adds what only the block needs and runs only when the block is rendered.
    """
    cache: BlockCache = request.app.state.block_cache
    env: Environment = request.app.state.templates.env
    page = env.get_template(template)
    html = cache.get((template, block, key), version)
    if html is None:
        variables = {"request": request, **context, **block_context()}
        html = env.concat(page.blocks[block](page.new_context(variables)))
        cache.put((template, block, key), version, html)
    # The whole page, with the kept block put where Jinja looks for it: the first function listed.
    jinja_context = page.new_context({"request": request, **context})
    jinja_context.blocks[block] = [lambda _context: iter([html])]
    response = HTMLResponse(env.concat(page.root_render_func(jinja_context)), headers=headers)
    response.headers["Vary"] = "HX-Request"
    set_cookie_if_minted(request, response)
    return response
