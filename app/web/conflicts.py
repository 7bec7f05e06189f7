"""A colleague saved first: both versions of each answer side by side, the person picks per row.

Every step saves with the version it was loaded at; a save against an older version lands here
instead of overwriting the colleague's answers.
"""

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response

from app import assessments as store
from app.models import Assessment
from app.questionnaire.progress import section_index
from app.questionnaire.wording import NOT_ANSWERED, answer_words, form_value
from app.web.render import NO_STORE, SITE, is_htmx, render, route_path
from app.web.step_form import NOTE_PREFIX, StepInput


@dataclass(frozen=True)
class ConflictRow:
    """One answer (or note) as the other person saved it and as this person sent it, with the form
    values that keep either: on a row that differs, the person picks which one to save."""

    label: str
    field: str  # the form field: the question id, or the note's field
    theirs: str
    mine: str
    theirs_value: str
    mine_value: str

    @property
    def differs(self) -> bool:
        return self.theirs != self.mine

    @property
    def keeps_theirs(self) -> bool:
        """The choice made for the person: theirs only where this person left it blank."""
        return not self.mine_value.strip() and bool(self.theirs_value.strip())


def conflict_rows(section, current: Assessment, step: StepInput) -> list[ConflictRow]:
    rows = []
    for question in section.questions:
        theirs = answer_words(question, current.answers.get(question.id))
        mine = answer_words(question, step.answers.get(question.id))
        if theirs != NOT_ANSWERED or mine != NOT_ANSWERED:
            rows.append(ConflictRow(question.label, question.id, theirs, mine,
                                    form_value(question, current.answers.get(question.id)),
                                    step.values.get(question.id, "")))
        their_note, my_note = current.notes.get(question.id, ""), step.notes.get(question.id, "")
        if their_note or my_note:
            rows.append(ConflictRow(f"Note on “{question.label}”", NOTE_PREFIX + question.id,
                                    their_note or "No note", my_note or "No note", their_note, my_note))
    return rows


def same_as_stored(stale: store.StaleRevision, name: str | None) -> bool:
    """The refused save would have stored what is stored already (a form sent twice)."""
    current = stale.current
    return (stale.submitted_answers == current.answers and stale.submitted_notes == current.notes
            and name in (None, current.name))


def conflict_page(request: Request, section, stale: store.StaleRevision, edit_token: str,
                  step: StepInput) -> Response:
    current = stale.current
    context = {
        "page_title": f"Someone else saved first · {current.name} · {SITE}",
        "section": section,
        "step": step,
        "rows": conflict_rows(section, current, step),
        "current": current,
        "action_url": route_path(request, "wizard_step", edit_token=edit_token, section_id=section.id),
        "is_first": section_index(section.id) == 0,
        "htmx": is_htmx(request),
    }
    return render(request, "wizard/conflict.html", context, block="content", status_code=409,
                  headers=NO_STORE)
