"""How far a team got through the wizard: an assessment's status, read in the questionnaire's sections.

An assessment's status column holds one of three kinds of word: "draft" (made, no step reached yet),
the id of the step to come back to, or "complete" (every step saved once). `Status` reads that word
against the sections, so no page or report counts steps itself.
"""

from dataclasses import dataclass

from app.questionnaire import load_questionnaire

DRAFT = "draft"
COMPLETE = "complete"


def section_index(section_id: str) -> int:
    """The position of a step in the wizard (0 for the first); ValueError for an unknown id."""
    for index, section in enumerate(load_questionnaire().sections):
        if section.id == section_id:
            return index
    raise ValueError(f"no step {section_id!r} in the questionnaire")


@dataclass(frozen=True)
class Status:
    """An assessment's status as stored ("draft", a step id or "complete"), with what it says."""

    value: str

    @property
    def complete(self) -> bool:
        return self.value == COMPLETE

    @property
    def reached(self) -> int:
        """The index of the furthest step reached (the number of steps when complete; 0 for a draft)."""
        sections = load_questionnaire().sections
        if self.complete:
            return len(sections)
        try:
            return section_index(self.value)
        except ValueError:  # "draft", or a step of an older questionnaire
            return 0

    def passed_questions(self) -> set[str]:
        """The questions on steps the team has gone past: one left blank there was "not sure yet"."""
        sections = load_questionnaire().sections[:self.reached]
        return {q.id for section in sections for q in section.questions}

    def after_saving(self, section_id: str) -> "Status":
        """The status once step `section_id` is saved: never earlier than already reached."""
        sections = load_questionnaire().sections
        index = section_index(section_id)
        if self.complete or index == len(sections) - 1:
            return Status(COMPLETE)
        return Status(sections[index + 1].id) if index + 1 >= self.reached else self
