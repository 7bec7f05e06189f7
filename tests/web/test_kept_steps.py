"""The step a save leads to, kept once rendered (app.web.kept_steps): byte for byte the HTML the template
renders for that team, each team's own links, name, version, token and workspace in it, and nothing of a
team's own kept."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from starlette.requests import Request

from app.models import Assessment
from app.questionnaire import load_questionnaire
from app.questionnaire.progress import COMPLETE, DRAFT
from app.web.steps import render_step, show_saved, step_page, stored_step
from tests.factories import page

SECTIONS = load_questionnaire().sections
SAVED_AT = datetime(2026, 12, 6, 19, 2, 30, tzinfo=UTC)
NAME = 'Bot <b>"R&D"</b> \'s'  # escaped in the title, the heading and the name field
WORKSPACE = "/w/WS&token"


def _request(app, cookie: str = "") -> Request:
    headers = [(b"host", b"testserver"), (b"hx-request", b"true")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return Request({"type": "http", "app": app, "method": "POST", "path": "/", "root_path": "",
                    "query_string": b"", "headers": headers, "state": {}})


def _answer(question, rng: random.Random):
    if rng.random() < 0.2:
        return None  # not answered: a passed step shows it as "not sure"
    if question.type == "number":
        return rng.choice([0, 1200, 45000])
    if question.type == "yesno":
        return rng.choice([True, False])
    return rng.choice(question.choices).value


def _assessment(answers: dict, status: str, *, name: str = NAME, version: int = 7, notes: dict | None = None,
                saved_at: datetime = SAVED_AT) -> Assessment:
    return Assessment(id="a" * 32, workspace_id="w" * 32, name=name, name_lower=name.lower(), answers=answers,
                      notes=notes or {}, verdict="prompt_engineering", questionnaire_version=1,
                      engine_version="x", version=version, status=status, updated_at=saved_at)


def _expected(request: Request, section, assessment: Assessment, token: str, workspace: str | None) -> bytes:
    """What the template renders for this assessment, without anything kept."""
    context = step_page(request, section, assessment, token, stored_step(section, assessment), workspace,
                        status="saved")
    return render_step(request, context | {"dropped": []}).body


def _kept(request: Request, section, assessment: Assessment, token: str, workspace: str | None) -> bytes:
    return show_saved(request, assessment, token, section, workspace, []).body


@pytest.fixture
def started(client, app):
    return app  # the client has run the app's startup (route paths)


def test_every_kept_step_is_the_html_the_template_renders(started):
    app = started
    rng = random.Random(18)
    statuses = [DRAFT, *(section.id for section in SECTIONS), COMPLETE]
    checked = 0
    for _round in range(3):
        answers = {q.id: _answer(q, rng) for section in SECTIONS for q in section.questions}
        for section in SECTIONS:
            for status in statuses:
                for workspace in (None, WORKSPACE):
                    assessment = _assessment(answers, status, version=rng.randint(2, 900))
                    request = _request(app, "advisor_csrf=abc")
                    expected = _expected(request, section, assessment, "EDIT-token_1", workspace)
                    cold = _kept(request, section, assessment, "EDIT-token_1", workspace)
                    warm = _kept(request, section, assessment, "EDIT-token_1", workspace)
                    assert cold == expected, (section.id, status, workspace)
                    assert warm == expected, (section.id, status, workspace)
                    checked += 1
    assert checked == 3 * len(SECTIONS) * len(statuses) * 2
    assert len(app.state.kept_steps._html) > 0


def test_two_teams_at_the_same_step_each_get_only_their_own(started):
    app = started
    section = next(s for s in SECTIONS if s.id == "data")  # its file check too
    answers = {q.id: _answer(q, random.Random(3)) for s in SECTIONS for q in s.questions}
    alpha = _assessment(answers, section.id, name="Alpha", version=3)
    beta = _assessment(answers, section.id, name="Beta", version=41)
    first = _kept(_request(app, "advisor_csrf=first"), section, alpha, "TOKEN-A", WORKSPACE)
    second_request = _request(app, "advisor_csrf=second")
    second = _kept(second_request, section, beta, "TOKEN-B", None)
    assert len(app.state.kept_steps._html) == 2  # one per shape (a workspace link or not), both kept
    again = _kept(second_request, section, beta, "TOKEN-B", None)
    assert again == second
    html_a, html_b = page(first.decode()), page(second.decode())
    assert "TOKEN-A" in first.decode() and "TOKEN-B" not in first.decode()
    assert "TOKEN-B" in second.decode() and "TOKEN-A" not in second.decode()
    assert "Alpha" in html_a.text and "Beta" not in html_a.text
    assert html_a.select("input[name=version]")[0].get("value") == "3"
    assert html_b.select("input[name=version]")[0].get("value") == "41"
    tokens = {h.select("input[name=csrf_token]")[0].get("value") for h in (html_a, html_b)}
    assert len(tokens) == 2
    assert html_a.select(f'a[href="{WORKSPACE}"]') and not html_b.select(f'a[href="{WORKSPACE}"]')
    assert "\x00" not in first.decode() + second.decode()


def test_a_step_with_the_teams_own_note_is_shown_but_not_kept(started):
    app = started
    section = next(s for s in SECTIONS if s.id == "data")  # its file check too
    question = section.questions[0]
    answers = {q.id: _answer(q, random.Random(5)) for s in SECTIONS for q in s.questions}
    assessment = _assessment(answers, section.id, notes={question.id: "Our own <note>"})
    request = _request(app, "advisor_csrf=abc")
    html = _kept(request, section, assessment, "TOKEN", None)
    assert html == _expected(request, section, assessment, "TOKEN", None)
    assert "Our own &lt;note&gt;" in html.decode()
    assert len(app.state.kept_steps._html) == 0


def test_a_later_save_minute_or_other_answers_are_another_kept_step(started):
    app = started
    section = next(s for s in SECTIONS if s.id == "data")  # its file check too
    answers = {q.id: _answer(q, random.Random(8)) for s in SECTIONS for q in s.questions}
    request = _request(app, "advisor_csrf=abc")
    _kept(request, section, _assessment(answers, section.id), "T", None)
    later = _assessment(answers, section.id, saved_at=SAVED_AT + timedelta(minutes=1))
    assert _kept(request, section, later, "T", None) == _expected(request, section, later, "T", None)
    question = next(q for q in section.questions if q.type == "choice")
    other = next(c.value for c in question.choices if c.value != answers.get(question.id))
    changed = _assessment(answers | {question.id: other}, section.id)
    assert _kept(request, section, changed, "T", None) == _expected(request, section, changed, "T", None)
    assert len(app.state.kept_steps._html) == 3
