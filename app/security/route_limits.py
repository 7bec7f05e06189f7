"""Limits declared on the routes they guard, and found again for a request before it is routed.

A route declares what it costs in its own decorator: `dependencies=[limit("create")]` counts it
against the create limit, `limit("pdf")` against the PDF limit, `limit(body="upload")` lets its body
stream under the upload limit. Two things follow from the route itself, so they cannot be forgotten:
a route that takes a link token (a `{..._token}` in its path, or the API's `Authorization: Bearer`)
counts its 404s as guessed tokens, and it, or any route that creates (its response carries new links),
is never cached or indexed.

Why the layers look the route up themselves instead of reading `scope["route"]` after routing: the
body must be read whole, within its deadline, before the SQLite writer lock is taken (app.security.body,
app.db.OneWriterAtATime), and a refused request must not wait for that lock at all; Starlette routes
only after those layers. So the outermost layer looks through the app's own routes (read from the app,
never copied), in the router's order, for the first whose path pattern and methods match as Starlette
will find them, once per request, and keeps the answer in the scope for the layers inside. The
declaration is a dependency so that it stays with the route wherever the route is included; as a
dependency it does nothing (the layers outside did the work before routing).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from fastapi import Depends, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.params import Depends as DependsParam
from fastapi.routing import iter_route_contexts
from fastapi.security import HTTPBearer
from starlette.routing import get_route_path
from starlette.types import Scope

# The JSON API's paths start with this (app.api's router is at /api/v1); unknown paths below it get JSON
# errors too, so it is a prefix and not a property of a route. Every "is this the API?" asks is_api.
API_PREFIX = "/api/"

RateName = Literal["create", "pdf", "token-misses"]
RATE_NAMES: frozenset[str] = frozenset(RateName.__args__)
BodyKind = Literal["small", "upload"]
# Where the resolved limits of a request are kept in its scope, for the layers after the first.
SCOPE_KEY = "advisor.route_limits"


def is_api(path: str) -> bool:
    return path.startswith(API_PREFIX)


@dataclass(frozen=True)
class RouteLimits:
    """What the protective layers apply to one route."""

    name: str
    rates: frozenset[str] = frozenset()
    body: BodyKind = "small"
    # The URL or the response holds a secret link: no shared cache, no search index.
    secret_links: bool = True


# A path no route serves: nothing to count, and its error page is kept out of caches and indexes
# (a mistyped link still holds its token).
UNROUTED = RouteLimits(name="")


class Limit:
    """The declaration a route carries as a dependency (see the module docstring)."""

    def __init__(self, rates: tuple[str, ...], body: BodyKind) -> None:
        unknown = set(rates) - RATE_NAMES
        if unknown:
            raise ValueError(f"unknown rate limits {sorted(unknown)}; known: {sorted(RATE_NAMES)}")
        self.rates = frozenset(rates)
        self.body = body

    async def __call__(self) -> None:
        return None

    def __repr__(self) -> str:
        return f"limit({', '.join(sorted(self.rates))}, body={self.body})"


def limit(*rates: RateName, body: BodyKind = "small") -> DependsParam:
    return Depends(Limit(tuple(rates), body))


def _dependants(dependant: Dependant) -> Iterable[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def _declared(dependant: Dependant | None) -> list[Limit]:
    if dependant is None:
        return []
    return [d.call for d in _dependants(dependant) if isinstance(d.call, Limit)]


def takes_link_token(path: str, dependant: Dependant | None) -> bool:
    """A link token in the path (`{edit_token}`, `{view_token}`, `{workspace_token}`) or as the API's
    bearer credential: a 404 there may be a guessed token."""
    if any(part.startswith("{") and part.split(":")[0].rstrip("}").endswith("_token")
           for part in path.split("/")):
        return True
    return dependant is not None and any(isinstance(d.call, HTTPBearer) for d in _dependants(dependant))


def limits_of(name: str, path: str, dependant: Dependant | None) -> RouteLimits:
    declared = _declared(dependant)
    rates = frozenset().union(*(d.rates for d in declared))
    body: BodyKind = "upload" if any(d.body == "upload" for d in declared) else "small"
    token = takes_link_token(path, dependant)
    if token:
        rates |= {"token-misses"}
    return RouteLimits(name=name, rates=rates, body=body, secret_links=token or "create" in rates)


class RouteTable:
    """The app's routes in the router's order, each with its limits; built on first use and again
    whenever routes were added (tests add some after the app is made).

    A request is matched as Starlette matches it (path pattern, then method), but only against the
    routes that share its first path segment: asking every route's own `matches` cost about 100 us for
    a token page, this about 3 us.
    """

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self._built_for = -1
        self._by_segment: dict[str, list[_Entry]] = {}
        self._other: list[_Entry] = []  # for paths whose first segment no route names

    def _build(self) -> None:
        entries = [_Entry.of(context) for context in iter_route_contexts(self.app.router.routes)]
        segments = {entry.segment for entry in entries if entry.segment is not None}
        # A route whose first segment is a parameter may match any path: it stays in every list, in order.
        self._by_segment = {segment: [e for e in entries if e.segment in (segment, None)]
                            for segment in segments}
        self._other = [e for e in entries if e.segment is None]
        self._built_for = len(self.app.router.routes)

    def entries(self) -> list["_Entry"]:
        if len(self.app.router.routes) != self._built_for:
            self._build()
        return [entry for entries in self._by_segment.values() for entry in entries] + self._other

    def is_upload(self, scope: Scope) -> bool:
        return self.resolve(scope).body == "upload"

    def resolve(self, scope: Scope) -> RouteLimits:
        """The limits of the route Starlette will pick for this request (kept in the scope)."""
        found = scope.get(SCOPE_KEY)
        if found is None:
            if len(self.app.router.routes) != self._built_for:
                self._build()
            path = get_route_path(scope)
            candidates = self._by_segment.get(_first_segment(path), self._other)
            method = scope.get("method")
            # As Starlette: the first route matching path and method, else the first matching the path
            # only (it answers 405, and an upload route's body must still stream, not be read here).
            partial = None
            for entry in candidates:
                if entry.pattern.match(path) is not None:
                    if entry.methods is None or method in entry.methods:
                        found = entry.limits
                        break
                    partial = partial or entry.limits
            else:
                found = partial or UNROUTED
            scope[SCOPE_KEY] = found
        return found


def _first_segment(path: str) -> str:
    return path.split("/", 2)[1] if path.startswith("/") else path


@dataclass(frozen=True)
class _Entry:
    pattern: re.Pattern[str]
    methods: frozenset[str] | None  # None: any method (a mount)
    segment: str | None  # the route's literal first path segment; None when it is a parameter
    limits: RouteLimits

    @classmethod
    def of(cls, context) -> "_Entry":
        path = context.path or ""
        first = _first_segment(path)
        return cls(
            pattern=context.path_regex,
            methods=frozenset(context.methods) if context.methods else None,
            segment=None if first.startswith("{") else first,
            limits=limits_of(context.name or "", path, getattr(context, "dependant", None)),
        )

    def matches(self, path: str, method: str | None) -> bool:
        return (self.methods is None or method in self.methods) and self.pattern.match(path) is not None


def route_table(app: FastAPI) -> RouteTable:
    """The app's one table, shared by every layer that asks."""
    table = getattr(app.state, "route_table", None)
    if table is None:
        table = app.state.route_table = RouteTable(app)
    return table
