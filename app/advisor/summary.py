"""A readable plain-text summary of a recommendation (`advisor recommend --format text`)."""

from app.advisor.models import Recommendation

VERDICT_NAMES = {
    "prompt_engineering": "Prompt engineering",
    "fine_tuning": "Fine-tuning",
    "hybrid": "Hybrid: fine-tune the stable core, prompt the rest",
}
TOP_REASONS = 6


def _money(value: float) -> str:
    return f"${value:,.2f}"


def text_summary(recommendation: Recommendation) -> str:
    r = recommendation
    lines = [
        f"Verdict: {VERDICT_NAMES[r.verdict]} (confidence {r.confidence:.0%})",
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
    c = r.costs
    break_even = ("never on tokens alone" if c.break_even_months is None
                  else f"{c.break_even_months:g} months")
    lines += [
        "", "Costs (USD):",
        f"  Prompting with few-shot examples: {_money(c.monthly_prompt_engineering)} a month",
        f"  Fine-tuned model: {_money(c.monthly_fine_tuned)} a month, "
        f"plus {_money(c.one_time_fine_tuning)} to train",
        f"  Break-even: {break_even}",
    ] + [f"  - {a}" for a in c.assumptions]
    if r.open_questions:
        lines += ["", "Open questions:"] + [f"  - {q.question}: {q.why}" for q in r.open_questions]
    lines += ["", f"Revisit in {r.revisit_in_weeks} weeks. "
              f"(questionnaire v{r.questionnaire_version}, engine {r.engine_version})"]
    return "\n".join(lines)
