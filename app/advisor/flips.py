"""What would change the verdict: single-answer changes tried at the thresholds that matter (5.5 step 5).

Every candidate is judged by re-running `evaluate`, so a reported flip is true by construction.
"""

import math
from dataclasses import dataclass
from datetime import date
from functools import cache

from app.advisor.costs import CostAssumptions
from app.advisor.engine import Evaluation, evaluate_change
from app.advisor.rules import (
    COMFORTABLE_DEADLINE_WEEKS,
    FEW_EXAMPLES,
    IMPORTANCE,
    LATENCY_PROMPT_TOKENS,
    LONG_PROMPT_TOKENS,
    LOW_VOLUME_REQUESTS,
    MANY_EXAMPLES,
    OVERHEAD_TOKENS,
    PILOT_EXAMPLES,
    QUALITY_TENTHS,
    SHORT_DEADLINE_WEEKS,
    SOLID_EXAMPLES,
    UNKNOWN_QUALITY,
)
from app.questionnaire import load_questionnaire

MAX_FLIPS = 8

# Questions whose alternatives are tried nearest first, in the order the questionnaire lists their
# choices (low to high, none to strong...); a yes/no question tries the other answer.
ORDERED_QUESTIONS = (
    "accuracy_criticality", "output_consistency_need", "domain_specificity", "knowledge_in_base_model",
    "data_quality", "budget", "gpu_access", "ml_expertise", "requirements_change_frequency",
    "use_case_breadth", "data_confidential", "latency_sensitive", "needs_fresh_or_private_knowledge",
)
# Where the scale is not the order the wizard shows: "both" lies between API-only and open weights (the
# wizard lists it last), and of the task types only reasoning has a rule of its own, so one other value
# stands for the rest.
OWN_ORDER = {
    "model_access": ("api_only", "both", "open_weights"),
    "task_type": ("classification", "reasoning"),
}


@cache
def choice_order(question: str) -> tuple | None:
    """The values of `question` in order, nearest neighbours side by side; None for a non-ordinal one."""
    if question in OWN_ORDER:
        return OWN_ORDER[question]
    if question not in ORDERED_QUESTIONS:
        return None
    found = load_questionnaire().question(question)
    if found.type == "yesno":
        return (False, True)
    return tuple(choice.value for choice in found.choices)


def _around(thresholds, current: int | None, lowest: int) -> list[int]:
    """Each threshold and the value just below it, nearest to the current answer first (log scale)."""
    values = {v for t in thresholds for v in (int(t), int(t) - 1) if v >= lowest and v != current}
    if current is None:
        return sorted(values)
    return sorted(values, key=lambda v: (abs(math.log1p(v) - math.log1p(current)), v))


def _example_counts(answers: dict, current: int | None) -> list[int]:
    tenths = QUALITY_TENTHS[answers.get("data_quality") or UNKNOWN_QUALITY]
    # The raw count whose effective size reaches each G1/F7 threshold at the current quality.
    raw = [math.ceil(t * 10 / tenths) for t in (FEW_EXAMPLES, PILOT_EXAMPLES, SOLID_EXAMPLES, MANY_EXAMPLES)]
    return _around(raw + [1], current, 0)


def candidates(question: str, answers: dict, assumptions: CostAssumptions) -> list:
    """Alternative answers worth trying for one question, nearest first."""
    current = answers.get(question)
    order = choice_order(question)
    if order is not None:
        if current not in order:
            return list(order)
        here = order.index(current)
        others = [v for v in order if v != current]
        return sorted(others, key=lambda v: abs(order.index(v) - here))
    if question == "labeled_examples":
        return _example_counts(answers, current)
    if question == "time_to_deploy_weeks":
        return _around((SHORT_DEADLINE_WEEKS, COMFORTABLE_DEADLINE_WEEKS), current, 0)
    if question == "monthly_requests":
        # The team's own example count when it gave one (as costs.py prices it), else the assumption.
        examples = answers.get("prompt_examples_today")
        if examples is None or "examples_in_prompt" in assumptions.model_fields_set:
            examples = assumptions.examples_in_prompt
        per_request = examples * assumptions.tokens_per_example
        volume = [math.ceil(t / per_request) for t in OVERHEAD_TOKENS] if per_request else []
        return _around([LOW_VOLUME_REQUESTS, *volume], current, 0)
    if question == "avg_prompt_tokens_without_examples":
        return _around((LATENCY_PROMPT_TOKENS, LONG_PROMPT_TOKENS), current, 1)
    return []  # avg_output_tokens only moves costs


@dataclass(frozen=True)
class Probe:
    question: str
    answer: object
    result: Evaluation


def probe(answers: dict, current: Evaluation, assumptions: CostAssumptions, as_of: date | None = None
          ) -> list[Probe]:
    """Re-run the engine for every candidate answer of every question."""
    results = []
    for question in IMPORTANCE:
        for value in candidates(question, answers, assumptions):
            changed = {**answers, question: value}
            result = evaluate_change(current, changed, question, assumptions, as_of)
            results.append(Probe(question, value, result))
    return results


# Engine 2 (issue 12): "one example fewer, one request fewer" flips read as advice no expert would give; a
# numeric answer moved by less than this share of itself is within the answer's own uncertainty. Such a
# change is reported as a knife edge that lowers confidence, not as a way to change the verdict.
KNIFE_EDGE_SHARE = 0.1


def is_knife_edge(answers: dict, p: Probe) -> bool:
    current = answers.get(p.question)
    if not isinstance(current, int) or isinstance(current, bool) or isinstance(p.answer, bool):
        return False
    return abs(p.answer - current) < KNIFE_EDGE_SHARE * current


def knife_edges(answers: dict, current: Evaluation, probes: list[Probe]) -> list[Probe]:
    """Tiny changes of a numeric answer that would change the verdict."""
    return [p for p in probes if p.result.verdict != current.verdict and is_knife_edge(answers, p)]


def flips(answers: dict, current: Evaluation, probes: list[Probe]) -> list[dict]:
    """The nearest change per question and new verdict; changed answers before unanswered questions."""
    seen, found = set(), []
    for p in probes:
        key = (p.question, p.result.verdict)
        if p.result.verdict != current.verdict and key not in seen and not is_knife_edge(answers, p):
            seen.add(key)
            found.append(p)
    found.sort(key=lambda p: (p.question not in answers, -IMPORTANCE[p.question]))
    return [{"question": p.question, "answer": p.answer, "verdict": p.result.verdict}
            for p in found[:MAX_FLIPS]]


@dataclass(frozen=True)
class OpenImpact:
    question: str
    verdicts: tuple[str, ...]  # verdicts some answer would lead to, other than the current one
    share_changing: float  # share of tried answers that change the verdict
    largest_shift: float  # largest change of the score margin


def open_impacts(answers: dict, current: Evaluation, probes: list[Probe], visible) -> list[OpenImpact]:
    """Unanswered (and relevant) questions ranked by how much their answer could move the verdict."""
    by_question: dict[str, list[Probe]] = {}
    for p in probes:
        if p.question not in answers and visible(p.question):
            by_question.setdefault(p.question, []).append(p)
    impacts = []
    for question, tried in by_question.items():
        other = [p.result.verdict for p in tried if p.result.verdict != current.verdict]
        verdicts = tuple(dict.fromkeys(other))
        changing = len(other) / len(tried)
        shift = max(abs(p.result.margin - current.margin) for p in tried)
        if verdicts or shift:
            impacts.append(OpenImpact(question, verdicts, changing, shift))
    impacts.sort(key=lambda i: (-bool(i.verdicts), -i.share_changing, -i.largest_shift,
                                -IMPORTANCE[i.question]))
    return impacts
