"""Disagreements between colleagues' answers, as a table: answers in, marks and verdict effects out."""

import json

import pytest

from app.advisor.disagreements import OWNER, disagreements
from tests.conftest import EXAMPLES

# A law firm's assessment: fine-tuning; weekly-changing requirements would make it prompting.
LEGAL = json.loads((EXAMPLES / "legal-assistant.json").read_text())["answers"]


def without(answers: dict, *questions: str) -> dict:
    return {k: v for k, v in answers.items() if k not in questions}


# (case, respondents' changes to the owner's answers, question, agreement, changes the verdict)
CASES = [
    ("a weekly-changing requirement flips fine-tuning to prompting",
     [{}, {"requirements_change_frequency": "weekly"}], "requirements_change_frequency", "differs", True),
    ("monthly change makes it a hybrid: still a different verdict",
     [{"requirements_change_frequency": "monthly"}], "requirements_change_frequency", "differs", True),
    ("a smaller budget is a real difference that leaves the verdict alone",
     [{"budget": "medium"}], "budget", "differs", False),
    ("'Not sure yet' beside a firm answer is information, not a conflict",
     [{"data_confidential": None}], "data_confidential", "unsure", False),
    ("everyone giving the same answer agrees",
     [{}, {}], "task_type", "same", False),
    ("yes against no on fast answers is a difference that leaves the verdict alone",
     [{"latency_sensitive": True}], "latency_sensitive", "differs", False),
    ("too few examples in one colleague's count gate tuning out",
     [{"labeled_examples": 40}], "labeled_examples", "differs", True),
]


@pytest.mark.parametrize(("case", "changes", "question", "agreement", "flips"), CASES,
                         ids=[case[0] for case in CASES])
def test_each_question_is_marked_and_judged(case, changes, question, agreement, flips):
    respondents = [(f"R{i}", {k: v for k, v in (LEGAL | change).items() if v is not None})
                   for i, change in enumerate(changes)]
    found = {q.question: q for q in disagreements(LEGAL, respondents).questions}
    assert found[question].agreement == agreement
    assert found[question].changes_verdict is flips


def test_who_answered_what_is_listed_owner_first_with_blanks_as_not_sure():
    result = disagreements(without(LEGAL, "budget"), [("Ana", LEGAL), ("Ben", without(LEGAL, "budget"))])
    budget = next(q for q in result.questions if q.question == "budget")
    assert budget.answers == ((OWNER, None), ("Ana", "high"), ("Ben", None))
    assert budget.agreement == "unsure"


def test_each_alternative_names_who_gave_it_and_the_verdict_it_leads_to():
    ben = LEGAL | {"requirements_change_frequency": "weekly"}
    result = disagreements(LEGAL, [("Ana", LEGAL), ("Ben", ben)])
    row = result.differing[0]
    assert row.question == "requirements_change_frequency"
    assert [(a.value, a.given_by, a.verdict) for a in row.alternatives] == [
        ("rare", (OWNER, "Ana"), "fine_tuning"), ("weekly", ("Ben",), "prompt_engineering")]
    assert result.owner_verdict == "fine_tuning"
    assert result.verdicts == (("Ana", "fine_tuning"), ("Ben", "prompt_engineering"))


def test_differences_that_change_the_verdict_come_first_then_other_differences_then_the_rest():
    ben = without(LEGAL | {"requirements_change_frequency": "weekly", "budget": "medium",
                           "labeled_examples": 40}, "data_confidential")
    rows = disagreements(LEGAL, [("Ben", ben)]).questions
    marks = [(q.changes_verdict, q.agreement) for q in rows]
    assert marks[:4] == [(True, "differs"), (True, "differs"), (False, "differs"), (False, "unsure")]
    # Among the deciding ones, the question the engine weighs more comes first.
    assert [q.question for q in rows[:2]] == ["labeled_examples", "requirements_change_frequency"]
    assert all(agreement in ("same", "single") for _, agreement in marks[4:])


def test_unanswered_by_everyone_is_left_out_and_the_result_is_deterministic():
    owner = {"task_type": "classification"}
    first = disagreements(owner, [("Ana", {"budget": "low"})])
    # The engine weighs the budget more than the task type; one blank beside one answer is information.
    assert [(q.question, q.agreement) for q in first.questions] == [
        ("budget", "unsure"), ("task_type", "unsure")]
    assert first == disagreements(owner, [("Ana", {"budget": "low"})])
    assert disagreements(owner, []).questions[0].agreement == "single"


def test_a_difference_that_changes_the_verdict_outranks_a_weightier_one_that_does_not():
    # Output consistency weighs 6 and medium leaves fine-tuning; breadth weighs 2 but "broad" makes a hybrid.
    ben = LEGAL | {"output_consistency_need": "medium", "use_case_breadth": "broad"}
    rows = disagreements(LEGAL, [("Ben", ben)]).differing
    assert [(q.question, q.changes_verdict) for q in rows] == [
        ("use_case_breadth", True), ("output_consistency_need", False)]
    assert rows[0].alternatives[1].verdict == "hybrid"
