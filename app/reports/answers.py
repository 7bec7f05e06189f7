"""Answers grouped by wizard step, as a reader sees them: labels, choice labels, units, notes.

Shared by the read-only view page and the PDF appendix; the wording of single answers comes from
`app.questionnaire.wording`, so history, comparison, view and PDF all say the same thing.
"""

from dataclasses import dataclass

from app.questionnaire import load_questionnaire
from app.questionnaire.progress import COMPLETE
from app.questionnaire.wording import answer_text


@dataclass(frozen=True)
class AnswerRow:
    question_id: str
    label: str
    value: str
    note: str
    answered: bool


@dataclass(frozen=True)
class AnswerSection:
    title: str
    rows: list[AnswerRow]


def answer_sections(answers: dict, notes: dict | None = None, *,
                    status: str = COMPLETE) -> list[AnswerSection]:
    """Every question the team was shown (plus any answered or noted one), grouped by step.

    `status` is the assessment's: an unanswered question on a step the team went past reads "Not sure
    yet" (a finished assessment went past every step), one on a step not reached yet "Not answered".
    """
    questionnaire = load_questionnaire()
    notes = notes or {}
    sections = []
    for section in questionnaire.sections:
        rows = [
            AnswerRow(
                question_id=question.id,
                label=question.label,
                value=answer_text(question.id, answers.get(question.id), answers=answers, status=status),
                note=notes.get(question.id, ""),
                answered=answers.get(question.id) is not None,
            )
            for question in section.questions
            if questionnaire.is_visible(question, answers) or question.id in answers or question.id in notes
        ]
        if rows:
            sections.append(AnswerSection(section.title, rows))
    return sections
