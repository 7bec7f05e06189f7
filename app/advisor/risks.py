"""Risks of the recommended path, each with mitigations (domain.md section 7; 2026 systems: domain-2026.md
2.1, 2.9, 4 and 6.4 S1)."""

from collections.abc import Callable
from dataclasses import replace

from app.advisor.engine import Evaluation
from app.advisor.rules import OVERHEAD_TOKENS, PE, SOLID_EXAMPLES, has_at_least


def _tuning(ev: Evaluation) -> bool:
    return ev.verdict != PE


def _prompting(ev: Evaluation) -> bool:
    return ev.verdict != "fine_tuning"


def _hosted_route(ev: Evaluation) -> bool:
    return ev.facts.get("model_access") in ("api_only", "both", None) and not _runs_locally(ev)


def _runs_locally(ev: Evaluation) -> bool:
    """Expert review F4/F19: the model runs on the device or on the team's own GPUs, so nothing goes to a
    vendor, no tokens are billed, and open weights are not retired by anyone (domain-2026.md 5.2, 5.3)."""
    deployment = ev.facts.get("deployment")
    return deployment == "on_device" or (deployment == "self_hosted" and ev.facts.get("gpu_access") == "own")


def _self_or_device(ev: Evaluation) -> bool:
    return ev.facts.get("deployment") in ("self_hosted", "on_device")


# (id, applies when, text, mitigations): in the order they are shown.
RISKS: tuple[tuple[str, Callable[[Evaluation], bool], str, tuple[str, ...]], ...] = (
    ("overfitting", lambda ev: _tuning(ev) and not has_at_least(ev.facts, SOLID_EXAMPLES),
     "Overfitting: with a few hundred examples a tuned model can learn them by heart and do worse on new "
     "inputs (Azure; Google).",
     ("Hold out a validation set the model never trains on (Google strongly recommends one).",
      "Stop early when validation loss rises; train for fewer epochs.",
      "Use regularisation such as dropout or weight decay; cross-validate on small sets.",
      "Add more diverse examples before scaling training.")),
    ("catastrophic_forgetting", _tuning,
     "Catastrophic forgetting: tuning on one task can erode general knowledge and reasoning (Luo et al.; "
     "Anthropic).",
     ("Prefer LoRA or other parameter-efficient tuning: it forgets less (Biderman et al.).",
      "Mix 10-20% general instruction data into the training set.",
      "Run a regression evaluation on general tasks before and after tuning.")),
    ("poor_data", lambda ev: bool(ev.facts.get("labeled_examples"))
     and ev.facts.get("data_quality") in ("low", "medium", None),
     "Poor or biased data: errors, inconsistencies or an unbalanced label mix are learned as if they were "
     "the goal (Azure; OpenAI best practices).",
     ("Review a random sample of examples by hand and fix or drop defective ones.",
      "Balance the distribution of labels and answers to what production should look like.",
      "Remove near-duplicates; keep one clear convention per case.")),
    ("prompt_sensitivity", _prompting,
     "Prompt sensitivity: harmless wording or format changes can move accuracy by tens of points "
     "(Sclar et al.).",
     ("Keep prompts under version control with an evaluation set.",
      "Test each prompt variant on that fixed set before shipping it.",
      "Re-run the evaluation whenever the model version changes.")),
    # On the device no token is billed (review F4): long prompts cost speed there, which latency covers.
    ("token_cost", lambda ev: _prompting(ev) and ev.facts.get("deployment") != "on_device" and (
        ev.facts["_overhead"] >= OVERHEAD_TOKENS[0] / 10
        or (ev.facts.get("avg_prompt_tokens_without_examples") or 0) >= 2_000),
     "Token cost of long prompts: instructions and examples are paid for on every request ("
     "Liu et al. 2022; vendor pricing).",
     ("Measure tokens per request and the monthly bill early.",
      "Cache the static prefix (instructions and examples).",
      "At high volume, consider tuning a smaller model on the large model's outputs.")),
    ("confidential_data", lambda ev: ev.facts.get("data_confidential") is True and not _runs_locally(ev),
     "Confidential data: prompts and training data leave your control when sent to a vendor; a tuned model "
     "can memorise training data.",
     ("Self-host open weights with LoRA/QLoRA, or use vendor terms that exclude training on your data.",
      "Redact personal and secret data before prompting or training.",
      "Restrict who can query a tuned model and log access.")),
    # Review F4/F19: on the device or own GPUs nothing is sent to a vendor; memorisation remains (section 7).
    ("confidential_data", lambda ev: ev.facts.get("data_confidential") is True and _runs_locally(ev),
     "Confidential data: it stays on machines you control, but a tuned model can memorise training data and "
     "repeat it to anyone who can query the model or copy its weights.",
     ("Redact personal and secret data before training.",
      "Restrict who can query a tuned model or copy its weights, and log access.")),
    # Section 7 (Gekhman): also when tuning a model on a domain it does not know, whose examples carry facts
    # new to it.
    ("hallucination", lambda ev: ev.facts.get("needs_fresh_or_private_knowledge") is True
     or ev.facts.get("accuracy_criticality") == "high"
     or (_tuning(ev) and ev.facts.get("knowledge_in_base_model") == "no"),
     "Made-up facts: neither prompting nor tuning guarantees correct facts, and tuning new facts in raises "
     "hallucination (Gekhman et al.).",
     ("Ground answers in retrieved documents and show citations.",
      "Do not use tuning to add facts; filter unknown-fact examples out of training data.",
      "Have people review answers where errors are costly.")),
    ("vendor_retirement", lambda ev: _tuning(ev) and _hosted_route(ev),
     "Vendor retirement: a hosted fine-tune dies with its base model, and hosted tuning is closing at "
     "several vendors (OpenAI, Gemini API, Mistral, Cohere).",
     ("Keep the training data, configuration and evaluation set to retrain on a successor.",
      "Prefer portable open-weight adapters (LoRA) where possible.",
      "Note the base model's retirement date in the plan.")),
    # domain-2026.md 4 and 6.3 A5: prompts are tied to a model too; providers retired dozens in 2026.
    # Open weights you run yourself are not retired by anyone (review F19): self-hosting is excluded too.
    ("model_retirement", lambda ev: not _tuning(ev) and not _self_or_device(ev)
     and ev.facts.get("model_access") != "open_weights",
     "Model retirement: hosted models are retired on the provider's schedule (OpenAI gives at least 6 "
     "months' notice, Anthropic 60 days, and several 2026 dates moved), and a prompt tuned to one model can "
     "behave differently on its successor.",
     ("Note the retirement date of the model you use and re-check it before each release.",
      "Keep the evaluation set as a regression set and run it on the successor before switching.")),
    # domain-2026.md 2.9, OWASP LLM01/LLM08 (S1): retrieved text is untrusted input.
    ("prompt_injection", lambda ev: ev.facts.get("needs_fresh_or_private_knowledge") is True
     or ev.facts.get("uses_tools") is True,
     "Prompt injection: instructions hidden in retrieved documents or tool results can steer the model; no "
     "complete fix exists, and fine-tuning does not remove it (OWASP LLM01; Greshake et al. 2023).",
     ("Mark retrieved and tool content as data, separate from instructions, and validate outputs "
      "deterministically before acting on them.",
      "Apply permission-aware retrieval and sanitise documents before indexing (OWASP LLM08).",
      "Keep adversarial cases with hidden instructions in the evaluation set.")),
    # OWASP LLM06 (S1): tools that act.
    ("excessive_agency", lambda ev: ev.facts.get("uses_tools") is True,
     "Tools acting without confirmation: a model with broad tool permissions can take high-stakes actions "
     "on a wrong or injected instruction (OWASP LLM06).",
     ("Expose the fewest tools with the narrowest permissions.",
      "Require a person's confirmation before destructive, financial or external actions.",
      "Rate-limit and log every tool call; stop the agent on repeated failures.")),
    # domain-2026.md 2.1 licence table (T2).
    ("distillation_licence", lambda ev: "distillation" in ev.facts.get("_technique_ids", ()),
     "Licence terms on another provider's outputs: OpenAI, Anthropic, Google and AWS forbid using their "
     "outputs to train competing models, so a teacher from one provider and a student from another may "
     "breach terms (the providers' terms of use).",
     ("Distil within one provider's own service, or use a teacher whose licence allows it (Llama 3.1+ with "
      "attribution; Apache-2.0 models such as gpt-oss).",
      "Have the terms reviewed before generating training data from a hosted model.")),
    # OWASP LLM03/LLM04 (S1): training data and adapters are an attack surface.
    ("training_supply_chain",
     lambda ev: _tuning(ev) and ev.facts.get("model_access") in ("open_weights", "both"),
     "Poisoned data or tampered weights: training data, downloaded base weights and LoRA adapters are an "
     "attack surface (OWASP LLM03, LLM04).",
     ("Take base weights and adapters only from sources you verify (checksums, signed releases).",
      "Review where training examples come from and keep their provenance.")),
    ("maintenance", lambda ev: _tuning(ev) and ev.facts.get("requirements_change_frequency") != "rare",
     "Maintenance load: each change of requirements can mean new data, a retrain and a re-evaluation "
     "(Azure).",
     ("Keep what changes in the prompt or in retrieval, not in the weights.",
      "Automate the train-evaluate pipeline so a retrain is routine.")),
)


# Latency presets (domain-2026.md 5.2, 5.3; 6.4 L1/L2). Planning formula: TTFT + output tokens / speed. Small
# hosted non-reasoning models run at ~150-300 tokens/s with a time to first token of about 0.4-0.6 s (lowest
# measured 0.42 s); on-device 1-3B models at ~7-30 tokens/s on phones, with no network round trip. Only the
# fastest end of each range is used to flag a budget, so a flag means "broken even in the best case".
HOSTED_TTFT_S = (0.4, 0.6)
HOSTED_TOKENS_PER_S = (300, 150)
ON_DEVICE_TOKENS_PER_S = (30, 7)


def latency_estimate(facts: dict) -> tuple[float, float] | None:
    """Best- and worst-case seconds for one answer where a preset exists (hosted or on-device), else None.
    Self-hosted serving has no preset in the domain notes (it depends on the GPUs), so it is not estimated."""
    output = facts.get("avg_output_tokens")
    deployment = facts.get("deployment") or "hosted_api"
    if output is None or deployment == "self_hosted":
        return None
    if deployment == "on_device":
        fast, slow = ON_DEVICE_TOKENS_PER_S
        return output / fast, output / slow
    (ttft_best, ttft_worst), (fast, slow) = HOSTED_TTFT_S, HOSTED_TOKENS_PER_S
    return ttft_best + output / fast, ttft_worst + output / slow


def latency_risk(facts: dict) -> dict | None:
    """Review F5: a notice when the answers break latency_budget_ms even at the fastest preset (2026 L1)."""
    budget_ms = facts.get("latency_budget_ms")
    estimate = latency_estimate(facts)
    if budget_ms is None or estimate is None or estimate[0] * 1000 <= budget_ms:
        return None
    best, worst = estimate
    output = facts["avg_output_tokens"]
    where = ("on the device (1-3B models give about 7-30 tokens/s on phones)"
             if facts.get("deployment") == "on_device"
             else "on a small hosted model (about 150-300 tokens/s after a first token in about 0.4-0.6 s)")
    return {"id": "latency_budget",
            "text": f"Latency budget broken: {output:,} output tokens {where} take about "
                    f"{best:.1f}-{worst:.1f} s, over your {budget_ms:,} ms budget even at the fastest speed "
                    "(planning formula: time to first token + output tokens / speed; OpenAI latency guide).",
            "mitigations": [
                "Cut the output first: it is the biggest lever (halving the output roughly halves the time).",
                "Use a smaller, non-reasoning model; stream the answer so the first words show early.",
                "Distil a large model that passes your evaluation into a small one that fits the budget."]}


def risks(ev: Evaluation, techniques: list[dict] | None = None) -> list[dict]:
    ids = tuple(t["id"] for t in techniques or ())
    view = replace(ev, facts={**ev.facts, "_technique_ids": ids})
    found = [{"id": rid, "text": text, "mitigations": list(mitigations)}
             for rid, applies, text, mitigations in RISKS if applies(view)]
    latency = latency_risk(ev.facts)
    return found + ([latency] if latency else [])
