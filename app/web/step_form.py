"""One wizard step's form: what the person typed, what it parsed to, and what the save keeps of it.

Reading never loses what was typed: a bad field keeps its text and gets a message, an answer that
this step's own answers rule out is named on the next page (`dropped_answers`).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from app import assessments as store
from app.models import MAX_NAME_LENGTH, MAX_NOTE_LENGTH, Assessment
from app.questionnaire import load_questionnaire
from app.questionnaire.loader import UNSURE
from app.questionnaire.progress import Status, section_index
from app.questionnaire.wording import answer_words, condition_clause, form_value

NOTE_PREFIX = "note-"
# Dropped answers read back from a query string: never more than a step has questions.
MAX_DROPPED = 20


@dataclass
class StepInput:
    """One step's form as typed (raw text), what it parsed to, and the messages for bad fields."""

    values: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    name: str = ""
    answers: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    # Answers (or notes) given to questions this step's own answers rule out: not saved, so the next
    # page says so. Each is "question id:answer as a form sends it[:note]", ready for a query string.
    dropped: list[str] = field(default_factory=list)


def read_step(section, form: Mapping) -> StepInput:
    def typed(field_name: str) -> str:
        return store.storable_text(str(form.get(field_name, "")))

    questionnaire = load_questionnaire()
    values = {q.id: typed(q.id) for q in section.questions}
    notes = {q.id: typed(NOTE_PREFIX + q.id).strip() for q in section.questions}
    answers, errors = questionnaire.parse_form(section.id, values)
    errors = dict(errors)
    for qid, note in notes.items():
        if len(note) > MAX_NOTE_LENGTH:
            errors.setdefault(qid, f"Keep the note under {MAX_NOTE_LENGTH:,} characters "
                                   f"(it has {len(note):,}).")
    name = typed("name").strip()
    if len(name) > MAX_NAME_LENGTH:
        errors["name"] = f"Keep the name under {MAX_NAME_LENGTH} characters (it has {len(name):,})."
    dropped = [_dropped_entry(q, values[q.id], notes[q.id]) for q in section.questions
               if not questionnaire.is_visible(q, answers) and (_given(values[q.id]) or notes[q.id])]
    given = {k: v for k, v in answers.items() if v is not None}
    return StepInput(values, notes, name, given, errors, dropped)


def _given(raw: str) -> bool:
    text = raw.strip()
    return bool(text) and text.lower() != UNSURE


def _dropped_entry(question, raw: str, note: str) -> str:
    try:
        value = form_value(question, question.parse(raw))
    except ValueError:  # not even a valid answer: say only that something was there
        value = ""
    return f"{question.id}:{value}" + (":note" if note else "")


@dataclass(frozen=True)
class DroppedAnswer:
    label: str
    answer: str  # "" when only a note (or an unreadable answer) was dropped
    had_note: bool
    condition: str
    section_id: str
    section_title: str


def dropped_answers(entries: list[str]) -> list[DroppedAnswer]:
    """What `read_step` dropped, from a query string or the step itself; anything unknown is ignored."""
    questionnaire = load_questionnaire()
    found = []
    for entry in entries[:MAX_DROPPED]:
        qid, _, rest = entry.partition(":")
        raw, _, flag = rest.partition(":")
        try:
            question = questionnaire.question(qid)
        except KeyError:
            continue
        if not question.show_if:
            continue
        try:
            value = question.parse(raw)
        except ValueError:
            value = None
        answer = answer_words(question, value) if value is not None else ""
        section = next(s for s in questionnaire.sections if question in s.questions)
        found.append(DroppedAnswer(question.label, answer, flag == "note", condition_clause(question.show_if),
                                   section.id, section.title))
    return found


def stored_step(section, assessment: Assessment | None) -> StepInput:
    """The saved answers as the step's inputs show them; a step already passed shows blanks as "not sure"."""
    answers = assessment.answers if assessment else {}
    notes = assessment.notes if assessment else {}
    questionnaire = load_questionnaire()
    passed = assessment is not None and section_index(section.id) < Status(assessment.status).reached

    def shown_value(question) -> str:
        unanswered = answers.get(question.id) is None
        shown = questionnaire.is_visible(question, answers)
        if passed and unanswered and shown and question.allow_unsure and question.type != "number":
            return "unsure"
        return form_value(question, answers.get(question.id))

    return StepInput(
        values={q.id: shown_value(q) for q in section.questions},
        notes={q.id: notes.get(q.id, "") for q in section.questions},
        name=assessment.name if assessment else "",
    )


def merged_answers(section, stored: dict, step_answers: dict) -> dict:
    """The stored answers with this step's replaced; answers to questions now hidden are dropped."""
    questionnaire = load_questionnaire()
    own = {q.id for q in section.questions}
    answers = {k: v for k, v in stored.items() if k not in own} | step_answers
    return {k: v for k, v in answers.items() if _visible(questionnaire, k, answers)}


def merged_notes(section, stored: dict, step_notes: dict, answers: dict) -> dict:
    questionnaire = load_questionnaire()
    own = {q.id for q in section.questions}
    notes = {k: v for k, v in stored.items() if k not in own} | {k: v for k, v in step_notes.items() if v}
    return {k: v for k, v in notes.items() if _visible(questionnaire, k, answers)}


def _visible(questionnaire, question_id: str, answers: dict) -> bool:
    try:
        return questionnaire.is_visible(question_id, answers)
    except KeyError:  # not a question of this questionnaire version: keep it, the store validates it
        return True
