"""Load and validate the questionnaire data file; parse wizard forms against it.

show_if: `{other_question_id: [allowed, ...]}`. The question is shown when, for every key, the other
question is unanswered (nothing rules it out yet) or its answer matches one allowed item. An item is a
literal value (a choice value, true/false for yes/no questions) or a range table `{min = 1}`,
`{max = 9}`, `{min = 1, max = 9}` for number questions. Example: data quality is asked only when
there are examples: `show_if = { labeled_examples = [{ min = 1 }] }`.

Form values are strings: "" or "unsure" mean "not answered yet" (None); yes/no questions take
"yes"/"no"; numbers accept thousands separators ("5,000").
"""

import json
import re
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError, model_validator

UNSURE = "unsure"
YES_NO = {"yes": True, "no": False, "true": True, "false": False}
_SEPARATORS = re.compile(r"[,_\s\u00a0\u202f']")


class QuestionnaireError(ValueError):
    """The questionnaire file is broken; the message names the question (or section) at fault."""


class Choice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    value: str
    label: str


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    label: str
    help: str
    type: Literal["choice", "number", "yesno"]
    choices: list[Choice] = []
    min: int | None = None
    max: int | None = None
    unit: str | None = None
    placeholder: str | None = None
    # Number questions where 0 is a real but surprising answer: the question the form asks when 0 is typed
    # (issue 14: "0 weeks" to launch asks "already live?" instead of passing silently).
    zero_asks: str | None = None
    allow_unsure: bool = True
    show_if: dict[str, list] | None = None

    @model_validator(mode="before")
    @classmethod
    def _yes_no_choices(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("type") == "yesno" and "choices" not in data:
            return {**data, "choices": [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}]}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> "Question":
        if self.type == "choice" and len(self.choices) < 2:
            raise ValueError("a choice question needs at least two choices")
        if len({c.value for c in self.choices}) != len(self.choices):
            raise ValueError("choice values must be unique")
        if self.type != "number" and (self.min is not None or self.max is not None or self.unit):
            raise ValueError("min, max and unit belong to number questions only")
        if self.type == "number" and (self.min is None or self.max is None or self.min > self.max):
            raise ValueError("a number question needs min <= max")
        return self

    def parse(self, raw: str | None) -> str | int | bool | None:
        """One form value -> the answer (None when not answered); ValueError with a readable message."""
        text = (raw or "").strip()
        if text == "" or text.lower() == UNSURE:
            return None
        if self.type == "number":
            return self._parse_number(text)
        if self.type == "yesno":
            if text.lower() not in YES_NO:
                raise ValueError("Choose yes or no.")
            return YES_NO[text.lower()]
        if text not in {c.value for c in self.choices}:
            raise ValueError("Choose one of the options.")
        return text

    def _parse_number(self, text: str) -> int:
        digits = _SEPARATORS.sub("", text)
        if not re.fullmatch(r"-?\d+", digits):
            raise ValueError(f"Enter a whole number, like {self.placeholder or 100}.".replace("e.g. ", ""))
        value = int(digits)
        if not self.min <= value <= self.max:
            unit = f" {self.unit}" if self.unit else ""
            raise ValueError(f"Enter a number from {self.min:,} to {self.max:,}{unit}.")
        return value

    def matches(self, answer: Any, allowed: list) -> bool:
        """Does this question's answer satisfy one of the show_if items?"""
        for item in allowed:
            if isinstance(item, dict):
                if isinstance(answer, int) and not isinstance(answer, bool) and (
                        item.get("min", answer) <= answer <= item.get("max", answer)):
                    return True
            elif item == answer:
                return True
        return False


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    intro: str
    questions: list[Question]


class Questionnaire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    sections: list[Section]
    _by_id: dict[str, Question] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any) -> None:
        self._by_id = {q.id: q for q in self.questions}

    @property
    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def question(self, question_id: str) -> Question:
        return self._by_id[question_id]

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    def is_visible(self, question: Question | str, answers: Mapping[str, Any]) -> bool:
        if isinstance(question, str):
            question = self.question(question)
        for other_id, allowed in (question.show_if or {}).items():
            answer = answers.get(other_id)
            if answer is not None and not self.question(other_id).matches(answer, allowed):
                return False
        return True

    def parse_form(self, section_id: str, form: Mapping[str, str]) -> tuple[dict, dict[str, str]]:
        """One wizard step's form -> (answers for this section's questions, {question id: message}).

        Hidden questions (show_if ruled out by this section's answers) are set to None.
        """
        answers: dict[str, Any] = {}
        errors: dict[str, str] = {}
        questions = self.section(section_id).questions
        for q in questions:
            try:
                answers[q.id] = q.parse(form.get(q.id))
            except ValueError as exc:
                answers[q.id] = None
                errors[q.id] = str(exc)
        for q in questions:
            if not self.is_visible(q, answers):
                answers[q.id] = None
                errors.pop(q.id, None)
        return answers, errors


def _where(loc: tuple, data: dict) -> str:
    """A readable location for a validation error: the question id when there is one."""
    if len(loc) >= 4 and loc[0] == "sections" and loc[2] == "questions":
        try:
            question = data["sections"][loc[1]]["questions"][loc[3]]
            field = ".".join(str(p) for p in loc[4:])
            return f"question {question.get('id', '#' + str(loc[3]))!r}" + (f", {field}" if field else "")
        except (IndexError, KeyError, TypeError, AttributeError):
            pass
    if len(loc) >= 2 and loc[0] == "sections":
        try:
            return f"section {data['sections'][loc[1]].get('id', '#' + str(loc[1]))!r}"
        except (IndexError, KeyError, TypeError, AttributeError):
            pass
    return ".".join(str(p) for p in loc) or "(file)"


def parse_questionnaire(text: str, source: str = "questionnaire.toml") -> Questionnaire:
    """Parse and validate questionnaire TOML; QuestionnaireError names what is wrong and where."""
    try:
        data = tomllib.loads(text)
        data["sections"] = data.pop("section", [])
        for section in data["sections"]:
            if isinstance(section, dict):
                section["questions"] = section.pop("question", [])
    except (tomllib.TOMLDecodeError, AttributeError, TypeError) as exc:
        raise QuestionnaireError(f"{source}: not valid questionnaire TOML: {exc}") from None
    try:
        questionnaire = Questionnaire.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{_where(e['loc'], data)}: {e['msg']}" for e in exc.errors())
        raise QuestionnaireError(f"{source}: {problems}") from None
    _check_against_answers(questionnaire, source)
    return questionnaire


# The answers contract; tests/advisor/test_answers_model.py holds the engine's Answers model to it, so
# the questionnaire is checked against the engine's fields without importing the engine.
ANSWERS_SCHEMA_PATH = Path(__file__).parent.parent / "contracts" / "answers-v2.schema.json"


@cache
def _answer_fields() -> dict[str, dict]:
    return json.loads(ANSWERS_SCHEMA_PATH.read_text())["properties"]


def _check_against_answers(questionnaire: Questionnaire, source: str) -> None:
    """Ids, choices and ranges must agree with the answers contract (answers-v2); each field asked once."""
    properties = _answer_fields()
    seen: set[str] = set()
    for q in questionnaire.questions:
        def fail(message: str, q=q) -> QuestionnaireError:
            return QuestionnaireError(f"{source}: question {q.id!r}: {message}")

        if q.id in seen:
            raise fail("asked twice; every answers field is asked exactly once")
        seen.add(q.id)
        if q.id not in properties:
            raise fail("is not an answers-v2 field")
        spec = properties[q.id]
        kind = spec.get("type", "string")  # an enum without a type is a list of strings
        expected_type = {"string": "choice", "integer": "number", "boolean": "yesno"}[kind]
        if q.type != expected_type:
            raise fail(f"type must be {expected_type!r} for this field")
        values = sorted(c.value for c in q.choices)
        if q.type == "choice" and "enum" in spec and values != sorted(spec["enum"]):
            raise fail(f"choices must be exactly {spec['enum']}")
        if q.type == "choice" and "pattern" in spec:
            # An open string field (current_model): the wizard offers a list, each choice must be valid.
            bad = [c.value for c in q.choices if not re.fullmatch(spec["pattern"].strip("^$"), c.value)]
            if bad:
                raise fail(f"choices {bad} do not match {spec['pattern']}")
        if q.type == "number" and (q.min, q.max) != (spec.get("minimum"), spec.get("maximum")):
            raise fail(f"range must be {spec.get('minimum')}..{spec.get('maximum')}")
        for other_id, allowed in (q.show_if or {}).items():
            if other_id == q.id or other_id not in {x.id for x in questionnaire.questions}:
                raise fail(f"show_if refers to unknown question {other_id!r}")
            if not allowed:
                raise fail(f"show_if for {other_id!r} lists no allowed values")
    missing = sorted(set(properties) - seen)
    if missing:
        raise QuestionnaireError(
            f"{source}: answers fields not asked by any question: {', '.join(missing)}")
