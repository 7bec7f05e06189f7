"""Costs of the real options (engine 2.0.0): prompting the model in use, a smaller model, a tuned model
hosted by a provider or on your GPUs, on-device, and the recommended path itself.

All figures are USD. Prices come from `prices.toml` via `prices.py` (each row dated, sourced and marked).
The rules C1-C7 of shared/domain-2026.md 6.2 are cited where they apply; planning figures that no source
gives are named as such in the assumptions, with a field to set them.
"""

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache, lru_cache
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.advisor.prices import Price, PriceTable, load_table, price_words

MILLION = 1_000_000
HOURS_PER_MONTH = 730  # Azure's hosting arithmetic (domain.md 1.2)
MONTHS_PER_YEAR = 12
MONTHS_SHOWN = 24  # total_24_months: two years, the horizon of the v1 chart
# Planning figures used when the answers leave a number open: (low, expected, high). The expected values
# are the worked examples of domain.md 4.4; the ends are the range we show so a reader sees how far an
# open answer can move the figure (our planning range, not a source's).
REQUESTS_RANGE = (1_000, 10_000, 1_000_000)
PROMPT_TOKENS_RANGE = (200, 500, 2_000)
OUTPUT_TOKENS_RANGE = (50, 200, 1_000)
# Examples in the prompt when the team has not said: teams often send none (issue 12), so the range
# starts at 0; 10 is the v1 planning figure (domain.md 4.4), 20 a long few-shot block.
EXAMPLES_RANGE = (0, 10, 20)
DEFAULT_MONTHLY_REQUESTS = REQUESTS_RANGE[1]
DEFAULT_PROMPT_TOKENS = PROMPT_TOKENS_RANGE[1]
DEFAULT_OUTPUT_TOKENS = OUTPUT_TOKENS_RANGE[1]
DEFAULT_EXAMPLES_IN_PROMPT = EXAMPLES_RANGE[1]
DEFAULT_TRAINING_EXAMPLES = 1_000
# Retrains a year by how often requirements change (domain.md 4.1 "Maintenance"; rare = one base-model
# upgrade a year, unknown = quarterly).
RETRAINS_PER_YEAR = {"weekly": 52, "monthly": 12, "rare": 1, None: 4}
# Data preparation scales with the number of examples (issue 12: "the same data preparation for 300 and
# 5,000 examples" was wrong). domain.md gives no figure, so this is our labelled planning assumption:
# a fixed $2,000 (evaluation set, pipeline) plus $3 per example (about two minutes of review at $90 an
# hour). At 1,000 examples it gives the v1 figure of $5,000.
DATA_SETUP_COST = 2_000
DATA_COST_PER_EXAMPLE = 3
# Beyond this many examples a team reviews a sample, not every example (planning figure): 10,000 reviewed
# examples cost $32,000, and a team holding 100,000 logged completions does not read them all.
DATA_REVIEWED_EXAMPLES_CAP = 10_000
DEFAULT_DATA_WORK_PER_RETRAIN = 500
# Capacity of one GPU serving the tuned model: it must prefill every prompt token it has
# not cached AND decode every output token, so both count (v1 sized on output tokens alone). Figures
# for one 24 GB L4 serving a gpt-oss-20b-sized model (3.6B active parameters); other GPU classes scale
# them by their `speed` (prices.toml [[gpu_class]]). Each is our planning figure, to replace with a load
# test, and each is the user's to set:
# - prefill: 121 dense FP16 TFLOPS (NVIDIA L4 datasheet) / (2 FLOPs x 3.6B active parameters a token)
#   is about 17,000 tokens/s at peak; we plan with 5,000, under a third of it.
# - decode: domain-2026 5.2 measures hosted gpt-oss-20b at 313 tokens/s for ONE stream (secondary); a
#   server batches many streams, so one GPU sustains more in total. An L4 has a tenth of an H100's memory
#   bandwidth, so we plan with 800 tokens/s for all streams together (v1 planned 1,000 on an H100).
GPU_PREFILL_TOKENS_PER_SECOND = 5_000
GPU_DECODE_TOKENS_PER_SECOND = 800
# Always-on GPUs are sized for the busy hour, not the average: traffic that follows working hours peaks
# at about twice its monthly average (our planning figure; set your own from your traffic).
PEAK_PERCENT_OF_AVERAGE = 200  # a whole percentage, so the result page form can set it
# Batch-tolerant work on a dedicated deployment can scale to zero between runs (Fireworks: scale-to-zero,
# domain-2026 C1); we add one hour a day for start-up and idle time (planning figure).
BATCH_IDLE_HOURS_PER_MONTH = 30
# Retrieval: tokens of retrieved context added to each request and a retrieval service (vector store,
# embedding). No vendor price for a retrieval service was read (domain-2026 7), so both are editable
# planning figures.
DEFAULT_RETRIEVAL_TOKENS = 2_000
DEFAULT_RETRIEVAL_SERVICE_MONTHLY = 100
# Share of the prompt (before examples) that is fixed instructions, the same on every request; the rest
# is the request's own input. Only the fixed part can be cached or trained in (issue 12). Planning figure.
DEFAULT_STATIC_SHARE_PERCENT = 50
# A route must stay open from today through launch plus this many weeks (the revisit window of
# steps.REVISIT_WEEKS for rare change), unless the caller passes its own revisit window.
DEFAULT_REVISIT_WEEKS = 26
CHANGE_WORDS = {"weekly": "every week", "monthly": "every month"}
# With a low budget, a recommended line dearer than this multiple of the cheapest over 24 months is said
# plainly in why_not_cheapest (review finding F3: case 02 cost 148,118 USD more without saying so). The
# threshold is the reviewer's; no source gives one.
LOW_BUDGET_RATIO = 3
# Reference date for callers that pass none (the engine's scoring): the first dated row of each model.
UNDATED = None


class CostAssumptions(BaseModel):
    """Every assumption of the cost model; each can be overridden (API, CLI, result page form)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str | None = Field(
        None,
        description="Price-table id of the prompted model; empty: the model you use now (answer "
        "current_model) when the table prices it, else the default.",
    )
    fine_tuned_model: str = Field(
        default_factory=lambda: load_table().defaults["tuned"],
        description="Price-table id of the model tuned for the tuned options.",
    )
    # Set explicitly, it overrides the answer prompt_examples_today; left at its default, the answer (or
    # the assumed range 0-20) is used (`model_fields_set` tells the two apart). The default stays a number
    # because the engine's flips read it (flips.candidates).
    examples_in_prompt: Annotated[int, Field(ge=0, le=1_000)] = Field(
        DEFAULT_EXAMPLES_IN_PROMPT,
        description="Examples in every prompt; not set: your answer, else assumed 10 (range 0-20).",
    )
    tokens_per_example: Annotated[int, Field(ge=1, le=100_000)] = 200
    prompt_caching: bool = Field(True, description="Cache the static prefix where the provider caches.")
    static_share_percent: Annotated[int, Field(ge=0, le=100)] = Field(
        DEFAULT_STATIC_SHARE_PERCENT,
        description="Share of the prompt before examples that is fixed instructions (cacheable, trainable).",
    )
    epochs: Annotated[int, Field(ge=1, le=100)] = 3
    training_examples: Annotated[int, Field(ge=1, le=100_000_000)] | None = None
    training_tokens_per_example: Annotated[int, Field(ge=1, le=2_000_000)] | None = None
    retrains_per_year: Annotated[int, Field(ge=0, le=365)] | None = None
    data_preparation_cost: Annotated[int, Field(ge=0, le=100_000_000)] | None = Field(
        None, description="USD, once; empty: $2,000 plus $3 per training example."
    )
    data_work_per_retrain: Annotated[int, Field(ge=0, le=10_000_000)] = Field(
        DEFAULT_DATA_WORK_PER_RETRAIN, description="USD per retrain: refreshing examples and re-evaluating."
    )
    gpu: str | None = Field(
        None,
        description="GPU-hour preset for self-hosting (prices.toml [[gpu]]); empty: the smallest GPU class "
        "whose memory holds the model, at its presets' range.",
    )
    gpu_per_hour: Annotated[float, Field(gt=0, le=1_000)] | None = Field(
        None, description="USD per GPU-hour for self-hosting; empty: the preset's price."
    )
    gpu_prefill_tokens_per_second: Annotated[int, Field(ge=1, le=10_000_000)] = Field(
        GPU_PREFILL_TOKENS_PER_SECOND,
        description="Prompt tokens one 24 GB GPU (L4) prefills a second for the tuned model; our planning "
        "figure, larger GPUs scale it.",
    )
    gpu_decode_tokens_per_second: Annotated[int, Field(ge=1, le=1_000_000)] = Field(
        GPU_DECODE_TOKENS_PER_SECOND,
        description="Output tokens one 24 GB GPU (L4) decodes a second over all streams; our planning "
        "figure, larger GPUs scale it.",
    )
    peak_percent_of_average: Annotated[int, Field(ge=100, le=10_000)] = Field(
        PEAK_PERCENT_OF_AVERAGE,
        description="Busy-hour traffic as a % of the monthly average (200: twice); always-on GPUs are sized "
        "for it.",
    )
    retrieval_tokens_per_request: Annotated[int, Field(ge=0, le=2_000_000)] = DEFAULT_RETRIEVAL_TOKENS
    retrieval_service_monthly: Annotated[int, Field(ge=0, le=10_000_000)] = DEFAULT_RETRIEVAL_SERVICE_MONTHLY

    @field_validator("model")
    @classmethod
    def _known_model(cls, value: str | None) -> str | None:
        ids = load_table().ids()
        if value is not None and value not in ids:
            raise ValueError(f"unknown model {value!r}; choose one of: {', '.join(ids)}")
        return value

    @field_validator("fine_tuned_model")
    @classmethod
    def _tunable_model(cls, value: str) -> str:
        table = load_table()
        tunable = [price.id for price in table.rows if price.fine_tunable]
        if value not in tunable:
            raise ValueError(
                f"{value!r} cannot be fine-tuned; choose one of: {', '.join(dict.fromkeys(tunable))}"
            )
        return value

    @field_validator("gpu")
    @classmethod
    def _known_gpu(cls, value: str | None) -> str | None:
        if value is not None and value not in load_table().gpus:
            raise ValueError(f"unknown GPU preset {value!r}; choose one of: {', '.join(load_table().gpus)}")
        return value


DEFAULT_ASSUMPTIONS = CostAssumptions()


# --- volume: the answers, or a range where they are open ------------------------------------------


@dataclass(frozen=True)
class Volume:
    requests: int
    prompt: int
    output: int
    examples: int


def _pick(answer, fixed, spread: tuple[int, int, int]) -> tuple[int, int, int]:
    value = fixed if fixed is not None else answer
    return (value, value, value) if value is not None else spread


def volumes(answers: dict, assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS) -> tuple[Volume, ...]:
    """The expected volume first, then every corner of the ranges of the answers left open."""
    requests = _pick(answers.get("monthly_requests"), None, REQUESTS_RANGE)
    prompt = _pick(answers.get("avg_prompt_tokens_without_examples"), None, PROMPT_TOKENS_RANGE)
    output = _pick(answers.get("avg_output_tokens"), None, OUTPUT_TOKENS_RANGE)
    examples = _pick(answers.get("prompt_examples_today"), _set_examples(assumptions), EXAMPLES_RANGE)
    expected = Volume(requests[1], prompt[1], output[1], examples[1])
    corners = {
        Volume(r, p, o, e)
        for r in {requests[0], requests[2]}
        for p in {prompt[0], prompt[2]}
        for o in {output[0], output[2]}
        for e in {examples[0], examples[2]}
    }
    return (
        expected,
        *sorted(corners - {expected}, key=lambda v: (v.requests, v.prompt, v.output, v.examples)),
    )


def _set_examples(assumptions: CostAssumptions) -> int | None:
    return assumptions.examples_in_prompt if "examples_in_prompt" in assumptions.model_fields_set else None


def _expected(answers: dict, assumptions: CostAssumptions) -> Volume:
    """volumes()[0] without the corners: the engine's scoring calls this for every probe."""

    def value(answer, fixed, spread):
        return fixed if fixed is not None else answer if answer is not None else spread[1]

    return Volume(
        value(answers.get("monthly_requests"), None, REQUESTS_RANGE),
        value(answers.get("avg_prompt_tokens_without_examples"), None, PROMPT_TOKENS_RANGE),
        value(answers.get("avg_output_tokens"), None, OUTPUT_TOKENS_RANGE),
        value(answers.get("prompt_examples_today"), _set_examples(assumptions), EXAMPLES_RANGE),
    )


# --- token and GPU arithmetic ---------------------------------------------------------------------


def prompt_cost(
    price: Price,
    volume: Volume,
    assumptions: CostAssumptions,
    *,
    extra_input: int = 0,
    batch: bool = False,
    stack: bool = False,
) -> float:
    """Monthly cost of prompting `price` at `volume`.

    The static prefix (fixed instructions + the example block) is billed at the cached rate where the
    provider caches and the prefix reaches its minimum (domain-2026 2.5, T5), with a write term (C1): one
    write per cache lifetime, at most one per request. Batch work gets the batch factor on uncached input
    and output (C2). Whether batch and cache discounts multiply was not found (domain-2026 2.6, 7), so the
    cached prefix keeps its cache price (the larger single discount: 0.1-0.5x against batch's 0.5x);
    `stack` multiplies the two, for the low end only, labelled unconfirmed (review finding F9).
    """
    examples = volume.examples * assumptions.tokens_per_example
    static = volume.prompt * assumptions.static_share_percent // 100 + examples
    dynamic = volume.prompt + examples - static + extra_input
    output = volume.output
    if price.token_factor != 1.0:  # C6: the same text is more tokens on this model's tokenizer
        static, dynamic = round(static * price.token_factor), round(dynamic * price.token_factor)
        output = round(output * price.token_factor)
    factor = price.batch_factor if batch and price.batch_factor else 1.0
    requests = volume.requests
    cached = (
        assumptions.prompt_caching
        and price.cached_input is not None
        and static > 0
        and static >= price.cache_min_tokens
    )
    if not cached:
        per_request_in = (static + dynamic) * price.input * factor
        return requests * (per_request_in + output * price.output * factor) / MILLION
    writes = min(requests, HOURS_PER_MONTH * 60 / price.cache_ttl_minutes)
    write_price = price.cache_write if price.cache_write is not None else price.input
    prefix = writes * static * write_price + (requests - writes) * static * price.cached_input
    if stack:
        prefix *= factor
    rest = requests * (dynamic * price.input + output * price.output) * factor
    return (prefix + rest) / MILLION


@dataclass(frozen=True)
class Serving:
    """Where a model is served by the GPU-hour: the GPU, how many one copy needs, its speed relative to
    one L4, and the hourly rate at the low, expected and high end."""

    gpu_name: str
    per_copy: int
    speed: float
    rates: tuple[float, float, float]
    words: str


@lru_cache(maxsize=256)  # F5 prices many probes; bounded: assumptions come from user input
def self_serving(table: PriceTable, assumptions: CostAssumptions, model: Price) -> Serving:
    """GPUs a team rents to run `model` itself: the smallest class whose memory holds it (domain-2026 3.6:
    a 24 GB L4 serves a model up to about 8B, or gpt-oss-20b in 16 GB), or the preset set by hand."""
    if assumptions.gpu is not None:
        preset = table.gpus[assumptions.gpu]
        gpu_class = table.gpu_class_of(preset.id)
        per_copy = max(1, math.ceil((model.serve_memory_gb or 0) / preset.memory_gb))
        low = mid = high = preset.per_hour
        words = (
            f"{preset.name} at ${preset.per_hour:,.2f} per GPU-hour, as you set it ({preset.source}, "
            f"{preset.date})"
        )
        name = preset.name
    else:
        gpu_class, per_copy = table.gpu_class_for(model.serve_memory_gb)
        presets = [table.gpus[gpu_class.low], table.gpus[gpu_class.expected], table.gpus[gpu_class.high]]
        low, mid, high = (p.per_hour for p in presets)
        low, high = min(low, mid), max(high, mid)
        fits = (
            f"the smallest GPU that holds {model.name.split(' on ')[0]} ({model.serve_memory_gb:g} GB"
            + (f": {model.serve_memory_source}" if model.serve_memory_source else ", our sizing")
            + ")"
            if model.serve_memory_gb
            else "the smallest GPU class"
        )
        words = (
            f"{fits}: {presets[1].name} at ${mid:,.2f} per GPU-hour ({presets[1].source}, "
            f"{presets[1].date}; {price_words(presets[1].mark)}); the range runs from ${low:,.2f} "
            f"({presets[0].name}) to ${high:,.2f} "
            f"({presets[2].name}). All self-hosting GPU prices are from secondary sources: check your "
            "provider's page"
        )
        name = gpu_class.name
    if assumptions.gpu_per_hour is not None:
        low = mid = high = assumptions.gpu_per_hour
        words = f"${mid:,.2f} per GPU-hour, as you set it"
    return Serving(name, per_copy, gpu_class.speed, (low, mid, high), words)


@cache
def hosted_serving(table: PriceTable, model: Price) -> Serving:
    """A provider's dedicated deployment of a tuned copy (Fireworks: H100 or larger, domain-2026 3.4)."""
    gpu = table.gpus[model.dedicated_gpu]
    low = table.gpus[table.defaults["hosted_gpu_low"]].per_hour
    return Serving(
        gpu.name,
        model.dedicated_gpus,
        table.gpu_class_of(gpu.id).speed,
        (low, gpu.per_hour, gpu.per_hour),
        "",
    )


def computed_prompt_tokens(
    volume: Volume, assumptions: CostAssumptions, *, tuned: bool, extra_input: int = 0
) -> int:
    """Prompt tokens a GPU prefills per request. A tuned model's prompt carries no examples; an untuned
    one carries them. With caching on, the fixed prefix (instructions, examples) is not recomputed: the
    serving engine keeps its KV cache across requests (vLLM automatic prefix caching), as a provider's
    cache does."""
    examples = 0 if tuned else volume.examples * assumptions.tokens_per_example
    static = volume.prompt * assumptions.static_share_percent // 100 + examples
    total = volume.prompt + examples + extra_input
    return total - static if assumptions.prompt_caching else total


def gpu_seconds_per_request(
    volume: Volume, assumptions: CostAssumptions, speed: float, prompt_tokens: int
) -> float:
    """One GPU's time per request: prefill of the computed prompt plus decode of the output."""
    return prompt_tokens / (assumptions.gpu_prefill_tokens_per_second * speed) + volume.output / (
        assumptions.gpu_decode_tokens_per_second * speed
    )


def gpus_needed(volume: Volume, assumptions: CostAssumptions, serving: Serving, prompt_tokens: int) -> int:
    """Always-on GPUs for the busy hour: whole copies of the model, at least one."""
    busy = volume.requests * gpu_seconds_per_request(volume, assumptions, serving.speed, prompt_tokens)
    at_peak = busy / (3600 * HOURS_PER_MONTH) * assumptions.peak_percent_of_average / 100
    return serving.per_copy * max(1, math.ceil(at_peak / serving.per_copy))


def gpu_hours(
    volume: Volume, assumptions: CostAssumptions, serving: Serving, prompt_tokens: int, batch: bool
) -> float:
    """Always-on GPUs, or, for batch work, the hours the work needs plus idle time (scale to zero)."""
    gpus = gpus_needed(volume, assumptions, serving, prompt_tokens)
    if not batch:
        return gpus * HOURS_PER_MONTH
    busy = volume.requests * gpu_seconds_per_request(volume, assumptions, serving.speed, prompt_tokens) / 3600
    return min(gpus * HOURS_PER_MONTH, busy + BATCH_IDLE_HOURS_PER_MONTH)


def gpu_cost(
    volume: Volume,
    assumptions: CostAssumptions,
    serving: Serving,
    end: str,
    *,
    tuned: bool,
    batch: bool,
    extra_input: int = 0,
) -> float:
    prompt = computed_prompt_tokens(volume, assumptions, tuned=tuned, extra_input=extra_input)
    rate = serving.rates[("low", "expected", "high").index(end)]
    return gpu_hours(volume, assumptions, serving, prompt, batch) * rate


def self_hosting_open(answers: dict) -> bool:
    """Who can run a tuned model on a rented GPU VM: a team that said it self-hosts, or one whose model
    access allows open weights and that has ML skills. gpu_access is about TRAINING compute, so no GPUs
    today does not rule out renting one to serve; without ML skills only a provider-hosted route counts."""
    deployment = answers.get("deployment")
    if deployment == "self_hosted":
        return True
    if deployment is not None or answers.get("ml_expertise") == "none":
        return False
    access = answers.get("model_access")
    return access in ("open_weights", "both") or (
        access is None and answers.get("gpu_access") in ("cloud", "own")
    )


def per_token_tuned_cost(price: Price, volume: Volume, extra_input: int = 0) -> float:
    """A tuned model served per token (OpenAI, Azure): the short prompt only, plus any hosting fee."""
    tokens = volume.requests * (
        (volume.prompt + extra_input) * price.ft_input + volume.output * price.ft_output
    )
    return tokens / MILLION + price.hosting_per_hour * HOURS_PER_MONTH


# --- the engine's cheap comparison (rules.py reads these two) --------------------------------------


def _prompted(answers: dict, assumptions: CostAssumptions, table: PriceTable, on: date | None) -> Price:
    """The model the prompting option prices: set in the assumptions, else the team's current model when
    the table prices it and it is not retired, else the default (never a retiring or unverified row)."""
    if assumptions.model is not None:
        return table.price(assumptions.model, on) or table.price(assumptions.model)
    current = answers.get("current_model")
    price = table.price(current, on) if current and on else table.price(current) if current else None
    if price is not None and not (on and price.retired_on(on)):
        return price
    return table.default_model("prompting", on or _first_day(table))


@cache
def _first_day(table: PriceTable) -> date:
    """The date the table was read (newest row date): the reference for undated callers, not the clock."""
    return max(date.fromisoformat(row.date) for row in table.rows)


def few_shot_tokens_per_month(answers: dict, assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS) -> float:
    """N x k x E: the example tokens a few-shot prompt resends every month (domain.md 4.5); k is the
    team's answer (prompt_examples_today, 0 allowed) or the assumed 10."""
    volume = _expected(answers, assumptions)
    return volume.requests * volume.examples * assumptions.tokens_per_example


def monthly_costs(
    answers: dict,
    assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS,
    as_of: date | None = UNDATED,
    add_retrieval: bool | None = None,
) -> tuple[float | None, float | None]:
    """(the prompting option, the cheapest tuned option the team can use) per month at the expected
    volume, each as the options table prices it (retraining and retrieval included), or None where the
    table has no such line. The engine's F5 rule reads this, so its reason fires only when the table
    shows a tuned option cheaper a month than prompting. Teams that can self-host (`self_hosting_open`)
    count the cheaper of the provider-hosted and the self-hosted route; the others only the hosted one."""
    table = load_table()
    on = as_of or _first_day(table)
    if add_retrieval is None:
        add_retrieval = answers.get("needs_fresh_or_private_knowledge") is True  # 5.4 R1, as recommend()
    volume = _expected(answers, assumptions)
    batch = answers.get("batch_tolerant") is True
    deployment = answers.get("deployment")
    extra = assumptions.retrieval_tokens_per_request if add_retrieval else 0
    service = assumptions.retrieval_service_monthly if add_retrieval else 0
    tuned = table.price(assumptions.fine_tuned_model, on) or table.price(assumptions.fine_tuned_model)
    self_hosts = self_hosting_open(answers)
    if deployment == "on_device":
        return None, None  # no per-token or GPU-hour line to compare: the device carries the cost
    if deployment == "self_hosted" and self_hosts:
        serving = self_serving(table, assumptions, tuned)
        prompting = gpu_cost(
            volume, assumptions, serving, "expected", tuned=False, batch=batch, extra_input=extra
        )
    else:
        prompted = _prompted(answers, assumptions, table, on)
        prompting = prompt_cost(prompted, volume, assumptions, extra_input=extra, batch=batch)
    prompting += service
    retraining = _training(answers, assumptions, tuned).monthly_retraining
    routes = []
    if deployment in (None, "hosted_api") and _hosted_route_open(
        answers, table, tuned, on, DEFAULT_REVISIT_WEEKS
    ):
        routes.append(_hosted_monthly(table, tuned, assumptions, volume, "expected", batch, extra))
    if self_hosts:
        serving = self_serving(table, assumptions, tuned)
        routes.append(
            gpu_cost(volume, assumptions, serving, "expected", tuned=True, batch=batch, extra_input=extra)
        )
    if not routes:
        return prompting, None
    return prompting, min(routes) + retraining + service


def _hosted_route_open(answers: dict, table: PriceTable, tuned: Price, on: date, revisit_weeks: int) -> bool:
    """The tuned model's route takes new jobs today and still serves at launch plus the revisit window."""
    route = table.routes.get(tuned.tuning_route or "")
    launch = on + timedelta(weeks=answers.get("time_to_deploy_weeks") or 0)
    return route is not None and route.open_for_new_teams(on, launch + timedelta(weeks=revisit_weeks))


def _hosted_monthly(
    table: PriceTable,
    tuned: Price,
    assumptions: CostAssumptions,
    volume: Volume,
    end: str,
    batch: bool,
    extra: int,
) -> float:
    """Serving a provider-hosted tuned copy: GPU-hours on a dedicated deployment, or per token."""
    if tuned.per_gpu_hour:
        return gpu_cost(
            volume, assumptions, hosted_serving(table, tuned), end, tuned=True, batch=batch, extra_input=extra
        )
    return per_token_tuned_cost(tuned, volume, extra)


# --- prices that move inside the 24 months (domain-2026 C4 time-bound rows, 4 retirements) -----------


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):  # 31 January + 1 month is the last day of February
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _row_on(table: PriceTable, price: Price, day: date) -> Price | None:
    """The row that prices `price`'s line on `day`: its own dated row, or after its retirement the
    named successor's (None: retired with no successor named, so the line stops)."""
    if price.retires is not None and day >= price.retires:
        if price.successor is None:
            return None
        successor = table.price(price.successor, day)
        return successor if successor is not None and not successor.retired_on(day) else None
    return table.price(price.id, day) or price


def _changes(table: PriceTable, price: Price) -> list[date]:
    """Days on which the line's price changes: a dated row starts or ends, the model retires."""
    days = set()
    for row in _rows_of(table, price.id):
        if row.valid_from is not None:
            days.add(row.valid_from)
        if row.valid_to is not None:
            days.add(row.valid_to + timedelta(days=1))
    if price.retires is not None:
        days.add(price.retires)
        if price.successor is not None:
            successor = table.price(price.successor)
            if successor is not None and successor.id != price.id:
                days |= set(_changes(table, successor))
    return sorted(days)


def _rows_of(table: PriceTable, model_id: str) -> tuple[Price, ...]:
    return tuple(row for row in table.rows if row.id == model_id)


def dated_total(
    table: PriceTable, price: Price, as_of: date, monthly_of, months: int = MONTHS_SHOWN
) -> float | None:
    """The sum over `months` months from `as_of`, each month priced by the row valid on each of its
    days (split at the days the price changes, by share of the month's days); None when no change falls
    inside the window, so the plain 24 x monthly figure stands. `monthly_of(row)` is a month's cost on
    one row; a month after a retirement with no successor costs nothing (the line stops)."""
    end = _add_months(as_of, months)
    inside = [day for day in _changes(table, price) if as_of < day < end]
    if not inside:
        return None
    cache: dict[str, float] = {}

    def cost(row: Price | None) -> float:
        if row is None:
            return 0.0
        key = f"{row.id}@{row.valid_from}"
        if key not in cache:
            cache[key] = monthly_of(row)
        return cache[key]

    total = 0.0
    for m in range(months):
        start, stop = _add_months(as_of, m), _add_months(as_of, m + 1)
        cuts = [start, *(day for day in inside if start < day < stop), stop]
        days = (stop - start).days
        for a, b in zip(cuts, cuts[1:], strict=False):
            total += cost(_row_on(table, price, a)) * (b - a).days / days
    return total


def _dated_words(table: PriceTable, price: Price, as_of: date) -> list[str]:
    """What moves the line's price inside the 24 months, in words, each with its source."""
    end = _add_months(as_of, MONTHS_SHOWN)
    words = []
    for row in _rows_of(table, price.id):
        if row.valid_from is not None and as_of < row.valid_from < end:
            words.append(
                f"{row.name}'s price changes on {row.valid_from.isoformat()} to "
                f"{_per_million(row.input)}/1M in, {_per_million(row.output)}/1M out ({row.source}, "
                f"{row.date}; {price_words(row.mark)}): the 24-month total sums month by month at the "
                "price of each month, while the monthly figures show the first month's price."
            )
    if price.retires is not None and as_of < price.retires < end:
        successor = table.price(price.successor, price.retires) if price.successor else None
        if successor is not None:
            words.append(
                f"{price.name} retires on {price.retires.isoformat()}: the 24-month total prices it until "
                f"then and its named successor, {successor.name}, after (domain-2026 4); the monthly "
                f"figures show {price.name}. Check the successor on your evaluation set before the move."
            )
        else:
            words.append(
                f"{price.name} retires on {price.retires.isoformat()} and no successor is named "
                "(domain-2026 4): the 24-month total stops this line at that date; choose a replacement "
                "and price it before then."
            )
    return words


# --- the options ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    monthly_low: float
    monthly_expected: float
    monthly_high: float
    one_time: float
    assumptions: tuple[str, ...]
    model_id: str | None = None  # the prompted price row, for per-token options (not in the output)
    route: str | None = None  # for the hybrid line: the tuned option it builds on (not in the output)
    # Set when the price moves inside the 24 months (a dated row ends, the model retires): the total
    # summed month by month (domain-2026 C4, 4); None: one_time + 24 x monthly_expected.
    dated_total: float | None = None

    @property
    def total_24_months(self) -> float:
        if self.dated_total is not None:
            return self.dated_total
        return round(self.one_time + MONTHS_SHOWN * self.monthly_expected, 2)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "label": self.label,
            "monthly_low": self.monthly_low,
            "monthly_expected": self.monthly_expected,
            "monthly_high": self.monthly_high,
            "one_time": self.one_time,
            "total_24_months": self.total_24_months,
            "assumptions": list(self.assumptions),
        }


def _option(
    id_: str,
    label: str,
    monthly_of,
    volumes_: tuple[Volume, ...],
    one_time: float,
    notes: list[str],
    low_extra: float = 0.0,
    high_extra: float = 0.0,
) -> Option:
    """An option from a monthly-cost function over the expected volume and the corners of the open
    answers: low and high are the cheapest and dearest corner (so low <= expected <= high always)."""
    expected = monthly_of(volumes_[0], "expected")
    values = [expected] + [monthly_of(v, "low") for v in volumes_] + [monthly_of(v, "high") for v in volumes_]
    return Option(
        id_,
        label,
        round(min(values) + low_extra, 2),
        round(expected, 2),
        round(max(values) + high_extra, 2),
        round(one_time, 2),
        tuple(notes),
    )


@dataclass(frozen=True)
class Training:
    examples: int
    tokens_each: int
    run: float
    one_time: float
    data_preparation: float
    retrains: int
    monthly_retraining: float


def _training(answers: dict, assumptions: CostAssumptions, tuned: Price) -> Training:
    volume = _expected(answers, assumptions)
    examples = assumptions.training_examples or answers.get("labeled_examples") or DEFAULT_TRAINING_EXAMPLES
    tokens_each = assumptions.training_tokens_per_example or volume.prompt + volume.output
    run = examples * tokens_each * assumptions.epochs * tuned.train / MILLION
    preparation = (
        assumptions.data_preparation_cost
        if assumptions.data_preparation_cost is not None
        else DATA_SETUP_COST + DATA_COST_PER_EXAMPLE * min(examples, DATA_REVIEWED_EXAMPLES_CAP)
    )
    retrains = assumptions.retrains_per_year
    if retrains is None:
        retrains = RETRAINS_PER_YEAR[answers.get("requirements_change_frequency")]
    monthly = (run + assumptions.data_work_per_retrain) * retrains / MONTHS_PER_YEAR
    return Training(examples, tokens_each, run, preparation + run, preparation, retrains, monthly)


@dataclass(frozen=True)
class CostReport:
    options: tuple[Option, ...]
    recommended_option: str | None
    why_not_cheapest: str | None
    notices: tuple[str, ...]


def _usd(value: float) -> str:
    """Dollars as people read them: cents below $1,000, whole dollars above."""
    return f"${value:,.0f}" if abs(value) >= 1_000 else f"${value:,.2f}"


def _per_million(value: float) -> str:
    """A price per 1M tokens as the provider writes it: $0.125 stays $0.125, $0.10 stays $0.10."""
    if value < 0.01:
        return f"${value:,.3f}".rstrip("0").rstrip(".")
    three = f"{value:,.3f}"
    return f"${three}" if not three.endswith("0") else f"${value:,.2f}"


def _gpus_words(count: int) -> str:
    return "1 GPU" if count == 1 else f"{count} GPUs"


def _times_a_year(count: int) -> str:
    return {0: "never", 1: "once a year", 2: "twice a year"}.get(count, f"{count} times a year")


def _train_source(price: Price) -> str:
    """Where the training rate was read: its own source where the row names one (a row may mix marks)."""
    if price.train_source:
        return f"{price.train_source}, {price.train_date}; {price_words(price.train_mark)}"
    return f"{price.source}, {price.date}; {price_words(price.mark)}"


def _serving_source(table: PriceTable, tuned: Price) -> str:
    """Where the tuned model's serving price was read: the GPU-hour row, or the row's token prices."""
    if tuned.per_gpu_hour:
        gpu = table.gpus[tuned.dedicated_gpu]
        return (
            f"Serving at ${gpu.per_hour:,.2f} per GPU-hour: {gpu.source}, {gpu.date}; "
            f"{price_words(gpu.mark)}."
        )
    return _prices_from(tuned)


def _prices_from(price) -> str:
    return f"Prices: {price.source}, {price.date}; {price_words(price.mark)}."


def _volume_note(answers: dict, assumptions: CostAssumptions) -> str:
    """Requests, token counts and examples, each marked as the team's answer or as assumed with its range."""
    parts = [
        ("monthly_requests", "requests a month", REQUESTS_RANGE, None),
        ("avg_prompt_tokens_without_examples", "prompt tokens before examples", PROMPT_TOKENS_RANGE, None),
        ("avg_output_tokens", "output tokens", OUTPUT_TOKENS_RANGE, None),
        ("prompt_examples_today", "examples in each prompt", EXAMPLES_RANGE, _set_examples(assumptions)),
    ]
    texts, open_ = [], False
    for field, words, spread, fixed in parts:
        if fixed is not None:
            texts.append(f"{fixed:,} {words} (as you set it)")
        elif answers.get(field) is not None:
            texts.append(f"{answers[field]:,} {words} (your answer)")
        else:
            open_ = True
            texts.append(
                f"{spread[1]:,} {words} (assumed, not answered yet; range {spread[0]:,}-{spread[2]:,})"
            )
    head = "Volume partly assumed: " if open_ else "Volume from your answers: "
    tail = (
        " The low and high figures span the assumed ranges; answer these questions to narrow them."
        if open_
        else ""
    )
    return head + "; ".join(texts) + "." + tail


def _retirement_notice(price: Price, on: date) -> str | None:
    if price.retires is None or not price.retires_within(on):
        return None
    days = (price.retires - on).days
    return (
        f"{price.name} retires on {price.retires.isoformat()}, in {days} days: plan the move to a "
        "successor now and keep your evaluation set to check it (domain-2026 4)."
    )


def _prompting_notes(price: Price, volume: Volume, assumptions: CostAssumptions, batch: bool) -> list[str]:
    examples = volume.examples * assumptions.tokens_per_example
    static = round((volume.prompt * assumptions.static_share_percent // 100 + examples) * price.token_factor)
    minimum = (
        f"{price.cache_min_tokens:,} tokens, our assumption: the provider's minimum for this model family "
        "was not found (domain-2026 2.5, 7), so we use its largest published one"
        if price.cache_min_assumed
        else f"the {price.cache_min_tokens:,}-token minimum the provider caches"
    )
    if not assumptions.prompt_caching:
        cache = "no prompt caching (as you set it)"
    elif price.cached_input is None:
        cache = "no cache price published, so priced uncached"
    elif static < price.cache_min_tokens or static == 0:
        cache = (
            f"the static prefix ({static:,} tokens) is below {minimum}, so it is priced uncached"
        )
    else:
        write = price.cache_write if price.cache_write is not None else price.input
        cache = (
            f"the static prefix ({static:,} tokens: {assumptions.static_share_percent}% of the prompt as "
            f"fixed instructions, an assumption you can set, plus the examples) is read from cache at "
            f"{_per_million(price.cached_input)}/1M and written once per {price.cache_ttl_minutes}-minute "
            f"cache lifetime at {_per_million(write)}/1M"
        )
    batch_words = (
        f"; batch price ({price.batch_factor:g} x) because results can wait"
        if batch and price.batch_factor
        else ""
    )
    if batch_words and cache.startswith("the static prefix (") and "read from cache" in cache:
        batch_words = (
            f"; batch price ({price.batch_factor:g} x) on the uncached input and the output because results "
            "can wait, while the cached prefix keeps its cache price: whether the two discounts stack was "
            "not found (domain-2026 2.6, 7), so only the low figure stacks them, unconfirmed"
        )
    if price.cache_min_assumed and "read from cache" in cache:
        cache += f" (it reaches {minimum})"
    tokens = (
        f"; token counts x {price.token_factor:g}, as this model's tokenizer counts that many more tokens "
        "for the same text (domain-2026 6.2 C6; a per-model factor, your counts taken as counted elsewhere)"
        if price.token_factor != 1.0
        else ""
    )
    return [
        f"{price.name} at {_per_million(price.input)}/1M in, {_per_million(price.output)}/1M out; "
        f"{cache}{batch_words}{tokens}. {_prices_from(price)} {price.note}".strip()
    ]


def _training_notes(
    training: Training, tuned: Price, assumptions: CostAssumptions, answers: dict, stand_in: bool = False
) -> list[str]:
    scaled = assumptions.data_preparation_cost is None
    preparation = (
        f"Data preparation: {_usd(training.data_preparation)} once ("
        + (
            f"our planning figure of {_usd(DATA_SETUP_COST)} plus {_usd(DATA_COST_PER_EXAMPLE)} per "
            f"example for {min(training.examples, DATA_REVIEWED_EXAMPLES_CAP):,} reviewed examples, "
            "about two "
            "minutes of review each"
            + (
                f", a sample of your {training.examples:,}"
                if training.examples > DATA_REVIEWED_EXAMPLES_CAP
                else ""
            )
            + "; set your own"
            if scaled
            else "as you set it"
        )
        + ")."
    )
    rate = (
        f"at {tuned.name}'s managed rate of {_per_million(tuned.train)}/1M training tokens "
        f"({_train_source(tuned)})"
    ) + (
        ", a stand-in for your own GPU hours" if stand_in else ""
    )
    run = (
        f"Training: {training.examples:,} examples x {training.tokens_each:,} tokens x {assumptions.epochs} "
        f"{'epoch' if assumptions.epochs == 1 else 'epochs'} {rate}: {_usd(training.run)} a run."
    )
    change = answers.get("requirements_change_frequency")
    how_often = _times_a_year(training.retrains)
    if assumptions.retrains_per_year is not None:
        why = f"Retraining {how_often}, as you set it"
    elif change is None:
        why = f"Retraining {how_often} (an assumption: how often requirements change is not answered yet)"
    elif change == "rare":
        why = f"Retraining {how_often}, for a base-model upgrade, as requirements rarely change"
    else:
        why = f"Retraining {how_often}, as requirements change {CHANGE_WORDS[change]}"
    retrain = (
        why + "."
        if not training.retrains
        else f"{why}: each run costs {_usd(training.run)} in training plus "
        f"{_usd(assumptions.data_work_per_retrain)}"
        f" of data work and re-evaluation, about {_usd(training.monthly_retraining)} a month."
    )
    return [preparation, run, retrain]


def _retrieval_notes(assumptions: CostAssumptions) -> str:
    return (
        f"Retrieval: {assumptions.retrieval_tokens_per_request:,} tokens of retrieved text added to each "
        f"request and {_usd(assumptions.retrieval_service_monthly)} a month for the retrieval service "
        "(vector store and embeddings). Both are our planning figures, not quotes: no retrieval-service "
        "price was read, so set your own."
    )


def cost_report(
    answers: dict,
    verdict: str | None = None,
    add_retrieval: bool = False,
    assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS,
    *,
    as_of: date,
    revisit_weeks: int = DEFAULT_REVISIT_WEEKS,
) -> CostReport:
    """The options that apply to these answers, the one matching the verdict, and why it is chosen
    when it is not the cheapest. `verdict` None lists the options without choosing."""
    table = load_table()
    vols = volumes(answers, assumptions)
    batch = answers.get("batch_tolerant") is True
    confidential = answers.get("data_confidential") is True
    deployment = answers.get("deployment")
    notices: list[str] = []
    options: dict[str, Option] = {}
    volume_note = _volume_note(answers, assumptions)

    # Prompting the model in use (or the default, said so).
    prompted = _prompted(answers, assumptions, table, as_of)
    current = answers.get("current_model")
    if assumptions.model is not None:
        whose = "the model you set"
    elif current and prompted.id == current:
        whose = "the model you use now"
    else:
        whose = "a stand-in for your model" if current else "default model: your model is not answered yet"
        if current and current != "other":
            known = table.price(current, as_of) or table.price(current)
            if known is not None and known.retired_on(as_of):
                notices.append(
                    f"{known.name} retired on {known.retires.isoformat()}; the prompting line "
                    f"prices {prompted.name} instead."
                )
            elif known is None:
                notices.append(
                    f"The price table does not know {current!r}; the prompting line prices "
                    f"{prompted.name} as a stand-in."
                )
        elif current == "other":
            notices.append(
                f"Your model is not in the price table; the prompting line prices {prompted.name} "
                "as a stand-in."
            )
    retiring = _retirement_notice(prompted, as_of)
    if retiring:
        notices.append(retiring)

    def prompting(price: Price, extra: int = 0):
        return lambda volume, end: prompt_cost(
            price, volume, assumptions, extra_input=extra, batch=batch, stack=end == "low"
        )

    base_notes = [volume_note, *_prompting_notes(prompted, vols[0], assumptions, batch)]
    if retiring:
        base_notes.append(retiring)
    if confidential and deployment in (None, "hosted_api"):
        base_notes.append(
            "Your data is confidential: use the provider's business terms (no training on your "
            "data, data-retention controls) before sending it."
        )
    if deployment != "on_device" and not (confidential and deployment == "self_hosted"):
        options["prompting"] = _option(
            "prompting", f"Prompting {prompted.name} ({whose})", prompting(prompted), vols, 0.0, base_notes
        )

    # Prompting a cheaper model ("cheaper", not "smaller": most sizes are unpublished): the cheapest
    # verified, current row (never shared serverless for confidential data), when it is cheaper than the
    # model in use.
    if "prompting" in options:
        candidates = [
            row
            for row in table.rows
            if row.valid_on(as_of)
            and row.mark == "V"
            and row.id != prompted.id
            and not row.retires_within(as_of)
            and not (confidential and row.shared_serverless)
        ]
        priced = sorted(candidates, key=lambda row: prompt_cost(row, vols[0], assumptions, batch=batch))
        if (
            priced
            and prompt_cost(priced[0], vols[0], assumptions, batch=batch)
            < options["prompting"].monthly_expected
        ):
            small = priced[0]
            notes = [
                volume_note,
                *_prompting_notes(small, vols[0], assumptions, batch),
                "Cheaper per token, but unproven on your task: compare it with your current model on your "
                "evaluation set before switching (domain-2026 2.7, model choice before tuning).",
            ]
            if small.shared_serverless:
                notes.append("Served on a shared serverless endpoint of an open-weight host.")
            options["prompting_smaller"] = replace(
                _option(
                    "prompting_smaller",
                    f"Prompting a cheaper model: {small.name}",
                    prompting(small),
                    vols,
                    0.0,
                    notes,
                ),
                model_id=small.id,
            )

    # Tuned models. The route must take new jobs today and still serve at launch plus the revisit window.
    tuned = table.price(assumptions.fine_tuned_model, as_of) or table.price(assumptions.fine_tuned_model)
    training = _training(answers, assumptions, tuned)
    route = table.routes.get(tuned.tuning_route or "")
    hosted_open = _hosted_route_open(answers, table, tuned, as_of, revisit_weeks)
    # Retrieved text is prompt the GPU must prefill: GPU-hour options count it in their sizing, per-token
    # options get its token cost in _with_retrieval.
    extra = assumptions.retrieval_tokens_per_request if add_retrieval else 0
    training_notes = _training_notes(training, tuned, assumptions, answers)
    retrain_month = training.monthly_retraining

    def sizing_words(serving: Serving, prompt_tokens: int, tuned_model: bool = True) -> str:
        whole = computed_prompt_tokens(
            vols[0],
            assumptions.model_copy(update={"prompt_caching": False}),
            tuned=tuned_model,
            extra_input=extra,
        )
        counted = (
            f"{prompt_tokens:,} of the {whole:,} prompt tokens prefilled (the fixed part stays in the "
            "server's prefix cache)"
            if prompt_tokens < whole
            else f"{prompt_tokens:,} prompt tokens prefilled"
        )
        return (
            f"Sized for the busy hour at {assumptions.peak_percent_of_average:,}% of the average traffic, "
            f"counting {counted} and {vols[0].output:,} output tokens decoded per "
            f"request, at {assumptions.gpu_prefill_tokens_per_second:,} and "
            f"{assumptions.gpu_decode_tokens_per_second:,} tokens a second per L4"
            + (f" ({serving.speed:g} x that on this GPU)" if serving.speed != 1 else "")
            + ": our planning figures (the measured single-stream speed of hosted gpt-oss-20b is 313 "
            "tokens/s, domain-2026 5.2, secondary); set your own from a load test."
        )

    def hosted_tuned():
        def monthly(volume: Volume, end: str) -> float:
            return _hosted_monthly(table, tuned, assumptions, volume, end, batch, extra) + retrain_month

        return monthly

    if deployment in (None, "hosted_api") and hosted_open:
        if tuned.per_gpu_hour:
            serving_at = hosted_serving(table, tuned)
            prompt_tokens = computed_prompt_tokens(vols[0], assumptions, tuned=True, extra_input=extra)
            gpus = gpus_needed(vols[0], assumptions, serving_at, prompt_tokens)
            hours = gpu_hours(vols[0], assumptions, serving_at, prompt_tokens, batch)
            gpu = table.gpus[tuned.dedicated_gpu]
            low_gpu = table.gpus[table.defaults["hosted_gpu_low"]]
            serving = (
                f"Served on a dedicated deployment (LoRA fine-tunes are not served serverless, and the "
                f"host rents H100-class GPUs or larger, domain-2026 C1, C5, 3.4): {_gpus_words(gpus)}, "
                f"{hours:,.0f} GPU-hours a month at ${gpu.per_hour:,.2f} ({gpu.source}, {gpu.date}, "
                f"secondary); the low figure uses ${low_gpu.per_hour:,.2f}, the rate in {low_gpu.source} "
                f"(provider's own page). {sizing_words(serving_at, prompt_tokens)}"
            )
            if batch:
                serving += " Results can wait, so the deployment scales to zero between runs."
        else:
            serving = (
                f"Served per token at {_per_million(tuned.ft_input)}/1M in, "
                f"{_per_million(tuned.ft_output)}/1M out."
            )
        notes = [
            volume_note,
            f"{tuned.name}, tuned with LoRA through {route.name}. {serving}"
            + ("" if tuned.per_gpu_hour else f" {_prices_from(tuned)}"),
            *training_notes,
        ]
        if confidential:
            notes.append(
                "A dedicated deployment runs on the provider's GPUs for you alone, not on a shared "
                "serverless endpoint; your data still leaves your network, so check the terms."
            )
        options["tuned_hosted"] = _option(
            "tuned_hosted",
            f"Tuned {tuned.name.split(' on ')[0]}, hosted by a provider",
            hosted_tuned(),
            vols,
            training.one_time,
            notes,
        )
    elif deployment in (None, "hosted_api") and route is not None:
        notices.append(
            f"{route.name} does not take new tuning jobs from a new team through your launch and "
            f"revisit window, so it is not priced. {route.note}"
        )

    own = self_serving(table, assumptions, tuned)

    def self_hosted(tuned_model: bool = True):
        def monthly(volume: Volume, end: str) -> float:
            serving_cost = gpu_cost(
                volume, assumptions, own, end, tuned=tuned_model, batch=batch, extra_input=extra
            )
            return serving_cost + (retrain_month if tuned_model else 0)

        return monthly

    def gpu_note(tuned_model: bool) -> str:
        prompt_tokens = computed_prompt_tokens(vols[0], assumptions, tuned=tuned_model, extra_input=extra)
        gpus = gpus_needed(vols[0], assumptions, own, prompt_tokens)
        hours = gpu_hours(vols[0], assumptions, own, prompt_tokens, batch)
        note = (
            f"Self-hosted on rented GPUs: {gpus} x {own.gpu_name}, {hours:,.0f} GPU-hours a month; "
            f"{own.words}. {sizing_words(own, prompt_tokens, tuned_model)} No per-token cost; engineering "
            "and operations time is not priced."
        )
        if answers.get("gpu_access") == "own":
            note += " You own GPUs: the hourly price stands for what their time is worth."
        elif deployment is None:
            note += (
                " Open to you because you can use open-weight models and have ML skills: serving needs a "
                "GPU VM you rent, whatever GPUs you have for training."
            )
        return note

    if self_hosting_open(answers):
        self_training = _training_notes(training, tuned, assumptions, answers, stand_in=True)
        options["tuned_self_hosted"] = _option(
            "tuned_self_hosted",
            f"Tuned {tuned.name.split(' on ')[0]}, self-hosted on GPUs",
            self_hosted(),
            vols,
            training.one_time,
            [volume_note, gpu_note(True), *self_training],
        )
        if deployment == "self_hosted":
            options["prompting_self_hosted"] = _option(
                "prompting_self_hosted",
                f"Prompting {tuned.name.split(' on ')[0]}, self-hosted on GPUs",
                self_hosted(tuned_model=False),
                vols,
                0.0,
                [
                    volume_note,
                    gpu_note(False),
                    "Prompted, not tuned: examples and instructions stay in the prompt.",
                ],
            )

    if deployment == "on_device":
        tunes = verdict in ("fine_tuning", "hybrid")
        one_time = training.one_time if tunes else 0.0
        notes = [
            volume_note,
            "On the device: no per-token or GPU-hour cost once the model ships. The devices "
            "and the app engineering are not priced: no grounded figure was found.",
        ]
        if tunes:
            notes += _training_notes(training, tuned, assumptions, answers, stand_in=True)
        options["on_device"] = _option(
            "on_device",
            "A small model on the device" + (", tuned" if tunes else ""),
            lambda v, e: retrain_month if tunes else 0.0,
            vols,
            one_time,
            notes,
        )

    # Retrieval, when the answers need it, is part of every path (facts that change or live in private
    # documents need it whatever the model, domain.md 5.4 R1): its tokens and a service line go into each
    # option, so no option looks cheap by leaving out what the team needs.
    if add_retrieval:
        options = {
            key: _with_retrieval(option, answers, assumptions, batch, table, as_of, prompted, tuned)
            for key, option in options.items()
        }

    # Prices that move inside the 24 months: the total follows them month by month (C4, section 4).
    extra_in = assumptions.retrieval_tokens_per_request if add_retrieval else 0
    service = assumptions.retrieval_service_monthly if add_retrieval else 0
    for key in ("prompting", "prompting_smaller"):
        option = options.get(key)
        if option is None:
            continue
        row = prompted if key == "prompting" else table.price(option.model_id, as_of)

        def month_on(price: Price) -> float:
            return prompt_cost(price, vols[0], assumptions, extra_input=extra_in, batch=batch) + service

        total = dated_total(table, row, as_of, month_on)
        if total is not None:
            words = _dated_words(table, row, as_of)
            notices.extend(word for word in words if word not in notices)
            options[key] = replace(
                option,
                dated_total=round(option.one_time + total, 2),
                assumptions=(*option.assumptions, *words),
            )

    # The recommended path itself; a hybrid gets its own line (tuned model + prompts [+ retrieval]).
    recommended = _recommended(verdict, deployment, options, confidential)
    if recommended and verdict == "hybrid":
        base = options[recommended]
        label = "Recommended path: tuned model + prompts" + (" + retrieval" if add_retrieval else "")
        notes = [
            *base.assumptions,
            "The tuned model carries the format and style; the prompt keeps the "
            "instructions that change, so an edit to behaviour needs no retraining.",
        ]
        options["hybrid"] = replace(base, id="hybrid", label=label, assumptions=tuple(notes), route=base.id)
        recommended = "hybrid"

    ordered = tuple(options.values())
    why = _why_not_cheapest(answers, verdict, add_retrieval, options.get(recommended), ordered)
    return CostReport(ordered, recommended, why, tuple(notices))


def _with_retrieval(
    option: Option,
    answers: dict,
    assumptions: CostAssumptions,
    batch: bool,
    table: PriceTable,
    as_of: date,
    prompted: Price,
    tuned: Price,
) -> Option:
    """The option with retrieved text in each prompt (per-token options) and the retrieval service."""
    service = assumptions.retrieval_service_monthly
    extra = assumptions.retrieval_tokens_per_request
    notes = [*option.assumptions, _retrieval_notes(assumptions)]
    per_token = None
    if option.id == "prompting":
        per_token = prompted
    elif option.model_id is not None:
        per_token = table.price(option.model_id, as_of)
    if per_token is not None:
        vols = volumes(answers, assumptions)

        def added(volume: Volume) -> float:
            with_text = prompt_cost(per_token, volume, assumptions, extra_input=extra, batch=batch)
            return with_text - prompt_cost(per_token, volume, assumptions, batch=batch)

        # The retrieved tokens' cost moves with volume: add it at each end of the range.
        low = min(added(v) for v in vols)
        high = max(added(v) for v in vols)
        mid = added(vols[0])
        return replace(
            option,
            monthly_low=round(option.monthly_low + low + service, 2),
            monthly_expected=round(option.monthly_expected + mid + service, 2),
            monthly_high=round(option.monthly_high + high + service, 2),
            assumptions=tuple(notes),
        )
    return replace(
        option,
        monthly_low=round(option.monthly_low + service, 2),
        monthly_expected=round(option.monthly_expected + service, 2),
        monthly_high=round(option.monthly_high + service, 2),
        assumptions=tuple(notes),
    )


def _recommended(
    verdict: str | None, deployment: str | None, options: dict[str, Option], confidential: bool = False
) -> str | None:
    if verdict is None:
        return None
    if deployment == "on_device":
        return "on_device"
    if verdict == "prompt_engineering":
        order = ["prompting_self_hosted", "prompting"] if deployment == "self_hosted" else ["prompting"]
    elif deployment == "self_hosted":
        order = ["tuned_self_hosted"]
    else:
        # Both tuned routes apply: the cheaper over 24 months, or self-hosting for confidential data.
        order = sorted(
            ["tuned_hosted", "tuned_self_hosted"],
            key=lambda o: (
                o != "tuned_self_hosted" if confidential else 0,
                options[o].total_24_months if o in options else 0,
            ),
        )
    return next((option for option in order if option in options), None)


def _why_not_cheapest(
    answers: dict,
    verdict: str | None,
    add_retrieval: bool,
    chosen: Option | None,
    options: tuple[Option, ...],
) -> str | None:
    """One sentence: what the team buys with the difference, grounded in its answers."""
    if chosen is None or not options:
        return None
    cheapest = min(options, key=lambda o: o.total_24_months)
    difference = chosen.total_24_months - cheapest.total_24_months
    if difference <= 0:  # any difference is explained: a reader sees both totals side by side
        return None
    buys = []
    baseline = answers.get("prompt_baseline")
    # A quality gain is claimed only where the team measured its best prompt short of the target
    # (domain.md 0.1, 5.5; domain-2026 6.1 T7); otherwise the sentence says what the answers support,
    # in conditional words (review findings F3, F15).
    measured_gap = baseline in ("close", "far_below")
    if verdict == "prompt_engineering":
        if cheapest.id == "prompting_smaller":
            if answers.get("current_model") and baseline in ("meets_target", "close"):
                buys.append(
                    "the quality you have measured with the model you use now, while the cheaper model "
                    "is unproven on your task until your evaluation set shows it meets the target"
                )
            else:
                buys.append(
                    "time to check the cheaper model on your evaluation set before switching, as it is "
                    "unproven on your task"
                )
        change = answers.get("requirements_change_frequency")
        if change in CHANGE_WORDS:
            buys.append(
                f"the freedom to change behaviour {CHANGE_WORDS[change]} by editing a prompt, with no "
                "retraining"
            )
        if answers.get("time_to_deploy_weeks") is not None and answers["time_to_deploy_weeks"] < 6:
            buys.append("a launch within your deadline, with no data preparation or training cycle first")
        if not buys:
            buys.append(
                "a start without the upfront data work and the risk of tuning before a prompt baseline "
                "shows what the gap really is"
            )
    else:
        if answers.get("output_consistency_need") == "high":
            buys.append(
                "consistency (one format, style or tone every time, learnt rather than reminded)"
                if measured_gap
                else "a steadier format, style or tone, if your evaluation shows the prompt drifting from it"
            )
        if answers.get("data_confidential") is True:
            own = "tuned_self_hosted" in (chosen.id, chosen.route)
            where = "GPUs you run" if own else "a deployment that serves only you"
            buys.append(f"privacy (the model runs on {where}, not on a shared endpoint)")
        if answers.get("latency_budget_ms") is not None or answers.get("latency_sensitive") is True:
            buys.append("latency (a tuned model with a short prompt, no examples resent each request)")
        if measured_gap:
            buys.append("quality your best prompt has not reached")
        elif baseline is None and (
            answers.get("domain_specificity") == "high" or answers.get("accuracy_criticality") == "high"
        ):
            buys.append(
                "a chance of better quality on your specialised, high-stakes task, if your evaluation "
                "set shows your best prompt falls short"
            )
        if not buys:
            buys.append(
                "a model trained for one narrow task, worth it only if your evaluation set shows your "
                "best prompt falls short"
            )
    if add_retrieval:
        buys.append("answers grounded in your current private documents")
    # Items with their own commas (conditions) are kept apart with a semicolon so the sentence parses.
    joined = ("; and " if any("," in item for item in buys[:2]) else " and ").join(buys[:2])
    sentence = (
        f"{chosen.label} costs {_usd(difference)} more over {MONTHS_SHOWN} months than "
        f"{cheapest.label[0].lower() + cheapest.label[1:]}; the difference buys {joined}"
    )
    if verdict != "prompt_engineering" and baseline == "meets_target":
        sentence += ", not quality: your best prompt already meets your target"
    ratio = chosen.total_24_months / cheapest.total_24_months if cheapest.total_24_months > 0 else None
    if answers.get("budget") == "low" and (ratio is None or ratio > LOW_BUDGET_RATIO):
        times = f"{ratio:.1f} times" if ratio is not None else "far more than"
        sentence += (
            f"; with a low budget, note that this is {times} the cheapest option over {MONTHS_SHOWN} months"
        )
    return sentence + "."


# --- v1 figures, kept for compatibility (API v1 fields, the chart, the compare page) ------------------


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


TUNED_IDS = ("hybrid", "tuned_hosted", "tuned_self_hosted")
PROMPTING_IDS = ("prompting", "prompting_self_hosted")


def cost_figures(
    answers: dict,
    assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS,
    as_of: date | None = UNDATED,
    verdict: str | None = None,
    add_retrieval: bool = False,
    report: CostReport | None = None,
) -> CostFigures:
    """The v1 pair, taken from the options table so the two never disagree: the prompting line versus
    the tuned line (the recommended one when the verdict tunes, else the cheaper tuned route), with the
    one-time cost, retraining and break-even (formulas of domain.md 4.1)."""
    table = load_table()
    on = as_of or _first_day(table)
    if report is None:
        report = cost_report(answers, verdict, add_retrieval, assumptions, as_of=on)
    options = {option.id: option for option in report.options}
    tuned = table.price(assumptions.fine_tuned_model, on) or table.price(assumptions.fine_tuned_model)
    training = _training(answers, assumptions, tuned)
    prompt_line = next((options[i] for i in PROMPTING_IDS if i in options), None)
    tuned_ids = [report.recommended_option] if report.recommended_option in TUNED_IDS else []
    tuned_ids += sorted((i for i in TUNED_IDS[1:] if i in options), key=lambda i: options[i].total_24_months)
    tuned_line = next((options[i] for i in tuned_ids if i in options), None)
    if prompt_line is None or tuned_line is None:  # on-device, or no tuned route: the plain comparison
        volume = _expected(answers, assumptions)
        batch = answers.get("batch_tolerant") is True
        prompting = prompt_cost(_prompted(answers, assumptions, table, on), volume, assumptions, batch=batch)
        fine_tuned = _hosted_monthly(table, tuned, assumptions, volume, "expected", batch, 0)
        one_time, label = training.one_time, tuned.name
    else:
        prompting = prompt_line.monthly_expected
        fine_tuned = tuned_line.monthly_expected - training.monthly_retraining
        one_time, label = tuned_line.one_time, tuned_line.label
    saving = prompting - fine_tuned - training.monthly_retraining
    break_even = round(one_time / saving, 1) if saving > 0 else None
    figures = CostFigures(
        monthly_prompt_engineering=round(prompting, 2),
        monthly_fine_tuned=round(fine_tuned, 2),
        one_time_fine_tuning=round(one_time, 2),
        monthly_retraining=round(training.monthly_retraining, 2),
        break_even_months=break_even,
        few_shot_tokens_per_month=few_shot_tokens_per_month(answers, assumptions),
        assumptions=(),
    )
    prompted = _prompted(answers, assumptions, table, on)
    volume = _expected(answers, assumptions)
    batch = answers.get("batch_tolerant") is True
    retrieval = " Retrieval is included on both sides." if add_retrieval else ""
    notes = (
        _volume_note(answers, assumptions),
        "Prompting: " + _prompting_notes(prompted, volume, assumptions, batch)[0],
        f"Fine-tuned: {label[0].lower() + label[1:]}, with the short prompt only; see how each option is "
        f"priced.{retrieval} {_serving_source(table, tuned)}",
        *_training_notes(training, tuned, assumptions, answers),
        # Last on purpose: the result page shows this sentence as the cost chart's caption.
        _break_even_note(figures, training.retrains),
    )
    return replace(figures, assumptions=notes)


def _break_even_note(figures: CostFigures, retrains: int) -> str:
    """Why fine-tuning pays back when it does, or what stops it: the real reason, in one sentence."""
    token_saving = figures.monthly_prompt_engineering - figures.monthly_fine_tuned
    once = _usd(figures.one_time_fine_tuning)
    if token_saving <= 0:
        return (
            "Break-even: never on these figures. The tuned model costs as much as prompting or more "
            f"every month, so nothing pays back the {once} paid once."
        )
    if figures.break_even_months is None and retrains >= MONTHS_PER_YEAR:
        # 4.5: frequent change multiplies retraining and its data work; that is what rules tuning out here.
        return (
            f"Break-even: never on these figures. Retraining {_times_a_year(retrains)} costs "
            f"{_usd(figures.monthly_retraining)} a month, more than the {_usd(token_saving)} a month the "
            "tuned model saves."
        )
    if figures.break_even_months is None:
        return (
            "Break-even: never on these figures. The tuned model saves only "
            f"{_usd(token_saving)} a month, less than retraining {_times_a_year(retrains)} "
            f"costs ({_usd(figures.monthly_retraining)} a month), so the {once} paid once never comes back."
        )
    when = (
        "within the first month"
        if figures.break_even_months < 1
        else f"after {figures.break_even_months:g} months"
    )
    return (
        f"Break-even {when}: the {once} paid once comes back from a saving of "
        f"{_usd(figures.monthly_saving)} a month, retraining included."
    )


def monthly_series(
    answers: dict,
    assumptions: CostAssumptions | None = None,
    months: int = MONTHS_SHOWN,
    as_of: date | None = UNDATED,
    verdict: str | None = None,
    add_retrieval: bool = False,
) -> dict:
    """Cumulative cost at the end of each month 1..months, for the cost chart.

    Returns {"months": [1, ...], "prompt_engineering": [...], "fine_tuning": [...]}; fine-tuning starts
    with the one-time cost and adds retraining each month.
    """
    figures = cost_figures(answers, assumptions or DEFAULT_ASSUMPTIONS, as_of, verdict, add_retrieval)
    tuned_monthly = figures.monthly_fine_tuned + figures.monthly_retraining
    numbers = range(1, max(months, 1) + 1)
    return {
        "months": list(numbers),
        "prompt_engineering": [round(figures.monthly_prompt_engineering * m, 2) for m in numbers],
        "fine_tuning": [round(figures.one_time_fine_tuning + tuned_monthly * m, 2) for m in numbers],
    }


def load_prices(as_of: date | None = UNDATED) -> dict[str, Price]:
    """{id: Price} valid on `as_of` (None: the first row of each id); for choices in forms."""
    table = load_table()
    return {model_id: table.price(model_id, as_of) or table.price(model_id) for model_id in table.ids()}
