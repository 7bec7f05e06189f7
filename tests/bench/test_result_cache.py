"""The view page renders its result once per saved version: a save shows at once, each visitor keeps
their own CSRF token, and a visitor's cost assumptions are never served to the next one."""

import re

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


def test_each_visitor_gets_the_token_of_their_own_cookie(app, session):
    from fastapi.testclient import TestClient

    _assessment, view = _shared(session, "Support bot")
    with TestClient(app) as alice, TestClient(app) as bob:
        tokens = {CSRF_HEADER.search(visitor.get(f"/v/{view}").text).group(1) for visitor in (alice, bob)}
    assert len(tokens) == 2


def test_cost_assumptions_of_one_visitor_are_not_kept_for_the_next(client, session):
    _assessment, view = _shared(session, "Contract review")
    assert 'value="37"' in client.get(f"/v/{view}?costs=1&examples_in_prompt=37").text
    assert 'value="37"' not in client.get(f"/v/{view}").text
