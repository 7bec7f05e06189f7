"""Which techniques to use, each with the reason it applies (domain.md section 6; the 2026 set of
domain-2026.md 2 and 6.1, T1-T8)."""

from app.advisor.engine import Evaluation
from app.advisor.routes import label
from app.advisor.rules import FT, MANY_EXAMPLES, OVERHEAD_TOKENS, PE, has_at_least

NAMES = {
    "zero_shot": "Zero-shot prompting",
    "one_shot": "One-shot prompting",
    "few_shot": "Few-shot prompting",
    "role_prompting": "Role prompting",
    "chain_of_thought": "Chain-of-thought prompting",
    "structured_output": "Structured output",
    "full_fine_tuning": "Full fine-tuning",
    "lora": "LoRA (parameter-efficient fine-tuning)",
    "qlora": "QLoRA (4-bit LoRA)",
    "instruction_tuning": "Instruction tuning",
    "hosted_fine_tuning": "Hosted fine-tuning",
    "distillation": "Distillation (a large model teaches a small one)",
    "preference_tuning": "Preference tuning (DPO)",
    "reinforcement_fine_tuning": "Reinforcement fine-tuning with a grader",
    "tool_calling": "Tool calling with strict schemas",
    "prompt_caching": "Prompt caching",
    "batch_processing": "Batch processing",
    "model_selection": "Choose the model before tuning",
}
# domain-2026.md 2.5: the smallest cacheable prefix across providers is 512-4,096 tokens; OpenAI caches from
# 1,024. Below this a prefix is not cached anywhere worth counting.
CACHEABLE_PREFIX_TOKENS = 1_024
# domain-2026.md 5.2/6.4 L2: a tight budget calls for a small non-reasoning model; at under 2 s a
# chain-of-thought answer (hundreds of extra output tokens at 100-300 tokens/s) does not fit.
NO_REASONING_MS = 2_000
# domain-2026.md 2.1 (T2): distillation pays where volume is high; our threshold, 1M requests a month, is
# where domain.md 4.5's ~1e9 overhead tokens are reached with a 1,000-token prompt.
DISTILL_REQUESTS = 1_000_000
GENERATIVE_TASKS = ("conversation", "generation", "summarization", "question_answering")
# Section 6: chain-of-thought is for multi-step reasoning, math and analysis; skip it where the job is a
# lookup, a label, a rewrite or a summary, however costly errors are.
NO_REASONING_TASKS = ("classification", "extraction", "translation", "summarization", "generation")
# Section 6: structured output means strict JSON or schema output. Labels and fields are that by nature; copy,
# chat, translations, code and worked solutions are free text whose consistency is a style, not a schema.
SCHEMA_TASKS = ("classification", "extraction")
FREE_TEXT_TASKS = ("generation", "conversation", "translation", "code", "reasoning")


def tight_latency(f: dict) -> bool:
    budget = f.get("latency_budget_ms")
    return budget is not None and budget < NO_REASONING_MS


def _chain_of_thought(f: dict, tuned: bool) -> str | None:
    """Engine 2: reasoning, maths and analysis; code only when the budget leaves time to think (issue 12:
    chain-of-thought was proposed even for inline completion under 200 ms)."""
    task = f.get("task_type")
    interactive = tight_latency(f) or f.get("latency_sensitive") is True
    fits = task == "reasoning" or (not interactive and (task == "code" or (
        f.get("accuracy_criticality") == "high" and task not in NO_REASONING_TASKS)))
    if not fits or (tuned and task != "reasoning"):
        return None  # a tuned model learns the steps from worked solutions, which only reasoning tasks have
    if tuned:
        return ("Keep the reasoning step by step: train on worked solutions that show their steps and ask "
                "for the steps at inference (Wei et al. 2022).")
    return ("Ask for step-by-step reasoning before the answer, or use a reasoning model's effort setting: it "
            "lifts multi-step and analytical work (Wei et al. 2022); it adds output tokens and latency, so "
            "skip it for simple lookups.")


def _prompting(f: dict, tuned: bool) -> list[tuple[str, str]]:
    chosen = []
    examples = f.get("labeled_examples")
    knows = f.get("knowledge_in_base_model") == "yes" or f.get("domain_specificity") == "low"
    if not examples or (knows and f.get("output_consistency_need") != "high"):
        chosen.append(("zero_shot", "Start with clear instructions alone: the task can be stated plainly"
                       + (" and a general model already knows it" if knows else "") + " (Google)."))
    if examples in (1, 2):
        chosen.append(("one_shot", "Show the one or two examples you have so the model copies their format."))
    elif examples is None or examples >= 3:
        cost = (" Watch the token bill: at your volume the examples are resent with every request; cache "
                "the static block." if f["_overhead"] >= OVERHEAD_TOKENS[0] else "")
        # Expert review F18: "to show what changes between tuned releases" was unclear; say what the examples
        # are for beside a tuned model: cases and rules newer than its last training run.
        which = ("cases the tuned model has not learned yet, such as rules that changed since its last "
                 "training run" if tuned else "the format and edge cases")
        chosen.append(("few_shot", f"Put 3-10 of your best examples in the prompt to show {which} "
                       f"(OpenAI, Anthropic multishot prompting).{cost}"))
    if f.get("task_type") in GENERATIVE_TASKS or f.get("domain_specificity") == "high":
        chosen.append(("role_prompting", "Give the model a role in the system prompt to set persona, tone "
                       "and expertise without any data (Anthropic)."))
    cot = _chain_of_thought(f, tuned)
    if cot:
        chosen.append(("chain_of_thought", cot))
    structured = _structured_output(f, tuned)
    if structured:
        chosen.append(("structured_output", structured))
    return chosen


def _structured_output(f: dict, tuned: bool) -> str | None:
    """Section 6 / domain-2026.md T1: structured output whenever code reads the output, tuned or not."""
    # domain-2026.md 2.4: the warning is Google's, for tuned Gemini on Vertex; vLLM adapters need a joint
    # test. Engine 1 generalised it to every tuned model (issue 12).
    caveat = (" With the tuned model, test the schema and the tuning together: on Vertex AI Google advises "
              "against controlled generation with a tuned Gemini, and on vLLM some LoRA adapters were "
              "reported to fall back to base-model output under guided decoding." if tuned else "")
    residual = " Then only wrong values, not broken formats, count as evidence for tuning."
    if f.get("task_type") in SCHEMA_TASKS:
        return ("Your outputs are read by code: fix them to a JSON schema (labels or fields) with the "
                "provider's strict structured-output mode or constrained decoding, so every answer parses "
                "(OpenAI, Anthropic, vLLM)." + residual + caveat)
    if f.get("uses_tools") is True and f.get("output_consistency_need") != "high":
        return None  # tool_calling carries the strict schemas for tool arguments
    if f.get("output_consistency_need") == "high" and f.get("task_type") not in FREE_TEXT_TASKS:
        return ("If the fixed format is a structure (a template of fields, or JSON), enforce it with the "
                "provider's native structured-output mode before anything else (OpenAI, Azure); a style or "
                "tone is taught with examples instead." + caveat)
    return None


def _hosted_only(f: dict) -> bool:
    return f.get("model_access") == "api_only" or f.get("ml_expertise") == "none"


def _hosted_why(routes: list[dict]) -> str:
    """domain-2026.md 6.3 A1-A4: name the routes still open through launch and the revisit window."""
    hosted_ids = {"openai", "azure", "vertex", "bedrock", "managed_lora"}
    open_names = [label(r) for r in routes if r["open"] and r["id"] in hosted_ids]
    closed = [r["name"] for r in routes if not r["open"] and r["id"] in hosted_ids]
    text = "Let a provider run the tuning job. "
    text += ("Routes open through your launch and revisit window: " + "; ".join(open_names) + "."
             if open_names else "No hosted route stays open through your launch and revisit window.")
    if closed:
        text += (" Not recommended, because they close first or serve existing customers only until a set "
                 "date: " + "; ".join(closed) + ".")
    return text + " A tuned model dies with its base model: keep the data and evaluation set to re-tune."


def _tuning(f: dict, routes: list[dict]) -> list[tuple[str, str]]:
    chosen = []
    access = f.get("model_access")
    confidential = f.get("data_confidential") is True
    if access != "api_only":
        # 5.1 G3: a team without ML skills does not run training itself, whatever GPUs it has.
        self_run = f.get("gpu_access") in ("own", "cloud") and f.get("ml_expertise") != "none"
        where = ({"own": "on your own GPUs", "cloud": "on rented cloud GPUs"}[f["gpu_access"]] if self_run
                 else "through a managed open-weight service (Together, Fireworks)")
        # Issue 12: only your own machines keep the data in your control; rented GPUs are a provider's.
        own = confidential and self_run and f.get("gpu_access") == "own"
        rented = confidential and self_run and f.get("gpu_access") == "cloud"
        chosen.append(("lora", f"Train a LoRA adapter on an open-weight model {where}: the default method, "
                       "it trains under 1% of the weights, costs little, forgets less and the adapter stays "
                       "yours when vendors retire models (LoRA, PEFT, Together)."
                       + (" On your own GPUs the confidential data stays on machines you control." if own
                          else "")
                       + (" Rented GPUs are a cloud provider's machines: check its data terms, region and "
                          "encryption before the confidential data goes there." if rented else "")))
        full = (self_run and has_at_least(f, MANY_EXAMPLES) and f.get("ml_expertise") == "strong"
                and f.get("budget") == "high")
        # Section 6: QLoRA is for limited GPU memory; a high budget buys (or rents) enough of it.
        if self_run and f.get("budget") != "high":
            chosen.append(("qlora", "With limited GPU memory, QLoRA trains 4-bit quantised weights: a 7-8B "
                           "model fits 10-16 GB, a 65B model one 48 GB GPU (Dettmers et al.)."))
        if full:
            chosen.append(("full_fine_tuning", "You have the data, skills, GPUs and budget for full "
                           "fine-tuning; use it only if LoRA plateaus or behaviour must change substantially:"
                           " it learns more but forgets more (Together; Biderman et al.)."))
    if access in ("api_only", "both", None) or _hosted_only(f):
        chosen.append(("hosted_fine_tuning", _hosted_why(routes)))
    # Section 6: instruction tuning for many task types, or a domain language the model cannot follow. Engine
    # 2: a model that lacks knowledge is not enough (issue 12): facts call for retrieval (5.4 R4); only a
    # specialised language or skill the model does not have is taught this way.
    language_gap = f.get("knowledge_in_base_model") == "no" and f.get("domain_specificity") == "high"
    if f.get("use_case_breadth") == "broad" or language_gap:
        chosen.append(("instruction_tuning", "Teach many task types, or instruction-following in a domain "
                       "the model does not know, with a broad instruction set; it also reduces forgetting "
                       "(LIMA; Luo et al.)."))
    return chosen


def _model_selection(f: dict, verdict: str) -> str:
    """domain-2026.md 2.7, T7/T8, L2: the first lever after a working prompt, before any training."""
    if tight_latency(f) or f.get("deployment") == "on_device":
        which = ("a small, non-reasoning model (hosted small models run at about 150-300 tokens a second "
                 "with sub-second first tokens; on phones, 1-3B models at about 7-30)"
                 if f.get("deployment") != "on_device" else
                 "the largest 1-3B model your devices run fast enough (about 7-30 tokens a second on phones)")
        text = f"Your latency budget points to {which}; keep answers short, the biggest latency lever."
    elif f.get("task_type") == "reasoning":
        text = ("For multi-step logic, try a reasoning model or a higher reasoning effort; count its hidden "
                "reasoning tokens as output in cost and latency.")
    else:
        text = ("Run your evaluation on at least two model tiers and reasoning-effort settings and keep the "
                "lightest that meets the target; price gaps between tiers run from 2x to 80x.")
    if verdict != PE:
        text += " Tune (or distil) only if the smallest passing model is still too slow or too dear."
    return text + " (OpenAI model selection; Anthropic choosing a model.)"


def _caching(f: dict) -> str | None:
    """T5: a static prefix long enough to cache (instructions, examples, tool lists) reused across calls."""
    examples = f.get("prompt_examples_today")
    prefix = f.get("avg_prompt_tokens_without_examples") or 0
    if f.get("deployment") == "on_device" or f.get("monthly_requests") == 0:
        return None
    few_examples = not (examples and examples >= 3)
    if prefix < CACHEABLE_PREFIX_TOKENS and few_examples and f["_overhead"] < OVERHEAD_TOKENS[0]:
        return None
    return ("Put the static part first (tools, instructions, examples) and per-request input last, so the "
            "provider bills the repeated prefix at its cached rate (about a tenth of input on most current "
            "models); minimum prefixes are 512-4,096 tokens, and Gemini's implicit caching is not "
            "guaranteed.")


def _additions(f: dict, verdict: str, tuned: bool) -> list[tuple[str, str]]:
    """The 2026 set (domain-2026.md 6.1): advice that holds for this team, each with its reason."""
    chosen = [("model_selection", _model_selection(f, verdict))]
    if f.get("uses_tools") is True:
        chosen.append(("tool_calling", "The model calls tools: declare each tool with a strict JSON "
                       "schema so names and arguments always parse, expose the fewest tools with the "
                       "narrowest permissions, and require a person's confirmation before high-stakes "
                       "actions (OpenAI, Anthropic strict tools; OWASP LLM06)."))
    cache = _caching(f)
    if cache:
        chosen.append(("prompt_caching", cache))
    if f.get("batch_tolerant") is True:
        # domain-2026.md 2.6: providers promise a 24-hour window; "most within an hour" is Anthropic's alone.
        chosen.append(("batch_processing", "Your results can wait: send them through a batch API at half "
                       "price (OpenAI, Anthropic, Gemini, Fireworks); results come within a 24-hour window, "
                       "often sooner."))
    if tuned:
        narrow_stable = (f.get("use_case_breadth") != "broad"
                         and f.get("requirements_change_frequency") in ("rare", "monthly", None))
        busy = (f.get("monthly_requests") or 0) >= DISTILL_REQUESTS or tight_latency(f)
        if narrow_stable and busy:
            hosted_only = f.get("model_access") == "api_only"
            teacher = ("With hosted models only, distil inside one provider's service (Amazon Bedrock "
                       "pairs teacher and student from the same provider; Google's service is early access, "
                       "not for production): OpenAI, Anthropic, Google and AWS forbid training competing "
                       "models on their outputs." if hosted_only else
                       "Use a teacher whose terms allow it: OpenAI, Anthropic, Google and AWS forbid "
                       "training competing models on their outputs, while Llama 3.1+ (with attribution) and "
                       "Apache-2.0 models such as gpt-oss allow it.")
            chosen.append(("distillation", "At your volume or latency budget, let a large model that passes "
                           "your evaluation write the answers and tune a small model on them: it needs "
                           "prompts, not labels. " + teacher))
        if f.get("preference_data") is True:
            chosen.append(("preference_tuning", "You have better/worse pairs: after supervised tuning, "
                           "tune on them with DPO to move tone, style or focus where there is no single "
                           "right answer (Vertex, Together: SFT first, then DPO); keep the pairs' labels "
                           "consistent."))
        # domain-2026.md 6.1 T4: only when answers are verifiable AND a reasoning model is needed (review F18:
        # costly errors alone, e.g. a tool-calling agent, are no reasoning need).
        if f.get("outputs_checkable") is True and f.get("task_type") in ("reasoning", "code"):
            chosen.append(("reinforcement_fine_tuning", "Your outputs can be graded automatically: "
                                                        "reinforcement "
                           "fine-tuning trains a model toward answers the grader scores well, for code that "
                           "must pass tests or rules that must be applied exactly. Hosted options are few "
                           "(Azure for existing customers, Bedrock Nova, open weights on Fireworks), it "
                           "bills by training time, and a weak grader can be gamed."))
    return chosen


def techniques(ev: Evaluation, routes: list[dict] | None = None) -> list[dict]:
    f = ev.facts
    routes = routes or []
    if ev.verdict == PE:
        chosen = _prompting(f, tuned=False) + _additions(f, ev.verdict, tuned=False)
    else:
        # Engine 2 (issue 12): a tuned model is still prompted; the prompt techniques that apply are listed,
        # structured output first among them where code reads the output.
        prompting = [t for t in _prompting(f, tuned=True) if t[0] not in ("zero_shot", "one_shot")]
        if ev.verdict == FT:
            prompting = [t for t in prompting if t[0] != "few_shot"]
            prompting.insert(0, ("zero_shot", "Serve the tuned model with the same short instruction it was "
                                 "trained with, zero-shot, instead of examples (AWS Nova)."))
        chosen = _tuning(f, routes) + prompting + _additions(f, ev.verdict, tuned=True)
    return [{"id": tid, "name": NAMES[tid], "why": why} for tid, why in chosen]
