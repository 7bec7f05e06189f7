"""Costs over time: few-shot prompting versus a fine-tuned model with a short prompt (domain.md section 4).

All figures are USD. Prices come from `prices.toml` (per 1M tokens, each row dated and sourced).
"""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

PRICES_PATH = Path(__file__).with_name("prices.toml")
MILLION = 1_000_000
HOURS_PER_MONTH = 730  # Azure's hosting arithmetic (domain.md 1.2)
# Planning figures used when the answers leave a number open (the worked examples of domain.md 4.4).
DEFAULT_MONTHLY_REQUESTS = 10_000
DEFAULT_PROMPT_TOKENS = 500
DEFAULT_OUTPUT_TOKENS = 200
DEFAULT_TRAINING_EXAMPLES = 1_000
# Retrains a year by how often requirements change (domain.md 4.1 "Maintenance"; rare = one base-model
# upgrade a year, unknown = quarterly).
RETRAINS_PER_YEAR = {"weekly": 52, "monthly": 12, "rare": 1, None: 4}


@dataclass(frozen=True)
class Price:
    id: str
    name: str
    input: float
    cached_input: float
    output: float
    source: str
    date: str
    mark: str
    note: str = ""
    train: float | None = None
    ft_input: float | None = None
    ft_cached_input: float | None = None
    ft_output: float | None = None
    hosting_per_hour: float = 0.0

    @property
    def fine_tunable(self) -> bool:
        return self.train is not None and self.ft_input is not None and self.ft_output is not None


@cache
def load_prices() -> dict[str, Price]:
    """The price table, parsed once: {id: Price}."""
    rows = tomllib.loads(PRICES_PATH.read_text())["model"]
    return {row["id"]: Price(**row) for row in rows}


class CostAssumptions(BaseModel):
    """Every assumption of the cost model; each can be overridden (API, CLI, wizard)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field("openai-gpt-4.1-mini", description="Price-table id of the prompted model")
    # The durable, cheap fine-tuning path in Nov 2026 is a LoRA adapter on a small open model served at
    # the base price (domain.md 0.5 and 4.4 example 3): savings come from the smaller model.
    fine_tuned_model: str = Field("fireworks-lora-16b", description="Price-table id of the fine-tuned model.")
    examples_in_prompt: Annotated[int, Field(ge=0, le=1_000)] = 10
    tokens_per_example: Annotated[int, Field(ge=1, le=100_000)] = 200
    prompt_caching: bool = Field(True, description="The static few-shot block is billed at the cached rate.")
    epochs: Annotated[int, Field(ge=1, le=100)] = 3
    training_examples: Annotated[int, Field(ge=1, le=100_000_000)] | None = None
    training_tokens_per_example: Annotated[int, Field(ge=1, le=2_000_000)] | None = None
    retrains_per_year: Annotated[int, Field(ge=0, le=365)] | None = None

    @field_validator("model")
    @classmethod
    def _known_model(cls, value: str) -> str:
        if value not in load_prices():
            raise ValueError(f"unknown model {value!r}; choose one of: {', '.join(load_prices())}")
        return value

    @field_validator("fine_tuned_model")
    @classmethod
    def _tunable_model(cls, value: str) -> str:
        tunable = [p.id for p in load_prices().values() if p.fine_tunable]
        if value not in tunable:
            raise ValueError(f"{value!r} cannot be fine-tuned; choose one of: {', '.join(tunable)}")
        return value


DEFAULT_ASSUMPTIONS = CostAssumptions()


@dataclass(frozen=True)
class CostFigures:
    monthly_prompt_engineering: float
    monthly_fine_tuned: float
    one_time_fine_tuning: float
    monthly_retraining: float
    break_even_months: float | None
    few_shot_tokens_per_month: float
    assumptions: tuple[str, ...]

    @property
    def monthly_saving(self) -> float:
        return self.monthly_prompt_engineering - self.monthly_fine_tuned - self.monthly_retraining


def _volume(answers: dict) -> tuple[int, int, int]:
    requests = answers.get("monthly_requests")
    prompt = answers.get("avg_prompt_tokens_without_examples")
    output = answers.get("avg_output_tokens")
    return (
        DEFAULT_MONTHLY_REQUESTS if requests is None else requests,
        DEFAULT_PROMPT_TOKENS if prompt is None else prompt,
        DEFAULT_OUTPUT_TOKENS if output is None else output,
    )


def few_shot_tokens_per_month(answers: dict, assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS) -> float:
    """N x k x E: the example tokens a few-shot prompt resends every month (domain.md 4.5)."""
    requests, _, _ = _volume(answers)
    return requests * assumptions.examples_in_prompt * assumptions.tokens_per_example


def monthly_costs(answers: dict, assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS) -> tuple[float, float]:
    """(few-shot prompting, fine-tuned model) per month; the cheap part the engine scores on."""
    prices = load_prices()
    base, tuned = prices[assumptions.model], prices[assumptions.fine_tuned_model]
    requests, prompt, output = _volume(answers)
    examples = assumptions.examples_in_prompt * assumptions.tokens_per_example
    cached = examples if assumptions.prompt_caching else 0
    prompting = requests * (
        (prompt + examples - cached) * base.input + cached * base.cached_input + output * base.output
    ) / MILLION
    fine_tuned = requests * (prompt * tuned.ft_input + output * tuned.ft_output) / MILLION
    fine_tuned += tuned.hosting_per_hour * HOURS_PER_MONTH
    return prompting, fine_tuned


def cost_figures(answers: dict, assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS) -> CostFigures:
    """Monthly costs, one-time training, retraining and break-even (formulas of domain.md 4.1)."""
    prices = load_prices()
    base, tuned = prices[assumptions.model], prices[assumptions.fine_tuned_model]
    requests, prompt, output = _volume(answers)
    prompting, fine_tuned = monthly_costs(answers, assumptions)
    examples = assumptions.training_examples or answers.get("labeled_examples") or DEFAULT_TRAINING_EXAMPLES
    tokens_each = assumptions.training_tokens_per_example or prompt + output
    one_time = examples * tokens_each * assumptions.epochs * tuned.train / MILLION
    change = answers.get("requirements_change_frequency")
    retrains = assumptions.retrains_per_year
    if retrains is None:
        retrains = RETRAINS_PER_YEAR[change]
    retraining = one_time * retrains / 12
    saving = prompting - fine_tuned - retraining
    break_even = round(one_time / saving, 1) if saving > 0 else None
    notes = _assumption_notes(answers, assumptions, base, tuned, examples, tokens_each, retrains)
    return CostFigures(
        monthly_prompt_engineering=round(prompting, 2),
        monthly_fine_tuned=round(fine_tuned, 2),
        one_time_fine_tuning=round(one_time, 2),
        monthly_retraining=round(retraining, 2),
        break_even_months=break_even,
        few_shot_tokens_per_month=few_shot_tokens_per_month(answers, assumptions),
        assumptions=notes,
    )


def _assumption_notes(answers, assumptions, base: Price, tuned: Price, examples, tokens_each, retrains):
    requests, prompt, output = _volume(answers)

    def given(field: str) -> str:
        return "from your answers" if answers.get(field) is not None else "assumed; answer it to refine"

    caching = (f"the static few-shot block is cached at ${base.cached_input}/1M" if assumptions.prompt_caching
               else "no prompt caching")
    hosting = (f" plus ${tuned.hosting_per_hour}/hour hosting" if tuned.hosting_per_hour else "")
    return (
        f"{requests:,} requests a month ({given('monthly_requests')}).",
        f"{prompt:,} prompt tokens before examples ({given('avg_prompt_tokens_without_examples')}); "
        f"{output:,} output tokens ({given('avg_output_tokens')}).",
        f"Prompting: {base.name} at ${base.input}/1M in, ${base.output}/1M out, with "
        f"{assumptions.examples_in_prompt} examples of {assumptions.tokens_per_example} tokens in every "
        f"prompt; {caching}. Prices: {base.source}, {base.date} [{base.mark}].",
        f"Fine-tuned: {tuned.name} at ${tuned.ft_input}/1M in, ${tuned.ft_output}/1M out{hosting}, with the "
        f"short prompt only. Prices: {tuned.source}, {tuned.date} [{tuned.mark}]. {tuned.note}".strip(),
        f"Training: {examples:,} examples x {tokens_each:,} tokens x {assumptions.epochs} epochs at "
        f"${tuned.train}/1M training tokens.",
        f"Retraining {retrains} times a year, from how often requirements change.",
        "Not included: collecting, labelling and reviewing data, and engineering time, usually the "
        "largest real cost of fine-tuning (Azure).",
    )


def monthly_series(answers: dict, assumptions: CostAssumptions | None = None, months: int = 24) -> dict:
    """Cumulative cost at the end of each month 1..months, for the cost chart.

    Returns {"months": [1, ...], "prompt_engineering": [...], "fine_tuning": [...]}; fine-tuning starts
    with the one-time training cost and adds retraining each month.
    """
    figures = cost_figures(answers, assumptions or DEFAULT_ASSUMPTIONS)
    tuned_monthly = figures.monthly_fine_tuned + figures.monthly_retraining
    numbers = range(1, max(months, 1) + 1)
    return {
        "months": list(numbers),
        "prompt_engineering": [round(figures.monthly_prompt_engineering * m, 2) for m in numbers],
        "fine_tuning": [round(figures.one_time_fine_tuning + tuned_monthly * m, 2) for m in numbers],
    }
