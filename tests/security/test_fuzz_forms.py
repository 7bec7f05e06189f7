"""Hypothesis over the HTML form posts (R02, R06): whatever text lands in any field of any wizard step
or action form, the answer is a page (2xx/3xx/4xx), never a 5xx."""

from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import assessments as store
from app.models import Workspace
from app.questionnaire import load_questionnaire
from tests.conftest import TEST_SECRET, csrf_token_for

SECTIONS = load_questionnaire().sections
# Statuses a person may see; anything else (a 5xx above all) is a failure.
ALLOWED = {200, 201, 303, 400, 403, 404, 409, 413, 415, 422, 429}
NASTY = st.sampled_from(["a\x00b", "\ud800", "\u202eRTL", "\U0001f600" * 60, "9" * 400, "-1", "1e309",
                         "5,000", " ", "unsure", "<script>", "yes", "NaN", "0x10", "１２３"])
TEXT = st.one_of(NASTY, st.text(max_size=300))


@pytest.fixture
def editable(session):
    secret = TEST_SECRET.encode()
    workspace, _ = store.create_workspace(session=session, secret=secret)
    assessment = store.create_assessment(session=session, secret=secret, workspace=workspace, name="Fuzzed",
                                         answers={})
    token = store.link_token(store.links_of(assessment, session=session)["edit"], secret)
    session.commit()
    return token


def form_body(fields: dict) -> dict:
    """A urlencoded body as a browser would send it; lone surrogates go out as their (invalid) UTF-8
    bytes, which an HTTP client would otherwise refuse to encode."""
    pairs = [(k.encode(), v.encode("utf-8", "surrogatepass")) for k, v in fields.items()]
    return {"content": urlencode(pairs), "headers": {"Content-Type": "application/x-www-form-urlencoded"}}


def _fields(section) -> list[str]:
    return ["name", "version", "action", "idempotency_key"] + [
        name for q in section.questions for name in (q.id, "note-" + q.id)
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=st.data())
def test_no_wizard_step_post_gives_a_server_error(client, editable, data):
    token = csrf_token_for(client, "/new")
    section = data.draw(st.sampled_from(SECTIONS), label="section")
    fields = data.draw(st.dictionaries(st.sampled_from(_fields(section)), TEXT, max_size=12), label="form")
    target = data.draw(st.sampled_from(["/new", f"/e/{editable}/step/{section.id}"]), label="url")
    response = client.post(target, **form_body({**fields, "csrf_token": token}), follow_redirects=False)
    assert response.status_code in ALLOWED, (target, fields, response.status_code)


ACTION_FORMS = ["/e/{edit}/duplicate", "/e/{edit}/share/view/expiry", "/e/{edit}/share/view/revoke",
                "/e/{edit}/reevaluate"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(data=st.data())
def test_no_action_form_post_gives_a_server_error(client, editable, data):
    token = csrf_token_for(client, "/new")
    target = data.draw(st.sampled_from(ACTION_FORMS), label="url").format(edit=editable)
    names = st.sampled_from(["name", "expires", "expires_at", "days", "version", "confirm", "action"])
    fields = data.draw(st.dictionaries(names, TEXT, max_size=5), label="form")
    response = client.post(target, **form_body({**fields, "csrf_token": token}), follow_redirects=False)
    assert response.status_code in ALLOWED, (target, fields, response.status_code)


def test_nul_characters_in_a_copy_name_or_a_search_are_dropped_on_both_databases(client, session, editable):
    """PostgreSQL refuses NUL in text; the fuzzer above found both of these only on PostgreSQL."""
    token = csrf_token_for(client, "/new")
    response = client.post(f"/e/{editable}/duplicate", data={"name": "what\x00-if", "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303
    copy = client.get(response.headers["location"])
    assert "what-if" in copy.text
    assessment, _ = store.assessment_by_token(editable, session=session, need="edit")
    workspace = session.get(Workspace, assessment.workspace_id)
    workspace_url = "/w/" + store.workspace_token(workspace, TEST_SECRET.encode())
    found = client.get(workspace_url, params={"q": "what\x00-if"})
    assert found.status_code == 200
    assert "what-if" in found.text
