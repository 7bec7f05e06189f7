"""recommend(answers) -> Recommendation: the one entry point the wizard, API, CLI and PDF share."""

from datetime import date

from app.advisor.costs import DEFAULT_ASSUMPTIONS, CostAssumptions, cost_figures, cost_report
from app.advisor.engine import Evaluation, evaluate
from app.advisor.flips import OpenImpact, flips, open_impacts, probe
from app.advisor.models import Answers, Recommendation
from app.advisor.risks import risks
from app.advisor.rules import IMPORTANCE, PE, UNKNOWN, good_examples_phrase, neutral_text
from app.advisor.steps import next_steps, revisit_in_weeks
from app.advisor.techniques import techniques
from app.questionnaire import QUESTIONNAIRE_VERSION, load_questionnaire

ENGINE_VERSION = "1.3.0"  # bump whenever a rule, weight, threshold or price changes a result
MAX_OPEN_QUESTIONS = 6
TOTAL_IMPORTANCE = sum(IMPORTANCE.values())

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
    "avg_prompt_tokens_without_examples": "Long prompts slow answers and cost tokens that tuning can save.",
    "avg_output_tokens": "Answer length feeds the cost estimate.",
    "latency_sensitive": "Fast answers with long prompts favour a tuned model with a short prompt.",
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


def _reasons(ev: Evaluation, answers: dict) -> list[dict]:
    values = {**ev.facts, "eff": ev.facts["_eff10"] // 10, "good_examples": good_examples_phrase(ev.facts),
              "overhead": _human_tokens(ev.facts["_overhead"])}
    reasons = []
    for question, rule in ev.fired.items():
        if rule is None:
            favours, weight, text = PE, 0.0, neutral_text(question, answers[question], ev.facts)
        else:
            favours, weight, text = rule.favours, float(rule.weight), rule.text
        reasons.append({"question": question, "answer": answers[question], "favours": favours,
                        "weight": weight, "text": text.format_map(values)})
    for question, text in UNKNOWN.items():
        if question not in answers:
            reasons.append({"question": question, "answer": None, "favours": PE, "weight": 0.0, "text": text})
    reasons.sort(key=lambda r: -r["weight"])
    return reasons


def _confidence(ev: Evaluation, answers: dict, impacts: list[OpenImpact], visible) -> float:
    """High when far from the decision boundary (or held by a firm gate), lower for each unknown."""
    if any(gate.firm for gate in ev.gates):
        base = 0.9
    else:
        distance = abs(ev.margin - (ev.required_margin - 0.5))
        base = 0.5 + 0.45 * min(distance, 6) / 6
    unknown = sum(w for q, w in IMPORTANCE.items() if q not in answers and visible(q)) / TOTAL_IMPORTANCE
    moving = sum(IMPORTANCE[i.question] for i in impacts if i.verdicts) / TOTAL_IMPORTANCE
    value = base * (1 - 0.5 * unknown - 0.4 * moving)
    return round(min(max(value, 0.05), 0.95), 2)


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
    report = cost_report(given, ev.verdict, add_retrieval, assumptions, as_of=as_of, revisit_weeks=revisit)
    figures = cost_figures(given, assumptions, as_of, ev.verdict, add_retrieval, report)
    return Recommendation.model_validate({
        "verdict": ev.verdict,
        "confidence": _confidence(ev, given, impacts, visible),
        "scores": {"prompt_engineering": ev.prompt_engineering, "fine_tuning": ev.fine_tuning},
        "reasons": _reasons(ev, given),
        "flips": flips(given, ev, probes),
        "techniques": techniques(ev),
        "add_retrieval": add_retrieval,
        "risks": risks(ev),
        "next_steps": next_steps(ev, add_retrieval),
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
    })

