"""Verdict assembly (domain.md 5.5): gates, then evidence scores, then the hybrid check."""

from dataclasses import dataclass
from datetime import date

from app.advisor.costs import CostAssumptions
from app.advisor.rules import (
    FEW_EXAMPLES,
    FT,
    GATES,
    NEUTRAL,
    PE,
    PILOT_EXAMPLES,
    READS,
    RULES_BY_QUESTION,
    SOLID_EXAMPLES,
    Gate,
    Rule,
    derive,
)

# 5.5 step 2: fine-tuning must beat prompting by a clear margin, because every vendor makes prompting
# the default (5.3 P1 is folded into this margin rather than scored as an answer-less point).
FT_MARGIN = 3
# 5.1 G1: with 50-99 good examples, fine-tune only when the other signals are strong: twice the margin.
PILOT_MARGIN = 6
# 5.1 G1: 100-999 good examples make tuning "feasible" for narrow tasks, 1,000+ "strong": one point more
# than the plain margin, so a single strong signal on a few hundred examples is not yet a clear case.
FEASIBLE_MARGIN = 4

# 5.5 step 3 / 5.1 G4 / 5.4 R3: fine-tuning justified, but part of the job needs prompts -> hybrid.
HYBRID_TRIGGERS = (
    ("requirements_change_frequency", "monthly",
     "requirements change monthly: tune the stable core, keep what changes in the prompt"),
    ("needs_fresh_or_private_knowledge", True,
     "facts change or live in private documents: retrieval and prompts supply them to the tuned model"),
    ("use_case_breadth", "broad",
     "many kinds of request: per-request instructions steer the tuned model"),
)


def skill_gap(facts: dict) -> bool:
    """The model lacks a skill or language that prompts cannot supply (domain.md 5.2 F3: a domain language
    that differs from general text, the model does not know it, and the gap is not facts). Engine 2 (issue
    12): broad use alone then does not turn a justified tune into a hybrid, because per-request instructions
    cannot teach a language the model does not write; broad instruction tuning covers the breadth."""
    return (facts.get("knowledge_in_base_model") == "no" and facts.get("domain_specificity") == "high"
            and facts.get("needs_fresh_or_private_knowledge") is not True)


@dataclass(frozen=True)
class Evaluation:
    verdict: str
    prompt_engineering: float
    fine_tuning: float
    required_margin: int
    fired: dict[str, Rule | None]  # each answered question -> the rule it triggered (None: neutral)
    gates: tuple[Gate, ...]
    hybrid_because: tuple[str, ...]
    facts: dict

    @property
    def margin(self) -> float:
        return self.fine_tuning - self.prompt_engineering

    @property
    def fine_tuning_justified(self) -> bool:
        """The scores alone (before gates) favour fine-tuning."""
        return self.margin >= self.required_margin


def _first_rule(question: str, facts: dict) -> Rule | None:
    for rule in RULES_BY_QUESTION.get(question, ()):
        if rule.when(facts):
            return rule
    return None


def evaluate(answers: dict, assumptions: CostAssumptions, as_of: date | None = None) -> Evaluation:
    """Score one set of answers (a plain dict without None values) and decide the verdict; `as_of` dates
    the prices the volume rule compares."""
    facts = derive(answers, assumptions, as_of=as_of)
    fired = {question: _first_rule(question, facts) for question in NEUTRAL if question in facts}
    totals = {PE: 0.0, FT: 0.0}
    for rule in fired.values():
        if rule is not None:
            totals[rule.favours] += rule.weight
    return _decide(facts, fired, totals)


# For each question, the questions whose rule must be re-run when its answer changes.
AFFECTED = {q: {q} | {other for other, reads in READS.items() if q in reads} for q in NEUTRAL}


def evaluate_change(base: Evaluation, answers: dict, changed: str, assumptions: CostAssumptions,
                    as_of: date | None = None) -> Evaluation:
    """`evaluate` for answers that differ from `base`'s in one question; re-runs only what that touches.

    Weights are multiples of 0.5, so adjusting the totals is exact.
    """
    facts = derive(answers, assumptions, like=base.facts, changed=changed, as_of=as_of)
    fired = dict(base.fired)
    totals = {PE: base.prompt_engineering, FT: base.fine_tuning}
    for question in AFFECTED[changed]:
        old = fired.pop(question, None)
        if old is not None:
            totals[old.favours] -= old.weight
        if question in facts:
            new = fired[question] = _first_rule(question, facts)
            if new is not None:
                totals[new.favours] += new.weight
    return _decide(facts, fired, totals)


def _required_margin(eff10: int) -> int:
    """The lead fine-tuning needs, by the G1 band of the effective example count (in tenths)."""
    if FEW_EXAMPLES * 10 <= eff10 < PILOT_EXAMPLES * 10:
        return PILOT_MARGIN
    if PILOT_EXAMPLES * 10 <= eff10 < SOLID_EXAMPLES * 10:
        return FEASIBLE_MARGIN
    return FT_MARGIN


def _decide(facts: dict, fired: dict[str, Rule | None], totals: dict[str, float]) -> Evaluation:
    gates = tuple(gate for gate in GATES if gate.when(facts))
    required = _required_margin(facts["_eff10"])
    fine_tuning_wins = not gates and totals[FT] - totals[PE] >= required
    hybrid_because = ()
    if fine_tuning_wins:
        hybrid_because = tuple(text for question, value, text in HYBRID_TRIGGERS
                               if facts.get(question) == value
                               and not (question == "use_case_breadth" and skill_gap(facts)))
    verdict = ("hybrid" if hybrid_because else FT) if fine_tuning_wins else PE
    return Evaluation(verdict, totals[PE], totals[FT], required, fired, gates, hybrid_because, facts)
