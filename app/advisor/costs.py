"""Costs over time: few-shot prompting versus a fine-tuned model with a short prompt (domain.md section 4).

All figures are USD. Prices come from `prices.toml` (per 1M tokens, each row dated and sourced).
"""

import tomllib
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

PRICES_PATH = Path(__file__).with_name("prices.toml")
MILLION = 1_000_000
HOURS_PER_MONTH = 730  # Azure's hosting arithmetic (domain.md 1.2)
MONTHS_PER_YEAR = 12
# Planning figures used when the answers leave a number open (the worked examples of domain.md 4.4).
DEFAULT_MONTHLY_REQUESTS = 10_000
DEFAULT_PROMPT_TOKENS = 500
DEFAULT_OUTPUT_TOKENS = 200
DEFAULT_TRAINING_EXAMPLES = 1_000
# Retrains a year by how often requirements change (domain.md 4.1 "Maintenance"; rare = one base-model
# upgrade a year, unknown = quarterly).
RETRAINS_PER_YEAR = {"weekly": 52, "monthly": 12, "rare": 1, None: 4}
# Data collection, review and engineering time: "usually the largest real cost", not in token prices; the
# app shows it as an assumption the user can set (domain.md 4.1). domain.md gives no figure, so these are
# our planning defaults [U]: about two person-weeks to collect, review and format the examples, build the
# evaluation set and the training pipeline; about a day of refreshing examples and re-evaluating per retrain
# (4.5: retraining multiplies training "and, more importantly, data work").
DEFAULT_DATA_PREPARATION_COST = 5_000
DEFAULT_DATA_WORK_PER_RETRAIN = 500
# How sure each price row is (prices.toml `mark`), in words for the assumptions list.
MARK_WORDS = {
    "V": "read in the provider's own documentation",
    "S": "from a secondary source, so likely right but not confirmed",
    "U": "not verified, our own assumption",
}
CHANGE_WORDS = {"weekly": "every week", "monthly": "every month"}


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
    data_preparation_cost: Annotated[int, Field(ge=0, le=100_000_000)] = Field(
        DEFAULT_DATA_PREPARATION_COST,
        description="USD, once: collecting, reviewing and formatting examples, evaluation set, engineering.")
    data_work_per_retrain: Annotated[int, Field(ge=0, le=10_000_000)] = Field(
        DEFAULT_DATA_WORK_PER_RETRAIN, description="USD per retrain: refreshing examples and re-evaluating.")

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
    """Monthly costs, one-time cost, retraining and break-even (formulas of domain.md 4.1).

    One-time = data preparation + training tokens; each retrain = training tokens + data work (4.1, 4.5).
    """
    prices = load_prices()
    base, tuned = prices[assumptions.model], prices[assumptions.fine_tuned_model]
    _, prompt, output = _volume(answers)
    prompting, fine_tuned = monthly_costs(answers, assumptions)
    examples = assumptions.training_examples or answers.get("labeled_examples") or DEFAULT_TRAINING_EXAMPLES
    tokens_each = assumptions.training_tokens_per_example or prompt + output
    training = examples * tokens_each * assumptions.epochs * tuned.train / MILLION
    one_time = assumptions.data_preparation_cost + training
    retrains = assumptions.retrains_per_year
    if retrains is None:
        retrains = RETRAINS_PER_YEAR[answers.get("requirements_change_frequency")]
    retraining = (training + assumptions.data_work_per_retrain) * retrains / 12
    saving = prompting - fine_tuned - retraining
    break_even = round(one_time / saving, 1) if saving > 0 else None
    figures = CostFigures(
        monthly_prompt_engineering=round(prompting, 2),
        monthly_fine_tuned=round(fine_tuned, 2),
        one_time_fine_tuning=round(one_time, 2),
        monthly_retraining=round(retraining, 2),
        break_even_months=break_even,
        few_shot_tokens_per_month=few_shot_tokens_per_month(answers, assumptions),
        assumptions=(),
    )
    notes = _assumption_notes(answers, assumptions, base, tuned, examples, tokens_each, training,
                              retrains, figures)
    return replace(figures, assumptions=notes)


def _usd(value: float) -> str:
    """Dollars as people read them: cents below $1,000, whole dollars above."""
    return f"${value:,.0f}" if abs(value) >= 1_000 else f"${value:,.2f}"


def _per_million(value: float) -> str:
    return f"${value:,.3f}".rstrip("0").rstrip(".") if value < 0.01 else f"${value:,.2f}"


def _times_a_year(count: int) -> str:
    return {0: "never", 1: "once a year", 2: "twice a year"}.get(count, f"{count} times a year")


def _prices_from(price: Price) -> str:
    return f"Prices: {price.source}, {price.date}; {MARK_WORDS[price.mark]}."


def _volume_note(answers: dict) -> str:
    """One line on requests and token counts, saying which were assumed (shown above the cost figures)."""
    requests, prompt, output = _volume(answers)
    parts = [(f"{requests:,} requests a month", "monthly_requests"),
             (f"{prompt:,} prompt tokens before examples", "avg_prompt_tokens_without_examples"),
             (f"{output:,} output tokens", "avg_output_tokens")]
    if all(answers.get(field) is not None for _, field in parts):
        return "Volume from your answers: " + ", ".join(text for text, _ in parts) + "."
    marked = [text + (" (your answer)" if answers.get(field) is not None else " (assumed, not answered yet)")
              for text, field in parts]
    return ("Volume partly assumed: " + ", ".join(marked)
            + ". Answer the volume questions to make these figures yours.")


def _retraining_note(answers: dict, assumptions: CostAssumptions, training: float, retrains: int,
                     monthly: float) -> str:
    change = answers.get("requirements_change_frequency")
    how_often = _times_a_year(retrains)
    if assumptions.retrains_per_year is not None:
        why = f"Retraining {how_often}, as you set it"
    elif change is None:
        why = f"Retraining {how_often} (an assumption: how often requirements change is not answered yet)"
    elif change == "rare":
        why = f"Retraining {how_often}, for a base-model upgrade, as requirements rarely change"
    else:
        why = f"Retraining {how_often}, as requirements change {CHANGE_WORDS[change]}"
    if not retrains:
        return why + "."
    return (f"{why}: each run costs {_usd(training)} in training tokens plus "
            f"{_usd(assumptions.data_work_per_retrain)} of data work and re-evaluation, about "
            f"{_usd(monthly)} a month.")


def _break_even_note(figures: CostFigures, retrains: int) -> str:
    """Why fine-tuning pays back when it does, or what stops it: the real reason, in one sentence."""
    token_saving = figures.monthly_prompt_engineering - figures.monthly_fine_tuned
    once = _usd(figures.one_time_fine_tuning)
    if token_saving <= 0:
        return ("Break-even: never on these figures. The tuned model costs as much as prompting or more "
                f"every month, so nothing pays back the {once} paid once.")
    if figures.break_even_months is None and retrains >= MONTHS_PER_YEAR:
        # 4.5: frequent change multiplies retraining and its data work; that is what rules tuning out here.
        return (f"Break-even: never on these figures. Retraining {_times_a_year(retrains)} costs "
                f"{_usd(figures.monthly_retraining)} a month, more than the {_usd(token_saving)} a month the "
                "tuned model saves in tokens.")
    if figures.break_even_months is None:
        return ("Break-even: never on these figures. The tuned model saves only "
                f"{_usd(token_saving)} a month in tokens, less than retraining {_times_a_year(retrains)} "
                f"costs ({_usd(figures.monthly_retraining)} a month), so the {once} paid once never comes "
                "back.")
    when = ("within the first month" if figures.break_even_months < 1
            else f"after {figures.break_even_months:g} months")
    return (f"Break-even {when}: the {once} paid once comes back from a saving of "
            f"{_usd(figures.monthly_saving)} a month, retraining included.")


def _assumption_notes(answers, assumptions, base: Price, tuned: Price, examples, tokens_each, training,
                      retrains, figures: CostFigures) -> tuple[str, ...]:
    caching = (f"the static few-shot block is billed at the cached rate of {_per_million(base.cached_input)}"
               "/1M" if assumptions.prompt_caching else "no prompt caching")
    hosting = (f" plus ${tuned.hosting_per_hour:,.2f}/hour hosting" if tuned.hosting_per_hour else "")
    return (
        _volume_note(answers),
        f"Prompting: {base.name} at {_per_million(base.input)}/1M in, {_per_million(base.output)}/1M out, "
        f"with {assumptions.examples_in_prompt} examples of {assumptions.tokens_per_example} tokens in every "
        f"prompt; {caching}. {_prices_from(base)}",
        f"Fine-tuned: {tuned.name} at {_per_million(tuned.ft_input)}/1M in, {_per_million(tuned.ft_output)}"
        f"/1M out{hosting}, with the short prompt only. {_prices_from(tuned)} {tuned.note}".strip(),
        f"Data preparation and engineering: {_usd(assumptions.data_preparation_cost)} once, for collecting, "
        "reviewing and formatting examples and building the evaluation set and pipeline. Usually the largest "
        "real cost of fine-tuning (Azure); this is our planning figure, not a quote, so set your own.",
        f"Training: {examples:,} examples x {tokens_each:,} tokens x {assumptions.epochs} "
        f"{'epoch' if assumptions.epochs == 1 else 'epochs'} at "
        f"{_per_million(tuned.train)}/1M training tokens: {_usd(training)} a run.",
        _retraining_note(answers, assumptions, training, retrains, figures.monthly_retraining),
        # Last on purpose: the result page shows this sentence as the cost chart's caption.
        _break_even_note(figures, retrains),
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
