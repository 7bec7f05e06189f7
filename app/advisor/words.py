"""The engine's words for people: each verdict, option and kind of technique named once, here.

Pages, charts, the PDF, the exports and the store read these; none keeps a copy of its own.
"""

from typing import get_args

from app.advisor.models import Approach, TechniqueId, Verdict

# Every verdict the engine gives, in the order of the `Verdict` literal.
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)
VERDICT_LABELS: dict[Verdict, str] = {
    "prompt_engineering": "Prompt engineering",
    "fine_tuning": "Fine-tuning",
    "hybrid": "Both: fine-tuning with prompt engineering",
}
# The two options the scores and the reasons weigh against each other.
OPTION_LABELS: dict[Approach, str] = {
    "prompt_engineering": "Prompt engineering", "fine_tuning": "Fine-tuning"}
# Techniques that train a model: the first of them in a result gets the training-record example.
TRAINS_A_MODEL: frozenset[TechniqueId] = frozenset(
    {"hosted_fine_tuning", "lora", "qlora", "full_fine_tuning", "instruction_tuning"})


def verdict_label(verdict: str) -> str:
    """The verdict in words; a value this engine does not know is shown as stored."""
    return VERDICT_LABELS.get(verdict, verdict)


def trains_a_model(technique_id: str) -> bool:
    return technique_id in TRAINS_A_MODEL
