"""The engine's rules as data: evidence rows (a question, a condition, what it favours, a weight, a
sentence) and gates (feasibility limits that keep fine-tuning off the table for now).

Every row cites the section of shared/domain.md it comes from. Weights: 1 = weak, 3 = strong (5.x).
Conditions read `facts`: the answers plus derived values whose keys start with "_" (see `derive`).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from app.advisor.costs import CostAssumptions, few_shot_tokens_per_month, monthly_costs

PE, FT = "prompt_engineering", "fine_tuning"

# Quality factors in tenths (G1: high 1.0, medium 0.7, low 0.3); our heuristic, domain.md 5.1 and 9.
QUALITY_TENTHS = {"high": 10, "medium": 7, "low": 3}
UNKNOWN_QUALITY = "medium"  # an unrated dataset counts as medium until someone reviews it
# Effective-example thresholds of G1 (OpenAI 50; Google/AWS 100; LIMA 1,000; full FT 10,000).
FEW_EXAMPLES, PILOT_EXAMPLES, SOLID_EXAMPLES, MANY_EXAMPLES = 50, 100, 1_000, 10_000
# G2: a fine-tuning cycle (data, training, evaluation) does not fit in under 3 weeks [derived].
SHORT_DEADLINE_WEEKS, COMFORTABLE_DEADLINE_WEEKS = 3, 6
# F5 thresholds on few-shot tokens resent per month (domain.md 4.5: below ~1e9 savings rarely matter).
OVERHEAD_TOKENS = (1e9, 1e10, 1e11)
LOW_VOLUME_REQUESTS = 10_000  # P5: below this, fixed costs dominate any per-token saving
LONG_PROMPT_TOKENS = 2_000  # instructions long enough that training them in pays (Azure 2025)
LATENCY_PROMPT_TOKENS = 1_000  # F6: a prompt long enough that trimming it helps latency


def effective_tenths(facts: dict) -> int:
    """labeled_examples x quality factor, in tenths of an example (exact integer arithmetic)."""
    count = facts.get("labeled_examples") or 0
    quality = facts.get("data_quality") or UNKNOWN_QUALITY
    return count * QUALITY_TENTHS[quality]


def good_examples_phrase(facts: dict) -> str:
    """'About N good examples', with the raw count when the quality factor discounted it (G1)."""
    count, good = facts.get("labeled_examples") or 0, facts["_eff10"] // 10
    phrase = f"About {good:,} good examples"
    if count == good:
        return phrase
    quality = facts.get("data_quality")
    rated = f"{quality} quality" if quality else f"unrated quality, counted as {UNKNOWN_QUALITY}"
    return f"{phrase} ({count:,} at {rated})"


def has_at_least(facts: dict, examples: int) -> bool:
    return facts["_eff10"] >= examples * 10


DATA_FIELDS = frozenset({"labeled_examples", "data_quality"})
VOLUME_FIELDS = frozenset({"monthly_requests", "avg_prompt_tokens_without_examples", "avg_output_tokens",
                           "prompt_examples_today"})
# Everything costs.monthly_costs reads besides the v2 fields the flips never change: volume, who may
# self-host (model access, skills, GPUs), retraining (change, examples) and retrieval (fresh facts).
COST_FIELDS = VOLUME_FIELDS | {"model_access", "ml_expertise", "gpu_access", "requirements_change_frequency",
                               "labeled_examples", "needs_fresh_or_private_knowledge", "data_confidential",
                               "time_to_deploy_weeks"}


def example_overhead(answers: dict, assumptions: CostAssumptions) -> float:
    """Example tokens resent a month. Engine 2: the team's own count (prompt_examples_today, 0 allowed) when
    answered, else the cost model's assumed block (issue 12: teams often send none, so an assumed block
    must not be scored as if it were theirs)."""
    today = answers.get("prompt_examples_today")
    if today is None:
        return few_shot_tokens_per_month(answers, assumptions)
    return (answers.get("monthly_requests") or 0) * today * assumptions.tokens_per_example


def examples_basis(facts: dict, assumptions: CostAssumptions) -> str:
    """The subject of the volume reasons: the team's own example count, or our assumption said as one."""
    today = facts.get("prompt_examples_today")
    if today is not None:
        return f"your prompt's {today:,} example{'s add' if today != 1 else ' adds'}"
    return (f"the ~{assumptions.examples_in_prompt} examples we assume a prompt carries (you have not said "
            "how many yours does) add")


def derive(answers: dict, assumptions: CostAssumptions, like: dict | None = None, changed: str = "",
           as_of: date | None = None) -> dict:
    """The answers plus the derived values the rules read; `as_of` dates the prices F5 compares.

    With `like` (the facts of answers that differ only in `changed`), unaffected values are copied.
    """
    facts = dict(answers)
    if not facts.get("labeled_examples"):
        facts.pop("data_quality", None)  # quality of no examples means nothing (questionnaire show-if)
    if like is not None and changed not in DATA_FIELDS:
        facts["_eff10"] = like["_eff10"]
    else:
        facts["_eff10"] = effective_tenths(facts)
    # The example tokens depend on the volume answers only; the price comparison on every cost answer.
    if like is not None and changed not in VOLUME_FIELDS:
        facts["_overhead"] = like["_overhead"]
    else:
        facts["_overhead"] = example_overhead(answers, assumptions)
    if like is not None and changed not in COST_FIELDS:
        facts["_tuned_cheaper"] = like["_tuned_cheaper"]
    else:
        # F5 fires only when the options table shows a tuned route the team can use that costs less a
        # month than prompting (the same figures: costs.monthly_costs mirrors the table). Only F5 reads
        # the comparison, so it is priced only when F5's volume condition holds (recommend() < 2 ms).
        facts["_tuned_cheaper"] = False
        if answers.get("monthly_requests") is not None and facts["_overhead"] >= OVERHEAD_TOKENS[0]:
            prompting, tuned = monthly_costs(answers, assumptions, as_of)
            facts["_tuned_cheaper"] = prompting is not None and tuned is not None and tuned < prompting
    if like is not None and changed not in USE_CASE_OR_COST_FIELDS:  # F5 is a use-case rule
        facts["_use_case"] = like["_use_case"]
    else:
        facts["_use_case"] = clear_use_case(facts)
    return facts


@dataclass(frozen=True)
class Rule:
    id: str
    question: str
    when: Callable[[dict], bool]
    favours: str
    weight: float
    text: str  # str.format(**facts, eff=..., good_examples=..., overhead=...) at output time
    source: str


def _no_tuning_route(f: dict) -> bool:
    """5.1 G3: without ML skills only hosted tuning is open, and hosted tuning needs API models."""
    return f.get("model_access") == "open_weights" and f.get("ml_expertise") == "none"


def _usable_quality(f: dict) -> bool:
    return f.get("data_quality") != "low"


def _is(question: str, *values) -> Callable[[dict], bool]:
    return lambda f: f.get(question) in values


def _latency_need(f: dict) -> bool:
    """F6's condition: fast answers with a prompt long enough that a tuned smaller model helps."""
    return (f.get("latency_sensitive") is True
            and (f.get("avg_prompt_tokens_without_examples") or 0) >= LATENCY_PROMPT_TOKENS)


def _overhead_at_least(tokens: float) -> Callable[[dict], bool]:
    return lambda f: (f.get("monthly_requests") is not None and f["_overhead"] >= tokens
                      and f["_tuned_cheaper"])


# Per question, the first row whose condition holds gives that answer's reason.
RULES: tuple[Rule, ...] = (
    Rule("F4", "accuracy_criticality", _is("accuracy_criticality", "high"), FT, 1,
         "Wrong answers are costly. A tuned model is more reliable on the exact task, but only once a "
         "prompt baseline and an evaluation set prove it; pair it with retrieval where facts matter.",
         "5.2 F4; Azure, microsoft/LLM-Fine-Tuning-Azure"),
    Rule("P-acc", "accuracy_criticality", _is("accuracy_criticality", "low"), PE, 1,
         "Mistakes are cheap, so a prompt that is right most of the time is the quick, sensible start.",
         "5.3 P1; Google: prompting for rapid prototyping"),
    Rule("F1", "output_consistency_need", _is("output_consistency_need", "high"), FT, 3,
         "Outputs must follow one format, style or tone every time: the use case vendors name first for "
         "fine-tuning, because a tuned model learns the pattern instead of being reminded of it.",
         "5.2 F1; OpenAI, Azure, Google, AWS, seeds 000/002/003"),
    Rule("P-cons", "output_consistency_need", _is("output_consistency_need", "low"), PE, 1,
         "A loose format is easy to ask for in plain instructions; nothing needs to be trained in.",
         "5.3 P3; Google: base models suffice when the task is easy to state"),
    Rule("P-use", "output_consistency_need", lambda f: not f["_use_case"], PE, 1,
         "No clear use case for tuning yet: no strict format or style, specialised language, costly errors, "
         "long prompts, latency or volume that a tuned model would fix. Azure names this the first sign a "
         "team is not ready; having examples is not a reason to tune on its own.",
         "1.2 Azure: signs you are not ready; 0.2: fine-tuning teaches behaviour"),
    Rule("F3", "domain_specificity",
         lambda f: f.get("domain_specificity") == "high"
         and f.get("knowledge_in_base_model") in ("partly", "no"),
         FT, 2,
         "The domain's language is specialised and a general model does not fully know it: supervised "
         "tuning helps most when the task's language differs from general text.",
         "5.2 F3; Google supervised tuning page"),
    # 5.2 F3: "if the gap is facts, see R1 instead": when answers need fresh or private facts, a domain the
    # model knows (or a medium one it does not) points to retrieval, not to tuning.
    Rule("F3-weak", "domain_specificity",
         lambda f: f.get("needs_fresh_or_private_knowledge") is not True
         and (f.get("domain_specificity") == "high"
              or (f.get("domain_specificity") == "medium" and f.get("knowledge_in_base_model") == "no")),
         FT, 1,
         "Specialised vocabulary or reasoning: prompts with definitions and examples may get there, "
         "tuning teaches it more reliably.",
         "5.2 F3 (not for a facts gap: 5.4 R1); seeds on jargon"),
    Rule("P-dom", "domain_specificity", _is("domain_specificity", "low"), PE, 1,
         "Everyday language: a general model already handles it when the task is clearly stated.",
         "5.3 P3; Google"),
    Rule("P3", "knowledge_in_base_model", _is("knowledge_in_base_model", "yes"), PE, 1,
         "A general model already knows what the task needs, so instructions and a few examples suffice.",
         "5.3 P3; Google: base models are enough when the prompt consistently works"),
    Rule("G1-none", "labeled_examples", _is("labeled_examples", 0), PE, 3,
         "No labelled examples yet: there is nothing to fine-tune on. Prompting works zero-shot without "
         "data; collect examples from real use as you go.",
         "5.1 G1; Anthropic: prompting needs no labelled data"),
    Rule("G1-few", "labeled_examples", lambda f: not has_at_least(f, FEW_EXAMPLES), PE, 3,
         "{good_examples} is too few to fine-tune yet (OpenAI starts at 50 well-made ones, "
         "Google and AWS at 100): use them as few-shot examples and keep collecting.",
         "5.1 G1; OpenAI SFT guide, Vertex, AWS Nova"),
    Rule("G1-pilot", "labeled_examples", lambda f: not has_at_least(f, PILOT_EXAMPLES), PE, 1,
         "{good_examples} is enough for a small tuning pilot (OpenAI) but below the 100 that "
         "Google and AWS ask for: lean on prompting unless other needs are strong.",
         "5.1 G1"),
    # 5.2 F7 is "plentiful and high quality ... within G1": low-quality data is no ground for tuning, however
    # many examples the quality factor leaves (G1-quality rules tuning out instead).
    Rule("F7-many", "labeled_examples", lambda f: has_at_least(f, MANY_EXAMPLES) and _usable_quality(f),
         FT, 2,
         "{good_examples}: plenty for parameter-efficient tuning, even full fine-tuning.",
         "5.2 F7; Azure: hundreds to thousands"),
    Rule("F7", "labeled_examples", lambda f: has_at_least(f, SOLID_EXAMPLES) and _usable_quality(f), FT, 1,
         "{good_examples}: solid ground for tuning (LIMA taught style with 1,000 curated pairs).",
         "5.2 F7; LIMA; Azure"),
    Rule("G1-quality", "data_quality", _is("data_quality", "low"), PE, 2,
         "The examples are of low quality: tuning on bad data degrades the base model and bakes in its "
         "errors and biases. Curate a clean subset first.",
         "5.1 G1; Azure 2023/2025; seed 000"),
    Rule("P2-budget", "budget", _is("budget", "low"), PE, 2,
         "A small budget: prompting needs no training runs, data pipeline or hosting.",
         "5.3 P2; Anthropic; Azure"),
    Rule("F-budget", "budget", _is("budget", "high"), FT, 0.5,
         "The budget covers data preparation, training and evaluation, so tuning is affordable if it helps.",
         "seeds 001/003 (budget); Azure: extra training and hosting cost"),
    Rule("P2-skills", "ml_expertise", _is("ml_expertise", "none"), PE, 2,
         "No machine-learning experience in the team: fine-tuning is an advanced technique that needs it; "
         "at most a hosted tuning service.",
         "5.3 P2; 5.1 G3; Azure"),
    Rule("F-skills", "ml_expertise", _is("ml_expertise", "strong"), FT, 0.5,
         "Strong machine-learning skills make training, evaluating and running a tuned model realistic.",
         "5.1 G3; Azure"),
    Rule("G2", "time_to_deploy_weeks",
         lambda f: f.get("time_to_deploy_weeks") is not None
         and f["time_to_deploy_weeks"] < SHORT_DEADLINE_WEEKS,
         PE, 3,
         "{time_to_deploy_weeks} week(s) to go live: too short for data preparation, training and "
         "evaluation. Ship with prompts now and plan tuning as a next step.",
         "5.1 G2; vendor guidance: baseline and evals first"),
    Rule("G2-mid", "time_to_deploy_weeks",
         lambda f: f.get("time_to_deploy_weeks") is not None
         and f["time_to_deploy_weeks"] < COMFORTABLE_DEADLINE_WEEKS,
         PE, 1,
         "{time_to_deploy_weeks} weeks to go live: a tuning cycle fits only if the data is ready today "
         "and a hosted tuning service can run it.",
         "5.1 G2"),
    Rule("F5-3", "monthly_requests", _overhead_at_least(OVERHEAD_TOKENS[2]), FT, 3,
         "At {monthly_requests:,} requests a month, {examples_basis} up to about {overhead} example "
         "tokens resent a month; a tuned model with a short prompt would not resend them (compare the "
         "cost options: caching shrinks this saving).",
         "5.2 F5; 4.4 examples 2-3; 4.5; domain-2026.md 2.5 (caching)"),
    Rule("F5-2", "monthly_requests", _overhead_at_least(OVERHEAD_TOKENS[1]), FT, 2,
         "At {monthly_requests:,} requests a month, {examples_basis} up to about {overhead} example "
         "tokens resent a month; a tuned model with a short prompt would not resend them (compare the "
         "cost options: caching shrinks this saving).",
         "5.2 F5; 4.4; 4.5; domain-2026.md 2.5"),
    Rule("F5-1", "monthly_requests", _overhead_at_least(OVERHEAD_TOKENS[0]), FT, 1,
         "At {monthly_requests:,} requests a month, {examples_basis} up to about {overhead} "
         "tokens resent a month: enough to weigh a shorter prompt, if the saving covers training (see the "
         "cost options).",
         "5.2 F5; 4.5"),
    # 5.3 P5 suggests +1 next to P1's +2; with P1 folded into the margin (engine.FT_MARGIN) a weight of 1
    # let low-volume format cases pass the margin that the full 5.5 count keeps on the prompting side.
    Rule("P5", "monthly_requests",
         lambda f: f.get("monthly_requests") is not None and f["monthly_requests"] < LOW_VOLUME_REQUESTS,
         PE, 2,
         "{monthly_requests:,} requests a month is low volume: per-token savings from tuning stay small "
         "next to the fixed cost of preparing data, training and evaluating.",
         "5.3 P5; 4.5: cost alone rarely justifies tuning below ~1e9 overhead tokens"),
    Rule("F-long", "avg_prompt_tokens_without_examples",
         lambda f: (f.get("avg_prompt_tokens_without_examples") or 0) >= LONG_PROMPT_TOKENS, FT, 1,
         "Prompts of {avg_prompt_tokens_without_examples:,} tokens before any example: if much of that is "
         "standing instructions and edge cases, tuning can absorb it; input documents that differ per "
         "request cannot be absorbed and cost the same either way.",
         "Azure 2025: reduce prompt overhead when prompts grow long with edge cases; engine 2 (issue 12)"),
    Rule("F6", "latency_sensitive", _latency_need, FT, 1,
         "Answers must come fast: a tuned smaller model can hold quality at a speed only small models reach "
         "(model size is the main speed factor); the long prompt itself costs little time (halving a "
         "prompt saves about 1-5% of latency).",
         "5.2 F6; OpenAI, Azure, AWS Nova; domain-2026.md 5.1 (OpenAI latency guide)"),
    Rule("G4", "requirements_change_frequency", _is("requirements_change_frequency", "weekly"), PE, 3,
         "The desired behaviour changes every week: a retraining loop cannot keep up, while a prompt is "
         "edited in minutes.",
         "5.1 G4; Azure 2025; Anthropic; seeds 000/001/003"),
    Rule("F2", "use_case_breadth", _is("use_case_breadth", "narrow"), FT, 1,
         "One narrow task: the kind tuning handles best (in 2024, LoRA Land found small tuned models beat "
         "that year's GPT-4 on narrow tasks; today's models must be compared on your own evaluation).",
         "5.2 F2; LoRA Land (2024)"),
    Rule("P-broad", "use_case_breadth", _is("use_case_breadth", "broad"), PE, 2,
         "Many tasks from one model: a general model steered by prompts stays versatile, while narrow "
         "tuning risks forgetting the rest.",
         "5.2 F2; seeds 001/002; Luo (forgetting)"),
    Rule("G3", "model_access", _no_tuning_route, PE, 2,
         "Only open-weight models and no machine-learning skills: without those skills only hosted tuning "
         "of API models is realistic, so tuning must wait until someone can prepare, run and evaluate "
         "training; prompt an open model meanwhile.",
         "5.1 G3: without ML expertise only hosted fine-tuning (api_only or both)"),
    # The measured prompt baseline (answers-v2). domain.md 0.1 and 5.5: prompt first, measure, fine-tune
    # only when prompting demonstrably falls short; domain-2026.md 6.1 T7: tune only if the smallest passing
    # model is still too slow or too expensive. So a prompt that meets the target weighs strongly for
    # prompting, except where a cost (F5) or latency (F6) need gives tuning a job other than quality: there
    # it weighs 1 so those rows can still win. "not_measured" scores nothing (the plan already says measure).
    Rule("P-base-cost", "prompt_baseline",
         lambda f: f.get("prompt_baseline") == "meets_target"
         and (_overhead_at_least(OVERHEAD_TOKENS[0])(f) or _latency_need(f)),
         PE, 1,
         "Your best prompt already meets the quality target, so quality is no reason to tune; tuning can "
         "only pay for itself in cost or speed, which the volume and latency reasons weigh.",
         "domain.md 0.1, 5.5; domain-2026.md 6.1 T7 (tune only if too slow or too expensive)"),
    Rule("P-base", "prompt_baseline", _is("prompt_baseline", "meets_target"), PE, 3,
         "Your best prompt already meets the quality target: vendors tune only when prompting falls short, "
         "so keep the prompt; tuning would be for cost or speed, and neither is pressing in your answers.",
         "domain.md 0.1, 5.5; domain-2026.md 6.1 T7"),
    Rule("P-base-close", "prompt_baseline", _is("prompt_baseline", "close"), PE, 1,
         "Your best prompt comes close to the target: better instructions, examples or a stronger model "
         "often close a small gap before any training is needed.",
         "domain.md 0.1, 5.5; domain-2026.md 6.1 T7 (compare model tiers first)"),
    Rule("F-base", "prompt_baseline",
         lambda f: f.get("prompt_baseline") == "far_below" and has_at_least(f, PILOT_EXAMPLES)
         and _usable_quality(f),
         FT, 2,
         "Your best prompt is far below the quality target: that measured shortfall is what vendors ask for "
         "before tuning, and {good_examples} give a tuning run something to learn from.",
         "domain.md 0.1 (fine-tune when prompting demonstrably falls short), 5.5; 5.1 G1"),
    Rule("P4", "task_type", _is("task_type", "reasoning"), PE, 1,
         "Reasoning-heavy work: chain-of-thought prompting matched or beat fine-tuned models on reasoning.",
         "5.3 P4; Wei et al. 2022"),
)

# 1.2 Azure, "signs you are not ready": fine-tuning needs a concrete use case. These rows name one: a strict
# format or style (F1), specialised language (F3), costly errors (F4), volume (F5), latency (F6) or long
# instructions (F-long). Plenty of data (F7) and a narrow task (F2) make tuning feasible, not needed.
USE_CASE_RULE_IDS = frozenset({"F1", "F3", "F3-weak", "F4", "F5-3", "F5-2", "F5-1", "F6", "F-long"})
USE_CASE_RULES = tuple(rule for rule in RULES if rule.id in USE_CASE_RULE_IDS)


def clear_use_case(facts: dict) -> bool:
    """Whether some answer gives tuning a concrete job to do (see USE_CASE_RULE_IDS)."""
    return any(rule.when(facts) for rule in USE_CASE_RULES)


# Sentences for answers that tip neither way (weight 0, shown so every answer is explained): one sentence
# per question, or one per answer value where the values need different words (`neutral_text`).
NEUTRAL: dict[str, str | dict] = {
    "task_type": "The kind of task ({task_type}) alone favours neither approach; it shapes the techniques.",
    "accuracy_criticality": "A moderate cost of errors: an evaluation set will show whether prompting is "
                            "good enough.",
    "output_consistency_need": "A moderate format need: examples in the prompt and structured output usually "
                               "get there.",
    "domain_specificity": {
        "medium": "A moderately specialised domain: definitions and context in the prompt come first.",
        "high": "Specialised language, but what the answers need from outside the model is facts, which "
                "retrieval supplies; tuning would only be for the language itself.",
    },
    "knowledge_in_base_model": {
        "partly": "The model only partly knows the task: if the gap is facts, retrieval fills it; if it is "
                  "skills or language, tuning can.",
        "no": "A general model does not know what the task needs: if the gap is facts, retrieval supplies "
              "them; if it is a skill or a language, tuning can teach it.",
    },
    "labeled_examples": "{good_examples}: enough for a narrow format or behaviour task "
                        "(Google, AWS: 100+), not yet a strong reason on its own.",
    "data_quality": "The examples' quality ({data_quality}) is good enough to build on; review a sample.",
    "data_confidential": {
        True: "Confidential data decides where a model runs (open weights on machines you control, or "
              "vendor terms that exclude training), not whether to tune: prompts send it too.",
        False: "The data are not confidential: any hosted model or tuning service may be used.",
    },
    "budget": "A medium budget allows a tuning pilot but not an open-ended project.",
    "gpu_access": {
        "none": "No GPUs for training: tuning, if it comes to that, runs on a hosted or managed service; "
                "compute decides how you would tune, not whether.",
        "cloud": "Rented cloud GPUs decide how you would tune (LoRA or QLoRA yourself), not whether.",
        "own": "Your own GPUs decide how you would tune (LoRA or QLoRA yourself), not whether.",
    },
    "ml_expertise": "Some machine-learning experience: enough for a managed or hosted tuning job.",
    "time_to_deploy_weeks": "{time_to_deploy_weeks} weeks is time enough to set up an evaluation set and, "
                            "if needed, a tuning cycle.",
    "monthly_requests": "{monthly_requests:,} requests a month: token savings from a shorter prompt would "
                        "be modest.",
    "avg_prompt_tokens_without_examples": "Prompts of {avg_prompt_tokens_without_examples:,} tokens are "
                                          "short enough to keep.",
    "avg_output_tokens": "Answer length ({avg_output_tokens:,} tokens) costs the same either way.",
    "latency_sensitive": {
        True: "Answers must come fast: model size, output length and the network decide that, not the "
              "approach; pick a small, non-reasoning model and keep answers short (halving the output "
              "halves latency, halving the prompt saves about 1-5%).",
        False: "Answers need not come back instantly: latency favours neither approach.",
    },
    "requirements_change_frequency": {
        "monthly": "Requirements change monthly: a tuned core would need prompts for what changes in "
                   "between.",
        "rare": "Requirements rarely change: a tuned model would not need frequent retraining, but that only "
                "removes a cost of tuning, not a reason for it.",
    },
    "use_case_breadth": "The breadth of use shapes how much per-request steering the model needs.",
    # 5.4: facts decide retrieval (R1), not prompting against tuning: with weak tuning evidence gate R2 keeps
    # the verdict on prompts; with tuning justified for behaviour the verdict is a hybrid (R3, 5.5 step 3).
    "needs_fresh_or_private_knowledge": {
        True: "Answers need facts that change or live in private documents: retrieval supplies them, "
              "whichever approach shapes the behaviour; tuning cannot keep facts current, and tuning new "
              "facts in raises hallucination.",
        False: "No fresh or private facts needed: the model's own knowledge and the prompt suffice.",
    },
    "model_access": "Model access ({model_access}) decides which tuning route is open, not whether to tune.",
    # answers-v2 (issue 12). These shape techniques, costs, evaluation and risks, not the verdict (the
    # verdict logic agrees with the experts' held-out set; domain-2026.md 6 proposes no verdict rule on them).
    "prompt_examples_today": "Your prompt carries {prompt_examples_today:,} worked example(s) today: that "
                             "sets what tuning or caching could save, not whether tuning is needed.",
    "current_model": "The model in use now ({current_model}) sets today's cost and retirement dates, not "
                     "whether to tune.",
    "deployment": {
        "hosted_api": "A hosted API: you pay per token and the provider decides which models can be tuned.",
        "self_hosted": "Self-hosting: you pay for GPU hours, not tokens, and any open-weight model can be "
                       "tuned with LoRA.",
        "on_device": "On the device: no per-token cost, but the model must be small (1-3B parameters), "
                     "which decides the model, not whether to tune.",
    },
    "latency_budget_ms": "A latency budget of {latency_budget_ms:,} ms (p95) decides the model size and "
                         "output length more than the prompt: halving a prompt saves only about 1-5% of "
                         "latency (OpenAI).",
    "uses_tools": {
        True: "The model calls tools: strict tool schemas and per-call checks come first, whichever "
              "approach shapes the behaviour.",
        False: "No tool calls: nothing to add for tools.",
    },
    "prompt_baseline": {
        "not_measured": "No prompt measured against the target yet: that measurement is the cheapest "
                        "test of this verdict.",
        "meets_target": "Your best prompt already meets the quality target: tuning would have to pay "
                        "for itself in cost or speed, not quality.",
        "close": "Your best prompt comes close to the target: better prompts, examples or a stronger "
                 "model may close the gap before any training.",
        "far_below": "Your best prompt is far below the target: that is the measured shortfall tuning "
                     "needs, if the other conditions allow it.",
    },
    "preference_data": {
        True: "Better/worse pairs or ratings exist: they allow preference tuning (DPO) after supervised "
              "tuning, and they make a ready evaluation set.",
        False: "No better/worse pairs or ratings: preference tuning is not an option yet.",
    },
    "outputs_checkable": {
        True: "Outputs can be checked automatically: evaluation is cheap and exact, and a grader makes "
              "reinforcement fine-tuning possible.",
        False: "Outputs need human or model judges to check: calibrate any model judge against people.",
    },
    "batch_tolerant": {
        True: "Results can wait hours: batch APIs halve the price of whichever model does the work.",
        False: "Results are needed promptly: batch discounts do not apply.",
    },
}


# Engine 2 (issue 12 item 5): answers that carry no weight in the score but still push one way, so each side
# lists what pushed it and "nothing" is said only when truly nothing points there. question -> answer -> side.
LEANS: dict[str, dict] = {
    # 5.4 R1/R3: retrieval puts the facts into the prompt, whichever approach shapes the behaviour.
    "needs_fresh_or_private_knowledge": {True: PE},
    # 5.1 G4: monthly change keeps the changing part in the prompt (the hybrid's reason).
    "requirements_change_frequency": {"monthly": PE},
    # 5.3 P3 side: the model partly or not knowing the task leaves a gap prompts may not close.
    "knowledge_in_base_model": {"no": FT},
    # Vendors: tune only for a measured shortfall (domain.md 0.2; domain-2026.md 2.7).
    "prompt_baseline": {"meets_target": PE, "close": PE, "far_below": FT},
    # domain-2026.md 2.2: preference pairs allow DPO, a tuning method.
    "preference_data": {True: FT},
}


def leans(question: str, answer) -> str | None:
    """The side a weight-0 answer pushes, or None when it tips neither way."""
    return LEANS.get(question, {}).get(answer)


# The example count's sentence when the examples are rated low quality (5.1 G1: curate a clean subset first).
LOW_QUALITY_EXAMPLES = ("{labeled_examples:,} examples of low quality: as they stand, their quality rules "
                        "tuning out; a curated, clean subset is what would count.")


def neutral_text(question: str, answer, facts: dict | None = None) -> str:
    """The weight-0 sentence for an answer no evidence row matched."""
    if question == "labeled_examples" and facts and facts.get("data_quality") == "low":
        return LOW_QUALITY_EXAMPLES
    text = NEUTRAL[question]
    return text[answer] if isinstance(text, dict) else text


# Sentences for the decisive questions left unanswered (weight 0: unknowns lower confidence instead).
UNKNOWN = {
    "labeled_examples": "How many good examples you have is not known yet: without a dataset, tuning "
                        "cannot be planned, so prompting is the default.",
    "output_consistency_need": "How strict the output format must be is not known yet; it is the strongest "
                               "reason vendors give for tuning.",
    "requirements_change_frequency": "How often requirements change is not known yet; frequent change "
                                     "rules tuning out.",
    "time_to_deploy_weeks": "The deadline is not known yet; under three weeks leaves no room for tuning.",
    "accuracy_criticality": "How costly errors are is not known yet; it sets how much evaluation you need.",
}


@dataclass(frozen=True)
class Gate:
    """A feasibility limit: while it holds, fine-tuning is not recommended whatever the scores."""

    id: str
    question: str
    when: Callable[[dict], bool]
    firm: bool  # False when the gate only reflects a missing answer
    text: str
    source: str


def _data_ready(f: dict) -> bool:
    return has_at_least(f, PILOT_EXAMPLES) and f.get("data_quality") != "low"


def _mid_deadline(f: dict) -> bool:
    """Under six weeks to go live (below three weeks gate G2 holds anyway)."""
    weeks = f.get("time_to_deploy_weeks")
    return weeks is not None and weeks < COMFORTABLE_DEADLINE_WEEKS


GATES: tuple[Gate, ...] = (
    Gate("G0", "output_consistency_need", lambda f: not f["_use_case"], False,
         "No clear use case for tuning: no format, language, accuracy, latency, prompt-length or volume need "
         "that prompting would fail (Azure: a sign you are not ready).",
         "1.2 Azure fine-tuning considerations; 0.2"),
    Gate("G1-unknown", "labeled_examples", lambda f: f.get("labeled_examples") is None, False,
         "No dataset identified yet: fine-tuning needs one (Azure lists this as a sign you are not ready).",
         "5.1 G1; Azure 2023"),
    Gate("G1-few", "labeled_examples", lambda f: f.get("labeled_examples") is not None
         and not has_at_least(f, FEW_EXAMPLES), True,
         "Fewer than 50 good examples: too few to fine-tune.", "5.1 G1; OpenAI"),
    Gate("G1-quality", "data_quality", _is("data_quality", "low"), True,
         "Low-quality data: curate a clean subset before any tuning.", "5.1 G1; Azure"),
    Gate("G2", "time_to_deploy_weeks", lambda f: f.get("time_to_deploy_weeks") is not None
         and f["time_to_deploy_weeks"] < SHORT_DEADLINE_WEEKS, True,
         "Under three weeks to go live: no time for a tuning cycle.", "5.1 G2"),
    Gate("G2-data", "time_to_deploy_weeks", lambda f: _mid_deadline(f) and not _data_ready(f), True,
         "Three to five weeks to go live and the data is not ready for tuning.", "5.1 G2"),
    # 5.1 G2 allows tuning in 3-5 weeks when the data is ready (G2-data) and a training route exists. Engine
    # 1 read "hosted" literally and blocked teams that train on their own or rented GPUs, while the same team
    # without GPUs passed via a managed service (issue 12). A LoRA run takes hours (domain.md 5.1 G2: a
    # tuning job alone takes hours, Vertex 1-4 h), so with ready data and ML skills the team's own run fits.
    # The gate stays only where nobody is known to be able to set the run up (skills not answered).
    Gate("G2-hosted", "time_to_deploy_weeks", lambda f: f.get("model_access") == "open_weights"
         and f.get("gpu_access") in ("own", "cloud") and _mid_deadline(f) and f.get("ml_expertise") is None,
         True,
         "Three to five weeks to go live, tuning would be your own training run on open weights, and it is "
         "not known whether the team can set one up: with machine-learning skills a LoRA run on ready data "
         "takes hours; without them, a managed open-weight tuning service (Together, Fireworks) is the "
         "route that fits.",
         "5.1 G2: tuning job takes hours, data ready; 5.1 G3 and 6: managed open-weight services; engine 2"),
    Gate("G3", "model_access", _no_tuning_route, True,
         "Open-weight models only and no ML skills: no hosted tuning route, and no skills to run your own.",
         "5.1 G3"),
    Gate("G4", "requirements_change_frequency", _is("requirements_change_frequency", "weekly"), True,
         "Requirements change weekly: retraining cannot keep up.", "5.1 G4"),
    Gate("R2", "needs_fresh_or_private_knowledge", lambda f: f.get("needs_fresh_or_private_knowledge") is True
         and f.get("output_consistency_need") != "high", True,
         "The gap is facts, not behaviour (no strict format or style need): retrieval first, with prompts.",
         "5.4 R2; Azure: start with RAG for out-of-domain knowledge; Ovadia"),
)

# The answers each question's rows read besides its own (checked by a test against full re-evaluation).
USE_CASE_FIELDS = frozenset({"output_consistency_need", "domain_specificity", "knowledge_in_base_model",
                             "accuracy_criticality", "latency_sensitive",
                             "needs_fresh_or_private_knowledge"}) | VOLUME_FIELDS
READS = {
    "output_consistency_need": (USE_CASE_FIELDS | COST_FIELDS) - {"output_consistency_need"},
    "domain_specificity": {"knowledge_in_base_model", "needs_fresh_or_private_knowledge"},
    "labeled_examples": DATA_FIELDS,
    "data_quality": {"labeled_examples"},
    "monthly_requests": COST_FIELDS - {"monthly_requests"},
    "latency_sensitive": {"avg_prompt_tokens_without_examples"},
    "model_access": {"ml_expertise"},
    # P-base-cost reads F5's and F6's conditions; F-base reads the example count and quality.
    "prompt_baseline": COST_FIELDS | DATA_FIELDS | {"latency_sensitive",
                                                    "avg_prompt_tokens_without_examples"},
}

RULES_BY_QUESTION: dict[str, tuple[Rule, ...]] = {}
for _rule in RULES:
    RULES_BY_QUESTION[_rule.question] = (*RULES_BY_QUESTION.get(_rule.question, ()), _rule)
# Answers whose change can move the use-case gate, F5 included.
USE_CASE_OR_COST_FIELDS = USE_CASE_FIELDS | COST_FIELDS

# How much an answer can move the scores: its strongest rule, plus 3 when it can close a gate.
IMPORTANCE = {
    question: max([r.weight for r in RULES_BY_QUESTION.get(question, ())] + [0.5])
    + (3 if any(g.question == question for g in GATES) else 0)
    for question in NEUTRAL
}
