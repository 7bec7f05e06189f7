"""The questionnaire as versioned data: `load_questionnaire()` returns the parsed, validated file."""

from functools import cache
from pathlib import Path

# The version recorded with every assessment; must equal `version` in questionnaire.toml.
QUESTIONNAIRE_VERSION = 2
QUESTIONNAIRE_PATH = Path(__file__).with_name("questionnaire.toml")

from app.questionnaire.loader import (  # noqa: E402 - the version above is read by app.advisor
    Choice,
    Question,
    Questionnaire,
    QuestionnaireError,
    Section,
    parse_questionnaire,
)


@cache
def load_questionnaire() -> Questionnaire:
    """The questionnaire, parsed and validated once; QuestionnaireError names a broken question."""
    questionnaire = parse_questionnaire(QUESTIONNAIRE_PATH.read_text(), source=str(QUESTIONNAIRE_PATH.name))
    if questionnaire.version != QUESTIONNAIRE_VERSION:
        raise QuestionnaireError(
            f"{QUESTIONNAIRE_PATH.name}: version {questionnaire.version} but the code expects "
            f"QUESTIONNAIRE_VERSION = {QUESTIONNAIRE_VERSION}; update both together")
    return questionnaire


__all__ = [
    "QUESTIONNAIRE_VERSION", "Choice", "Question", "Questionnaire", "QuestionnaireError", "Section",
    "load_questionnaire", "parse_questionnaire",
]
