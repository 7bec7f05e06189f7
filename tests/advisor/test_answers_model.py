"""The Answers model agrees with contracts/answers-v2.schema.json field by field; v1 files stay valid."""

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from app.advisor import Answers
from tests.advisor.conftest import (
    EXAMPLE_FILES,
    FIELD_STRATEGIES,
    SCHEMA,
    SCHEMA_V1,
    answers_strategy,
    load_example,
)

MODEL_FIELDS = Answers.model_json_schema()["properties"]


def _non_null(spec: dict) -> dict:
    return next(s for s in spec["anyOf"] if s.get("type") != "null")


def test_model_has_exactly_the_schema_fields():
    assert set(MODEL_FIELDS) == set(SCHEMA["properties"])


def test_unknown_fields_are_rejected_like_the_schema_does():
    assert SCHEMA["additionalProperties"] is False
    with pytest.raises(ValidationError, match="colour"):
        Answers.model_validate({"colour": "blue"})


@pytest.mark.parametrize("name", sorted(SCHEMA["properties"]))
def test_field_agrees_with_schema(name):
    expected, actual = SCHEMA["properties"][name], _non_null(MODEL_FIELDS[name])
    assert name not in Answers.model_json_schema().get("required", [])
    if "enum" in expected:
        assert actual["enum"] == expected["enum"]
    elif expected["type"] == "string":
        assert actual["type"] == "string"
        assert actual["pattern"] == expected["pattern"]
    else:
        assert actual["type"] == expected["type"]
        assert actual.get("minimum") == expected.get("minimum")
        assert actual.get("maximum") == expected.get("maximum")


INTEGER_FIELDS = sorted(n for n, s in SCHEMA["properties"].items() if s.get("type") == "integer")


@pytest.mark.parametrize("name", INTEGER_FIELDS)
def test_integer_bounds_are_enforced(name):
    spec = SCHEMA["properties"][name]
    Answers.model_validate({name: spec["minimum"]})
    Answers.model_validate({name: spec["maximum"]})
    for bad in (spec["minimum"] - 1, spec["maximum"] + 1, "12", True, 1.5):
        with pytest.raises(ValidationError):
            Answers.model_validate({name: bad})


@settings(max_examples=200, deadline=None)
@given(answers_strategy)
def test_everything_the_schema_accepts_the_model_accepts(answers):
    jsonschema.validate(answers, SCHEMA)
    assert Answers.model_validate(answers).model_dump(exclude_none=True) == answers


def test_null_means_not_known_yet():
    # Wizard drafts store "not sure yet" as null; the engine treats it exactly like a missing field.
    answers = Answers.model_validate({"budget": None, "labeled_examples": None})
    assert answers.model_dump(exclude_none=True) == {}


def test_every_v1_field_is_in_v2_with_the_same_meaning():
    # Stored v1 assessments and v1 API clients keep working: v2 only adds optional fields.
    for name, spec in SCHEMA_V1["properties"].items():
        assert SCHEMA["properties"][name] | {"description": ""} == spec | {"description": ""}, name
    assert SCHEMA["additionalProperties"] is False and not SCHEMA.get("required")


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries({}, optional={
    n: s for n, s in FIELD_STRATEGIES.items() if n in SCHEMA_V1["properties"]}))
def test_every_v1_valid_answer_file_is_v2_valid(answers):
    jsonschema.validate(answers, SCHEMA_V1)
    jsonschema.validate(answers, SCHEMA)
    assert Answers.model_validate(answers).model_dump(exclude_none=True) == answers


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_the_published_examples_are_valid_under_both_versions(path):
    answers = load_example(path)["answers"]
    jsonschema.validate(answers, SCHEMA_V1)
    jsonschema.validate(answers, SCHEMA)


@pytest.mark.parametrize("model_id", ["other", "acme-model-9", "openai-gpt-4.1-mini", "retired-model-2023"])
def test_a_model_id_the_price_table_does_not_know_is_accepted(model_id):
    # Price rows come and go; a stored answer naming a removed row must still open (treated as "other").
    assert Answers.model_validate({"current_model": model_id}).current_model == model_id


@pytest.mark.parametrize("bad", ["GPT-4", "", "-x", "a" * 81, "gpt 4", 4])
def test_a_model_id_that_breaks_the_pattern_is_refused(bad):
    with pytest.raises(ValidationError):
        Answers.model_validate({"current_model": bad})
