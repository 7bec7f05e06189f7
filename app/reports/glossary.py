"""The technique names a result uses, in plain words (issue 14, item 3), each row with the source it is
grounded in (the shared research notes domain.md and domain-2026.md, and the papers they cite).

Shown as a <details> list beside the result, so it works without scripts; a technique card links to its
term (`#term-<id>`). The names are the engine's own (app/advisor/techniques.NAMES); only the plain-words
definition lives here.
"""

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    id: str
    name: str
    plain: str
    source: str


GLOSSARY = (
    Term("prompt_engineering", "Prompt engineering",
         "Getting the answers you want by writing better instructions and examples into each request. "
         "Nothing is trained; a change takes minutes.",
         "domain.md, vendor guides (OpenAI, Anthropic): start here"),
    Term("few_shot", "Few-shot prompting",
         "Putting a handful of worked examples (input and the answer you want) into every prompt, so the "
         "model copies their pattern. Every request pays for those examples again.",
         "domain.md; Liu et al. 2022 (arXiv 2205.05638)"),
    Term("fine_tuning", "Fine-tuning",
         "Training an existing model further on your own examples, so the behaviour is learnt once instead "
         "of repeated in every prompt. Needs good examples, an evaluation and retraining when things change.",
         "domain.md (OpenAI, Google, AWS fine-tuning guides)"),
    Term("lora", "LoRA",
         "Low-Rank Adaptation: a cheap way to fine-tune. The model itself stays frozen; a small add-on "
         "(often under 1% of its size) is trained instead, so it needs far less GPU memory and storage.",
         "Hu et al., ICLR 2022 (arXiv 2106.09685); Together AI docs"),
    Term("qlora", "QLoRA",
         "LoRA on a model squeezed to 4-bit numbers, so even a large model can be tuned on one GPU with "
         "about the same quality.",
         "Dettmers et al., NeurIPS 2023 (arXiv 2305.14314)"),
    Term("rag", "RAG (retrieval)",
         "Retrieval-augmented generation: look up the relevant passages in your documents at request time "
         "and put them into the prompt. Keeps facts current, which training cannot.",
         "domain.md; Ovadia et al., EMNLP 2024 (arXiv 2312.05934)"),
    Term("distillation", "Distillation",
         "A large “teacher” model writes the answers, and a small “student” model is tuned on them: the "
         "small one is then cheaper and faster to run. Check the teacher's terms first.",
         "domain-2026.md 2.1 (OpenAI, AWS Bedrock, Google)"),
    Term("preference_tuning", "Preference tuning (DPO)",
         "Training on pairs of a better and a worse answer to the same prompt, to move tone, style or focus "
         "where there is no single right answer. Usually done after ordinary fine-tuning.",
         "domain-2026.md 2.2 (Azure, Vertex, Together)"),
    Term("reinforcement_fine_tuning", "Reinforcement fine-tuning",
         "The model tries answers and an automatic grader scores them; training pushes it toward high "
         "scores. Only for answers a program or rubric can check.",
         "domain-2026.md 2.3"),
    Term("prompt_caching", "Prompt caching",
         "The provider remembers the unchanging start of your prompt and bills it at a fraction of the price "
         "when it repeats.",
         "domain-2026.md 2.5"),
    Term("batch_processing", "Batch processing",
         "Sending requests that can wait hours in bulk, for about half the price.",
         "domain-2026.md 2.6"),
    Term("structured_output", "Structured output",
         "Asking the model for a fixed format (a JSON schema) that the provider enforces, so code can read "
         "every answer.",
         "domain.md (OpenAI, Anthropic docs)"),
    Term("chain_of_thought", "Chain-of-thought prompting",
         "Asking the model to work through the steps before answering; helps reasoning, costs more output.",
         "Wei et al., NeurIPS 2022 (arXiv 2201.11903)"),
)
ALWAYS = ("prompt_engineering", "fine_tuning")  # the two sides of every verdict


def glossary_for(result: Mapping) -> list[Term]:
    """The terms this result names: both sides, its techniques, retrieval when it adds it, and LoRA and
    QLoRA whenever a tuning option is priced (their names appear in the options and assumptions)."""
    wanted = set(ALWAYS) | {t["id"] for t in result.get("techniques", [])}
    if result.get("add_retrieval"):
        wanted.add("rag")
    if result.get("verdict") != "prompt_engineering" or any(
            "tuned" in option["id"] for option in (result.get("costs") or {}).get("options", [])):
        wanted |= {"lora", "qlora"}
    return [term for term in GLOSSARY if term.id in wanted]
