"""The questionnaire as versioned data: `load_questionnaire()` returns the parsed, validated file.

The package is a leaf: it imports nothing else of the app, so the engine, the store, the reports and
the web pages may all read it. Its wording of answers is in `wording`, how far a team got in
`progress`.
"""

from functools import cache
from pathlib import Path

from app.questionnaire.loader import (
    Choice,
    Question,
    Questionnaire,
    QuestionnaireError,
    Section,
    parse_questionnaire,
)

# The version recorded with every assessment; must equal `version` in questionnaire.toml.
QUESTIONNAIRE_VERSION = 2
QUESTIONNAIRE_PATH = Path(__file__).with_name("questionnaire.toml")


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
