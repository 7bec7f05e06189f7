"""The view page renders its result once per saved version: a save shows at once, each visitor keeps
no visitor's CSRF token, and a visitor's cost assumptions are never served to the next one."""

import re

import pytest

from app import assessments as store
from tests.conftest import TEST_SECRET

SECRET = TEST_SECRET.encode()
CSRF_HEADER = re.compile(r'"X-CSRF-Token": "([^"]+)"')


def _shared(session, name: str) -> tuple:
    workspace, _token = store.create_workspace(session=session, secret=SECRET)
    assessment = store.create_assessment(session=session, secret=SECRET, workspace=workspace, name=name,
                                         answers={"labeled_examples": 80}, status="complete")
    view = store.link_token(store.links_of(assessment, session=session)["view"], SECRET)
    session.commit()
    return assessment, view


def test_a_saved_change_shows_on_the_next_view(client, session):
    assessment, view = _shared(session, "Ticket triage")
    assert "Ticket triage" in client.get(f"/v/{view}").text
    store.save_answers(assessment, session=session, expected_version=assessment.version,
                       answers={"labeled_examples": 80}, name="Ticket routing")
    session.commit()
    page = client.get(f"/v/{view}").text
    assert "Ticket routing" in page and "Ticket triage" not in page


def test_the_kept_view_page_holds_no_visitors_token_and_sets_no_cookie(client, session):
    # One page serves every visitor: a CSRF token in it would be the first visitor's, handed to all.
    _assessment, view = _shared(session, "Support bot")
    for _visit in range(2):  # rendered and kept, then served from memory
        page = client.get(f"/v/{view}")
        assert page.status_code == 200 and "Support bot" in page.text
        assert "X-CSRF-Token" not in page.text and "set-cookie" not in page.headers


def test_a_page_kept_for_every_visitor_cannot_carry_a_csrf_token(app):
    from starlette.requests import Request

    from app.web.render import keep_page

    request = Request({"type": "http", "method": "GET", "path": "/", "headers": [], "app": app,
                       "query_string": b"", "root_path": ""})
    with pytest.raises(RuntimeError, match="CSRF"):
        keep_page(request, "base.html", {}, key="k", version=1)  # base.html puts the token in


def test_cost_assumptions_of_one_visitor_are_not_kept_for_the_next(client, session):
    _assessment, view = _shared(session, "Contract review")
    assert 'value="37"' in client.get(f"/v/{view}?costs=1&examples_in_prompt=37").text
    assert 'value="37"' not in client.get(f"/v/{view}").text
