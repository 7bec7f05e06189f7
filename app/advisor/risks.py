"""Risks of the recommended path, each with mitigations (domain.md section 7)."""

from collections.abc import Callable

from app.advisor.engine import Evaluation
from app.advisor.rules import OVERHEAD_TOKENS, PE, SOLID_EXAMPLES, has_at_least


def _tuning(ev: Evaluation) -> bool:
    return ev.verdict != PE


def _prompting(ev: Evaluation) -> bool:
    return ev.verdict != "fine_tuning"


def _hosted_route(ev: Evaluation) -> bool:
    return ev.facts.get("model_access") in ("api_only", "both", None)


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
    ("token_cost", lambda ev: _prompting(ev) and (
        ev.facts["_overhead"] >= OVERHEAD_TOKENS[0] / 10
        or (ev.facts.get("avg_prompt_tokens_without_examples") or 0) >= 2_000),
     "Token cost of long prompts: instructions and examples are paid for on every request ("
     "Liu et al. 2022; vendor pricing).",
     ("Measure tokens per request and the monthly bill early.",
      "Cache the static prefix (instructions and examples).",
      "At high volume, consider tuning a smaller model on the large model's outputs.")),
    ("confidential_data", lambda ev: ev.facts.get("data_confidential") is True,
     "Confidential data: prompts and training data leave your control when sent to a vendor; a tuned model "
     "can memorise training data.",
     ("Self-host open weights with LoRA/QLoRA, or use vendor terms that exclude training on your data.",
      "Redact personal and secret data before prompting or training.",
      "Restrict who can query a tuned model and log access.")),
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
    ("maintenance", lambda ev: _tuning(ev) and ev.facts.get("requirements_change_frequency") != "rare",
     "Maintenance load: each change of requirements can mean new data, a retrain and a re-evaluation "
     "(Azure).",
     ("Keep what changes in the prompt or in retrieval, not in the weights.",
      "Automate the train-evaluate pipeline so a retrain is routine.")),
)


def risks(ev: Evaluation) -> list[dict]:
    return [{"id": rid, "text": text, "mitigations": list(mitigations)}
            for rid, applies, text, mitigations in RISKS if applies(ev)]
