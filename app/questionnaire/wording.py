"""Answers in the questionnaire's own words: what every page, the PDF and the comparison say.

The wizard, the history, the comparison, the read-only view and the PDF all word an answer (or a
missing one) through here, so they say the same thing.
"""

from collections.abc import Mapping

from app.questionnaire import load_questionnaire
from app.questionnaire.progress import Status

NOT_ANSWERED = "Not answered"
NOT_SURE = "Not sure yet"
NOT_ASKED = "Not asked"


def question_ids() -> list[str]:
    """Every question id in the order the wizard asks them."""
    return [question.id for section in load_questionnaire().sections for question in section.questions]


def question_label(question_id: str) -> str:
    try:
        return load_questionnaire().question(question_id).label
    except KeyError:  # asked by an older questionnaire version
        return question_id.replace("_", " ").capitalize()


def form_value(question, value) -> str:
    """A stored answer as the text its input shows."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def answer_words(question, value, *, answers: Mapping | None = None, status: str | None = None) -> str:
    """An answer as the wizard shows it: the choice's label, Yes/No, or the number with its unit.

    No answer reads "Not asked" when the other `answers` ruled the question out, "Not sure yet" when
    the team went past its step (`status`, the assessment's) without answering, else "Not answered".
    """
    if value is None:
        if answers is not None and not load_questionnaire().is_visible(question, answers):
            return NOT_ASKED
        if status is not None and question.id in Status(status).passed_questions():
            return NOT_SURE
        return NOT_ANSWERED
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,} {question.unit or ''}".strip()
    return choice_label(question, value)


def answer_text(question_id: str, value, *, answers: Mapping | None = None, status: str | None = None) -> str:
    """`value` in the questionnaire's words, by question id (see `answer_words`)."""
    try:
        question = load_questionnaire().question(question_id)
    except KeyError:  # asked by an older questionnaire version
        return NOT_ANSWERED if value is None else str(value)
    return answer_words(question, value, answers=answers, status=status)


def choice_label(question, value) -> str:
    if isinstance(value, dict):  # a range condition on a number, e.g. {"min": 1}
        return range_words(value, question.unit or "")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    for choice in question.choices or []:
        if choice.value == value:
            return choice.label
    return str(value)


def range_words(limits: dict, unit: str) -> str:
    low, high = limits.get("min"), limits.get("max")
    if low is not None and high is not None:
        return f"between {low:,} and {high:,} {unit}".strip()
    if low is not None:
        return f"{low:,} or more"
    return f"{high:,} or fewer"


def condition_text(show_if: dict) -> str:
    """'Answer this only if ...' in the questionnaire's own words."""
    return "Answer this only if " + condition_clause(show_if) + "."


def condition_clause(show_if: dict) -> str:
    """'“How many…?” is 1 or more': a show-if condition in the questionnaire's own words."""
    questionnaire = load_questionnaire()
    parts = []
    for qid, allowed in show_if.items():
        source = questionnaire.question(qid)
        # A choice is quoted as the page shows it; a range of numbers reads as words ("1 or more").
        labels = [choice_label(source, value) if isinstance(value, dict)
                  else f"“{choice_label(source, value)}”" for value in allowed]
        parts.append(f"“{source.label}” is {' or '.join(labels)}")
    return " and ".join(parts)
