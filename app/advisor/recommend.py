"""recommend(answers) -> Recommendation: the one entry point the wizard, API, CLI and PDF share."""

from datetime import date

from app.advisor.costs import DEFAULT_ASSUMPTIONS, CostAssumptions, cost_figures, cost_report
from app.advisor.engine import Evaluation, evaluate
from app.advisor.evaluation import evaluation_plan
from app.advisor.flips import OpenImpact, Probe, flips, knife_edges, open_impacts, probe
from app.advisor.models import Answers, Recommendation
from app.advisor.risks import risks
from app.advisor.routes import judge_routes
from app.advisor.rules import (
    IMPORTANCE,
    PE,
    UNKNOWN,
    examples_basis,
    good_examples_phrase,
    leans,
    neutral_text,
)
from app.advisor.steps import next_steps, revisit_in_weeks
from app.advisor.techniques import techniques
from app.questionnaire import QUESTIONNAIRE_VERSION, load_questionnaire

ENGINE_VERSION = "2.0.0"  # bump whenever a rule, weight, threshold or price changes a result
MAX_OPEN_QUESTIONS = 6
# The nine answers-v2 fields shape techniques, evaluation, risks and costs; unanswered, the engine uses the
# same assumptions as engine 1 did. Counting them as unknowns would lower the confidence of every v1 answer
# set for questions that cannot move its verdict, so confidence weighs the v1 questions only.
V2_FIELDS = frozenset({"prompt_examples_today", "current_model", "deployment", "latency_budget_ms",
                       "uses_tools", "prompt_baseline", "preference_data", "outputs_checkable",
                       "batch_tolerant"})
CONFIDENCE_WEIGHTS = {q: w for q, w in IMPORTANCE.items() if q not in V2_FIELDS}
TOTAL_IMPORTANCE = sum(CONFIDENCE_WEIGHTS.values())

# Why each question matters, for the open-questions list.
WHY_IT_MATTERS = {
    "task_type": "The kind of task decides which prompting techniques fit (reasoning calls for "
                 "chain-of-thought).",
    "accuracy_criticality": "Costly errors call for evaluation rigour and can justify tuning.",
    "output_consistency_need": "A strict format, style or tone is the first reason vendors give for tuning.",
    "domain_specificity": "Specialised language that general text lacks is where tuning helps most.",
    "knowledge_in_base_model": "If a general model already knows the task, prompts are enough.",
    "labeled_examples": "Tuning needs at least 50-100 good examples; thousands make it strong.",
    "data_quality": "Low-quality examples rule tuning out until they are curated.",
    "data_confidential": "Confidential data decides where a model may run.",
    "budget": "A small budget rules out training and hosting costs.",
    "gpu_access": "Compute decides whether you can tune open-weight models yourself.",
    "ml_expertise": "Tuning is an advanced technique; without ML skills only hosted services remain.",
    "time_to_deploy_weeks": "Under three weeks leaves no time for a tuning cycle.",
    "monthly_requests": "At high volume, long few-shot prompts cost enough to pay for tuning.",
    "avg_prompt_tokens_without_examples": "Long standing instructions cost tokens on every call that tuning "
                                          "can absorb.",
    "avg_output_tokens": "Answer length feeds the cost estimate.",
    "latency_sensitive": "Fast answers call for a smaller model, which tuning or distillation can make good "
                         "enough; prompt length matters little.",
    "requirements_change_frequency": "Weekly change rules tuning out; monthly change calls for a hybrid.",
    "use_case_breadth": "Many tasks from one model favour prompting; one narrow task favours tuning.",
    "needs_fresh_or_private_knowledge": "Facts that change or live in private documents need retrieval.",
    "model_access": "Which models you may use decides the tuning route (hosted or open weights).",
    "prompt_examples_today": "Examples resent with every call set what caching or tuning could save.",
    "current_model": "The model in use sets today's cost and whether a retirement date is close.",
    "deployment": "Where the model runs decides how it is paid for (tokens, GPU hours or nothing).",
    "latency_budget_ms": "A tight budget points to a smaller or distilled model.",
    "uses_tools": "Tool calls need strict schemas, per-call checks and guards against injected instructions.",
    "prompt_baseline": "A measured prompt baseline is the evidence for or against tuning.",
    "preference_data": "Better/worse pairs allow preference tuning and make an evaluation set.",
    "outputs_checkable": "Automatic checks make evaluation exact and allow reinforcement fine-tuning.",
    "batch_tolerant": "Work that can wait hours runs at half price through batch APIs.",
}


def _human_tokens(tokens: float) -> str:
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if tokens >= size:
            return f"{tokens / size:.1f} {word}"
    return f"{tokens:,.0f}"


def _model_label(model_id: str | None) -> str | None:
    """The wizard's name for a price-table id; "other" or an id the table no longer lists reads as such."""
    if model_id is None:
        return None
    question = load_questionnaire().question("current_model")
    labels = {c.value: c.label for c in question.choices if c.value != "other"}
    return labels.get(model_id, "a model not in our price table")


def _reasons(ev: Evaluation, answers: dict, assumptions: CostAssumptions) -> list[dict]:
    values = {**ev.facts, "eff": ev.facts["_eff10"] // 10, "good_examples": good_examples_phrase(ev.facts),
              "overhead": _human_tokens(ev.facts["_overhead"]),
              "examples_basis": examples_basis(ev.facts, assumptions),
              "current_model": _model_label(answers.get("current_model"))}
    reasons = []
    for question, rule in ev.fired.items():
        if rule is None:
            favours, weight, text = PE, 0.0, neutral_text(question, answers[question], ev.facts)
            side = leans(question, answers[question])
        else:
            favours, weight, text = rule.favours, float(rule.weight), rule.text
            side = favours
        reasons.append({"question": question, "answer": answers[question], "favours": favours,
                        "weight": weight, "text": text.format_map(values), "leans": side})
    for question, text in UNKNOWN.items():
        if question not in answers:
            reasons.append({"question": question, "answer": None, "favours": PE, "weight": 0.0, "text": text})
    reasons.sort(key=lambda r: -r["weight"])
    return reasons


# Engine 2 (issue 12): a gate that overrides a large score margin is a judgement against strong evidence,
# not a certainty: the base falls from 0.9 by up to this much as the overridden lead grows to 6 points.
OVERRIDE_DROP = 0.3


def _overridden_lead(ev: Evaluation) -> float:
    """How far fine-tuning's score lead exceeds what it needed, when a firm gate keeps it out (else 0)."""
    if not any(gate.firm for gate in ev.gates) or not ev.fine_tuning_justified:
        return 0.0
    return ev.margin - ev.required_margin + 1


# A verdict that a tiny change of a numeric answer would overturn is held at most this firmly (our heuristic,
# engine 2): it sits on a threshold, so the answer's own uncertainty could move it.
KNIFE_EDGE_FACTOR = 0.8


def _confidence(ev: Evaluation, answers: dict, impacts: list[OpenImpact], visible,
                edges: list[Probe] = ()) -> float:
    """High when far from the decision boundary (or held by a firm gate), lower for each unknown."""
    if any(gate.firm for gate in ev.gates):
        base = 0.9 - OVERRIDE_DROP * min(_overridden_lead(ev), 6) / 6
    else:
        distance = abs(ev.margin - (ev.required_margin - 0.5))
        base = 0.5 + 0.45 * min(distance, 6) / 6
    open_weight = sum(w for q, w in CONFIDENCE_WEIGHTS.items() if q not in answers and visible(q))
    unknown = open_weight / TOTAL_IMPORTANCE
    moving = sum(CONFIDENCE_WEIGHTS.get(i.question, 0) for i in impacts if i.verdicts) / TOTAL_IMPORTANCE
    value = base * (1 - 0.5 * unknown - 0.4 * moving) * (KNIFE_EDGE_FACTOR if edges else 1)
    return round(min(max(value, 0.05), 0.95), 2)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _confidence_explained(ev: Evaluation, confidence: float, answers: dict, impacts: list[OpenImpact],
                          visible, edges: list[Probe] = ()) -> dict:
    """What the figure means and what would raise it, in words (issue 12 item 5)."""
    percent = round(confidence * 100)
    meaning = (f"{percent}% is our measure of how firmly your answers support this verdict: it is high when "
               "the evidence is far from the point where the verdict would change, or a firm limit decides "
               "it, and it falls for each important question left open and each one whose answer could "
               "change the verdict. It is not a probability that the approach will succeed; only your "
               "evaluation shows that.")
    lowered, raise_ = [], []
    firm = [g for g in ev.gates if g.firm]
    if firm and _overridden_lead(ev):
        lowered.append("The scores favour fine-tuning by a clear lead, but a firm limit keeps it out for "
                       "now (" + "; ".join(g.text.rstrip(".") for g in firm) + ").")
        raise_.append("Remove that limit (see what would change this), then assess again.")
    elif firm:
        meaning += " Here a firm limit decides it: " + firm[0].text
    else:
        distance = abs(ev.margin - (ev.required_margin - 0.5))
        if distance < 3:
            lowered.append("The evidence is close: fine-tuning's lead is near the margin it needs.")
    for edge in edges[:2]:
        name = edge.question.replace("_", " ")
        lowered.append(f"The verdict sits on a threshold: {name} at {edge.answer:,} "
                       f"instead of {answers[edge.question]:,} would make it "
                       f"{edge.result.verdict.replace('_', ' ')}.")
    if edges:
        raise_.append("Check the figures near a threshold (named above): a firm count settles the verdict.")
    unknown = [q for q in IMPORTANCE if q not in answers and visible(q) and IMPORTANCE[q] >= 2]
    if unknown:
        lowered.append(f"{_count(len(unknown), 'important question is', 'important questions are')} "
                       "still open.")
    if unknown and impacts:
        # Review F14: point to the list only when it has entries, and name its first question.
        first = impacts[0].question.replace("_", " ")
        raise_.append(f"Answer the open questions listed below, starting with the first: {first}.")
    moving = [i.question for i in impacts if i.verdicts]
    if moving:
        lowered.append(f"The answer to {_count(len(moving), 'open question', 'open questions')} could change "
                       "the verdict.")
    if answers.get("prompt_baseline") in (None, "not_measured"):
        raise_.append("Measure your best prompt on an evaluation set against the quality target: a measured "
                      "baseline is stronger evidence than any answer here.")
    if not raise_:
        raise_.append("Little: the answers that matter are given. Your evaluation results are what would "
                      "confirm or overturn the verdict.")
    return {"meaning": meaning, "lowered_by": lowered, "would_raise": raise_}


def _open_questions(impacts: list[OpenImpact]) -> list[dict]:
    result = []
    for impact in impacts[:MAX_OPEN_QUESTIONS]:
        why = WHY_IT_MATTERS[impact.question]
        if impact.verdicts:
            names = " or ".join(v.replace("_", " ") for v in impact.verdicts)
            why += f" Your answer could change the verdict to {names}."
        else:
            why += " Your answer would change how firm the verdict is."
        result.append({"question": impact.question, "why": why})
    return result


def recommend(answers: dict | Answers, assumptions: CostAssumptions | None = None, *,
              as_of: date | None = None) -> Recommendation:
    """The recommendation for answers-v2 (dict or model; v1 is a subset); pydantic.ValidationError on bad
    input. `as_of` is the day the advice is for (None: today): everything time-dependent (retirements,
    tuning routes that close, time-bound prices) reads it, never the clock, so a result is reproducible."""
    as_of = as_of or date.today()
    model = answers if isinstance(answers, Answers) else Answers.model_validate(answers)
    given = model.model_dump(exclude_none=True)
    assumptions = assumptions or DEFAULT_ASSUMPTIONS
    questionnaire = load_questionnaire()

    shown = {q.id: questionnaire.is_visible(q, given) for q in questionnaire.questions}
    visible = shown.__getitem__

    ev = evaluate(given, assumptions, as_of)
    probes = probe(given, ev, assumptions, as_of)
    impacts = open_impacts(given, ev, probes, visible)
    add_retrieval = given.get("needs_fresh_or_private_knowledge") is True  # 5.4 R1
    revisit = revisit_in_weeks(ev)
    routes = judge_routes(ev.facts, as_of, revisit)  # domain-2026.md 6.3 A1-A4, judged on as_of
    chosen = techniques(ev, routes)
    edges = knife_edges(given, ev, probes)
    confidence = _confidence(ev, given, impacts, visible, edges)
    report = cost_report(given, ev.verdict, add_retrieval, assumptions, as_of=as_of, revisit_weeks=revisit)
    figures = cost_figures(given, assumptions, as_of, ev.verdict, add_retrieval, report)
    return Recommendation.model_validate({
        "verdict": ev.verdict,
        "confidence": confidence,
        "scores": {"prompt_engineering": ev.prompt_engineering, "fine_tuning": ev.fine_tuning},
        "reasons": _reasons(ev, given, assumptions),
        "flips": flips(given, ev, probes),
        "techniques": chosen,
        "add_retrieval": add_retrieval,
        "risks": risks(ev, chosen),
        "next_steps": next_steps(ev, add_retrieval, routes),
        "costs": {
            "currency": "USD",
            "monthly_prompt_engineering": figures.monthly_prompt_engineering,
            "monthly_fine_tuned": figures.monthly_fine_tuned,
            "one_time_fine_tuning": figures.one_time_fine_tuning,
            "break_even_months": figures.break_even_months,
            "assumptions": list(figures.assumptions),
            "options": [option.as_dict() for option in report.options],
            "recommended_option": report.recommended_option,
            "why_not_cheapest": report.why_not_cheapest,
            "prices_as_of": as_of.isoformat(),
            "notices": list(report.notices),
        },
        "open_questions": _open_questions(impacts),
        "revisit_in_weeks": revisit,
        "questionnaire_version": QUESTIONNAIRE_VERSION,
        "engine_version": ENGINE_VERSION,
        "confidence_explained": _confidence_explained(ev, confidence, given, impacts, visible, edges),
        "evaluation_plan": evaluation_plan(ev),
        "tuning_routes": routes,
        "as_of": as_of.isoformat(),
    })

