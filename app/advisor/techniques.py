"""Which techniques to use, each with the reason it applies (domain.md section 6)."""

from app.advisor.engine import Evaluation
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
}
GENERATIVE_TASKS = ("conversation", "generation", "summarization", "question_answering")
# Section 6: chain-of-thought is for multi-step reasoning, math and analysis; skip it where the job is a
# lookup, a label, a rewrite or a summary, however costly errors are.
NO_REASONING_TASKS = ("classification", "extraction", "translation", "summarization", "generation")
# Section 6: structured output means strict JSON or schema output. Labels and fields are that by nature; copy,
# chat, translations, code and worked solutions are free text whose consistency is a style, not a schema.
SCHEMA_TASKS = ("classification", "extraction")
FREE_TEXT_TASKS = ("generation", "conversation", "translation", "code", "reasoning")


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
        which = "what changes between tuned releases" if tuned else "the format and edge cases"
        chosen.append(("few_shot", f"Put 3-10 of your best examples in the prompt to show {which} "
                       f"(OpenAI, Anthropic multishot prompting).{cost}"))
    if f.get("task_type") in GENERATIVE_TASKS or f.get("domain_specificity") == "high":
        chosen.append(("role_prompting", "Give the model a role in the system prompt to set persona, tone "
                       "and expertise without any data (Anthropic)."))
    if f.get("task_type") in ("reasoning", "code") or (
            f.get("accuracy_criticality") == "high" and f.get("task_type") not in NO_REASONING_TASKS):
        chosen.append(("chain_of_thought", "Ask for step-by-step reasoning before the answer: it lifts "
                       "multi-step and analytical work (Wei et al. 2022); skip it for simple lookups."))
    structured = _structured_output(f, tuned)
    if structured:
        chosen.append(("structured_output", structured))
    return chosen


def _structured_output(f: dict, tuned: bool) -> str | None:
    """Section 6: structured output is for strict JSON or schema output, not for a style or tone."""
    caveat = (" Google warns not to combine schema-constrained decoding with a tuned Gemini model: there the "
              "tuning teaches the structure." if tuned else "")
    if f.get("task_type") in SCHEMA_TASKS:
        return ("Fix the output to a JSON schema (labels or fields) with the provider's native "
                "structured-output mode before anything else (OpenAI, Azure)." + caveat)
    if f.get("output_consistency_need") == "high" and f.get("task_type") not in FREE_TEXT_TASKS:
        return ("If the fixed format is a structure (a template of fields, or JSON), enforce it with the "
                "provider's native structured-output mode before anything else (OpenAI, Azure); a style or "
                "tone is taught with examples instead." + caveat)
    return None


def _hosted_only(f: dict) -> bool:
    return f.get("model_access") == "api_only" or f.get("ml_expertise") == "none"


def _tuning(f: dict) -> list[tuple[str, str]]:
    chosen = []
    access = f.get("model_access")
    confidential = f.get("data_confidential") is True
    if access != "api_only":
        # 5.1 G3: a team without ML skills does not run training itself, whatever GPUs it has.
        self_run = f.get("gpu_access") in ("own", "cloud") and f.get("ml_expertise") != "none"
        where = ({"own": "on your own GPUs", "cloud": "on rented cloud GPUs"}[f["gpu_access"]] if self_run
                 else "through a managed open-weight service (Together, Fireworks)")
        safe = confidential and self_run
        chosen.append(("lora", f"Train a LoRA adapter on an open-weight model {where}: the default method, "
                       "it trains under 1% of the weights, costs little, forgets less and the adapter stays "
                       "yours when vendors retire models (LoRA, PEFT, Together)."
                       + (" Your confidential data never leaves your control." if safe else "")))
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
        chosen.append(("hosted_fine_tuning", "Use a hosted tuning service (Vertex AI, Azure OpenAI, Bedrock, "
                       "or managed LoRA at Together/Fireworks). Check availability first: OpenAI closed "
                       "self-serve tuning to new organisations in May 2026 and a tuned model dies with its "
                       "base model."))
    # Section 6: instruction tuning for many task types, or a domain/language the model cannot follow; not
    # when what the model lacks is facts from private documents (retrieval's job, 5.4 R4).
    facts_gap = f.get("needs_fresh_or_private_knowledge") is True and f.get("domain_specificity") != "high"
    if f.get("use_case_breadth") == "broad" or (f.get("knowledge_in_base_model") == "no" and not facts_gap):
        chosen.append(("instruction_tuning", "Teach many task types, or instruction-following in a domain "
                       "the model does not know, with a broad instruction set; it also reduces forgetting "
                       "(LIMA; Luo et al.)."))
    return chosen


def techniques(ev: Evaluation) -> list[dict]:
    f = ev.facts
    if ev.verdict == PE:
        chosen = _prompting(f, tuned=False)
    elif ev.verdict == FT:
        chosen = _tuning(f) + [("zero_shot", "Serve the tuned model with the same short instruction it was "
                                "trained with, zero-shot, instead of examples (AWS Nova).")]
        if f.get("task_type") == "reasoning":
            chosen.append(("chain_of_thought", "Keep the reasoning step by step: train on worked solutions "
                           "that show their steps and ask for the steps at inference (Wei et al. 2022)."))
    else:
        chosen = _tuning(f) + [t for t in _prompting(f, tuned=True) if t[0] != "zero_shot"]
    return [{"id": tid, "name": NAMES[tid], "why": why} for tid, why in chosen]
