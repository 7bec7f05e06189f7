"""Where colleagues' answers differ, and which differences decide the verdict (issue 15).

Pure and deterministic: given the assessment's own answers and each respondent's, it lists per question
who answered what, marks the questions where two firm answers differ, and for each such question runs
the engine with every answer given substituted into the assessment's answers (the flips machinery's
`evaluate_change`), so "changes the verdict" is true by construction. A blank ("Not sure yet") next to a
firm answer is information, not a conflict: nobody disagrees, one person knows more.
"""

from dataclasses import dataclass
from datetime import date
from typing import Literal

from app.advisor.costs import DEFAULT_ASSUMPTIONS, CostAssumptions
from app.advisor.engine import AFFECTED, Evaluation, evaluate, evaluate_change
from app.advisor.models import Answers
from app.advisor.rules import IMPORTANCE

# Who gave the assessment's own answers, in every table: the person holding the edit link.
OWNER = "Assessment"
# The answers-v2 questions in questionnaire order: rows are listed in this order within a rank.
QUESTION_ORDER = tuple(Answers.model_fields)

# same: every answer given agrees (at least two people gave it); differs: two firm answers differ;
# unsure: one firm answer and at least one "Not sure yet"; single: only one person answered.
Agreement = Literal["same", "differs", "unsure", "single"]


@dataclass(frozen=True)
class Alternative:
    """One firm answer given to a differing question, who gave it, and the verdict with it in place."""

    value: object
    given_by: tuple[str, ...]
    verdict: str


@dataclass(frozen=True)
class QuestionAgreement:
    question: str
    answers: tuple[tuple[str, object], ...]  # (who, answer or None for "Not sure yet"), owner first
    agreement: Agreement
    alternatives: tuple[Alternative, ...]  # only for a differing question, in order of first mention
    importance: float

    @property
    def differs(self) -> bool:
        return self.agreement == "differs"

    @property
    def changes_verdict(self) -> bool:
        """Choosing one side or another of this difference gives another verdict."""
        return len({a.verdict for a in self.alternatives}) > 1

    def answer_of(self, who: str) -> object:
        return dict(self.answers).get(who)


@dataclass(frozen=True)
class Disagreements:
    owner_verdict: str
    verdicts: tuple[tuple[str, str], ...]  # (respondent, verdict of their own answers)
    questions: tuple[QuestionAgreement, ...]  # differing first, verdict-changing first; then the rest

    @property
    def differing(self) -> tuple[QuestionAgreement, ...]:
        return tuple(q for q in self.questions if q.differs)

    @property
    def deciding(self) -> tuple[QuestionAgreement, ...]:
        return tuple(q for q in self.questions if q.changes_verdict)


def _firm(answers: dict) -> dict:
    return {k: v for k, v in answers.items() if v is not None}


def _agreement(given: list[tuple[str, object]]) -> tuple[Agreement, list[tuple[object, list[str]]]]:
    groups: list[tuple[object, list[str]]] = []
    for who, value in given:
        if value is None:
            continue
        for known, names in groups:
            if known == value:
                names.append(who)
                break
        else:
            groups.append((value, [who]))
    unsure = any(value is None for _, value in given)
    if len(groups) > 1:
        return "differs", groups
    if groups and unsure:
        return "unsure", groups
    if groups and len(groups[0][1]) > 1:
        return "same", groups
    return "single", groups


def _with(base: Evaluation, answers: dict, question: str, value: object, assumptions: CostAssumptions,
          as_of: date | None) -> str:
    changed = {**answers, question: value}
    if question in AFFECTED:  # the questions the engine scores: re-run only what this one touches
        return evaluate_change(base, changed, question, assumptions, as_of).verdict
    return evaluate(changed, assumptions, as_of).verdict


def disagreements(owner: dict, respondents: list[tuple[str, dict]], *,
                  assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS,
                  as_of: date | None = None) -> Disagreements:
    """Compare the assessment's answers (`owner`) with each respondent's (name, answers).

    Only questions someone answered are listed. Order: differing questions whose answer changes the
    verdict, then other differing ones, then "Not sure yet" next to a firm answer, then agreement; within
    each, the questions the engine weighs most first, then questionnaire order.
    """
    owner = _firm(owner)
    people = [(OWNER, owner)] + [(name, _firm(answers)) for name, answers in respondents]
    base = evaluate(owner, assumptions, as_of)
    verdicts = tuple((name, evaluate(answers, assumptions, as_of).verdict) for name, answers in people[1:])
    rows = []
    for question in QUESTION_ORDER:
        given = [(who, answers.get(question)) for who, answers in people]
        if all(value is None for _, value in given):
            continue
        agreement, groups = _agreement(given)
        alternatives = ()
        if agreement == "differs":
            alternatives = tuple(
                Alternative(value, tuple(names), _with(base, owner, question, value, assumptions, as_of))
                for value, names in groups
            )
        rows.append(QuestionAgreement(question, tuple(given), agreement, alternatives,
                                      IMPORTANCE.get(question, 0.0)))
    rank = {"differs": 1, "unsure": 2, "same": 3, "single": 3}
    rows.sort(key=lambda r: (0 if r.changes_verdict else rank[r.agreement], -r.importance,
                             QUESTION_ORDER.index(r.question)))
    return Disagreements(base.verdict, verdicts, tuple(rows))
