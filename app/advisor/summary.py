"""A readable plain-text summary of a recommendation (`advisor recommend --format text`), and the one-line
summary of its verdict that the result page shows under the verdict."""

from collections.abc import Mapping

from app.advisor.models import Recommendation
from app.advisor.words import verdict_label

TOP_REASONS = 6
SUMMARY_REASONS = 3  # the strongest reasons the one-line summary names

# Short names for what a weighted reason says, by question and the side it favours (the rows of rules.py).
FOR_TUNING = {
    "output_consistency_need": "a strict format, style or tone",
    "domain_specificity": "specialised language",
    "accuracy_criticality": "costly errors",
    "labeled_examples": "plenty of good examples",
    "monthly_requests": "a volume at which few-shot prompts get expensive",
    "avg_prompt_tokens_without_examples": "long instructions",
    "latency_sensitive": "a need for fast answers with long prompts",
    "use_case_breadth": "one narrow task",
    "budget": "a budget for training",
    "ml_expertise": "strong machine-learning skills",
}
FOR_PROMPTING = {
    "labeled_examples": "too few good examples for tuning yet",
    "data_quality": "low-quality examples",
    "time_to_deploy_weeks": "a deadline too close for a tuning cycle",
    "requirements_change_frequency": "requirements that change every week",
    "output_consistency_need": "no strict format need",
    "budget": "a small budget",
    "ml_expertise": "no machine-learning skills in the team",
    "model_access": "open-weight models only",  # G3 row: always next to "no machine-learning skills"
    "use_case_breadth": "many kinds of task from one model",
    "knowledge_in_base_model": "a general model that already knows the task",
    "domain_specificity": "everyday language",
    "accuracy_criticality": "mistakes that are cheap",
    "monthly_requests": "low volume",
    "task_type": "reasoning-heavy work",
}


def _named(reasons: list[Mapping], favours: str, names: Mapping[str, str]) -> str:
    """The strongest weighted reasons for one side, as 'a, b and c' (empty when none fired)."""
    weighted = sorted((r for r in reasons if r["favours"] == favours and float(r["weight"]) > 0),
                      key=lambda r: -float(r["weight"]))
    phrases = list(dict.fromkeys(names[r["question"]] for r in weighted if r["question"] in names))
    phrases = phrases[:SUMMARY_REASONS]
    return ", ".join(phrases[:-1]) + " and " + phrases[-1] if len(phrases) > 1 else "".join(phrases)


def verdict_summary(recommendation: Recommendation | Mapping) -> str:
    """One sentence on the verdict that names only the reasons that actually weighed in it."""
    r = (recommendation.model_dump(mode="json") if isinstance(recommendation, Recommendation)
         else recommendation)
    reasons = r.get("reasons", [])
    if r["verdict"] == "prompt_engineering":
        against = _named(reasons, "prompt_engineering", FOR_PROMPTING)
        if not against:
            return ("Start with prompt engineering, the default vendors recommend: your answers do not yet "
                    "make a clear case for training a model.")
        return ("Start with prompt engineering, the default vendors recommend: your answers show "
                f"{against}, so training a model is not justified yet.")
    case = _named(reasons, "fine_tuning", FOR_TUNING) or "the reasons below"
    if r["verdict"] == "fine_tuning":
        return (f"Fine-tune a model: your answers show {case}, a clear case for training that nothing rules "
                "out.")
    keep = "prompts and retrieval" if r.get("add_retrieval") else "prompts"
    return (f"Combine them: your answers show {case}, a clear case for tuning the stable core; keep "
            f"{keep} for what changes or needs control per request.")


def _money(value: float) -> str:
    return f"${value:,.2f}"


def text_summary(recommendation: Recommendation) -> str:
    r = recommendation
    lines = [
        f"Verdict: {verdict_label(r.verdict)} (confidence {r.confidence:.0%})",
        verdict_summary(r),
        f"Scores: prompt engineering {r.scores.prompt_engineering:g}, fine-tuning {r.scores.fine_tuning:g}",
    ]
    if r.add_retrieval:
        lines.append("Add retrieval (RAG): answers need facts that change or live in private documents.")
    lines += ["", "Why:"]
    weighted = [reason for reason in r.reasons if reason.weight] or r.reasons
    lines += [f"  - {reason.text} ({reason.favours.replace('_', ' ')}, weight {reason.weight:g})"
              for reason in weighted[:TOP_REASONS]]
    if r.flips:
        lines += ["", "What would change it:"]
        lines += [f"  - {flip.question} = {flip.answer!r} -> {flip.verdict.replace('_', ' ')}"
                  for flip in r.flips]
    lines += ["", "Techniques:"] + [f"  - {t.name}: {t.why}" for t in r.techniques]
    lines += ["", "Risks:"]
    for risk in r.risks:
        lines.append(f"  - {risk.text}")
        lines += [f"      * {m}" for m in risk.mitigations]
    lines += ["", "Next steps:"] + [f"  {i}. {step}" for i, step in enumerate(r.next_steps, 1)]
    if r.evaluation_plan:  # engine 2.0.0
        plan = r.evaluation_plan
        lines += ["", "How to test this:", f"  Measure: {'; '.join(plan.metrics)}",
                  f"  Grade with: {plan.grader}", f"  Test data: {plan.data}",
                  f"  Decide by: {plan.threshold}", f"  Regression set: {plan.regression_set}"]
        lines += [f"  Retrieval check: {check}" for check in plan.retrieval_checks]
        lines += [f"  Tool-call check: {check}" for check in plan.tool_call_checks]
    if r.confidence_explained:
        lines += ["", f"Confidence: {r.confidence_explained.meaning}"]
        lines += [f"  - holds it down: {item}" for item in r.confidence_explained.lowered_by]
        lines += [f"  - would raise it: {item}" for item in r.confidence_explained.would_raise]
    c = r.costs
    on_device = next((o for o in c.options if o.id == "on_device"), None)
    if on_device is not None:
        # The v1 pair prices a hosted prompt and a hosted tuned model; neither applies to a team that runs
        # the model on the device (review finding F4), so only the on-device line is printed.
        lines += [
            "", "Costs (USD):",
            f"  {on_device.label}: {_money(on_device.monthly_expected)} a month, not priced per token or "
            "per GPU-hour (the model runs on your users' devices)"
            + (f"; {_money(on_device.one_time)} once for data preparation and training"
               if on_device.one_time else ""),
        ] + [f"  - {a}" for a in on_device.assumptions]
        lines += [f"  Notice: {notice}" for notice in c.notices]
        return _tail(r, lines)
    break_even = ("never on these figures" if c.break_even_months is None
                  else "within the first month" if c.break_even_months < 1
                  else f"after {c.break_even_months:g} months")
    lines += [
        "", "Costs (USD):",
        f"  Prompting with few-shot examples: {_money(c.monthly_prompt_engineering)} a month",
        f"  Fine-tuned model: {_money(c.monthly_fine_tuned)} a month before retraining, "
        f"plus {_money(c.one_time_fine_tuning)} once for data preparation and training",
        f"  Break-even: {break_even}",
    ] + [f"  - {a}" for a in c.assumptions]
    return _tail(r, lines)


def _tail(r: Recommendation, lines: list[str]) -> str:
    if r.open_questions:
        lines += ["", "Open questions:"] + [f"  - {q.question}: {q.why}" for q in r.open_questions]
    lines += ["", f"Revisit in {r.revisit_in_weeks} weeks. "
              f"(questionnaire v{r.questionnaire_version}, engine {r.engine_version})"]
    return "\n".join(lines)
