"""Rendering helpers: route paths built without walking the router give Starlette's own answers."""

import pytest
from starlette.routing import NoMatchFound

from app.web.render import RoutePaths

TOKEN = "A" * 43


@pytest.mark.parametrize(("name", "params"), [
    ("home", {}),
    ("static", {"path": "vendor/htmx-2.0.11/htmx.min.js"}),
    ("resume", {"edit_token": TOKEN}),
    ("wizard_step", {"edit_token": TOKEN, "section_id": "data"}),
    ("view_assessment", {"view_token": TOKEN}),
    ("assessment_revision", {"edit_token": TOKEN, "number": 3}),
])
def test_a_route_path_is_what_starlette_builds_twice_over(app, name, params):
    paths = RoutePaths(app)
    expected = app.url_path_for(name, **params)
    assert paths.path(name, **params) == expected
    assert paths.path(name, **params) == expected  # the second time from the kept template


def test_a_slash_where_the_route_takes_none_is_refused_as_starlette_refuses_it(app):
    paths = RoutePaths(app)
    paths.path("resume", edit_token=TOKEN)
    with pytest.raises(AssertionError):
        paths.path("resume", edit_token="a/b")


def test_an_unknown_route_name_raises_no_match(app):
    with pytest.raises(NoMatchFound):
        RoutePaths(app).path("no_such_route")
