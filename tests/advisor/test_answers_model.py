"""The Answers model agrees with contracts/answers-v1.schema.json field by field."""

import jsonschema
import pytest
from hypothesis import given, settings
from pydantic import ValidationError

from app.advisor import Answers
from tests.advisor.conftest import SCHEMA, answers_strategy

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
