"""Wizard questions kept once rendered (app.web.kept_questions): the same HTML as the macro, each team's
own form URL, and nothing of a team's own note or error kept."""

import pytest

from app.questionnaire import load_questionnaire
from app.web.kept_questions import KeptQuestions
from app.web.render import make_templates
from app.web.step_form import StepInput
from app.web.steps import shown_questions, triggers
from tests.factories import page

URL = "/e/AAAA&BBBB/step/x"  # an & to show the URL is escaped as the macro escapes it


def _answers_to_try(question) -> list[str]:
    if question.type == "number":
        return ["", "0", "1200"]
    return ["", *(str(choice.value) for choice in question.choices or []), "unsure"]


def _cases():
    for section in load_questionnaire().sections:
        own_triggers = triggers(section)
        for shown in shown_questions(section, {}):
            for value in _answers_to_try(shown.question):
                yield section.id, shown, value, own_triggers.get(shown.question.id, [])


@pytest.fixture
def kept_and_macro():
    env = make_templates().env
    return KeptQuestions(env), env.get_template("wizard/_question.html").module.question_field


def test_every_question_kept_is_the_html_the_macro_renders(kept_and_macro):
    kept, macro = kept_and_macro
    cases = list(_cases())
    assert any(dependents for *_, dependents in cases), "no question re-renders another: nothing to test"
    for _section, shown, value, dependents in cases:
        step = StepInput(values={shown.question.id: value})
        expected = str(macro(shown, step, dependents, URL))
        assert str(kept(shown, step, dependents, URL)) == expected  # rendered, then kept
        assert str(kept(shown, step, dependents, URL)) == expected  # from the kept copy


def test_a_kept_question_takes_each_forms_own_url(kept_and_macro):
    kept, _macro = kept_and_macro
    _section, shown, value, dependents = next(case for case in _cases() if case[3])
    step = StepInput(values={shown.question.id: value})
    first = str(kept(shown, step, dependents, "/e/first-team-token/step/s"))
    second = str(kept(shown, step, dependents, "/e/second-team-token/step/s"))
    assert "first-team-token" in first and "first-team-token" not in second
    assert "second-team-token" in second


def test_a_note_or_an_error_is_shown_but_never_kept(kept_and_macro):
    kept, _macro = kept_and_macro
    _section, shown, value, dependents = next(_cases())
    qid = shown.question.id
    with_note = StepInput(values={qid: value}, notes={qid: "Our legal team asked for this"})
    with_error = StepInput(values={qid: value}, errors={qid: "Choose one of the answers."})
    assert "Our legal team asked for this" in str(kept(shown, with_note, dependents, URL))
    assert "Choose one of the answers." in str(kept(shown, with_error, dependents, URL))
    plain = str(kept(shown, StepInput(values={qid: value}), dependents, URL))
    assert "Our legal team" not in plain and "Choose one of" not in plain
    assert not any("Our legal team" in html or "Choose one of" in html for _q, html in kept._html.values())


def test_the_least_recently_shown_are_dropped_past_the_limit():
    kept = KeptQuestions(make_templates().env, entries=3)
    _section, shown, _value, dependents = next(case for case in _cases() if case[1].question.type == "number")
    for value in ["1", "2", "3", "4"]:
        kept(shown, StepInput(values={shown.question.id: value}), dependents, URL)
    assert len(kept._html) == 3
    assert [key[2] for key in kept._html] == ["2", "3", "4"]


def test_two_teams_on_the_same_step_each_get_their_own_edit_links(team, client):
    section = next(s for s in load_questionnaire().sections if triggers(s))
    tokens = []
    for name in ("First team", "Second team"):
        token = team.edit_token(team.start(name=name))
        tokens.append(token)
    for token, other in (tokens, tokens[::-1]):
        text = client.get(f"/e/{token}/step/{section.id}").text
        posting = [tag.attrs["hx-post"] for tag in page(text).select(".question[hx-post]")]
        assert posting and all(url == f"/e/{token}/step/{section.id}" for url in posting)
        assert other not in text
