"""The questionnaire data file: complete, consistent with answers-v2, validated on load, parses forms."""

import pytest

from app.advisor import Answers
from app.questionnaire import (
    QUESTIONNAIRE_PATH,
    QUESTIONNAIRE_VERSION,
    QuestionnaireError,
    load_questionnaire,
    parse_questionnaire,
)
from tests.advisor.conftest import SCHEMA

QUESTIONNAIRE_TEXT = QUESTIONNAIRE_PATH.read_text()


def test_every_answers_field_is_asked_exactly_once():
    ids = [q.id for q in load_questionnaire().questions]
    assert sorted(ids) == sorted(SCHEMA["properties"])
    assert len(ids) == len(set(ids))


def test_version_is_recorded_and_matches_the_code():
    assert load_questionnaire().version == QUESTIONNAIRE_VERSION


def test_load_is_cached():
    assert load_questionnaire() is load_questionnaire()


def test_sections_cover_the_domain_themes():
    q = load_questionnaire()
    assert [s.id for s in q.sections] == ["task", "quality", "data", "team", "scale", "knowledge"]
    assert all(s.title and s.intro and s.questions for s in q.sections)


@pytest.mark.parametrize("question", load_questionnaire().questions, ids=lambda q: q.id)
def test_question_matches_the_schema_and_explains_why(question):
    spec = SCHEMA["properties"][question.id]
    assert len(question.help) > 40 and question.label.endswith("?")
    if "enum" in spec:
        assert question.type == "choice"
        assert [c.value for c in question.choices] == spec["enum"]
    elif spec["type"] == "string":
        # An open id (current_model): the wizard lists the price-table ids and "other".
        assert question.type == "choice" and "other" in [c.value for c in question.choices]
        for choice in question.choices:
            Answers.model_validate({question.id: choice.value})
    elif spec["type"] == "boolean":
        assert question.type == "yesno"
        assert [c.value for c in question.choices] == ["yes", "no"]
    else:
        assert question.type == "number"
        assert (question.min, question.max) == (spec["minimum"], spec["maximum"])
        assert question.unit and question.placeholder


def test_data_quality_is_asked_only_when_there_are_examples():
    q = load_questionnaire()
    quality = q.question("data_quality")
    assert not q.is_visible(quality, {"labeled_examples": 0})
    assert q.is_visible(quality, {"labeled_examples": 1})
    assert q.is_visible(quality, {})  # unknown count: nothing rules the question out yet


def test_gpu_question_is_asked_only_for_open_weights():
    q = load_questionnaire()
    assert not q.is_visible("gpu_access", {"model_access": "api_only"})
    assert q.is_visible("gpu_access", {"model_access": "both"})


def test_every_show_if_points_at_a_real_question():
    q = load_questionnaire()
    ids = {x.id for x in q.questions}
    for question in q.questions:
        assert set(question.show_if or {}) <= ids - {question.id}


def test_parse_form_reads_values_and_unsure():
    answers, errors = load_questionnaire().parse_form(
        "data", {"labeled_examples": "5,000", "data_quality": "unsure", "data_confidential": "yes"})
    assert errors == {}
    assert answers == {"labeled_examples": 5000, "data_quality": None, "data_confidential": True,
                       "prompt_examples_today": None, "preference_data": None}
    Answers.model_validate(answers)


def test_parse_form_explains_numbers_out_of_range():
    answers, errors = load_questionnaire().parse_form("team", {"time_to_deploy_weeks": "600"})
    assert errors == {"time_to_deploy_weeks": "Enter a number from 0 to 520 weeks."}
    assert answers["time_to_deploy_weeks"] is None


def test_parse_form_rejects_text_and_unknown_choices():
    _, errors = load_questionnaire().parse_form("data", {"labeled_examples": "lots", "data_quality": "great"})
    assert "whole number" in errors["labeled_examples"]
    assert errors["data_quality"] == "Choose one of the options."


def test_parse_form_clears_questions_the_section_hides():
    answers, errors = load_questionnaire().parse_form(
        "data", {"labeled_examples": "0", "data_quality": "high"})
    assert answers["data_quality"] is None and errors == {}


def test_empty_form_means_nothing_answered():
    answers, errors = load_questionnaire().parse_form("scale", {})
    assert errors == {} and set(answers.values()) == {None}


def test_a_broken_question_fails_naming_it():
    text = QUESTIONNAIRE_TEXT.replace('id = "use_case_breadth"\nlabel', 'id = "use_case_breadth"\nlable', 1)
    assert text != QUESTIONNAIRE_TEXT
    with pytest.raises(QuestionnaireError, match="question 'use_case_breadth'"):
        parse_questionnaire(text)


def test_a_wrong_range_fails_naming_the_question():
    text = QUESTIONNAIRE_TEXT.replace("min = 0\nmax = 520", "min = 0\nmax = 52", 1)
    with pytest.raises(QuestionnaireError, match="question 'time_to_deploy_weeks': range must be 0..520"):
        parse_questionnaire(text)


def test_a_show_if_to_nowhere_fails_naming_the_question():
    text = QUESTIONNAIRE_TEXT.replace("show_if = { labeled_examples", "show_if = { example_count", 1)
    with pytest.raises(QuestionnaireError, match="question 'data_quality': show_if refers to unknown"):
        parse_questionnaire(text)


def test_a_missing_question_fails_naming_the_field():
    start = QUESTIONNAIRE_TEXT.index('[[section.question]]\nid = "avg_output_tokens"')
    end = QUESTIONNAIRE_TEXT.index("[[section]]", start)
    with pytest.raises(QuestionnaireError, match="not asked by any question: avg_output_tokens"):
        parse_questionnaire(QUESTIONNAIRE_TEXT[:start] + QUESTIONNAIRE_TEXT[end:])


def test_invalid_toml_fails_with_the_file_name():
    with pytest.raises(QuestionnaireError, match="questionnaire.toml: not valid"):
        parse_questionnaire("version = = 1")
