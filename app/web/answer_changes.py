"""What changed between two sets of answers and notes, in the questionnaire's own words.

The history page and the comparison show answers to people: labels (the questionnaire's wording),
not field names.
"""

from dataclasses import dataclass

from app.questionnaire.wording import answer_text, question_ids, question_label


@dataclass(frozen=True)
class Change:
    question_id: str
    label: str
    before: str
    after: str
    note_before: str = ""
    note_after: str = ""


def answer_changes(old_answers: dict, new_answers: dict, old_notes: dict, new_notes: dict) -> list[Change]:
    """The questions whose answer or note differs, in questionnaire order; a missing answer the other
    answers ruled out reads "Not asked"."""
    ordered = question_ids()
    asked = set(ordered)
    extra = sorted((set(old_answers) | set(new_answers) | set(old_notes) | set(new_notes)) - asked)
    changes = []
    for qid in ordered + extra:
        if old_answers.get(qid) == new_answers.get(qid) and old_notes.get(qid, "") == new_notes.get(qid, ""):
            continue
        changes.append(Change(
            question_id=qid,
            label=question_label(qid),
            before=answer_text(qid, old_answers.get(qid), answers=old_answers),
            after=answer_text(qid, new_answers.get(qid), answers=new_answers),
            note_before=old_notes.get(qid, ""),
            note_after=new_notes.get(qid, ""),
        ))
    return changes
