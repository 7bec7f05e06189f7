"""An evaluation plan per result (domain-2026.md 2.8 and 6.4 E1-E4): metrics for the task, the grader, the
data to use, the threshold that decides, a regression set, and retrieval and tool-call checks where they
apply."""

from app.advisor.engine import Evaluation
from app.advisor.rules import PE

# domain-2026.md 2.8 table: primary metrics by task type.
METRICS = {
    "classification": ["accuracy", "per-class precision, recall and F1", "confusion matrix"],
    "extraction": ["schema validity (100% expected with strict schemas)", "per-field exact match or F1"],
    "code": ["unit-test pass rate (run in a sandbox)"],
    "summarization": ["rubric score (coverage, faithfulness to the source, length)",
                      "pairwise win rate against the current output"],
    "generation": ["rubric score (brief followed, tone, facts)", "pairwise win rate against the current "
                                                                 "output"],
    "conversation": ["rubric score per turn (resolved, correct, tone)", "task success per conversation"],
    "translation": ["terminology accuracy on a glossary", "rubric or pairwise score by a fluent reviewer"],
    "question_answering": ["answer correctness against reference answers", "rubric score for completeness"],
    "reasoning": ["final-answer accuracy", "rubric score of the steps where they are shown"],
}
GENERIC_METRICS = ["a task-specific rubric score", "pass rate against expected outputs"]
CODE_GRADED = frozenset({"classification", "extraction", "code"})
# Anthropic (domain-2026.md 2.8): many auto-graded cases beat a few hand-graded ones; no vendor minimum.
STARTER_CASES = "50-100"
HELD_OUT_SHARE = 0.2  # domain.md 7 / steps: hold out 10-20% for validation; the larger share for a test set
FEW_SHOT_MIN, FEW_SHOT_MAX = 3, 10  # techniques.py: "put 3-10 of your best examples in the prompt"
MAX_HELD_OUT = 2_000  # beyond this, more test cases add little and cost judge tokens (our heuristic)


def _grader(f: dict) -> str:
    task = f.get("task_type")
    if task in CODE_GRADED or f.get("outputs_checkable") is True:
        return ("Code: compare with expected outputs or run the checks automatically (fastest and most "
                "reliable grader, Anthropic).")
    return ("An LLM judge with a clear rubric and a pass/fail or 1-5 score, used only after its agreement "
            "with a human-labelled sample is measured and reported; swap answer order to avoid position "
            "bias (Zheng et al. 2023).")


def _data(f: dict) -> str:
    examples = f.get("labeled_examples") or 0
    if examples >= 100:
        share = int(examples * HELD_OUT_SHARE)
        # Review F16: say the arithmetic as it is ("20% would be 10,000; 2,000 is enough"), not "a random
        # 20%, at most 2,000" beside a figure that is not 20%.
        why = (f"{HELD_OUT_SHARE:.0%} would be {share:,}; {MAX_HELD_OUT:,} is enough"
               if share > MAX_HELD_OUT else f"{HELD_OUT_SHARE:.0%} of them")
        held = min(share, MAX_HELD_OUT)
        return (f"Hold out {held:,} of your {examples:,} examples, picked at random, that no prompt or "
                f"training run ever sees ({why}), plus the edge cases you know.")
    if examples:
        # Review F16: the few examples also go into the prompt as few-shot examples; an example the prompt
        # shows cannot test it, so say which go where (techniques: 3-10 in the prompt).
        if examples <= FEW_SHOT_MAX // 3:
            split = (f"Your {examples:,} example{'s go' if examples != 1 else ' goes'} into the prompt, so "
                     "the test set must come from elsewhere")
        else:
            in_prompt = min(FEW_SHOT_MAX, max(FEW_SHOT_MIN, examples // 4))
            split = (f"Put {in_prompt:,} of your {examples:,} examples in the prompt and the other "
                     f"{examples - in_prompt:,} in the test set, never the same one in both")
        return (f"{split}; add {STARTER_CASES} real cases with expected outputs, drawn from the inputs "
                "production will see, edge cases included.")
    return (f"{STARTER_CASES} real cases with expected outputs, drawn from the inputs production will see, "
            "edge cases included; grow it from real use.")


def _threshold(ev: Evaluation) -> str:
    f = ev.facts
    strict = f.get("accuracy_criticality") == "high"
    target = ("the quality target agreed with the people who bear the cost of errors, set before any run"
              if strict else "the quality target written down before any run")
    if ev.verdict == PE:
        return (f"Ship the prompt when it meets {target}; if the best of at least two model tiers stays "
                "below it, that measured gap is the case for a tuning pilot.")
    return (f"Adopt the tuned model only if it beats the best prompt baseline on the held-out set and meets "
            f"{target}, without losing ground on the regression set; otherwise keep the prompt.")


def _retrieval_checks(f: dict) -> list[str]:
    if f.get("needs_fresh_or_private_knowledge") is not True:
        return []
    return ["Retrieval, scored on its own: context recall and precision (recall@k) on questions labelled "
            "with their relevant passages (RAGAS).",
            "Generation: faithfulness of each answer to the retrieved passages and answer correctness, "
            "measured separately, because a tuned model cannot fix a retrieval miss (RAGAS)."]


def _tool_checks(f: dict) -> list[str]:
    if f.get("uses_tools") is not True:
        return []
    return ["Per tool call: the right tool at the right time, arguments valid against the schema, argument "
            "values grounded in the conversation (Microsoft and DeepEval tool-call evaluators).",
            "Per task: end-to-end success, and refusal or confirmation before high-stakes actions.",
            "Adversarial cases: instructions hidden in tool results or retrieved text must not be followed "
            "(OWASP LLM01)."]


def evaluation_plan(ev: Evaluation) -> dict:
    f = ev.facts
    metrics = list(METRICS.get(f.get("task_type"), GENERIC_METRICS))
    if f.get("latency_budget_ms") is not None or f.get("latency_sensitive") is True:
        metrics.append("p95 end-to-end latency, time to first token and total time measured separately "
                       "(OpenAI latency guide)")
    if f.get("preference_data") is True:
        metrics.append("pairwise preference win rate against the current output, order randomised")
    return {
        "metrics": metrics,
        "grader": _grader(f),
        "data": _data(f),
        "threshold": _threshold(ev),
        "regression_set": ("Freeze the held-out set as a regression set and re-run it on every prompt change "
                           "and before any model upgrade or retirement move"
                           + (", plus general tasks to catch forgetting after tuning" if ev.verdict != PE
                              else "")
                           + "; OpenAI's hosted Evals closed on 2026-11-30, so run it in your own tooling "
                           "(e.g. Promptfoo)."),
        "retrieval_checks": _retrieval_checks(f),
        "tool_call_checks": _tool_checks(f),
    }
