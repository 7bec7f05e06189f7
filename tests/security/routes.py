"""The app's routes, read from the app itself, and a way to fill in their path parameters."""

import re

from fastapi.routing import iter_route_contexts

from app.config import Settings
from app.main import create_app
from app.security.route_limits import is_api
from tests.conftest import TEST_SECRET

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def app_routes() -> list[tuple[str, set[str]]]:
    """(path, methods) of every route, included routers flattened."""
    # Only the route table is read: the engine is created lazily and never connects.
    app = create_app(Settings(database_url="sqlite://", secret_key=TEST_SECRET))
    return [(route.path, set(route.methods)) for route in iter_route_contexts(app.routes) if route.methods]


def state_changing_html_routes() -> list[tuple[str, str]]:
    return sorted(
        (method, path)
        for path, methods in app_routes()
        if not is_api(path)
        for method in methods & UNSAFE_METHODS
    )


def fill_path(path: str, values: dict[str, str]) -> str:
    """The path with each {param} replaced by values[param] (or a harmless placeholder)."""
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values.get(m.group(1), "1"), path)
